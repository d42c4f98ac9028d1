import { fail, NOT_APPLICABLE, PASS, type Rule, unknown } from './rule.ts';

export const notebookRootAccess: Rule = {
  meta: {
    id: 'notebook-root-access',
    description: 'Users of a notebook instance must not have root access (RootAccess Disabled).',
    resourceTypes: ['notebook-instance'],
    severity: 'high',
    awsConfigRule: 'sagemaker-notebook-instance-root-access-check',
    securityHubControl: 'SageMaker.3',
    fix: 'Stop the notebook, then UpdateNotebookInstance with RootAccess=Disabled (settings change only while Stopped).',
  },
  check({ state, policy }) {
    if (!policy.notebook.requireRootAccessDisabled) return NOT_APPLICABLE;
    if (state.rootAccess === undefined) return unknown('RootAccess is not known');
    if (state.rootAccess === 'Disabled') return PASS;
    return fail({
      message: 'root access enabled',
      seen: 'RootAccess=Enabled',
      required: 'RootAccess=Disabled',
    });
  },
};
