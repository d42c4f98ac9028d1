// The Security Hub function's work. Each SQS message is either a Lambda on-success destination record of an event
// function (its event in `requestPayload`, its report in `responsePayload`), so the event path pays nothing for
// Security Hub: no call, no code; or a sweep's message (sweep-message.ts): up to 20 resources of one account and
// region, one lookup and one import per 100 findings. The findings go to the resource's own account and region
// (organization mode: through the member role, as every other call there).
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import * as z from 'zod/mini';
import { partitionOf } from '#core/arn';
import { type AwsClientProvider, createAwsClientProvider } from '#core/aws/client-provider';
import { type AwsLocation, locationKey, sameLocation } from '#core/location';
import '#core/zod';
import { findingLocation, type ReportForFindings } from './asff.ts';
import { type FindingsOutcome, importFindings, importReports, type ObservedReport } from './sink.ts';
import { REPORTS_PER_MESSAGE, SWEEP_FINDINGS_KIND, SWEEP_FINDINGS_VERSION } from './sweep-message.ts';

const text = z.string();
const optionalText = z.optional(z.nullable(z.string()));

const resourceSchema = z.object({ type: text, arn: text, name: text });
const violationSchema = z.object({
  rule: text,
  severity: text,
  message: text,
  seen: text,
  required: text,
  fix: text,
});

const reportSchema = z.object({
  eventId: z.nullable(text),
  eventName: z.nullable(text),
  verdict: text,
  resource: z.nullable(resourceSchema),
  actor: z.nullable(
    z.looseObject({
      type: text,
      arn: z.optional(text),
      roleArn: z.optional(text),
      sessionName: z.optional(text),
      sourceIdentity: z.optional(text),
      identityCenterUserId: z.optional(text),
      identityStoreArn: z.optional(text),
      invokedBy: z.optional(text),
    }),
  ),
  violations: z.array(violationSchema),
  passed: z.optional(z.array(text)),
});

const isoTime = text.check(z.refine((t) => !Number.isNaN(Date.parse(t)), 'not a time'));

const sweepMessageSchema = z.object({
  kind: z.literal(SWEEP_FINDINGS_KIND),
  version: z.literal(SWEEP_FINDINGS_VERSION),
  sweepId: text,
  partition: text,
  account: text.check(z.regex(/^\d{12}$/, 'not an account id')),
  region: text,
  observedAt: isoTime,
  reports: z
    .array(
      z.object({
        resource: resourceSchema,
        verdict: text,
        violations: z.array(violationSchema),
        passed: z.array(text),
      }),
    )
    .check(z.minLength(1), z.maxLength(REPORTS_PER_MESSAGE)),
});

/** The sweep is the actor of its findings: no principal is behind it (sweep/sweep.ts SWEEP_ACTOR). */
const SWEEP_ACTOR = { type: 'AWSService', invokedBy: 'sm-guardrails.sweep' };

const recordSchema = z.object({
  timestamp: z.optional(text),
  requestContext: z.object({ condition: text, functionArn: z.optional(text) }),
  requestPayload: z.looseObject({
    time: optionalText,
    detail: z.optional(z.nullable(z.looseObject({ eventTime: optionalText }))),
  }),
  responsePayload: z.nullable(reportSchema),
});

export interface ParsedRecord {
  report: ReportForFindings;
  /** When the event happened: the findings' UpdatedAt (a late copy of an older event never overrides a newer one). */
  observedAt: string;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new Error('Security Hub message: not JSON');
  }
}

