import { fail, NOT_APPLICABLE, PASS, type Rule, unknown } from './rule.ts';

export const domainNetworkAccess: Rule = {
  meta: {
    id: 'domain-network-access',
    description: 'Studio domains must send app traffic through the VPC (AppNetworkAccessType VpcOnly).',
    resourceTypes: ['domain'],
    severity: 'high',
    awsConfigRule: 'sagemaker-domain-in-vpc',
    fix: 'UpdateDomain with AppNetworkAccessType=VpcOnly (and SubnetIds, SecurityGroupIds); it succeeds only while no app is running in the domain.',
  },
  check({ state, policy }) {
    if (!policy.domain.requireVpcOnly) return NOT_APPLICABLE;
    if (state.appNetworkAccessType === undefined) return unknown('AppNetworkAccessType is not known');
    if (state.appNetworkAccessType === 'VpcOnly') return PASS;
    return fail({
      message: 'Studio apps have direct internet access',
      seen: `AppNetworkAccessType=${state.appNetworkAccessType}`,
      required: 'AppNetworkAccessType=VpcOnly',
    });
  },
};
