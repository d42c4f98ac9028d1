import { deriveTagValue, describeRequirement, requiredTagsFor, tagValueProblem } from '../tag-values.ts';
import { fail, NOT_APPLICABLE, PASS, type Rule, unknown, type ViolationDetail } from './rule.ts';

export const requiredTags: Rule = {
  meta: {
    id: 'required-tags',
    description:
      'Resources carry the tags the policy requires, with an allowed value (attribute-based access control depends on them).',
    resourceTypes: ['notebook-instance', 'user-profile', 'domain', 'space', 'app'],
    severity: 'medium',
    awsConfigRule: 'required-tags (sagemaker-domain-tagged for domains)',
    fix: 'AddTags with the required key and an allowed value.',
  },
  check({ change, state, policy, principalTags }) {
    const required = requiredTagsFor(policy, state.ref);
    const keys = Object.keys(required);
    if (keys.length === 0) return NOT_APPLICABLE;
    const violations: ViolationDetail[] = [];
    const violation = (key: string, problem: string, seen: string): ViolationDetail => {
      const spec = Object.hasOwn(required, key) ? required[key] : undefined;
      const derived = deriveTagValue(key, spec, state.ref, principalTags);
      return {
        message: `tag ${key} ${problem}`,
        seen,
        required: `tag ${key} with ${spec ? describeRequirement(spec) : 'a value'}`,
        tagKeys: [key],
        fix: derived
          ? `AddTags ${key}=${derived} (the guardrails write it when the tag action is on).`
          : `AddTags ${key} with ${spec ? describeRequirement(spec) : 'a value'}.`,
      };
    };
    if (state.tags) {
      const tags = state.tags;
      for (const key of keys) {
        const spec = Object.hasOwn(required, key) ? required[key] : undefined;
        const problem = spec && tagValueProblem(tags[key], spec);
        if (problem)
          violations.push(violation(key, problem, key in tags ? `${key}="${tags[key]}"` : `no ${key} tag`));
      }
    } else {
      // Only the change is known: judge what it removed or set.
      if (!change.tagsRemoved && !change.tagsSet) return unknown('the tag set is not known');
      for (const key of change.tagsRemoved ?? []) {
        if (Object.hasOwn(required, key)) violations.push(violation(key, 'removed', `DeleteTags ${key}`));
      }
      for (const [key, value] of Object.entries(change.tagsSet ?? {})) {
        const spec = Object.hasOwn(required, key) ? required[key] : undefined;
        const problem = spec && tagValueProblem(value, spec);
        if (problem) violations.push(violation(key, problem, `${key}="${value}"`));
      }
    }
    return violations.length > 0 ? fail(...violations) : PASS;
  },
};
