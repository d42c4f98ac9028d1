// The scheduled sweep in the deployed stack. sweepStart (on the schedule) sends one SQS message per account and
// region; sweepWorker sweeps the one target of each message: no invocation walks an organization, so Lambda's
// 15 minutes never matter (10,000 notebooks take about 3 minutes at 5 calls in flight, bench/sweep.ts).
import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClientProvider } from '#core/aws/client-provider';
import type { AwsClientOptions, AwsClients } from '#core/aws/clients';
import { sendDelayedMessage } from '#core/aws/sqs';
import { partitionOf } from '#core/kms';
import { configFromEnvironment, type RuntimeConfig } from '#core/lambda/runtime';
import { RECHECK_DELAY_SECONDS, recheckRequestFor } from '#core/recheck';
import { deliverDigest } from './digest.ts';
import {
  ACCOUNT_PATTERN,
  listFromEnvironment,
  parseSweepRequest,
  REGION_PATTERN,
  type SweepRequest,
  sweepRequests,
} from './request.ts';
import { type ClientsFor, DEFAULT_CONCURRENCY, SWEEP_MAX_ATTEMPTS, sweepClients } from './run.ts';
import { type SentFindings, sendSweepFindings, sweepReports } from './security-hub.ts';
import { sweepTarget } from './sweep.ts';
import type { Target } from './target.ts';

export interface SweepStartConfig {
  queueUrl: string;
  /** Accounts to sweep; empty: the function's own. */
  accounts: string[];
  /** Regions to sweep; default the function's own. */
  regions: string[];
}

export function sweepStartConfig(env: NodeJS.ProcessEnv = process.env): SweepStartConfig {
  const queueUrl = env.SM_GUARDRAILS_SWEEP_QUEUE_URL;
  if (!queueUrl) throw new Error('SM_GUARDRAILS_SWEEP_QUEUE_URL is not set');
  const regions = listFromEnvironment(
    env.SM_GUARDRAILS_SWEEP_REGIONS,
    'SM_GUARDRAILS_SWEEP_REGIONS',
    REGION_PATTERN,
  );
  const own = env.AWS_REGION;
  if (regions.length === 0 && own) regions.push(own);
  if (regions.length === 0) throw new Error('SM_GUARDRAILS_SWEEP_REGIONS is empty and AWS_REGION is not set');
  const accounts = listFromEnvironment(
    env.SM_GUARDRAILS_SWEEP_ACCOUNTS,
    'SM_GUARDRAILS_SWEEP_ACCOUNTS',
    ACCOUNT_PATTERN,
  );
  return { queueUrl, regions, accounts };
}

/** The account a function runs in, from its ARN (arn:aws:lambda:region:account:function:name). */
export function accountOfFunction(invokedFunctionArn: string): string {
  const account = invokedFunctionArn.split(':')[4] ?? '';
  if (!ACCOUNT_PATTERN.test(account)) throw new Error(`cannot read the account of ${invokedFunctionArn}`);
  return account;
}

export class SweepStarter {
  readonly logger = new Logger({ serviceName: 'sm-guardrails' });
  constructor(
    readonly config: SweepStartConfig,
    readonly aws: Pick<AwsClients, 'sqs'>,
  ) {}

  /** One message per account and region; the sweep id is the schedule's event id, so a retry sends the same sweep. */
  async start(sweepId: string, ownAccount: string): Promise<SweepRequest[]> {
    const accounts = this.config.accounts.length > 0 ? this.config.accounts : [ownAccount];
    const requests = sweepRequests(sweepId, accounts, this.config.regions);
    for (const request of requests) await sendDelayedMessage(this.aws.sqs, this.config.queueUrl, request, 0);
    this.logger.info('sweep started', { sweepId, targets: requests.map((r) => `${r.account}/${r.region}`) });
    return requests;
  }
}

export interface SweepWorkerConfig extends RuntimeConfig {
  concurrency: number;
  /** The findings queue (stage param securityHub): the sweep's results go to Security Hub through it. */
  findingsQueueUrl?: string;
}

export function sweepWorkerConfig(env: NodeJS.ProcessEnv = process.env): SweepWorkerConfig {
  const concurrency = Number(env.SM_GUARDRAILS_SWEEP_CONCURRENCY || DEFAULT_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 50) {
    throw new Error(
      `SM_GUARDRAILS_SWEEP_CONCURRENCY: an integer from 1 to 50, not "${env.SM_GUARDRAILS_SWEEP_CONCURRENCY}"`,
    );
  }
  const findingsQueueUrl = env.SM_GUARDRAILS_FINDINGS_QUEUE_URL;
  return { ...configFromEnvironment(env), concurrency, ...(findingsQueueUrl ? { findingsQueueUrl } : {}) };
}

export class SweepWorker {
  readonly logger = new Logger({ serviceName: 'sm-guardrails' });
  private readonly clientsFor: ClientsFor;

