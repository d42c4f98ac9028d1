// One event in, one assessment out: normalize, drop what the policy ignores, read the resource, evaluate.
// Where the resource state comes from is injected: the event alone (offline) or AWS (live adapters).
import { type Evaluation, evaluate } from './evaluate.ts';
import { normalizeEvent } from './events/normalize.ts';
import { type ExemptionGrants, grantFromTag, grantInForce } from './exemption.ts';
import { checkKmsAllowlist, resolveKmsKeyFromForm } from './kms.ts';
import { misplacedResource } from './location.ts';
import type { Policy } from './policy.ts';
import type { ExemptionState } from './rules/rule.ts';
import { stateFromChange } from './state.ts';
import { actorMatches, hasTag, isOwnPrincipal, requiredTagsFor, tagValue } from './tag-values.ts';
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
  /** IAM tags of the principal behind the call; undefined when there is none to read. `fresh`: not cached. */
  principalTags(
    actor: Actor,
    change: NormalizedChange,
    options?: { fresh?: boolean },
  ): Promise<Tags | undefined>;
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
  resolveKmsKey: async (keyId, change) => resolveKmsKeyFromForm(keyId, change),
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
 * A read started before it is known to be needed: its failure surfaces only if its result is used, so a read that
 * turns out unneeded never fails the event.
 */
function early<T>(read: () => Promise<T>): () => Promise<T> {
  const started = read();
  started.catch(() => undefined);
  return () => started;
}

/** A creation event names the key the resource is encrypted with for good (KmsKeyId cannot be updated). */
function kmsKeyToPrefetch(change: NormalizedChange, policy: Policy): string | undefined {
  const keyId = change.settings.kmsKeyId;
  if (change.operation !== 'create' || typeof keyId !== 'string') return undefined;
  // A key the allowlist rules out by its ARN alone is never asked about.
  if (keyRuledOutByForm(keyId, change, policy)) return undefined;
  if (change.resource.type === 'notebook-instance' && policy.notebook.requireKmsKey) return keyId;
  if (change.resource.type === 'domain' && policy.domain.requireKmsKey) return keyId;
  return undefined;
}

/**
 * Whether the principal's tags may be needed, judged from the event before the resource is read: a creation
 * whose own tags lack a tag the policy derives from the principal. Then the IAM read runs alongside the resource
 * read instead of after it. A compliant creation (it has the tag) and every other event still cost no IAM call;
 * the cost of guessing is an IAM read (cached per container) not used when the tag was added in between.
 */
function mayNeedPrincipalTags(change: NormalizedChange, policy: Policy): boolean {
  if (change.operation !== 'create' || !policy.actions['required-tags'].includes('tag')) return false;
  const specs = requiredTagsFor(policy, change.resource);
  return Object.entries(specs).some(
    ([key, spec]) => spec?.derive === 'principal-tag' && !(change.tags && Object.hasOwn(change.tags, key)),
  );
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
  const specs = requiredTagsFor(policy, ref);
  return evaluation.violations.some(
    (v) => v.rule === 'required-tags' && v.tagKeys?.some((key) => specs[key]?.derive === 'principal-tag'),
  );
}

export interface AssessOptions {
  /** The exact role ARNs of the guardrails' own functions (from the deployment): their calls are not judged. */
  ownRoleArns?: readonly string[];
  /**
   * Organization mode: the name of the member role the guardrails act through. Only that role in the event's own
   * partition and account is theirs (exactly: no pattern).
   */
  memberRoleName?: string;
  /** Where exemption grants are recorded. Without one, no exemption tag is honoured (fail closed). */
  grants?: ExemptionGrants;
  now?: Date;
}

/** What the guardrails' records say of the resource's exemption, and whether this change grants or ends one. */
async function exemptionState(
  change: NormalizedChange,
  state: ResourceState,
  policy: Policy,
  options: AssessOptions,
): Promise<ExemptionState> {
  const now = options.now ?? new Date();
  const key = policy.exemption.tagKey;
  const byAllowed = actorMatches(change.actor, policy.exemption.allowedPrincipals);
  const touched = [...Object.keys(change.tagsSet ?? {}), ...(change.tagsRemoved ?? [])].some(
    (k) => k.toLowerCase() === key.toLowerCase(),
  );
  // Only an exemption tag (present, or touched by this change) can exempt: most events cost no store read.
  if (!hasTag(state.tags, key) && !touched) return {};
  const recorded = await options.grants?.get(state.ref.arn);
  const result: ExemptionState = {};
  if (grantInForce(recorded, now)) result.grant = recorded;
  else if (recorded) result.expired = recorded;
  if (byAllowed && change.operation === 'add-tags' && Object.hasOwn(change.tagsSet ?? {}, key)) {
    const value = tagValue(state.tags, key);
    // Granted as the resource has it now (a later change may already have replaced it); never already expired.
    if (value !== undefined && value !== result.grant?.reason) {
      const grant = grantFromTag(state.ref.arn, value, change.actor, now, policy);
      if (grantInForce(grant, now)) result.granting = grant;
    }
  }
  if (byAllowed && change.operation === 'delete-tags' && change.tagsRemoved?.includes(key)) {
    result.ended = true;
    delete result.grant;
  }
  return result;
}

