import { domainIdentityAttribution } from '#core/rules/domain-identity-attribution';
import { testRule } from '../support/rule-tester.ts';

testRule(domainIdentityAttribution, 'domain', {
  valid: [{ name: 'USER_PROFILE_NAME', state: { executionRoleIdentityConfig: 'USER_PROFILE_NAME' } }],
  invalid: [
    {
      name: 'DISABLED (the default)',
      state: { executionRoleIdentityConfig: 'DISABLED' },
      messages: ['Studio users not attributed in CloudTrail'],
      seen: ['ExecutionRoleIdentityConfig=DISABLED'],
      required: ['ExecutionRoleIdentityConfig=USER_PROFILE_NAME'],
    },
  ],
  unknown: [
    {
      name: 'an UpdateDomain that does not touch it, offline',
      state: { appNetworkAccessType: 'VpcOnly' },
      reason: /ExecutionRoleIdentityConfig is not known/,
    },
  ],
  notApplicable: [
    {
      name: 'policy does not require it',
      state: { executionRoleIdentityConfig: 'DISABLED' },
      policy: { domain: { requireExecutionRoleIdentity: false } },
    },
  ],
});
