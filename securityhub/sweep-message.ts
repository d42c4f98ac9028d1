// The sweep's message to the findings queue (sweep worker -> securityHub function): what one sweep of one account
// and region found on up to 20 resources, for Security Hub. No dependencies: the sweep worker's bundle carries
// this file and nothing more of securityhub/ (the securityHub function validates it with zod, lambda.ts).
import type { ReportForFindings } from './asff.ts';

export const SWEEP_FINDINGS_KIND = 'sm-guardrails/sweep-findings';
export const SWEEP_FINDINGS_VERSION = 1;
/** One GetFindings looks up at most 20 resources (20 values a filter field): one message, one lookup. */
export const REPORTS_PER_MESSAGE = 20;
/** Well under SQS's 256 KiB a message (the JSON's UTF-8 bytes). */
export const MESSAGE_BYTES = 200_000;

/** A swept resource: its violations and the rules it passed (the sweep is the actor, the message says when). */
export type SweepReport = Pick<ReportForFindings, 'verdict' | 'violations'> & {
  resource: NonNullable<ReportForFindings['resource']>;
  passed: string[];
};

export interface SweepFindingsMessage {
  kind: typeof SWEEP_FINDINGS_KIND;
  version: typeof SWEEP_FINDINGS_VERSION;
  sweepId: string;
  /** Where the sweep ran: every report's resource must be there. */
  partition: string;
  account: string;
  region: string;
  /** When the sweep read the resources: the findings' UpdatedAt (never overrides a newer update). */
  observedAt: string;
  reports: SweepReport[];
}

/** The messages of one target's reports: 20 reports at most, and MESSAGE_BYTES at most (a lone report excepted). */
export function sweepFindingsMessages(
  head: Omit<SweepFindingsMessage, 'kind' | 'version' | 'reports'>,
  reports: readonly SweepReport[],
): SweepFindingsMessage[] {
  const messages: SweepFindingsMessage[] = [];
  const empty = JSON.stringify({
    kind: SWEEP_FINDINGS_KIND,
    version: SWEEP_FINDINGS_VERSION,
    ...head,
    reports: [],
  });
  let current: SweepReport[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length > 0) {
      messages.push({
        kind: SWEEP_FINDINGS_KIND,
        version: SWEEP_FINDINGS_VERSION,
        ...head,
        reports: current,
      });
    }
    current = [];
    bytes = Buffer.byteLength(empty);
  };
  flush();
  for (const report of reports) {
    const size = Buffer.byteLength(JSON.stringify(report)) + 1;
    if (current.length === REPORTS_PER_MESSAGE || (current.length > 0 && bytes + size > MESSAGE_BYTES))
      flush();
    current.push(report);
    bytes += size;
  }
  flush();
  return messages;
}
