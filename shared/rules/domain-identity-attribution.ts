import { fail, NOT_APPLICABLE, PASS, type Rule, unknown } from './rule.ts';

export const domainIdentityAttribution: Rule = {
  meta: {
    id: 'domain-identity-attribution',
    description:
      'Studio domains set ExecutionRoleIdentityConfig USER_PROFILE_NAME, so CloudTrail sourceIdentity names the Studio user behind execution-role calls (default DISABLED).',
    resourceTypes: ['domain'],
    severity: 'medium',
    fix: 'UpdateDomain with DomainSettingsForUpdate.ExecutionRoleIdentityConfig=USER_PROFILE_NAME while no app is InService or Pending.',
  },
  check({ state, policy }) {
    if (!policy.domain.requireExecutionRoleIdentity) return NOT_APPLICABLE;
    if (state.executionRoleIdentityConfig === undefined)
      return unknown('ExecutionRoleIdentityConfig is not known');
    if (state.executionRoleIdentityConfig === 'USER_PROFILE_NAME') return PASS;
    return fail({
      message: 'Studio users not attributed in CloudTrail',
      seen: `ExecutionRoleIdentityConfig=${state.executionRoleIdentityConfig}`,
      required: 'ExecutionRoleIdentityConfig=USER_PROFILE_NAME',
    });
  },
};
