// Imports reports' findings into Security Hub, in the resources' own account and region: the failed finding of
// each rule a resource broke, and the resolution of each earlier finding whose rule it now passes. One GetFindings
// per 20 resources (the existing findings of this product on them; GetFindings takes at most 20 values a filter
// field, 100 findings a page) and one BatchImportFindings per 100 findings: an event costs one of each, a sweep
// message of 20 resources too. Any failure throws, so the message is retried and then dead-lettered (alarmed): a
// finding is never dropped in silence.
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { type AwsLocation, sameLocation } from '#core/location';
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

/** Security Hub's limits: 100 findings an import and a GetFindings page, 20 values a filter field. */
const IMPORT_BATCH = 100;
const PAGE = 100;
export const RESOURCES_PER_LOOKUP = 20;

/** A report and when it was observed: its findings' UpdatedAt (the event's time, or the sweep's). */
export interface ObservedReport {
  report: ReportForFindings;
  observedAt: string;
}

/** This product's findings on the resources, by finding Id: one GetFindings per 20 resources, page after page. */
async function existingFindings(
  client: SecurityHubClient,
  location: AwsLocation,
  resourceArns: string[],
): Promise<Map<string, AwsSecurityFinding>> {
  const found = new Map<string, AwsSecurityFinding>();
  for (let i = 0; i < resourceArns.length; i += RESOURCES_PER_LOOKUP) {
    const resources = resourceArns.slice(i, i + RESOURCES_PER_LOOKUP);
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetFindingsCommand({
          Filters: {
            ProductArn: [{ Value: productArn(location), Comparison: 'EQUALS' }],
            ResourceId: resources.map((Value) => ({ Value, Comparison: 'EQUALS' as const })),
          },
          MaxResults: PAGE,
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

/** The rules a report broke, and those it passed (and did not also break). */
function rulesOf(report: ReportForFindings): { failing: Set<string>; passed: string[] } {
  const failing = new Set(report.violations.map((v) => v.rule));
  return { failing, passed: (report.passed ?? []).filter((rule) => !failing.has(rule)) };
}

/** What to import for one report, given the existing findings. */
function findingsOf(
  { report, observedAt }: ObservedReport,
  existing: Map<string, AwsSecurityFinding>,
  outcome: FindingsOutcome,
): AwsSecurityFinding[] {
  const resource = report.resource;
  if (!resource) return [];
  const imports: AwsSecurityFinding[] = [];
  for (const finding of failedFindings(report, (rule) => {
    const previous = existing.get(findingId(resource.arn, rule));
    return { observedAt, ...(previous?.CreatedAt ? { createdAt: previous.CreatedAt } : {}) };
  })) {
    const previous = existing.get(finding.Id as string);
    // An observation older than the finding's last update (a late redelivery, a late sweep) must not undo it.
    if (!later(observedAt, previous?.UpdatedAt)) {
      outcome.skipped.push(`${finding.Id}: older than its last update ${previous?.UpdatedAt}`);
      continue;
    }
    imports.push(finding);
    outcome.failed.push(finding.Id as string);
  }
  for (const rule of rulesOf(report).passed) {
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
  return imports;
}

/**
 * The findings of reports about resources of one account and region, imported with `client` (which acts there).
 * A report whose resource is elsewhere is a programming error (the callers check where a message may act).
 */
export async function importReports(
  reports: readonly ObservedReport[],
  location: AwsLocation,
  client: SecurityHubClient,
): Promise<FindingsOutcome> {
  const relevant = reports.filter(({ report }) => {
    const { failing, passed } = rulesOf(report);
    return report.resource && (failing.size > 0 || passed.length > 0);
  });
  for (const { report } of relevant) {
    const where = findingLocation(report.resource?.arn ?? '');
    if (!where || !sameLocation(where, location)) {
      throw new Error(`${report.resource?.arn} is not in ${location.account}/${location.region}`);
    }
  }
  const outcome: FindingsOutcome = { location, failed: [], resolved: [], skipped: [] };
  if (relevant.length === 0) return outcome;
  const arns = [...new Set(relevant.map(({ report }) => report.resource?.arn as string))];
  const existing = await existingFindings(client, location, arns);
  const imports = relevant.flatMap((observed) => findingsOf(observed, existing, outcome));
  for (let i = 0; i < imports.length; i += IMPORT_BATCH) {
    const batch = imports.slice(i, i + IMPORT_BATCH);
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

/**
 * The findings of one event's report, imported with `clientFor` its resource's account and region.
 * Nothing to do for a report without a resource, or without a violation or a passed rule.
 */
export async function importFindings(
  report: ReportForFindings,
  observedAt: string,
  clientFor: (location: AwsLocation) => SecurityHubClient,
): Promise<FindingsOutcome | undefined> {
  const location = report.resource && findingLocation(report.resource.arn);
  if (!location) return undefined;
  const { failing, passed } = rulesOf(report);
  if (failing.size === 0 && passed.length === 0) return undefined;
  return importReports([{ report, observedAt }], location, clientFor(location));
}
