import { notebookVpc } from '#core/rules/notebook-vpc';
import { testRule } from '../support/rule-tester.ts';

testRule(notebookVpc, 'notebook-instance', {
  valid: [{ name: 'a subnet is set', state: { subnetId: 'subnet-0a3f5c7e9b1d24680' } }],
  invalid: [
    {
      name: 'no subnet (the API default)',
      state: { subnetId: null },
      messages: ['not in a VPC'],
      seen: ['no SubnetId'],
      required: ['a SubnetId in a VPC'],
      recreateRequired: true,
    },
    {
      name: 'an empty subnet id',
      state: { subnetId: '' },
      messages: ['not in a VPC'],
      recreateRequired: true,
    },
  ],
  unknown: [{ name: 'an update that does not say', state: {}, reason: /SubnetId is not known/ }],
  notApplicable: [
    {
      name: 'policy does not require it',
      state: { subnetId: null },
      policy: { notebook: { requireSubnet: false } },
    },
  ],
});
