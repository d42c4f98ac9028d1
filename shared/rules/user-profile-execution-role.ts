import { matchesPrincipalPattern } from '../policy.ts';
import { fail, NOT_APPLICABLE, PASS, type Rule, unknown } from './rule.ts';

export const userProfileExecutionRole: Rule = {
  meta: {
    id: 'user-profile-execution-role',
    description:
      "A user profile's own execution role must be one the policy allows (off while the allowlist is empty).",
    resourceTypes: ['user-profile'],
    severity: 'high',
    fix: 'UpdateUserProfile with UserSettings.ExecutionRole set to an allowed role.',
  },
  check({ state, policy }) {
    const allowed = policy.userProfile.allowedExecutionRoles;
    if (allowed.length === 0) return NOT_APPLICABLE;
    if (state.executionRole === undefined) return unknown('the execution role is not known');
    // No role of its own: the profile uses the domain default, which the domain's owner controls.
    if (state.executionRole === null) return PASS;
    const role = state.executionRole;
    if (allowed.some((pattern) => matchesPrincipalPattern(pattern, role))) return PASS;
    return fail({
      message: 'execution role not allowed',
      seen: `ExecutionRole=${role}`,
      required: `a role matching ${allowed.join(', ')}`,
    });
  },
};
