import { notebookRootAccess } from '#core/rules/notebook-root-access';
import { testRule } from '../support/rule-tester.ts';

testRule(notebookRootAccess, 'notebook-instance', {
  valid: [{ name: 'root access disabled', state: { rootAccess: 'Disabled' } }],
  invalid: [
    {
      name: 'root access enabled (also the API default)',
      state: { rootAccess: 'Enabled' },
      messages: ['root access enabled'],
      seen: ['RootAccess=Enabled'],
      required: ['RootAccess=Disabled'],
      // UpdateNotebookInstance can change RootAccess: no recreation needed.
      recreateRequired: false,
    },
  ],
  unknown: [
    {
      name: 'a state-change event (it never carries RootAccess)',
      state: { directInternetAccess: 'Disabled', status: 'InService' },
      reason: /RootAccess is not known/,
    },
  ],
  notApplicable: [
    {
      name: 'policy does not require it',
      state: { rootAccess: 'Enabled' },
      policy: { notebook: { requireRootAccessDisabled: false } },
    },
  ],
});
