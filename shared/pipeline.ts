// One event in, one assessment out: normalize, drop what the policy ignores, read the resource, evaluate.
// Where the resource state comes from is injected: the event alone (offline) or AWS (live adapters).
import { type Evaluation, evaluate } from './evaluate.ts';
import { normalizeEvent } from './events/normalize.ts';
import { resolveKmsKeyFromForm } from './kms.ts';
import type { Policy } from './policy.ts';
import { stateFromChange } from './state.ts';
import { actorMatches } from './tag-values.ts';
import type {
  Actor,
  KmsKeyInfo,
  NormalizedChange,
  ResourceRef,
  ResourceState,
  Tags,
  Verdict,
} from './types.ts';

export interface StateSource {
  readonly kind: 'event' | 'live';
  /** The resource as it is now; undefined when it no longer exists. */
  readState(change: NormalizedChange): Promise<ResourceState | undefined>;
  resolveKmsKey(keyId: string, change: NormalizedChange): Promise<KmsKeyInfo>;
  /** Key ARNs behind the allowlist's alias ARNs; offline there are none (aliases compare by ARN only). */
  resolveKmsAllowlist(allowlist: readonly string[]): Promise<string[]>;
  /** IAM tags of the principal behind the call; undefined when there is none to read. */
  principalTags(actor: Actor, change: NormalizedChange): Promise<Tags | undefined>;
}

export interface Assessment {
  verdict: Verdict;
  reason?: string;
  eventId?: string;
  eventName?: string;
  actor?: Actor;
  resource?: ResourceRef;
  change?: NormalizedChange;
  state?: ResourceState;
  evaluation?: Evaluation;
  /** For invalid input: the JSON path of the problem. */
  path?: string;
}

export const offlineStateSource: StateSource = {
  kind: 'event',
  readState: async (change) => stateFromChange(change),
  resolveKmsKey: async (keyId, change) => resolveKmsKeyFromForm(keyId, change.region, change.account),
  resolveKmsAllowlist: async () => [],
  principalTags: async () => undefined,
};

function needsKmsKey(state: ResourceState, policy: Policy): boolean {
  if (typeof state.kmsKeyId !== 'string') return false;
  if (state.ref.type === 'notebook-instance') return policy.notebook.requireKmsKey;
  if (state.ref.type === 'domain') return policy.domain.requireKmsKey;
  return false;
}

/**
 * Principal tags are read only when a missing required tag is to be derived from them, and only on creation: the
 * creator's tag says whose the resource is, while whoever later removes a tag (an admin, say) does not.
 * Most events cost no IAM call.
 */
function needsPrincipalTags(
  evaluation: Evaluation,
  policy: Policy,
  change: NormalizedChange,
  ref: ResourceRef,
): boolean {
  if (change.operation !== 'create' || !policy.actions['required-tags'].includes('tag')) return false;
  const specs = policy.requiredTags[ref.type];
  return evaluation.violations.some(
    (v) => v.rule === 'required-tags' && v.tagKeys?.some((key) => specs[key]?.derive === 'principal-tag'),
  );
}

export async function assessEvent(input: unknown, policy: Policy, source: StateSource): Promise<Assessment> {
  const normalized = normalizeEvent(input);
  if (normalized.kind === 'invalid') {
    const { eventId, eventName, path, reason } = normalized;
    return { verdict: 'invalid', path, reason: `${path}: ${reason}`, ...defined({ eventId, eventName }) };
  }
  if (normalized.kind === 'skipped') {
    const { eventId, eventName, actor, reason } = normalized;
    return { verdict: 'skipped', reason, ...defined({ eventId, eventName, actor }) };
  }
  const { change } = normalized;
  const base = {
    eventId: change.eventId,
    eventName: change.eventName,
    actor: change.actor,
    resource: change.resource,
    change,
  };
  if (actorMatches(change.actor, policy.ignoredPrincipals)) {
    return {
      ...base,
      verdict: 'skipped',
      reason: `call by an ignored principal (${change.actor.roleArn ?? change.actor.arn})`,
    };
  }
  if (change.parametersOmitted && source.kind === 'event') {
    return {
      ...base,
      verdict: 'skipped',
      reason: 'requestParameters omitted by CloudTrail (over 100 KB): evaluating it needs the live resource',
    };
  }
  const state = await source.readState(change);
  if (!state) return { ...base, verdict: 'skipped', reason: 'resource no longer exists' };
  const kmsKey =
    typeof state.kmsKeyId === 'string' && needsKmsKey(state, policy)
      ? await source.resolveKmsKey(state.kmsKeyId, change)
      : undefined;
  const aliasesListed = policy.kms.allowedKeys.some((entry) => entry.includes(':alias/'));
  const allowedKmsKeyArns =
    kmsKey && aliasesListed ? await source.resolveKmsAllowlist(policy.kms.allowedKeys) : undefined;
  const ctx = {
    change,
    state,
    policy,
    ...(kmsKey ? { kmsKey } : {}),
    ...(allowedKmsKeyArns ? { allowedKmsKeyArns } : {}),
  };
  let evaluation = evaluate(ctx);
  if (needsPrincipalTags(evaluation, policy, change, state.ref)) {
    const principalTags = await source.principalTags(change.actor, change);
    if (principalTags) evaluation = evaluate({ ...ctx, principalTags });
  }
  return {
    ...base,
    state,
    evaluation,
    verdict: evaluation.verdict,
    ...(evaluation.reason ? { reason: evaluation.reason } : {}),
  };
}

function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
