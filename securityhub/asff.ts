// Event reports as AWS Security Finding Format (ASFF) findings: one finding per resource and rule, identified by
// the resource ARN and the rule id, so that every later event about the resource updates the same finding. Pure:
// the import (and what decides create, update or resolve) is in sink.ts.
//
// Field names and limits from the Security Hub API reference (AwsSecurityFinding) and user guide ("Required
// top-level ASFF attributes"). The finding is imported into the resource's own account and region with the
// default product ARN: BatchImportFindings accepts a finding only from the account in its AwsAccountId.
import type { AwsSecurityFinding, Resource } from '@aws-sdk/client-securityhub';
import { parseSageMakerArn } from '#core/arn';
import type { AwsLocation } from '#core/location';
import type { EventReport } from '#core/report';
import { RULES } from '#core/rules/index';
import type { Actor } from '#core/types';

export const SCHEMA_VERSION = '2018-10-08';
/** Security Hub's taxonomy: a configuration that departs from a best practice. */
export const FINDING_TYPE = 'Software and Configuration Checks/AWS Security Best Practices';
const PRODUCT_FIELD_PREFIX = 'sm-guardrails';

/** What the importer needs of an event's report (shared/report.ts, returned by the event functions). */
export type ReportForFindings = Pick<
  EventReport,
  'eventId' | 'eventName' | 'resource' | 'actor' | 'passed'
> & {
  verdict: string;
  violations: ReadonlyArray<
    Pick<EventReport['violations'][number], 'rule' | 'message' | 'seen' | 'required' | 'fix'> & {
      severity: string;
    }
  >;
};

const SEVERITY_LABEL: Record<string, 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL'> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
};

/** ASFF Resource.Partition takes these only. */
const ASFF_PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov']);

const META = new Map(RULES.map((r) => [r.meta.id as string, r.meta]));

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 3)}...`;

/** Where the resource lives: its findings are imported there (its account, its region). */
export function findingLocation(resourceArn: string): AwsLocation | undefined {
  const parsed = parseSageMakerArn(resourceArn);
  return parsed ? { partition: parsed.partition, account: parsed.account, region: parsed.region } : undefined;
}

/** The default product ARN of an account and region: findings an account imports for itself. */
export function productArn(location: AwsLocation): string {
  const { partition, region, account } = location;
  return `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;
}

/** One finding per resource and rule, the same across events. */
export const findingId = (resourceArn: string, rule: string): string => `${resourceArn}/${rule}`;

export const ruleOfFinding = (finding: Pick<AwsSecurityFinding, 'ProductFields'>): string | undefined =>
  finding.ProductFields?.[`${PRODUCT_FIELD_PREFIX}/Rule`];

function resourceOf(resource: { type: string; arn: string; name: string }, location: AwsLocation): Resource {
  const base = {
    Id: resource.arn,
    Region: location.region,
    ...(ASFF_PARTITIONS.has(location.partition)
      ? { Partition: location.partition as Resource['Partition'] }
      : {}),
  };
  // ASFF has a type (and details) for notebook instances; Studio resources have none: Other.
  if (resource.type === 'notebook-instance') {
    return {
      ...base,
      Type: 'AwsSageMakerNotebookInstance',
      Details: {
        AwsSageMakerNotebookInstance: {
          NotebookInstanceArn: resource.arn,
          NotebookInstanceName: resource.name,
        },
      },
    };
  }
  return {
    ...base,
    Type: 'Other',
    Details: {
      Other: { 'sm-guardrails/ResourceType': resource.type, 'sm-guardrails/Name': clip(resource.name, 1024) },
    },
  };
}

/** Who made the call, as product fields (strings): the IAM principal, its role, the Identity Center user. */
function actorFields(actor: Actor | null): Record<string, string> {
  if (!actor) return {};
  const fields: Record<string, string | undefined> = {
    ActorType: actor.type,
    ActorArn: actor.arn,
    ActorRoleArn: actor.roleArn,
    ActorSessionName: actor.sessionName,
    ActorSourceIdentity: actor.sourceIdentity,
    ActorIdentityCenterUserId: actor.identityCenterUserId,
    ActorIdentityStoreArn: actor.identityStoreArn,
    ActorInvokedBy: actor.invokedBy,
  };
  return Object.fromEntries(
    Object.entries(fields)
      .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
      .map(([k, v]) => [`${PRODUCT_FIELD_PREFIX}/${k}`, clip(v, 2048)]),
  );
}

function actorText(actor: Actor | null): string {
  if (!actor) return 'unknown';
  const who = actor.arn ?? actor.invokedBy ?? actor.type;
  return actor.identityCenterUserId ? `${who} (Identity Center user ${actor.identityCenterUserId})` : who;
}

interface FindingTimes {
  /** When the event that produced this finding happened (its UpdatedAt). */
  observedAt: string;
  /** The finding's creation time, kept across updates; observedAt for a new finding. */
  createdAt?: string;
}

