// One sweep of one account in one region: list every resource, read each (Describe and ListTags at once), run the
// core's rules and plan on it exactly as an event would, execute tag and stop with the core's executor, and leave
// the alert to one digest per account and region (digest.ts) instead of one message per resource.

import type { AwsClients } from '#core/aws/clients';
import { AwsCallError } from '#core/aws/errors';
import { KmsKeyResolver } from '#core/aws/kms';
import { readResourceState } from '#core/aws/sagemaker';
import { executePlan } from '#core/execute';
import type { ExemptionGrants } from '#core/exemption';
import { locationOf } from '#core/location';
import { type Assessment, assessChange, type StateSource } from '#core/pipeline';
import type { Policy, RuleId } from '#core/policy';
import { buildReport, type EventReport } from '#core/report';
import type {
  ActionResult,
  Actor,
  KmsKeyInfo,
  NormalizedChange,
  ResourceRef,
  Unevaluated,
} from '#core/types';
import { forEachBounded } from './limiter.ts';
import { DEFAULT_LISTERS, type ResourceLister } from './listers.ts';
import type { Target } from './target.ts';

export type SweepVerdict = 'compliant' | 'noncompliant' | 'skipped' | 'error';

/** One line of `scan --json`: a resource and what the guardrails found and did. */
export interface ResourceResult {
  resource: { type: string; arn: string; name: string; account: string; region: string; domainId?: string };
  verdict: SweepVerdict;
  reason?: string;
  violations: EventReport['violations'];
  unevaluated: Unevaluated[];
  actions: ActionResult[];
}

/** A result the admins have not been told about: it goes into the digest. */
export interface SweepFinding {
  result: ResourceResult;
  /** The rules behind it (empty for a read that failed). */
  rules: string[];
}

/**
 * An evaluated resource, for Security Hub (sweep/lambda.ts): the rules it passed, and whether its status tag before
 * this sweep named rules (the admins were told, so a finding may be open).
 */
export interface SweepCheck {
  result: ResourceResult;
  passed: readonly string[];
  reported: boolean;
}

export interface TargetSweep {
  target: Target;
  results: ResourceResult[];
  /** Every resource the rules evaluated (not a failed read, not a skipped one). */
  checks: SweepCheck[];
  /** News for the digest: new or changed findings, failed actions, resources that could not be evaluated. */
  news: SweepFinding[];
  /** Resource types whose listing failed: everything of that type is unverified. */
  listErrors: Array<{ type: string; error: string }>;
  /** Noncompliant notebooks whose stop had to wait (Pending, Updating): the deployment re-checks them. */
  deferredStops: Assessment[];
}

export interface SweepOptions {
  policy: Policy;
  /** The target's clients (bound and counted by the caller, see limiter.ts). */
  clients: AwsClients;
  sweepId: string;
  /** Resources in flight at once; each has up to two calls in flight (Describe and ListTags). */
  concurrency: number;
  dryRun?: boolean;
  listers?: readonly ResourceLister[];
  /** List page size; the API maximum (100) unless a test needs small pages. */
  pageSize?: number;
  now?: () => Date;
  /** Where exemption grants are recorded. Without one no exemption tag is honoured (fail closed). */
  grants?: ExemptionGrants;
  /** Called once the target is listed (progress bars; tests use it to change the account mid-sweep). */
  onListed?: (count: number) => void | Promise<void>;
  onResult?: (result: ResourceResult) => void;
  /** Queues the deferred stop's re-check (the deployment's re-check queue); returns what to say about it. */
  scheduleRecheck?: (assessment: Assessment) => Promise<string>;
}

/** Not a caller: the resource as it is. No principal is behind a sweep, so none is ignored or read. */
export const SWEEP_ACTOR: Actor = { type: 'AWSService', invokedBy: 'sm-guardrails.sweep' };

/** The sweep reads through the core's readers; principal tags are only read on creation, which a sweep never is. */
export function sweepStateSource(clients: AwsClients): StateSource {
  const kms = new KmsKeyResolver(() => clients.kms);
  // Resources in flight together often share a key: one DescribeKey per key and sweep, not one per resource.
  const keys = new Map<string, Promise<KmsKeyInfo>>();
  return {
    kind: 'live',
    readState: (change) => readResourceState(clients.sagemaker, change.resource),
    resolveKmsKey: (keyId, change) => {
      const key = `${change.region}|${change.account}|${keyId}`;
      let info = keys.get(key);
      if (!info) {
        info = kms.resolve(keyId, locationOf(change));
        keys.set(key, info);
        // A failed read is not remembered: the next resource tries again.
        info.catch(() => keys.delete(key));
      }
      return info;
    },
    resolveKmsAllowlist: (allowlist) => kms.resolveAliases(allowlist),
    principalTags: async () => undefined,
  };
}

export function sweepChange(ref: ResourceRef, target: Target, sweepId: string, now: Date): NormalizedChange {
  return {
    eventId: `sweep-${sweepId}-${ref.arn}`,
    eventTime: now.toISOString(),
    eventName: 'Sweep',
    partition: target.partition,
    account: target.account,
    region: target.region,
    operation: 'state-change',
    actor: SWEEP_ACTOR,
    resource: ref,
    settings: {},
  };
}

const STATUS_VALUE = /^(?:noncompliant|quarantined): ?(.*)$/;

/** The rules a status tag (`noncompliant: a b` / `quarantined: a b`, see statusTagValue) says were reported. */
export function rulesInStatusTag(value: string | undefined): Set<string> | undefined {
  const m = value === undefined ? null : STATUS_VALUE.exec(value);
  return m ? new Set((m[1] ?? '').split(' ').filter(Boolean)) : undefined;
}

