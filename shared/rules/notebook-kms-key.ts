import { checkCustomerKmsKey } from './customer-kms-key.ts';
import { NOT_APPLICABLE, RECREATE_FIX, type Rule } from './rule.ts';

export const notebookKmsKey: Rule = {
  meta: {
    id: 'notebook-kms-key',
    description:
      'Notebook instance storage volumes must be encrypted with a customer-managed KMS key (on the allowlist, if one is set).',
    resourceTypes: ['notebook-instance'],
    severity: 'medium',
    awsConfigRule: 'sagemaker-notebook-instance-kms-key-configured',
    securityHubControl: 'SageMaker.21',
    fix: `${RECREATE_FIX} KmsKeyId set to an allowed customer-managed key.`,
  },
  check(ctx) {
    if (!ctx.policy.notebook.requireKmsKey) return NOT_APPLICABLE;
    return checkCustomerKmsKey(ctx, 'volume');
  },
};