function common(
  report: ReportForFindings & { resource: NonNullable<ReportForFindings['resource']> },
  rule: string,
  location: AwsLocation,
  times: FindingTimes,
): AwsSecurityFinding {
  const meta = META.get(rule);
  return {
    SchemaVersion: SCHEMA_VERSION,
    Id: findingId(report.resource.arn, rule),
    ProductArn: productArn(location),
    GeneratorId: `${PRODUCT_FIELD_PREFIX}/${rule}`,
    AwsAccountId: location.account,
    Types: [FINDING_TYPE],
    CreatedAt: times.createdAt ?? times.observedAt,
    UpdatedAt: times.observedAt,
    LastObservedAt: times.observedAt,
    Title: '',
    Description: '',
    Severity: { Label: 'INFORMATIONAL' },
    Resources: [resourceOf(report.resource, location)],
    ProductFields: {
      [`${PRODUCT_FIELD_PREFIX}/Rule`]: rule,
      ...(meta?.awsConfigRule ? { [`${PRODUCT_FIELD_PREFIX}/AwsConfigRule`]: meta.awsConfigRule } : {}),
      ...(meta?.securityHubControl
        ? { [`${PRODUCT_FIELD_PREFIX}/SecurityHubControl`]: meta.securityHubControl }
        : {}),
      ...(report.eventName ? { [`${PRODUCT_FIELD_PREFIX}/EventName`]: clip(report.eventName, 2048) } : {}),
      ...(report.eventId ? { [`${PRODUCT_FIELD_PREFIX}/EventId`]: clip(report.eventId, 2048) } : {}),
      ...actorFields(report.actor),
    },
  };
}

/** The failed finding of each rule the resource broke in this event (several violations of a rule: one finding). */
export function failedFindings(
  report: ReportForFindings,
  times: (rule: string) => FindingTimes,
): AwsSecurityFinding[] {
  const resource = report.resource;
  const location = resource && findingLocation(resource.arn);
  if (!resource || !location) return [];
  const byRule = new Map<string, ReportForFindings['violations'][number][]>();
  for (const v of report.violations) byRule.set(v.rule, [...(byRule.get(v.rule) ?? []), v]);
  return [...byRule].map(([rule, violations]) => {
    const meta = META.get(rule);
    const first = violations[0] as ReportForFindings['violations'][number];
    const label = SEVERITY_LABEL[first.severity] ?? 'MEDIUM';
    const seen = violations.map((v) => `${v.message} (seen ${v.seen}; required ${v.required})`).join('; ');
    return {
      ...common({ ...report, resource }, rule, location, times(rule)),
      Title: clip(`${rule}: ${resource.type} ${resource.name}: ${first.message}`, 256),
      Description: clip(
        `${meta?.description ?? rule} Found by ${report.eventName ?? 'an event'} by ${actorText(report.actor)}: ${seen}.`,
        1024,
      ),
      Severity: { Label: label },
      // Providers set severity and types here; Security Hub keeps the top-level ones for its customers' updates.
      FindingProviderFields: { Severity: { Label: label }, Types: [FINDING_TYPE] },
      Remediation: { Recommendation: { Text: clip(first.fix || meta?.fix || rule, 512) } },
      Compliance: {
        Status: 'FAILED',
        ...(meta?.securityHubControl ? { SecurityControlId: meta.securityHubControl } : {}),
      },
      RecordState: 'ACTIVE',
    };
  });
}

/** The same finding, compliant again: PASSED and archived (the only way an importer closes its finding). */
export function resolvedFinding(
  report: ReportForFindings,
  rule: string,
  previous: Pick<AwsSecurityFinding, 'CreatedAt' | 'Severity'>,
  observedAt: string,
): AwsSecurityFinding | undefined {
  const resource = report.resource;
  const location = resource && findingLocation(resource.arn);
  if (!resource || !location) return undefined;
  const meta = META.get(rule);
  const label = previous.Severity?.Label ?? 'INFORMATIONAL';
  return {
    ...common({ ...report, resource }, rule, location, {
      observedAt,
      ...(previous.CreatedAt ? { createdAt: previous.CreatedAt } : {}),
    }),
    Title: clip(`${rule}: ${resource.type} ${resource.name}: compliant again`, 256),
    Description: clip(
      `${meta?.description ?? rule} Compliant again as of ${report.eventName ?? 'an event'} by ${actorText(report.actor)}.`,
      1024,
    ),
    Severity: { Label: label },
    FindingProviderFields: { Severity: { Label: label }, Types: [FINDING_TYPE] },
    ...(meta ? { Remediation: { Recommendation: { Text: clip(meta.fix, 512) } } } : {}),
    Compliance: {
      Status: 'PASSED',
      ...(meta?.securityHubControl ? { SecurityControlId: meta.securityHubControl } : {}),
    },
    RecordState: 'ARCHIVED',
  };
}
