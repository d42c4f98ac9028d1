// Every rule, in the order findings are reported.
import { domainKmsKey } from './domain-kms-key.ts';
import { domainNetworkAccess } from './domain-network-access.ts';
import { notebookDirectInternetAccess } from './notebook-direct-internet-access.ts';
import { notebookKmsKey } from './notebook-kms-key.ts';
import { notebookRootAccess } from './notebook-root-access.ts';
import { notebookVpc } from './notebook-vpc.ts';
import { protectedTagChange } from './protected-tag-change.ts';
import { requiredTags } from './required-tags.ts';
import type { Rule } from './rule.ts';
import { userProfileExecutionRole } from './user-profile-execution-role.ts';

export const RULES: readonly Rule[] = [
  notebookDirectInternetAccess,
  notebookRootAccess,
  notebookVpc,
  notebookKmsKey,
  domainNetworkAccess,
  domainKmsKey,
  userProfileExecutionRole,
  requiredTags,
  protectedTagChange,
];

export type { Rule, RuleContext, RuleMeta, RuleOutcome } from './rule.ts';
