import { fail, NOT_APPLICABLE, PASS, RECREATE_FIX, type Rule, unknown } from './rule.ts';

export const notebookVpc: Rule = {
  meta: {
    id: 'notebook-vpc',
    description: 'Notebook instances must run inside a VPC (a SubnetId is set).',
    resourceTypes: ['notebook-instance'],
    severity: 'high',
    awsConfigRule: 'sagemaker-notebook-instance-inside-vpc',
    securityHubControl: 'SageMaker.2',
    fix: `${RECREATE_FIX} a SubnetId and SecurityGroupIds in your VPC.`,
  },
  check({ state, policy }) {
    if (!policy.notebook.requireSubnet) return NOT_APPLICABLE;
    if (state.subnetId === undefined) return unknown('SubnetId is not known');
    if (state.subnetId) return PASS;
    return fail({
      message: 'not in a VPC',
      seen: 'no SubnetId',
      required: 'a SubnetId in a VPC',
      recreateRequired: true,
    });
  },
};
