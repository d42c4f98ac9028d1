// Imports an event's findings into Security Hub, in the resource's own account and region: the failed finding of
// each rule it broke, and the resolution of each earlier finding whose rule it now passes. One GetFindings (the
// resource's existing findings from these rules) and one BatchImportFindings per event. Any failure throws, so
// the message is retried and then dead-lettered (alarmed): a finding is never dropped in silence.
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { AwsLocation } from '#core/location';
import {
  failedFindings,
  findingId,
  findingLocation,
  productArn,
  type ReportForFindings,
  resolvedFinding,
  ruleOfFinding,
} from './asff.ts';

export interface FindingsOutcome {
  location: AwsLocation;
  /** Failed findings created or updated. */
  failed: string[];
  /** Findings resolved (compliance PASSED, archived). */
  resolved: string[];
  /** Not imported, with why (an older event than the finding's last update). */
  skipped: string[];
}

export class FindingsImportError extends Error {
  constructor(
    message: string,
    readonly failures: Array<{ Id?: string; ErrorCode?: string; ErrorMessage?: string }>,
  ) {
    super(message);
    this.name = 'FindingsImportError';
  }
}

/** Security Hub takes at most 100 findings a request; GetFindings up to 100 a page. */
const BATCH = 100;

async function existingFindings(
  client: SecurityHubClient,
  location: AwsLocation,
  ids: string[],
): Promise<Map<string, AwsSecurityFinding>> {
  const found = new Map<string, AwsSecurityFinding>();
  for (let i = 0; i < ids.length; i += BATCH) {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetFindingsCommand({
          Filters: {
            ProductArn: [{ Value: productArn(location), Comparison: 'EQUALS' }],
            Id: ids.slice(i, i + BATCH).map((Value) => ({ Value, Comparison: 'EQUALS' as const })),
          },
          MaxResults: BATCH,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const f of page.Findings ?? []) if (f.Id) found.set(f.Id, f);
      nextToken = page.NextToken || undefined;
    } while (nextToken);
  }
  return found;
}

const later = (a: string, b: string | undefined): boolean =>
  b === undefined || Date.parse(a) >= Date.parse(b);

/**
 * The findings of one event's report, imported with `client` (which acts in the resource's account and region).
 * Nothing to do for a report without a resource, or without a violation or a passed rule.
 */
export async function importFindings(
  report: ReportForFindings,
  observedAt: string,
  clientFor: (location: AwsLocation) => SecurityHubClient,
): Promise<FindingsOutcome | undefined> {
  const resource = report.resource;
  const location = resource && findingLocation(resource.arn);
  if (!resource || !location) return undefined;
  const failing = new Set(report.violations.map((v) => v.rule));
  const passed = (report.passed ?? []).filter((rule) => !failing.has(rule));
  if (failing.size === 0 && passed.length === 0) return undefined;
  const client = clientFor(location);
  const ids = [...failing, ...passed].map((rule) => findingId(resource.arn, rule));
  const existing = await existingFindings(client, location, ids);
  const outcome: FindingsOutcome = { location, failed: [], resolved: [], skipped: [] };
  const imports: AwsSecurityFinding[] = [];
  for (const finding of failedFindings(report, (rule) => {
    const previous = existing.get(findingId(resource.arn, rule));
    return { observedAt, ...(previous?.CreatedAt ? { createdAt: previous.CreatedAt } : {}) };
  })) {
    const previous = existing.get(finding.Id as string);
    // An event older than the finding's last update (a late redelivery) must not undo it.
    if (!later(observedAt, previous?.UpdatedAt)) {
      outcome.skipped.push(`${finding.Id}: older than its last update ${previous?.UpdatedAt}`);
      continue;
    }
    imports.push(finding);
    outcome.failed.push(finding.Id as string);
  }
  for (const rule of passed) {
    const previous = existing.get(findingId(resource.arn, rule));
    // Only a finding that is still open is resolved: a rule that always passed has no finding to create.
    if (!previous || ruleOfFinding(previous) !== rule) continue;
    if (previous.Compliance?.Status === 'PASSED' && previous.RecordState === 'ARCHIVED') continue;
    if (!later(observedAt, previous.UpdatedAt)) {
      outcome.skipped.push(`${previous.Id}: older than its last update ${previous.UpdatedAt}`);
      continue;
    }
    const resolved = resolvedFinding(report, rule, previous, observedAt);
    if (!resolved) continue;
    imports.push(resolved);
    outcome.resolved.push(resolved.Id as string);
  }
  for (let i = 0; i < imports.length; i += BATCH) {
    const batch = imports.slice(i, i + BATCH);
    const answer = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
    const failures = answer.FailedFindings ?? [];
    if ((answer.FailedCount ?? 0) > 0 || failures.length > 0) {
      const detail = failures.map((f) => `${f.Id}: ${f.ErrorCode} ${f.ErrorMessage}`).join('; ');
      throw new FindingsImportError(
        `Security Hub rejected ${failures.length || answer.FailedCount} of ${batch.length} findings in ${location.account}/${location.region}: ${detail}`,
        failures,
      );
    }
  }
  return outcome;
}
