// The Security Hub function's work: each SQS message is a Lambda on-success destination record of an event
// function (its event in `requestPayload`, its report in `responsePayload`), so the event path pays nothing for
// Security Hub: no call, no code. The findings go to the resource's own account and region (organization mode:
// through the member role, as every other call there).
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import * as z from 'zod/mini';
import { partitionOf } from '#core/arn';
import { type AwsClientProvider, createAwsClientProvider } from '#core/aws/client-provider';
import { type AwsLocation, locationKey } from '#core/location';
import '#core/zod';
import type { ReportForFindings } from './asff.ts';
import { type FindingsOutcome, importFindings } from './sink.ts';

const text = z.string();
const optionalText = z.optional(z.nullable(z.string()));

const reportSchema = z.object({
  eventId: z.nullable(text),
  eventName: z.nullable(text),
  verdict: text,
  resource: z.nullable(z.object({ type: text, arn: text, name: text })),
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
  violations: z.array(
    z.object({ rule: text, severity: text, message: text, seen: text, required: text, fix: text }),
  ),
  passed: z.optional(z.array(text)),
});

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

/** A destination record, validated; an error names the field and the reason. */
export function parseDestinationRecord(body: string): ParsedRecord | { skip: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('Security Hub message: not JSON');
  }
  const parsed = z.safeParse(recordSchema, json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Security Hub message: ${issue?.path.join('.') || '$'}: ${issue?.message ?? 'invalid'}`);
  }
  const record = parsed.data;
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

/** One SQS message: its findings imported, or an error thrown (SQS retries it, then its dead-letter queue). */
export async function handleFindingsMessage(
  body: string,
  clients: SecurityHubClients,
): Promise<FindingsOutcome | { skip: string }> {
  const parsed = parseDestinationRecord(body);
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
