import { scopeOf } from '#core/arn';
import { resolveKmsKeyFromForm } from '#core/kms';
import { notebookKmsKey } from '#core/rules/notebook-kms-key';
import type { KmsKeyInfo } from '#core/types';
import type { CaseInput } from '../support/rule-tester.ts';
import { testRule } from '../support/rule-tester.ts';

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const KEY_ID = '7c1e4b2a-93d5-4f1e-8a6b-2d9f0c3e5a17';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-1111-2222-3333-444444444444`;
const ALIAS = 'alias/ml-notebooks';
const ALIAS_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:${ALIAS}`;
const OTHER_ALIAS_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/other`;
const AWS_ALIAS = 'alias/aws/sagemaker';
const AWS_ALIAS_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:${AWS_ALIAS}`;

/** A key as the offline path sees it: resolved from the form it was given in. */
function keyGiven(given: string, region = REGION): Pick<CaseInput, 'state' | 'kmsKey'> {
  return { state: { kmsKeyId: given }, kmsKey: resolveKmsKeyFromForm(given, scopeOf(region, ACCOUNT)) };
}
const allow = (...keys: string[]) => ({ kms: { allowedKeys: keys } });
const liveKey = (info: Omit<KmsKeyInfo, 'resolved'> & { resolved?: boolean }) => ({
  state: { kmsKeyId: info.given },
  kmsKey: { resolved: true, ...info },
});

