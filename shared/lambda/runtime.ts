// What every function shares: configuration, clients, logger and metrics, created once per container; and the
// handling of one event with Lambda's error semantics: an event that did not settle (a transient AWS failure,
// a permanent read failure, another delivery in progress) throws, so Lambda retries it and then sends it to
// the failed-events queue; everything else is logged and returns. The container's composition (which stores
// and clients) is done at the edge: functions/container.ts.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { partitionOf } from '../arn.ts';
import { type AwsClientProvider, createAwsClientProvider } from '../aws/client-provider.ts';
import { sendDelayedMessage } from '../aws/sqs.ts';
import type { DeliveryStore } from '../delivery.ts';
import type { ExemptionGrants } from '../exemption.ts';
import { Guardrails, type HandledEvent } from '../guardrails.ts';
import { DEFAULT_POLICY, type Policy, parsePolicyJson } from '../policy.ts';
import { parseRecheckRequest, type RecheckRequest, recheckEvent } from '../recheck.ts';
import type { EventReport } from '../report.ts';

export interface RuntimeConfig {
  policy: Policy;
  /** The deployment stage: a dimension of every metric, so stages sharing an account stay apart. */
  stage?: string;
  topicArn?: string;
  chatTopicArn?: string;
  recheckQueueUrl?: string;
  /** The guardrails' own DynamoDB table (store/table.ts). */
  tableName?: string;
  /** The exact role ARNs of the stack's functions (SM_GUARDRAILS_OWN_ROLE_ARNS): their calls are not judged. */
  ownRoleArns?: string[];
  /** Where exemption grants are recorded; the composition root injects the DynamoDB store. */
  grants?: ExemptionGrants;
  /** Organization mode: the member role's name; its writes in each member account are the guardrails' own. */
  memberRoleName?: string;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Comma-separated exact role ARNs; anything else fails the cold start (a pattern here would ignore too much). */
export function parseOwnRoleArns(text: string | undefined): string[] {
  const arns = (text ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = arns.find((arn) => !ROLE_ARN.test(arn));
  if (bad) throw new Error(`SM_GUARDRAILS_OWN_ROLE_ARNS: "${bad}" is not an IAM role ARN (no wildcards)`);
  return arns;
}

/**
 * The policy the deployment ships: the file SM_GUARDRAILS_POLICY_FILE names in the function's code (relative to
 * LAMBDA_TASK_ROOT, else to the working directory, which `serverless invoke local` sets to the build), or inline
 * JSON in SM_GUARDRAILS_POLICY (an override, e.g. `invoke local --env`). Neither: the default policy.
 */
function policyFromEnvironment(env: NodeJS.ProcessEnv): Policy {
  if (env.SM_GUARDRAILS_POLICY) return parsePolicyJson(env.SM_GUARDRAILS_POLICY, 'SM_GUARDRAILS_POLICY');
  const file = env.SM_GUARDRAILS_POLICY_FILE;
  if (!file) return DEFAULT_POLICY;
  const roots = [env.LAMBDA_TASK_ROOT, process.cwd()].filter((root): root is string => Boolean(root));
  const path = roots.map((root) => resolve(root, file)).find((candidate) => existsSync(candidate));
  // A policy that is configured but missing fails the cold start: never the default policy in its place.
  if (!path) throw new Error(`SM_GUARDRAILS_POLICY_FILE: ${file} is not in ${roots.join(' or ')}`);
  return parsePolicyJson(readFileSync(path, 'utf8'), file);
}

/** Reads the configuration the deployment sets. A bad policy fails the cold start loudly (it was validated at package time). */
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const policy = policyFromEnvironment(env);
  const mode = env.SM_GUARDRAILS_MODE || undefined;
  if (mode !== undefined && mode !== 'enforce' && mode !== 'report') {
    throw new Error(`SM_GUARDRAILS_MODE: must be enforce or report, not "${mode}"`);
  }
  return {
    policy: mode ? { ...policy, mode } : policy,
    ...(env.SM_GUARDRAILS_STAGE ? { stage: env.SM_GUARDRAILS_STAGE } : {}),
    ...(env.SM_GUARDRAILS_TOPIC_ARN ? { topicArn: env.SM_GUARDRAILS_TOPIC_ARN } : {}),
    ...(env.SM_GUARDRAILS_CHAT_TOPIC_ARN ? { chatTopicArn: env.SM_GUARDRAILS_CHAT_TOPIC_ARN } : {}),
    ...(env.SM_GUARDRAILS_RECHECK_QUEUE_URL ? { recheckQueueUrl: env.SM_GUARDRAILS_RECHECK_QUEUE_URL } : {}),
    ...(env.SM_GUARDRAILS_TABLE ? { tableName: env.SM_GUARDRAILS_TABLE } : {}),
    ownRoleArns: parseOwnRoleArns(env.SM_GUARDRAILS_OWN_ROLE_ARNS),
    ...(env.SM_GUARDRAILS_MEMBER_ROLE_NAME ? { memberRoleName: env.SM_GUARDRAILS_MEMBER_ROLE_NAME } : {}),
  };
}

/** The event did not settle: thrown so Lambda retries the invocation (then the on-failure destination). */
export class EventNotSettledError extends Error {
  declare readonly handled: HandledEvent;
  constructor(handled: HandledEvent) {
    super(handled.report.reason ?? 'the event did not settle');
    this.name = 'EventNotSettledError';
    // Not enumerable: the error's log line stays one line (the finding was logged already).
    Object.defineProperty(this, 'handled', { value: handled, enumerable: false });
  }
}

/**
 * The clients of the deployment's home (its account, region and partition, set by the stack) and, in an
 * organization deployment, the member role's name: events of other accounts are handled through it.
 */
export function clientProviderFromEnvironment(env: NodeJS.ProcessEnv = process.env): AwsClientProvider {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const account = env.SM_GUARDRAILS_ACCOUNT_ID;
  if (!region) throw new Error('AWS_REGION: not set');
  if (!account) throw new Error('SM_GUARDRAILS_ACCOUNT_ID: not set (the stack sets it to its own account)');
  return createAwsClientProvider({
    home: { partition: env.SM_GUARDRAILS_PARTITION || partitionOf(region), account, region },
    ...(env.SM_GUARDRAILS_MEMBER_ROLE_NAME ? { memberRoleName: env.SM_GUARDRAILS_MEMBER_ROLE_NAME } : {}),
  });
}

/**
 * The metrics document without `"Unit":"Count"` on each of its metrics: EMF's Unit is optional, every metric
 * here is a count, and no alarm or widget names a unit. 15 bytes a metric: a noncompliant event's two lines
 * stay under 2 KB with every rule it broke.
 */
class CountMetrics extends Metrics {
  override serializeMetrics(): ReturnType<Metrics['serializeMetrics']> {
    const emf = super.serializeMetrics();
    for (const directive of emf._aws.CloudWatchMetrics) {
      directive.Metrics = directive.Metrics.map(({ Unit: _, ...rest }) => rest) as typeof directive.Metrics;
    }
    return emf;
  }
}

export class GuardrailsRuntime {
  readonly logger = new Logger({ serviceName: 'sm-guardrails' });
  readonly metrics: CountMetrics;
  readonly guardrails: Guardrails;

