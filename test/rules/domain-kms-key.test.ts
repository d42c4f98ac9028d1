import { resolveKmsKeyFromForm } from '#core/kms';
import { domainKmsKey } from '#core/rules/domain-kms-key';
import type { CaseInput } from '../support/rule-tester.ts';
import { testRule } from '../support/rule-tester.ts';

const ACCOUNT = '111122223333';
const KEY_ID = '3f8a2d6c-51b7-4e09-9c4d-8e7a1b2f6d30';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const OTHER_KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-1111-2222-3333-444444444444`;
const ALIAS = 'alias/studio-efs';
const ALIAS_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:${ALIAS}`;
const AWS_ALIAS_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/sagemaker`;

function keyGiven(given: string): Pick<CaseInput, 'state' | 'kmsKey'> {
  return {
    state: { kmsKeyId: given },
    kmsKey: resolveKmsKeyFromForm(given, { partition: 'aws', region: 'us-east-1', account: ACCOUNT }),
  };
}
const allow = (...keys: string[]) => ({ kms: { allowedKeys: keys } });

testRule(domainKmsKey, 'domain', {
  valid: [
    { name: 'customer key by id', ...keyGiven(KEY_ID) },
    { name: 'customer key by key ARN', ...keyGiven(KEY_ARN) },
    { name: 'customer key by alias name', ...keyGiven(ALIAS) },
    { name: 'customer key by alias ARN', ...keyGiven(ALIAS_ARN) },
    { name: 'key ARN allowlist, key given by id', ...keyGiven(KEY_ID), policy: allow(KEY_ARN) },
    { name: 'alias ARN allowlist, key given by alias name', ...keyGiven(ALIAS), policy: allow(ALIAS_ARN) },
  ],
  invalid: [
    {
      name: 'no KmsKeyId (the API default)',
      state: { kmsKeyId: null },
      messages: ['domain not encrypted with a customer KMS key'],
      seen: ['no KmsKeyId (AWS managed key)'],
      required: ['a customer-managed KMS key'],
      recreateRequired: true,
    },
    {
      name: 'AWS managed alias by alias name',
      ...keyGiven('alias/aws/sagemaker'),
      messages: ['domain encrypted with an AWS managed key'],
      seen: ['KmsKeyId=alias/aws/sagemaker (AWS managed)'],
    },
    {
      name: 'AWS managed alias by alias ARN',
      ...keyGiven(AWS_ALIAS_ARN),
      messages: ['domain encrypted with an AWS managed key'],
      seen: [`KmsKeyId=${AWS_ALIAS_ARN} (AWS managed)`],
    },
    {
      name: 'key ARN allowlist, another key',
      ...keyGiven(OTHER_KEY_ARN),
      policy: allow(KEY_ARN),
      messages: ['domain KMS key not on the allowlist'],
      required: [`one of ${KEY_ARN}`],
      recreateRequired: true,
    },
    {
      name: 'alias ARN allowlist, another alias',
      ...keyGiven('alias/other'),
      policy: allow(ALIAS_ARN),
      messages: ['domain KMS key not on the allowlist'],
    },
  ],
  unknown: [
    {
      name: 'an UpdateDomain (KmsKeyId is set only at creation)',
      state: {},
      reason: /KmsKeyId is not known/,
    },
    {
      name: 'live lookup failed',
      state: { kmsKeyId: KEY_ARN },
      kmsKey: { given: KEY_ARN, resolved: false, note: 'NotFoundException' },
      reason: /could not be resolved: NotFoundException/,
    },
    {
      name: 'offline: alias given, key ARN only allowlist',
      ...keyGiven(ALIAS),
      policy: allow(KEY_ARN),
      reason: /without kms:DescribeKey/,
    },
    {
      name: 'offline: key ARN given, alias ARN only allowlist',
      ...keyGiven(KEY_ARN),
      policy: allow(ALIAS_ARN),
      reason: /without kms:DescribeKey/,
    },
  ],
  notApplicable: [
    {
      name: 'policy does not require it',
      state: { kmsKeyId: null },
      policy: { domain: { requireKmsKey: false } },
    },
    {
      name: 'policy turns it off: even an AWS managed key is not reported',
      ...keyGiven('alias/aws/sagemaker'),
      policy: { domain: { requireKmsKey: false } },
    },
  ],
});