testRule(notebookKmsKey, 'notebook-instance', {
  valid: [
    { name: 'customer key by id', ...keyGiven(KEY_ID) },
    { name: 'customer key by key ARN', ...keyGiven(KEY_ARN) },
    { name: 'customer key by alias name', ...keyGiven(ALIAS) },
    { name: 'customer key by alias ARN', ...keyGiven(ALIAS_ARN) },
    { name: 'key ARN allowlist, key given by id', ...keyGiven(KEY_ID), policy: allow(KEY_ARN) },
    {
      name: 'key ARN allowlist, key given by key ARN',
      ...keyGiven(KEY_ARN),
      policy: allow(OTHER_KEY_ARN, KEY_ARN),
    },
    { name: 'alias ARN allowlist, key given by alias name', ...keyGiven(ALIAS), policy: allow(ALIAS_ARN) },
    { name: 'alias ARN allowlist, key given by alias ARN', ...keyGiven(ALIAS_ARN), policy: allow(ALIAS_ARN) },
    {
      name: 'mixed allowlist, key given by a listed alias',
      ...keyGiven(ALIAS),
      policy: allow(OTHER_KEY_ARN, ALIAS_ARN),
    },
    {
      name: 'live-resolved alias whose key ARN is on a key ARN allowlist',
      ...liveKey({
        given: ALIAS,
        keyArn: KEY_ARN,
        aliasArn: ALIAS_ARN,
        manager: 'CUSTOMER',
        keyState: 'Enabled',
      }),
      policy: allow(KEY_ARN),
    },
    {
      name: 'live: alias ARN allowlist resolved to key ARNs, key given by key ARN',
      ...liveKey({ given: KEY_ARN, keyArn: KEY_ARN, manager: 'CUSTOMER' }),
      policy: allow(ALIAS_ARN),
      allowedKmsKeyArns: [KEY_ARN],
    },
    {
      // The partition comes from the region: us-gov-* regions are in aws-us-gov, whose ARNs start arn:aws-us-gov:.
      name: 'key id in a GovCloud region matches its aws-us-gov key ARN on the allowlist',
      ...keyGiven(KEY_ID, 'us-gov-west-1'),
      policy: allow(`arn:aws-us-gov:kms:us-gov-west-1:${ACCOUNT}:key/${KEY_ID}`),
    },
    {
      name: 'alias name in a China region matches its aws-cn alias ARN on the allowlist',
      ...keyGiven(ALIAS, 'cn-north-1'),
      policy: allow(`arn:aws-cn:kms:cn-north-1:${ACCOUNT}:${ALIAS}`),
    },
  ],
  invalid: [
    {
      name: 'no KmsKeyId (AWS managed key, the API default)',
      state: { kmsKeyId: null },
      messages: ['volume not encrypted with a customer KMS key'],
      seen: ['no KmsKeyId (AWS managed key)'],
      required: ['a customer-managed KMS key'],
      recreateRequired: true,
    },
    {
      name: 'AWS managed alias by alias name',
      ...keyGiven(AWS_ALIAS),
      messages: ['volume encrypted with an AWS managed key'],
      seen: ['KmsKeyId=alias/aws/sagemaker (AWS managed)'],
      required: ['a customer-managed KMS key'],
      recreateRequired: true,
    },
    {
      name: 'AWS managed alias by alias ARN',
      ...keyGiven(AWS_ALIAS_ARN),
      messages: ['volume encrypted with an AWS managed key'],
      seen: [`KmsKeyId=${AWS_ALIAS_ARN} (AWS managed)`],
      recreateRequired: true,
    },
    {
      name: 'AWS managed alias, even when listed on the allowlist',
      ...keyGiven(AWS_ALIAS),
      policy: allow(AWS_ALIAS_ARN),
      messages: ['volume encrypted with an AWS managed key'],
    },
    {
      name: 'live lookup says the key is AWS managed',
      ...liveKey({ given: KEY_ARN, keyArn: KEY_ARN, manager: 'AWS', keyState: 'Enabled' }),
      messages: ['volume encrypted with an AWS managed key'],
      seen: [`KmsKeyId=${KEY_ARN} (AWS managed)`],
    },
    {
      name: 'key ARN allowlist, another key ARN given',
      ...keyGiven(OTHER_KEY_ARN),
      policy: allow(KEY_ARN),
      messages: ['volume KMS key not on the allowlist'],
      seen: [`KmsKeyId=${OTHER_KEY_ARN}`],
      required: [`one of ${KEY_ARN}`],
      recreateRequired: true,
    },
    {
      name: 'key ARN allowlist, same key id in another region',
      ...keyGiven(KEY_ID, 'eu-west-1'),
      policy: allow(KEY_ARN),
      messages: ['volume KMS key not on the allowlist'],
    },
    {
      name: 'alias ARN allowlist, another alias given',
      ...keyGiven('alias/other'),
      policy: allow(ALIAS_ARN),
      messages: ['volume KMS key not on the allowlist'],
      seen: ['KmsKeyId=alias/other'],
    },
    {
      name: 'alias ARN allowlist naming two aliases, neither given',
      ...keyGiven('alias/third'),
      policy: allow(ALIAS_ARN, OTHER_ALIAS_ARN),
      messages: ['volume KMS key not on the allowlist'],
      required: [`one of ${ALIAS_ARN}, ${OTHER_ALIAS_ARN}`],
    },
    {
      name: 'live: alias ARN allowlist resolved to other key ARNs',
      ...liveKey({ given: KEY_ARN, keyArn: KEY_ARN, manager: 'CUSTOMER' }),
      policy: allow(ALIAS_ARN),
      allowedKmsKeyArns: [OTHER_KEY_ARN],
      messages: ['volume KMS key not on the allowlist'],
      required: [`one of ${ALIAS_ARN}`],
    },
  ],
  unknown: [
    { name: 'an update that does not say', state: {}, reason: /KmsKeyId is not known/ },
    {
      name: 'a key named but not resolved',
      state: { kmsKeyId: KEY_ARN },
      reason: new RegExp(`KMS key ${KEY_ARN} was not resolved`),
    },
    {
      name: 'live lookup failed',
      state: { kmsKeyId: KEY_ARN },
      kmsKey: { given: KEY_ARN, resolved: false, note: 'AccessDeniedException' },
      reason: new RegExp(`KMS key ${KEY_ARN} could not be resolved: AccessDeniedException`),
    },
    {
      name: 'live lookup failed without a note',
      state: { kmsKeyId: KEY_ARN },
      kmsKey: { given: KEY_ARN, resolved: false },
      reason: /could not be resolved: unknown$/,
    },
    {
      name: 'offline: alias given, key ARN only allowlist',
      ...keyGiven(ALIAS),
      policy: allow(KEY_ARN),
      reason: /KMS key alias\/ml-notebooks cannot be matched to the allowlist without kms:DescribeKey/,
    },
    {
      name: 'offline: alias ARN given, key ARN only allowlist',
      ...keyGiven(ALIAS_ARN),
      policy: allow(KEY_ARN),
      reason: /without kms:DescribeKey/,
    },
    {
      name: 'offline: key id given, alias ARN only allowlist',
      ...keyGiven(KEY_ID),
      policy: allow(ALIAS_ARN),
      reason: new RegExp(`KMS key ${KEY_ID} cannot be matched to the allowlist without kms:DescribeKey`),
    },
    {
      name: 'offline: key ARN given, allowlist of another key ARN and an alias ARN',
      ...keyGiven(KEY_ARN),
      policy: allow(OTHER_KEY_ARN, ALIAS_ARN),
      reason: /without kms:DescribeKey/,
    },
  ],
  notApplicable: [
    {
      name: 'policy does not require it',
      state: { kmsKeyId: null },
      policy: { notebook: { requireKmsKey: false } },
    },
  ],
});
