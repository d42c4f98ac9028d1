import { actorMatches, deriveTagValue, protectedKeys, requiredTagsFor } from '../tag-values.ts';
import { RESOURCE_TYPES } from '../types.ts';
import { fail, NOT_APPLICABLE, PASS, type Rule, type ViolationDetail } from './rule.ts';

export const protectedTagChange: Rule = {
  meta: {
    id: 'protected-tag-change',
    description:
      'Protected tags (e.g. studiouserid, the exemption tag) are added, changed or removed only by the principals allowed to; a creator cannot exempt their own resource.',
    // Every guarded type: an exemption tag on any of them would switch its rules off.
    resourceTypes: RESOURCE_TYPES,
    severity: 'critical',
    fix: 'Ask an allowed administrator to change the tag; the guardrails restore the previous value where it is known.',
  },
  check({ change, state, policy, principalTags }) {
    const keys = protectedKeys(policy);
    const exemptKey = policy.exemption.tagKey;
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

    if (change.operation === 'create') {
      // Tags given at creation are part of the creation, except the exemption tag.
      const value = change.tags?.[exemptKey];
      if (value !== undefined) {
        violations.push({
          message: `exemption tag ${exemptKey} set by the creator`,
          seen: `${exemptKey}="${value}" at creation`,
          required: `${exemptKey} set only by an allowed administrator after creation`,
          tagKeys: [exemptKey],
          revertTo: null,
        });
      }
    } else if (change.operation === 'add-tags' || change.operation === 'delete-tags') {
      const touched =
        change.operation === 'add-tags'
          ? Object.entries(change.tagsSet ?? {}).map(([key, value]) => ({ key, value }))
          : (change.tagsRemoved ?? []).map((key) => ({ key, value: undefined }));
      for (const { key, value } of touched) {
        const allowed = keys.get(key);
        if (allowed === undefined || actorMatches(change.actor, allowed)) continue;
        const expected = key === exemptKey ? undefined : derived(key);
        // Setting a protected tag to the value the policy derives is no change of meaning.
        if (value !== undefined && expected !== undefined && value === expected) continue;
        violations.push({
          message: value === undefined ? `protected tag ${key} removed` : `protected tag ${key} changed`,
          seen: value === undefined ? `DeleteTags ${key}` : `${key}="${value}"`,
          required: `${key} changed only by ${allowed.length ? allowed.join(', ') : 'nobody (no principal is allowed)'}`,
          tagKeys: [key],
          // An added exemption is reverted by removing it; other keys go back to the derived value when there is
          // one. A removed exemption's previous value is unknown: the admins are told instead.
          ...(key !== exemptKey
            ? expected !== undefined
              ? { revertTo: expected }
              : {}
            : value !== undefined
              ? { revertTo: null }
              : {}),
        });
      }
    } else {
      return NOT_APPLICABLE;
    }
    return violations.length > 0 ? fail(...violations) : PASS;
  },
};
