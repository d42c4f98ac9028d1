// A sweep over several accounts and regions: each target is swept and gets its digest; the summary counts it all.
import { type AwsClientOptions, type AwsClients, createAwsClients } from '#core/aws/clients';
import type { Policy } from '#core/policy';
import { type DigestDelivery, deliverDigest } from './digest.ts';
import { boundClient, CallCounter, forEachBounded, Semaphore } from './limiter.ts';
import type { ResourceLister } from './listers.ts';
import { type ResourceResult, type SweepOptions, sweepTarget, type TargetSweep } from './sweep.ts';
import { type Target, targetKey } from './target.ts';

/** The clients for one account and region: the composition root decides how (own account, member role, emulator). */
export type ClientsFor = (target: Target) => AwsClients | Promise<AwsClients>;

export const DEFAULT_CONCURRENCY = 5;
/** Attempts per call: exponential back-off with jitter spends up to a few seconds on a throttled call. */
export const SWEEP_MAX_ATTEMPTS = 5;

/**
 * Clients for the sweep: adaptive retries (client-side rate limiting once SageMaker throttles), every call of an
 * account sharing one bound of `concurrency` calls in flight, and counted. One set per target, created once.
 */
export function sweepClients(
  concurrency: number,
  base: (target: Target, options: AwsClientOptions) => AwsClients | Promise<AwsClients> = (t, o) =>
    createAwsClients({ ...o, region: t.region }),
): { clientsFor: ClientsFor; calls: CallCounter } {
  const calls = new CallCounter();
  const perAccount = new Map<string, Semaphore>();
  // A provider shares clients between targets (its home SNS and SQS clients): each is bound once.
  const bound = new WeakSet<object>();
  const cache = new Map<string, Promise<AwsClients>>();
  const clientsFor: ClientsFor = (target) => {
    const key = targetKey(target);
    let clients = cache.get(key);
    if (!clients) {
      clients = Promise.resolve(
        base(target, { retryMode: 'adaptive', maxAttempts: SWEEP_MAX_ATTEMPTS }),
      ).then((c) => {
        const semaphore = perAccount.get(target.account) ?? new Semaphore(concurrency);
        perAccount.set(target.account, semaphore);
        for (const client of [c.sagemaker, c.kms, c.sns, c.sqs]) {
          if (bound.has(client)) continue;
          bound.add(client);
          boundClient(client, semaphore, calls);
        }
        return c;
      });
      cache.set(key, clients);
    }
    return clients;
  };
  return { clientsFor, calls };
}

export interface RunSweepOptions {
  targets: readonly Target[];
  clientsFor: ClientsFor;
  policy: Policy;
  sweepId: string;
  concurrency?: number;
  /** Targets swept at once (different accounts do not share a bound). */
  targetsAtOnce?: number;
  dryRun?: boolean;
  topicArnFor?: (target: Target) => string | undefined;
  listers?: readonly ResourceLister[];
  pageSize?: number;
  now?: () => Date;
  onListed?: (target: Target, count: number) => void | Promise<void>;
  onResult?: (result: ResourceResult) => void;
  scheduleRecheck?: SweepOptions['scheduleRecheck'];
  /** Where exemption grants are recorded (the stage's table). Without one no exemption tag is honoured. */
  grants?: SweepOptions['grants'];
  /** A target is done and its digest settled: its results are final. */
  onTarget?: (sweep: TargetSweep, digest: DigestDelivery) => void | Promise<void>;
}

export interface SweepSummary {
  sweepId: string;
  targets: number;
  resources: number;
  compliant: number;
  noncompliant: number;
  skipped: number;
  error: number;
  /** Resource types whose listing failed, per target. */
  listErrors: Array<{ account: string; region: string; type: string; error: string }>;
  /** Noncompliant resources per rule. */
  byRule: Record<string, number>;
  /** Action outcomes, as `type:status`. */
  actions: Record<string, number>;
  digests: Record<DigestDelivery['status'], number>;
  durationMs: number;
}

export function emptySummary(sweepId: string): SweepSummary {
  return {
    sweepId,
    targets: 0,
    resources: 0,
    compliant: 0,
    noncompliant: 0,
    skipped: 0,
    error: 0,
    listErrors: [],
    byRule: {},
    actions: {},
    digests: { sent: 0, failed: 0, planned: 0, skipped: 0, none: 0 },
    durationMs: 0,
  };
}

export function addToSummary(summary: SweepSummary, sweep: TargetSweep, digest: DigestDelivery): void {
  summary.targets++;
  summary.digests[digest.status]++;
  for (const e of sweep.listErrors) summary.listErrors.push({ ...sweep.target, ...e });
  for (const r of sweep.results) {
    summary.resources++;
    summary[r.verdict]++;
    for (const rule of new Set(r.violations.map((v) => v.rule)))
      summary.byRule[rule] = (summary.byRule[rule] ?? 0) + 1;
    for (const a of r.actions) {
      const key = `${a.type}:${a.status}`;
      summary.actions[key] = (summary.actions[key] ?? 0) + 1;
    }
  }
}

/** Sweeps every target and delivers each one's digest. */
export async function runSweep(options: RunSweepOptions): Promise<SweepSummary> {
  const started = performance.now();
  const summary = emptySummary(options.sweepId);
  await forEachBounded(options.targets, options.targetsAtOnce ?? 4, async (target) => {
    const clients = await options.clientsFor(target);
    const sweep = await sweepTarget(target, {
      policy: options.policy,
      clients,
      sweepId: options.sweepId,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.listers ? { listers: options.listers } : {}),
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.onListed ? { onListed: (n: number) => options.onListed?.(target, n) } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
      ...(options.scheduleRecheck ? { scheduleRecheck: options.scheduleRecheck } : {}),
      ...(options.grants ? { grants: options.grants } : {}),
    });
    const topicArn = options.topicArnFor?.(target);
    const digest = await deliverDigest({
      sweep,
      sweepId: options.sweepId,
      mode: options.policy.mode,
      clients,
      ...(topicArn ? { topicArn } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
    });
    addToSummary(summary, sweep, digest);
    await options.onTarget?.(sweep, digest);
  });
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}