  /** `baseClients`: a target's clients before the sweep's bound; default the deployment's client provider. */
  constructor(
    readonly config: SweepWorkerConfig,
    baseClients: (target: Target, options: AwsClientOptions) => AwsClients = sweepProviderFromEnvironment(),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.clientsFor = sweepClients(config.concurrency, baseClients).clientsFor;
  }

  /**
   * One SQS message: sweeps its account and region, sends its digest and its Security Hub reports. Throws to have
   * SQS retry it. `attempt`: the message's receive count (a retry sends every compliant resource to Security Hub).
   */
  async handle(body: string, attempt = 1): Promise<void> {
    const request = parseSweepRequest(body);
    if (!request) {
      this.logger.error('invalid sweep message: dropped', { body: body.slice(0, 500) });
      return;
    }
    const { policy, topicArn, recheckQueueUrl, grants } = this.config;
    const clients = await this.clientsFor(request);
    const sweptAt = this.now();
    const sweep = await sweepTarget(request, {
      policy,
      clients,
      // The grants the event path recorded: without them every exemption tag would be judged orphaned.
      ...(grants ? { grants } : {}),
      sweepId: request.sweepId,
      concurrency: this.config.concurrency,
      now: () => sweptAt,
      ...(recheckQueueUrl
        ? {
            scheduleRecheck: async (assessment) => {
              const recheck = recheckRequestFor(assessment, this.now());
              if (!recheck) return 'no re-check possible';
              await sendDelayedMessage(clients.sqs, recheckQueueUrl, recheck, RECHECK_DELAY_SECONDS);
              return `re-checked in ${RECHECK_DELAY_SECONDS} s`;
            },
          }
        : {}),
    });
    const digest = await deliverDigest({
      sweep,
      sweepId: request.sweepId,
      mode: policy.mode,
      clients,
      ...(topicArn ? { topicArn } : {}),
      ...(this.config.chatTopicArn ? { chatTopicArn: this.config.chatTopicArn } : {}),
    });
    const { findingsQueueUrl } = this.config;
    let findings: SentFindings | undefined;
    if (findingsQueueUrl) {
      const { sweepId, partition, account, region } = request;
      findings = await sendSweepFindings(
        clients.sqs,
        findingsQueueUrl,
        { sweepId, partition, account, region, observedAt: sweptAt.toISOString() },
        sweepReports(sweep.checks, attempt > 1),
      );
    }
    const count = (v: string) => sweep.results.filter((r) => r.verdict === v).length;
    // One line per target: Logs Insights can chart sweeps over time.
    this.logger.info('sweep target done', {
      sweep: {
        id: request.sweepId,
        account: request.account,
        region: request.region,
        resources: sweep.results.length,
        compliant: count('compliant'),
        noncompliant: count('noncompliant'),
        skipped: count('skipped'),
        unverifiable: count('error') + sweep.listErrors.length,
        news: sweep.news.length,
        digest: digest.status,
        ...(digest.chat ? { chat: digest.chat } : {}),
        ...(findings ? { securityHub: findings } : {}),
      },
    });
    if (findings?.failed.length) {
      // Not silent: the failed invocation raises the function-errors alarm and SQS retries the target; the retry
      // sweeps again (idempotent) and re-sends every report (the finding ids are stable: a repeat changes nothing).
      this.logger.error('sweep findings could not be sent to Security Hub', { failed: findings.failed });
    }
    if (digest.status === 'failed') {
      // Not lost: the digest is in the log, and the failed invocation raises the function-errors alarm. (A retry
      // would not resend it: the status tags now say the admins were told.)
      this.logger.error('sweep digest could not be sent', { digest: digest.message, error: digest.error });
      throw new Error(
        `the sweep digest for ${request.account}/${request.region} could not be sent: ${digest.error}`,
      );
    }
    if (findings?.failed.length) {
      throw new Error(
        `${findings.failed.length} of ${findings.messages} Security Hub messages for ${request.account}/${request.region} could not be sent: ${findings.failed[0]}`,
      );
    }
  }
}

/**
 * The deployment's client provider (own account: the function's role; another account: the member role, when
 * SM_GUARDRAILS_MEMBER_ROLE_NAME names one), with the SDK's adaptive retries for the sweep's many calls.
 */
export function sweepProviderFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): (target: Target, options: AwsClientOptions) => AwsClients {
  let provider: ReturnType<typeof createAwsClientProvider> | undefined;
  return (target) => {
    if (!provider) {
      const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
      const account = env.SM_GUARDRAILS_ACCOUNT_ID;
      if (!region) throw new Error('AWS_REGION: not set');
      if (!account)
        throw new Error('SM_GUARDRAILS_ACCOUNT_ID: not set (the stack sets it to its own account)');
      provider = createAwsClientProvider({
        home: { partition: env.SM_GUARDRAILS_PARTITION || partitionOf(region), account, region },
        ...(env.SM_GUARDRAILS_MEMBER_ROLE_NAME ? { memberRoleName: env.SM_GUARDRAILS_MEMBER_ROLE_NAME } : {}),
        retryMode: 'adaptive',
        maxAttempts: SWEEP_MAX_ATTEMPTS,
      });
    }
    return provider.for(target);
  };
}