/** Never asks KMS about a key that the allowlist rules out by its ARN alone. */
function keyRuledOutByForm(keyId: string, change: NormalizedChange, policy: Policy): KmsKeyInfo | undefined {
  const allowlist = policy.kms.allowedKeys;
  if (allowlist.length === 0) return undefined;
  const form = resolveKmsKeyFromForm(keyId, change);
  return checkKmsAllowlist(form, allowlist) === 'not-allowed' ? form : undefined;
}

export async function assessEvent(
  input: unknown,
  policy: Policy,
  source: StateSource,
  options: AssessOptions = {},
): Promise<Assessment> {
  const normalized = normalizeEvent(input);
  if (normalized.kind === 'invalid') {
    const { eventId, eventName, path, reason } = normalized;
    return { verdict: 'invalid', path, reason: `${path}: ${reason}`, ...defined({ eventId, eventName }) };
  }
  if (normalized.kind === 'skipped') {
    const { eventId, eventName, actor, reason } = normalized;
    return { verdict: 'skipped', reason, ...defined({ eventId, eventName, actor }) };
  }
  return assessChange(normalized.change, policy, source, options);
}

/**
 * One normalized change in, one assessment out. Besides events, a sweep calls this with the change "the resource
 * as it is now" (operation `state-change`, no caller), so it runs exactly the rules and plan the event path runs.
 */
export async function assessChange(
  change: NormalizedChange,
  policy: Policy,
  source: StateSource,
  options: AssessOptions = {},
): Promise<Assessment> {
  const base = {
    eventId: change.eventId,
    eventName: change.eventName,
    actor: change.actor,
    resource: change.resource,
    change,
  };
  // An ARN elsewhere than the event's own account and region is never resolved there (nor here): fail loudly.
  const misplaced = misplacedResource(change);
  if (misplaced) return { ...base, verdict: 'invalid', path: '$.detail', reason: `$.detail: ${misplaced}` };
  const own = [
    ...(options.ownRoleArns ?? []),
    ...(options.memberRoleName
      ? [`arn:${change.partition}:iam::${change.account}:role/${options.memberRoleName}`]
      : []),
  ];
  if (isOwnPrincipal(change.actor, own)) {
    return {
      ...base,
      verdict: 'skipped',
      reason: `call by the guardrails' own role (${change.actor.roleArn ?? change.actor.arn})`,
    };
  }
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
  // Reads that do not depend on the resource's state start with it: one round trip where there were up to four.
  const kmsFromEvent = kmsKeyToPrefetch(change, policy);
  const kmsEarly = kmsFromEvent ? early(() => source.resolveKmsKey(kmsFromEvent, change)) : undefined;
  const aliasesListed = policy.kms.allowedKeys.some((entry) => entry.includes(':alias/'));
  const allowlistEarly =
    kmsFromEvent && aliasesListed
      ? early(() => source.resolveKmsAllowlist(policy.kms.allowedKeys))
      : undefined;
  const principalEarly = mayNeedPrincipalTags(change, policy)
    ? early(() => source.principalTags(change.actor, change))
    : undefined;
  // A Studio sign-in is judged by the caller's own tag as it is now (studio-presigned-url-abac).
  const callerEarly =
    change.operation === 'presigned-url'
      ? early(() => source.principalTags(change.actor, change, { fresh: true }))
      : undefined;
  const state = await source.readState(change);
  if (!state) return { ...base, verdict: 'skipped', reason: 'resource no longer exists' };
  const callerTags = callerEarly ? await callerEarly() : undefined;
  const kmsKeyId =
    typeof state.kmsKeyId === 'string' && needsKmsKey(state, policy) ? state.kmsKeyId : undefined;
  const ruledOut = kmsKeyId ? keyRuledOutByForm(kmsKeyId, change, policy) : undefined;
  const [kmsKey, allowedKmsKeyArns] =
    kmsKeyId && !ruledOut
      ? await Promise.all([
          kmsEarly && kmsKeyId === kmsFromEvent ? kmsEarly() : source.resolveKmsKey(kmsKeyId, change),
          aliasesListed
            ? (allowlistEarly ?? (() => source.resolveKmsAllowlist(policy.kms.allowedKeys)))()
            : undefined,
        ])
      : [ruledOut, undefined];
  const exemption = await exemptionState(change, state, policy, options);
  const ctx = {
    change,
    state,
    policy,
    exemption,
    ...(kmsKey ? { kmsKey } : {}),
    ...(allowedKmsKeyArns ? { allowedKmsKeyArns } : {}),
    ...(callerTags ? { principalTags: callerTags } : {}),
  };
  let evaluation = evaluate(ctx);
  if (needsPrincipalTags(evaluation, policy, change, state.ref)) {
    const principalTags = await (principalEarly ?? (() => source.principalTags(change.actor, change)))();
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
