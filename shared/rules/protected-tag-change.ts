import {
  actorMatches,
  deriveTagValue,
  type ProtectedKey,
  protectedKeys,
  requiredTagsFor,
  tagValue,
} from '../tag-values.ts';
import { RESOURCE_TYPES } from '../types.ts';
import { fail, NOT_APPLICABLE, PASS, type Rule, type RuleContext, type ViolationDetail } from './rule.ts';

/** Who may write the key, for the message. */
function allowedText(pk: ProtectedKey): string {
  if (pk.kind === 'status') return 'the guardrails only';
  return pk.allowedPrincipals.length ? pk.allowedPrincipals.join(', ') : 'nobody (no principal is allowed)';
}

export const protectedTagChange: Rule = {
  meta: {
    id: 'protected-tag-change',
    description:
      'Protected tags (e.g. studiouserid, the exemption tag, the status tag; keys compared case-insensitively) are added, changed or removed only by the principals allowed to; a creator cannot exempt their own resource, and an exemption tag counts only with a grant the guardrails recorded.',
    // Every guarded type: an exemption tag on any of them would switch its rules off.
    resourceTypes: RESOURCE_TYPES,
    severity: 'critical',
    fix: 'Ask an allowed administrator to change the tag; the guardrails restore the previous value where it is known.',
  },
  check(ctx) {
    const { change, state, policy, principalTags } = ctx;
    const tagCall =
      change.operation === 'create' || change.operation === 'add-tags' || change.operation === 'delete-tags';
    // Other changes touch no tag: only an exemption tag without its grant is looked at, when the tags are known.
    if (!tagCall && state.tags === undefined) return NOT_APPLICABLE;
    const keys = protectedKeys(policy);
    const exemptKey = policy.exemption.tagKey;
    const grant = ctx.exemption?.grant;
    const violations: ViolationDetail[] = [];
    const derived = (key: string) => {
      const specs = requiredTagsFor(policy, state.ref);
      return deriveTagValue(
        key,
        Object.hasOwn(specs, key) ? specs[key] : undefined,
        state.ref,
        principalTags,
      );
    };
    const allowed = (pk: ProtectedKey) =>
      pk.kind !== 'status' && actorMatches(change.actor, pk.allowedPrincipals);

    if (change.operation === 'create') {
      // CloudTrail omitted the parameters (over 100 KB): the tags the resource has are the ones it was created with.
      const created = change.parametersOmitted ? state.tags : change.tags;
      for (const [key, value] of Object.entries(created ?? {})) {
        const pk = keys.get(key.toLowerCase());
        if (!pk) continue;
        if (pk.kind === 'exemption') {
          violations.push({
            message: `exemption tag ${key} set by the creator`,
            seen: `${key}="${value}" at creation`,
            required: `${exemptKey} set only by an allowed administrator after creation`,
            tagKeys: [key],
            revertTo: null,
          });
        } else if (pk.kind === 'status') {
          violations.push({
            message: `status tag ${key} set by the creator`,
            seen: `${key}="${value}" at creation`,
            required: `${pk.key} written by ${allowedText(pk)}`,
            tagKeys: [key],
            revertTo: null,
          });
        } else if (!allowed(pk) && !(key === pk.key && value === derived(pk.key))) {
          // Not reverted: removing it at creation would lock the profile's user out. The admins decide.
          violations.push({
            message: `protected tag ${key} set at creation by a principal not allowed to`,
            seen: `${key}="${value}" at creation`,
            required: `${pk.key} ${derived(pk.key) !== undefined ? `="${derived(pk.key)}" (derived) or ` : ''}set by ${allowedText(pk)}`,
            tagKeys: [key],
          });
        }
      }
    } else if (change.operation === 'add-tags' || change.operation === 'delete-tags') {
      const touched =
        change.operation === 'add-tags'
          ? Object.entries(change.tagsSet ?? {}).map(([key, value]) => ({ key, value }))
          : (change.tagsRemoved ?? []).map((key) => ({ key, value: undefined as string | undefined }));
      for (const { key, value } of touched) {
        const pk = keys.get(key.toLowerCase());
        if (!pk || allowed(pk)) continue;
        // Setting a protected tag to the value the policy derives is no change of meaning.
        if (pk.kind === 'tag' && key === pk.key && value !== undefined && value === derived(key)) continue;
        const variant = key !== pk.key;
        violations.push({
          message: `${pk.kind === 'status' ? 'status' : 'protected'} tag ${key} ${value === undefined ? 'removed' : 'changed'}${variant ? ` (same key as ${pk.key} to IAM)` : ''}`,
          seen: value === undefined ? `DeleteTags ${key}` : `${key}="${value}"`,
          required: `${pk.key} changed only by ${allowedText(pk)}`,
          tagKeys: [key],
          ...restoreFor(ctx, pk, key, value, derived),
        });
      }
    }
    // An exemption tag the guardrails have no grant for (forged past a failed revert, set with omitted parameters,
    // expired), or one that no longer says what was granted.
    const current = tagValue(state.tags, exemptKey);
    const reported = violations.some((v) => v.tagKeys?.includes(exemptKey));
    if (!reported && change.operation !== 'create' && !ctx.exemption?.granting && !ctx.exemption?.ended) {
      if (grant && current !== grant.reason) {
        violations.push({
          message: `exemption tag ${exemptKey} differs from the recorded grant`,
          seen: current === undefined ? `no ${exemptKey} tag` : `${exemptKey}="${current}"`,
          required: `${exemptKey}="${grant.reason}" (granted by ${grant.grantedBy})`,
          tagKeys: [exemptKey],
          revertTo: grant.reason,
        });
      } else if (!grant && current !== undefined) {
        const expired = ctx.exemption?.expired;
        violations.push({
          message: expired
            ? `exemption ${exemptKey} expired on ${expired.expiresAt}`
            : `exemption tag ${exemptKey} without a grant the guardrails saw`,
          seen: `${exemptKey}="${current}"`,
          required: `${exemptKey} set by ${allowedText(keys.get(exemptKey.toLowerCase()) as ProtectedKey)}, within the policy's duration`,
          tagKeys: [exemptKey],
          revertTo: null,
        });
      }
    }
    return violations.length > 0 ? fail(...violations) : PASS;
  },
};

/** What a reverted write restores: the recorded grant, the derived value, or (unknown) nothing: the admins are told. */
function restoreFor(
  ctx: RuleContext,
  pk: ProtectedKey,
  key: string,
  value: string | undefined,
  derived: (key: string) => string | undefined,
): { revertTo?: string | null } {
  // A case variant of a protected key is removed; removing one leaves nothing to restore.
  if (key !== pk.key) return value === undefined ? {} : { revertTo: null };
  if (pk.kind === 'status') return { revertTo: null }; // recomputed by the plan
  if (pk.kind === 'exemption') {
    const grant = ctx.exemption?.grant;
    if (grant) return { revertTo: grant.reason };
    return value === undefined ? {} : { revertTo: null };
  }
  const expected = derived(key);
  return expected !== undefined ? { revertTo: expected } : {};
}
