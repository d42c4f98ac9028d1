import { notebookDirectInternetAccess } from '#core/rules/notebook-direct-internet-access';
import { testRule } from '../support/rule-tester.ts';

testRule(notebookDirectInternetAccess, 'notebook-instance', {
  valid: [{ name: 'direct internet access disabled', state: { directInternetAccess: 'Disabled' } }],
  invalid: [
    {
      name: 'direct internet access enabled (also the API default)',
      state: { directInternetAccess: 'Enabled' },
      messages: ['direct internet access enabled'],
      seen: ['DirectInternetAccess=Enabled'],
      recreateRequired: true,
    },
  ],
  unknown: [{ name: 'an update that does not say', state: {}, reason: /DirectInternetAccess is not known/ }],
  notApplicable: [
    {
      name: 'policy does not require it',
      state: { directInternetAccess: 'Enabled' },
      policy: { notebook: { requireDirectInternetAccessDisabled: false } },
    },
  ],
});
