// The check shared by notebook-kms-key and domain-kms-key.
import { checkKmsAllowlist } from '../kms.ts';
import { fail, PASS, type RuleContext, type RuleOutcome, unknown, unverifiable } from './rule.ts';

export function checkCustomerKmsKey(ctx: RuleContext, subject: string): RuleOutcome {
  const { state, kmsKey, policy } = ctx;
  if (state.kmsKeyId === undefined) return unknown('KmsKeyId is not known');
  // An empty KmsKeyId is no key at all: the volume gets the AWS managed key.
  if (state.kmsKeyId === null || state.kmsKeyId === '') {
    return fail({
      message: `${subject} not encrypted with a customer KMS key`,
      seen: 'no KmsKeyId (AWS managed key)',
      required: 'a customer-managed KMS key',
      recreateRequired: true,
    });
  }
  if (!kmsKey) return unknown(`KMS key ${state.kmsKeyId} was not resolved`);
  if (kmsKey.manager === 'AWS') {
    return fail({
      message: `${subject} encrypted with an AWS managed key`,
      seen: `KmsKeyId=${kmsKey.given} (AWS managed)`,
      required: 'a customer-managed KMS key',
      recreateRequired: true,
    });
  }
  if (!kmsKey.resolved) {
    // A failed live read is not a pass: the key may be another account's, denied to the guardrails, or gone.
    if (kmsKey.error) {
      return unverifiable(`KMS key ${kmsKey.given} could not be read: ${kmsKey.error}`, kmsKey.error);
    }
    return unknown(`KMS key ${kmsKey.given} could not be resolved: ${kmsKey.note ?? 'unknown'}`);
  }
  const decision = checkKmsAllowlist(kmsKey, policy.kms.allowedKeys, ctx.allowedKmsKeyArns);
  if (decision === 'undecidable') {
    const reason = `KMS key ${kmsKey.given} cannot be matched to the allowlist without kms:DescribeKey`;
    return state.source === 'live'
      ? unverifiable(reason, 'kms:DescribeKey: the allowlist aliases could not be resolved')
      : unknown(reason);
  }
  if (decision === 'not-allowed') {
    return fail({
      message: `${subject} KMS key not on the allowlist`,
      seen: `KmsKeyId=${kmsKey.given}`,
      required: `one of ${policy.kms.allowedKeys.join(', ')}`,
      recreateRequired: true,
    });
  }
  return PASS;
}