function resultOf(assessment: Assessment, ref: ResourceRef, target: Target, actions: ActionResult[]) {
  const report = buildReport(assessment, actions);
  const live = assessment.state?.ref ?? ref;
  const result: ResourceResult = {
    resource: {
      type: live.type,
      arn: live.arn,
      name: live.name,
      account: target.account,
      region: target.region,
      ...(live.domainId ? { domainId: live.domainId } : {}),
    },
    // Unverifiable (an AWS read failed) is what the sweep calls an error: never compliant, always in the digest.
    verdict: report.verdict === 'invalid' || report.verdict === 'unverifiable' ? 'error' : report.verdict,
    violations: report.violations,
    unevaluated: report.unevaluated,
    actions,
  };
  if (report.reason) result.reason = report.reason;
  return result;
}

async function sweepResource(
  ref: ResourceRef,
  target: Target,
  source: StateSource,
  options: SweepOptions,
  now: Date,
): Promise<{ result: ResourceResult; finding?: SweepFinding; deferred?: Assessment; check?: SweepCheck }> {
  const { policy } = options;
  let assessment: Assessment;
  try {
    assessment = await assessChange(sweepChange(ref, target, options.sweepId, now), policy, source, {
      now,
      ...(options.grants ? { grants: options.grants } : {}),
    });
  } catch (error) {
    if (!(error instanceof AwsCallError)) throw error;
    // Unverifiable, not compliant: it goes to the admins.
    const failed = resultOf({ verdict: 'skipped', resource: ref }, ref, target, []);
    const result: ResourceResult = { ...failed, verdict: 'error', reason: error.message };
    return { result, finding: { result, rules: [] } };
  }
  if (assessment.verdict === 'skipped' && !assessment.state) {
    assessment = { ...assessment, reason: 'deleted since it was listed' };
  }
  const evaluation = assessment.evaluation;
  const plan = evaluation?.actions ?? [];
  const wantsNotify = plan.some((a) => a.type === 'notify');
  const execution = await executePlan(
    evaluation
      ? { ...assessment, evaluation: { ...evaluation, actions: plan.filter((a) => a.type !== 'notify') } }
      : assessment,
    {
      aws: options.clients,
      policy,
      ...(options.grants ? { grants: options.grants } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.scheduleRecheck
        ? { scheduleRecheck: () => options.scheduleRecheck?.(assessment) ?? Promise.resolve('') }
        : {}),
    },
  );
  const actions = [...execution.actions];
  const result = resultOf(assessment, ref, target, actions);
  // Told before? The status tag as it was before this sweep names the rules the admins were told about.
  const reported = rulesInStatusTag(assessment.state?.tags?.[policy.statusTagKey]);
  const check = evaluation
    ? { result, passed: evaluation.passed, reported: (reported?.size ?? 0) > 0 }
    : undefined;
  const deferred = actions.some((a) => a.type === 'stop' && a.status === 'deferred') ? assessment : undefined;
  const extra = { ...(deferred ? { deferred } : {}), ...(check ? { check } : {}) };
  if (!wantsNotify) return { result, ...extra };

  const rules = [...new Set(result.violations.map((v) => v.rule))];
  const notifying = rules.filter((rule) => policy.actions[rule as RuleId]?.includes('notify'));
  const covered = reported !== undefined && notifying.every((rule) => reported.has(rule));
  const acted = actions.some((a) => a.status === 'done' || a.status === 'failed');
  if (covered && !acted) {
    actions.push({
      type: 'notify',
      status: 'skipped',
      detail: `already notified: ${policy.statusTagKey}=${assessment.state?.tags?.[policy.statusTagKey] ?? ''}`,
    });
    return { result, ...extra };
  }
  // The digest sends it; its outcome is filled in then (see settleNotifications).
  actions.push({ type: 'notify', status: 'planned', detail: 'in the sweep digest' });
  return { result, finding: { result, rules }, ...extra };
}

/** Sweeps one account in one region. Throws only for a programming error; AWS failures are results. */
export async function sweepTarget(target: Target, options: SweepOptions): Promise<TargetSweep> {
  const now = (options.now ?? (() => new Date()))();
  const source = sweepStateSource(options.clients);
  const listers = options.listers ?? DEFAULT_LISTERS;
  const refs: ResourceRef[] = [];
  const listErrors: TargetSweep['listErrors'] = [];
  // The types are listed at once, each page after page.
  await Promise.all(
    listers.map(async (lister) => {
      try {
        refs.push(...(await lister.list(options.clients.sagemaker, target, options.pageSize)));
      } catch (error) {
        if (!(error instanceof AwsCallError)) throw error;
        listErrors.push({ type: lister.type, error: error.message });
      }
    }),
  );
  const order = new Map(listers.map((l, i) => [l.type, i]));
  refs.sort((a, b) => (order.get(a.type) ?? 0) - (order.get(b.type) ?? 0));
  await options.onListed?.(refs.length);

  const results: ResourceResult[] = new Array(refs.length);
  const news: SweepFinding[] = [];
  const deferredStops: Assessment[] = [];
  const checks: SweepCheck[] = [];
  await forEachBounded(refs, options.concurrency, async (ref, index) => {
    const swept = await sweepResource(ref, target, source, options, now);
    results[index] = swept.result;
    if (swept.finding) news.push(swept.finding);
    if (swept.deferred) deferredStops.push(swept.deferred);
    if (swept.check) checks.push(swept.check);
    options.onResult?.(swept.result);
  });
  return { target, results, checks, news, listErrors, deferredStops };
}
