// The sweep's results for Security Hub (stage param securityHub): sent to the findings queue, which the securityHub
// function imports as the event path's reports. Failing resources are re-imported on every sweep (Security Hub
// deletes findings not updated for 90 days); a compliant resource is sent only when its status tag before the
// sweep named rules (the admins were told, so a finding may be open), or on a retried sweep (the first attempt may
// have removed that tag already). A failed read resolves nothing.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { sendDelayedMessage } from '#core/aws/sqs';
import {
  type SweepFindingsMessage,
  type SweepReport,
  sweepFindingsMessages,
} from '#securityhub/sweep-message';
import type { SweepCheck } from './sweep.ts';

export function sweepReports(checks: readonly SweepCheck[], everyCompliant: boolean): SweepReport[] {
  const reports: SweepReport[] = [];
  for (const { result, passed, reported } of checks) {
    const { verdict, violations } = result;
    const { type, arn, name } = result.resource;
    const report = { resource: { type, arn, name }, verdict, violations };
    if (verdict === 'noncompliant') reports.push({ ...report, passed: [...passed] });
    else if (verdict === 'error' && violations.length > 0) reports.push({ ...report, passed: [] });
    else if (verdict === 'compliant' && (reported || everyCompliant) && passed.length > 0)
      reports.push({ ...report, passed: [...passed] });
  }
  return reports;
}

export interface SentFindings {
  reports: number;
  messages: number;
  /** The messages SQS did not take, with why: the invocation then fails and SQS retries the target. */
  failed: string[];
}

/** Every message is tried (a failed one does not hold the others back); the caller fails on any failure. */
export async function sendSweepFindings(
  sqs: SQSClient,
  queueUrl: string,
  head: Omit<SweepFindingsMessage, 'kind' | 'version' | 'reports'>,
  reports: readonly SweepReport[],
): Promise<SentFindings> {
  const messages = sweepFindingsMessages(head, reports);
  const failed: string[] = [];
  for (const [i, message] of messages.entries()) {
    try {
      await sendDelayedMessage(sqs, queueUrl, message, 0);
    } catch (error) {
      failed.push(`message ${i + 1} of ${messages.length}: ${(error as Error).message}`);
    }
  }
  return { reports: reports.length, messages: messages.length, failed };
}
