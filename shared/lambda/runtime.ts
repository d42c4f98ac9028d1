// What every function shares: configuration, clients, logger and metrics, created once per container; and the
// handling of one event with Lambda's error semantics (transient AWS failures throw so Lambda retries; permanent
// problems are logged and return).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { type AwsClients, defaultAwsClients } from '../aws/clients.ts';
import { sendDelayedMessage } from '../aws/sqs.ts';
import { Guardrails, type HandledEvent } from '../guardrails.ts';
import { DEFAULT_POLICY, type Policy, parsePolicyJson } from '../policy.ts';
import {
  isRecheckRequest,
  MAX_RECHECKS,
  RECHECK_DELAY_SECONDS,
  type RecheckRequest,
  recheckEvent,
  recheckRequestFor,
} from '../recheck.ts';
import type { EventReport } from '../report.ts';

export interface RuntimeConfig {
  policy: Policy;
  topicArn?: string;
  recheckQueueUrl?: string;
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
    ...(env.SM_GUARDRAILS_TOPIC_ARN ? { topicArn: env.SM_GUARDRAILS_TOPIC_ARN } : {}),
    ...(env.SM_GUARDRAILS_RECHECK_QUEUE_URL ? { recheckQueueUrl: env.SM_GUARDRAILS_RECHECK_QUEUE_URL } : {}),
  };
}

export class GuardrailsRuntime {
  readonly logger = new Logger({ serviceName: 'sm-guardrails' });
  readonly metrics = new Metrics({ namespace: 'SmGuardrails', serviceName: 'sm-guardrails' });
  readonly guardrails: Guardrails;

  constructor(
    readonly config: RuntimeConfig,
    readonly aws: AwsClients,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.guardrails = new Guardrails({
      policy: config.policy,
      aws,
      ...(config.topicArn ? { topicArn: config.topicArn } : {}),
    });
  }

  private async scheduleRecheck(request: RecheckRequest): Promise<void> {
    if (!this.config.recheckQueueUrl) {
      this.logger.warn(
        'no re-check queue configured: the deferred stop relies on the state-change event alone',
      );
      return;
    }
    await sendDelayedMessage(this.aws.sqs, this.config.recheckQueueUrl, request, RECHECK_DELAY_SECONDS);
    this.logger.info('re-check scheduled', { recheck: request });
  }

  /** One EventBridge event. Returns the report; throws only for a transient AWS failure (Lambda retries). */
  async handleEvent(event: unknown, context?: Context): Promise<EventReport> {
    const { report, assessment } = await this.handleOne(event, context, false);
    // A stop that had to wait (Pending or Updating): the state-change rule is the fast path, this the backstop.
    if (report.actions.some((a) => a.type === 'stop' && a.status === 'deferred')) {
      const request = recheckRequestFor(assessment, this.now());
      if (request) await this.scheduleRecheck(request);
    }
    return report;
  }

  private async handleOne(
    event: unknown,
    context: Context | undefined,
    recheck: boolean,
  ): Promise<HandledEvent> {
    const id =
      (event as { detail?: { eventID?: unknown }; id?: unknown } | null)?.detail?.eventID ??
      (event as { id?: unknown } | null)?.id;
    // Fresh per invocation: a warm container must not carry the previous event's keys.
    this.logger.resetKeys();
    if (context) this.logger.addContext(context as Context);
    this.logger.setCorrelationId(typeof id === 'string' ? id : undefined);
    try {
      const handled = await this.guardrails.handle(event, { recheck });
      this.record(handled);
      if (handled.error?.transient) throw handled.error;
      return handled;
    } finally {
      this.metrics.publishStoredMetrics();
    }
  }

  /** One re-check from the SQS queue: stop the notebook if it is InService now, wait again if still Pending. */
  async handleRecheck(body: string): Promise<EventReport | undefined> {
    let request: unknown;
    try {
      request = JSON.parse(body);
    } catch {
      request = undefined;
    }
    if (!isRecheckRequest(request)) {
      this.logger.error('invalid re-check message: dropped', { body: body.slice(0, 500) });
      return undefined;
    }
    const handled = await this.handleOne(recheckEvent(request, this.now()), undefined, true);
    const { report } = handled;
    const stop = report.actions.find((a) => a.type === 'stop');
    if (stop?.status !== 'deferred') return report;
    if (request.attempt < MAX_RECHECKS) {
      await this.scheduleRecheck({ ...request, attempt: request.attempt + 1 });
      return report;
    }
    await this.guardrails.notifyStopAbandoned(request, handled);
    return report;
  }

  private record({ report, error }: HandledEvent): void {
    // One structured line per event: Logs Insights answers "who did what, and what did the guardrails do".
    const level = report.verdict === 'error' ? 'error' : report.verdict === 'invalid' ? 'warn' : 'info';
    this.logger[level]('finding', {
      finding: {
        verdict: report.verdict,
        reason: report.reason,
        eventName: report.eventName,
        resource: report.resource,
        actor: report.actor,
        rules: [...new Set(report.violations.map((v) => v.rule))],
        violations: report.violations.map(({ rule, message, seen }) => ({ rule, message, seen })),
        actions: report.actions.map(({ type, status, error: e }) => ({
          type,
          status,
          ...(e ? { error: e } : {}),
        })),
        actionsFailed: report.actions.filter((a) => a.status === 'failed').length,
        ...(report.notifications ? { notifications: report.notifications } : {}),
      },
      ...(error ? { awsError: { call: error.call, name: error.errorName, transient: error.transient } } : {}),
    });
    this.metrics.addMetric(`Events_${report.verdict}`, MetricUnit.Count, 1);
    for (const v of report.violations) {
      const single = this.metrics.singleMetric();
      single.addDimension('rule', v.rule);
      single.addMetric('Violations', MetricUnit.Count, 1);
    }
    for (const a of report.actions) {
      const single = this.metrics.singleMetric();
      single.addDimensions({ action: a.type, outcome: a.status });
      single.addMetric('Actions', MetricUnit.Count, 1);
    }
  }
}

let runtime: GuardrailsRuntime | undefined;
/** The container's runtime, created on the first invocation. */
export function containerRuntime(): GuardrailsRuntime {
  runtime ??= new GuardrailsRuntime(configFromEnvironment(), defaultAwsClients());
  return runtime;
}
