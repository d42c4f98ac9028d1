import { domainNetworkAccess } from '#core/rules/domain-network-access';
import { testRule } from '../support/rule-tester.ts';

testRule(domainNetworkAccess, 'domain', {
  valid: [{ name: 'VpcOnly', state: { appNetworkAccessType: 'VpcOnly' } }],
  invalid: [
    {
      name: 'PublicInternetOnly (also the API default)',
      state: { appNetworkAccessType: 'PublicInternetOnly' },
      messages: ['Studio apps have direct internet access'],
      seen: ['AppNetworkAccessType=PublicInternetOnly'],
      required: ['AppNetworkAccessType=VpcOnly'],
      // UpdateDomain can switch it in place.
      recreateRequired: false,
    },
  ],
  unknown: [
    {
      name: 'an UpdateDomain that does not set it',
      state: {},
      change: { operation: 'update', eventName: 'UpdateDomain' },
      reason: /AppNetworkAccessType is not known/,
    },
  ],
  notApplicable: [
    {
      name: 'policy does not require it',
      state: { appNetworkAccessType: 'PublicInternetOnly' },
      policy: { domain: { requireVpcOnly: false } },
    },
  ],
});
