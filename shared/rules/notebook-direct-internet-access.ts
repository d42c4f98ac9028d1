import { fail, NOT_APPLICABLE, PASS, RECREATE_FIX, type Rule, unknown } from './rule.ts';

export const notebookDirectInternetAccess: Rule = {
  meta: {
    id: 'notebook-direct-internet-access',
    description: 'Notebook instances must not have direct internet access (DirectInternetAccess Disabled).',
    resourceTypes: ['notebook-instance'],
    severity: 'high',
    awsConfigRule: 'sagemaker-notebook-no-direct-internet-access',
    securityHubControl: 'SageMaker.1',
    fix: `${RECREATE_FIX} DirectInternetAccess=Disabled and a SubnetId (traffic then goes through the VPC).`,
  },
  check({ state, policy }) {
    if (!policy.notebook.requireDirectInternetAccessDisabled) return NOT_APPLICABLE;
    if (state.directInternetAccess === undefined) return unknown('DirectInternetAccess is not known');
    if (state.directInternetAccess === 'Disabled') return PASS;
    return fail({
      message: 'direct internet access enabled',
      seen: 'DirectInternetAccess=Enabled',
      required: 'DirectInternetAccess=Disabled',
      recreateRequired: true,
    });
  },
};
