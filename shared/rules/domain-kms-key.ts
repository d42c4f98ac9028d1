import { checkCustomerKmsKey } from './customer-kms-key.ts';
import { NOT_APPLICABLE, type Rule } from './rule.ts';

export const domainKmsKey: Rule = {
  meta: {
    id: 'domain-kms-key',
    description: 'Studio domains must encrypt their EFS volume with a customer-managed KMS key.',
    resourceTypes: ['domain'],
    severity: 'medium',
    fix: 'KmsKeyId can be set only when the domain is created: create a new domain with an allowed customer-managed key and move the user profiles.',
  },
  check(ctx) {
    if (!ctx.policy.domain.requireKmsKey) return NOT_APPLICABLE;
    return checkCustomerKmsKey(ctx, 'domain');
  },
};
