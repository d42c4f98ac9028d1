import { fail, NOT_APPLICABLE, PASS, type Rule, unknown } from './rule.ts';

export const notebookImdsV2: Rule = {
  meta: {
    id: 'notebook-imdsv2',
    description:
      'Notebook instances accept IMDSv2 only (MinimumInstanceMetadataServiceVersion 2); omitted at creation means 1, IMDSv1 allowed.',
    resourceTypes: ['notebook-instance'],
    severity: 'medium',
    fix: 'Fixable in place: stop the notebook, UpdateNotebookInstance with InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion=2, start it.',
  },
  check({ state, policy }) {
    if (!policy.notebook.requireImdsV2) return NOT_APPLICABLE;
    if (state.imdsMinimumVersion === undefined)
      return unknown('InstanceMetadataServiceConfiguration is not known');
    if (state.imdsMinimumVersion === '2') return PASS;
    return fail({
      message: 'IMDSv1 allowed',
      seen: `MinimumInstanceMetadataServiceVersion=${state.imdsMinimumVersion}`,
      required: 'MinimumInstanceMetadataServiceVersion=2',
    });
  },
};