  constructor(
    readonly config: RuntimeConfig,
    readonly clients: AwsClientProvider,
    private readonly now: () => Date = () => new Date(),
    delivery?: DeliveryStore,
  ) {
    this.metrics = new CountMetrics({
      namespace: 'SmGuardrails',
      serviceName: 'sm-guardrails',
      ...(config.stage ? { defaultDimensions: { stage: config.stage } } : {}),
    });
    const queueUrl = config.recheckQueueUrl;
    if (!queueUrl) {
      this.logger.warn(
        'no re-check queue configured: a deferred stop relies on the state-change event alone',
      );
    }
    this.guardrails = new Guardrails({
      policy: config.policy,
      clients,
      now,
      ...(delivery ? { delivery } : {}),
      ...(config.topicArn ? { topicArn: config.topicArn } : {}),
      ...(config.ownRoleArns ? { ownRoleArns: config.ownRoleArns } : {}),
      ...(config.memberRoleName ? { memberRoleName: config.memberRoleName } : {}),
      ...(config.grants ? { grants: config.grants } : {}),
      ...(queueUrl
        ? {
            scheduleRecheck: async (request, delaySeconds) => {
              await sendDelayedMessage(clients.homeClients.sqs, queueUrl, request, delaySeconds);
              this.logger.debug('re-check scheduled', { recheck: request });
            },
          }
        : {}),
      ...(config.chatTopicArn ? { chatTopicArn: config.chatTopicArn } : {}),
    });
  }

  /** One EventBridge event. Returns the report; throws when the event did not settle (Lambda retries it). */
  async handleEvent(event: unknown, context?: Context): Promise<EventReport> {
    return (await this.handleOne(event, context)).report;
  }

  private async handleOne(
    event: unknown,
    context: Context | undefined,
    recheck?: RecheckRequest,
    deliveryId?: string,
  ): Promise<HandledEvent> {
    const requestId = deliveryId ?? context?.awsRequestId;
    const id =
      (event as { detail?: { eventID?: unknown }; id?: unknown } | null)?.detail?.eventID ??
      (event as { id?: unknown } | null)?.id;
    // Fresh per invocation: a warm container must not carry the previous event's keys.
    this.logger.resetKeys();
    // The request id only: the function's name, ARN and memory are the log group's, not worth 200 bytes a line.
    if (context?.awsRequestId) this.logger.appendKeys({ function_request_id: context.awsRequestId });
    this.logger.setCorrelationId(typeof id === 'string' ? id : undefined);
    try {
      const handled = await this.guardrails.handle(event, {
        ...(recheck ? { recheck } : {}),
        // The event is held for this invocation's remaining time: a crashed one is taken over after it.
        ...(typeof context?.getRemainingTimeInMillis === 'function'
          ? { remainingMs: () => context.getRemainingTimeInMillis() }
          : {}),
        // Lambda's retries of this invocation keep its request id: the delivery records tell them apart from a
        // redelivery of the event (shared/delivery.ts).
        ...(requestId ? { requestId } : {}),
      });
      this.record(handled);
      if (handled.retry) throw new EventNotSettledError(handled);
      return handled;
    } finally {
      this.metrics.publishStoredMetrics();
    }
  }