function validate<T>(schema: z.ZodMiniType<T>, json: unknown): T {
  const parsed = z.safeParse(schema, json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Security Hub message: ${issue?.path.join('.') || '$'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** A destination record, validated; an error names the field and the reason. */
export function parseDestinationRecord(body: string | unknown): ParsedRecord | { skip: string } {
  const record = validate(recordSchema, typeof body === 'string' ? parseJson(body) : body);
  if (record.requestContext.condition !== 'Success')
    return { skip: `condition ${record.requestContext.condition}` };
  if (!record.responsePayload) return { skip: 'no report' };
  const eventTime =
    record.requestPayload.detail?.eventTime ?? record.requestPayload.time ?? record.timestamp ?? undefined;
  if (!eventTime || Number.isNaN(Date.parse(eventTime))) {
    throw new Error('Security Hub message: requestPayload.time: no event time');
  }
  return {
    report: record.responsePayload as ReportForFindings,
    observedAt: new Date(Date.parse(eventTime)).toISOString(),
  };
}

/** Security Hub clients per account and region, with the provider's credentials for that account. */
export class SecurityHubClients {
  private readonly clients = new Map<string, SecurityHubClient>();
  constructor(private readonly provider: AwsClientProvider) {}

  for(location: AwsLocation): SecurityHubClient {
    const key = locationKey(location);
    let client = this.clients.get(key);
    if (!client) {
      client = new SecurityHubClient(this.provider.configFor(location));
      this.clients.set(key, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

export interface ParsedSweepMessage {
  location: AwsLocation;
  reports: ObservedReport[];
}

/**
 * A sweep's message, validated: every report's resource must be in the message's partition, account and region
 * (where its findings are imported); an error names the field and the reason.
 */
export function parseSweepMessage(body: string | unknown): ParsedSweepMessage {
  const message = validate(sweepMessageSchema, typeof body === 'string' ? parseJson(body) : body);
  const location = { partition: message.partition, account: message.account, region: message.region };
  const observedAt = new Date(Date.parse(message.observedAt)).toISOString();
  const reports = message.reports.map((report, i) => {
    const where = findingLocation(report.resource.arn);
    if (!where || !sameLocation(where, location)) {
      throw new Error(
        `Security Hub message: reports.${i}.resource.arn: not a resource of ${location.partition} account ${location.account} in ${location.region}`,
      );
    }
    return {
      report: { ...report, eventId: message.sweepId, eventName: 'Sweep', actor: SWEEP_ACTOR },
      observedAt,
    };
  });
  return { location, reports };
}

const isSweepMessage = (json: unknown): boolean =>
  typeof json === 'object' && json !== null && (json as { kind?: unknown }).kind === SWEEP_FINDINGS_KIND;

/** One SQS message: its findings imported, or an error thrown (SQS retries it, then its dead-letter queue). */
export async function handleFindingsMessage(
  body: string,
  clients: SecurityHubClients,
): Promise<FindingsOutcome | { skip: string }> {
  const json = parseJson(body);
  if (isSweepMessage(json)) {
    const { location, reports } = parseSweepMessage(json);
    return importReports(reports, location, clients.for(location));
  }
  const parsed = parseDestinationRecord(json);
  if ('skip' in parsed) return parsed;
  const outcome = await importFindings(parsed.report, parsed.observedAt, (location) => clients.for(location));
  return outcome ?? { skip: 'no violation and no passed rule' };
}

/** The function's clients: its own account with its role, member accounts through the member role. */
export function securityHubClientsFromEnvironment(env: NodeJS.ProcessEnv = process.env): SecurityHubClients {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const account = env.SM_GUARDRAILS_ACCOUNT_ID;
  if (!region) throw new Error('AWS_REGION: not set');
  if (!account) throw new Error('SM_GUARDRAILS_ACCOUNT_ID: not set (the stack sets it to its own account)');
  return new SecurityHubClients(
    createAwsClientProvider({
      home: { partition: env.SM_GUARDRAILS_PARTITION || partitionOf(region), account, region },
      // GetFindings allows 3 requests a second per account and region (BatchImportFindings 10): the SDK's
      // adaptive mode slows down on throttling rather than spending its attempts; SQS retries what remains.
      retryMode: 'adaptive',
      maxAttempts: 5,
      ...(env.SM_GUARDRAILS_MEMBER_ROLE_NAME ? { memberRoleName: env.SM_GUARDRAILS_MEMBER_ROLE_NAME } : {}),
    }),
  );
}
