// Every rule, in the order findings are reported.
import { domainIdentityAttribution } from './domain-identity-attribution.ts';
import { domainKmsKey } from './domain-kms-key.ts';
import { domainNetworkAccess } from './domain-network-access.ts';
import { lifecycleConfigChange } from './lifecycle-config-change.ts';
import { notebookDirectInternetAccess } from './notebook-direct-internet-access.ts';
import { notebookImdsV2 } from './notebook-imdsv2.ts';
import { notebookKmsKey } from './notebook-kms-key.ts';
import { notebookRootAccess } from './notebook-root-access.ts';
import { notebookVpc } from './notebook-vpc.ts';
import { protectedTagChange } from './protected-tag-change.ts';
import { requiredTags } from './required-tags.ts';
import type { Rule } from './rule.ts';
import { studioImageRunAsRoot } from './studio-image-run-as-root.ts';
import { studioPresignedUrlAbac } from './studio-presigned-url-abac.ts';
import { userProfileExecutionRole } from './user-profile-execution-role.ts';

export const RULES: readonly Rule[] = [
  notebookDirectInternetAccess,
  notebookRootAccess,
  notebookVpc,
  notebookKmsKey,
  notebookImdsV2,
  domainNetworkAccess,
  domainKmsKey,
  domainIdentityAttribution,
  userProfileExecutionRole,
  studioPresignedUrlAbac,
  studioImageRunAsRoot,
  lifecycleConfigChange,
  requiredTags,
  protectedTagChange,
];

export type { Rule, RuleContext, RuleMeta, RuleOutcome } from './rule.ts';