  /**
   * One re-check from the SQS queue: stop the notebook if it is InService now, wait again if still Pending.
   * `messageId`: SQS retries a failed message as the same message in a new invocation, so its id, not the
   * invocation's, is what a retry keeps.
   */
  async handleRecheck(body: string, context?: Context, messageId?: string): Promise<EventReport | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    // Only the notebook's identity is taken from the message; anything else in it is dropped.
    const request = parseRecheckRequest(parsed);
    if (!request) {
      this.logger.error('invalid re-check message: dropped', { body: body.slice(0, 500) });
      this.metrics.addMetric('RecheckMessagesRejected', MetricUnit.Count, 1);
      this.metrics.publishStoredMetrics();
      return undefined;
    }
    return (await this.handleOne(recheckEvent(request, this.now()), context, request, messageId)).report;
  }

  private record({ report, error, retry }: HandledEvent): void {
    // One structured line per event: Logs Insights answers "who did what, and what did the guardrails do".
    const level = report.verdict === 'error' ? 'error' : report.verdict === 'invalid' ? 'warn' : 'info';
    const failed = report.actions.filter((a) => a.status === 'failed').length;
    this.logger[level]('finding', {
      finding: {
        verdict: report.verdict,
        ...(report.reason ? { reason: report.reason } : {}),
        eventName: report.eventName,
        resource: report.resource,
        actor: loggedActor(report.actor),
        // The rules only: what each saw is in the alert. A noncompliant event's two log lines (this and the
        // metrics document) stay under 2 KB.
        rules: [...new Set(report.violations.map((v) => v.rule))],
        // Rules not evaluated or not verifiable are no pass: named (rule ids only), so "compliant" is never read as more.
        ...(report.unevaluated.length ? { unevaluated: report.unevaluated.map((u) => u.rule) } : {}),
        ...(report.unverifiable.length
          ? { unverifiable: report.unverifiable.map(({ rule, error: e }) => ({ rule, error: e })) }
          : {}),
        actions: report.actions.map(({ type, status, error: e }) => ({
          type,
          status,
          ...(e ? { error: e } : {}),
        })),
        // Absent is 0: `finding.actionsFailed > 0` finds the failures.
        ...(failed > 0 ? { actionsFailed: failed } : {}),
        ...(retry ? { retried: true } : {}),
        ...(report.notifications
          ? {
              notifications: report.notifications.map((n) => ({
                ...n,
                subject: n.subject.replace(SUBJECT_TAG, ''),
              })),
            }
          : {}),
        ...(report.warnings ? { warnings: report.warnings } : {}),
      },
      ...(error ? { awsError: { call: error.call, name: error.errorName, transient: error.transient } } : {}),
    });
    if (report.warnings) this.logger.warn('event fields ignored', { warnings: report.warnings });
    this.metrics.addMetric(`Events_${report.verdict}`, MetricUnit.Count, 1);
    // The failed-actions alarm watches this one metric (docs/operate.md).
    this.metrics.addMetric('ActionsFailed', MetricUnit.Count, failed);
    // The dashboard's findings total (its per-rule split below).
    this.metrics.addMetric('Violations', MetricUnit.Count, report.violations.length);
    // One metrics document per event (EMF): a metric per rule and per action outcome rather than a document per
    // dimension value, so a noncompliant event writes two log lines, not one per violation and action.
    for (const [name, count] of countBy([
      ...report.violations.map((v) => `Violations_${v.rule}`),
      ...report.unevaluated.map((u) => `Unevaluated_${u.rule}`),
      ...report.unverifiable.map((u) => `Unverifiable_${u.rule}`),
      ...report.actions.map((a) => `Actions_${a.type}_${a.status}`),
    ])) {
      this.metrics.addMetric(name, MetricUnit.Count, count);
    }
  }
}

/** The alerts' subject tag: it tells the emails apart in a mailbox, in the guardrails' own log it is noise. */
const SUBJECT_TAG = /^\[sm-guardrails\] /;

/** The actor as logged: without what its ARN says already (its account, user or session name). */
function loggedActor(actor: EventReport['actor']): EventReport['actor'] {
  const arn = actor && 'arn' in actor ? actor.arn : undefined;
  if (!actor || !arn) return actor;
  const logged: Record<string, unknown> = { ...actor };
  delete logged.accountId;
  for (const key of ['userName', 'sessionName']) {
    if (typeof logged[key] === 'string' && arn.endsWith(`/${logged[key]}`)) delete logged[key];
  }
  return logged as unknown as EventReport['actor'];
}

function countBy(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}
