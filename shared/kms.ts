// KMS key identification. A KmsKeyId may be a key id, key ARN, alias name or alias ARN; the rules compare
// keys by ARN, so every form is turned into ARNs where that is decidable.
import type { ArnScope } from './arn.ts';

export { partitionOf } from './arn.ts';

import type { KmsKeyInfo } from './types.ts';

const KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

/** A predefined AWS alias (`alias/aws/...`) always names an AWS managed key, never a customer one. */
export function isAwsManagedAlias(aliasName: string): boolean {
  return aliasName.startsWith('alias/aws/');
}

/** What the form of a key identifier tells, without calling AWS. Keys given without an ARN live in the caller's account and region. */
export function resolveKmsKeyFromForm(given: string, scope: ArnScope): KmsKeyInfo {
  const { partition, region, account } = scope;
  const info: KmsKeyInfo = { given, resolved: true };
  const keyArn = given.match(KEY_ARN);
  const aliasArn = given.match(ALIAS_ARN);
  if (keyArn) info.keyArn = given;
  else if (aliasArn) info.aliasArn = given;
  else if (given.startsWith('alias/')) info.aliasArn = `arn:${partition}:kms:${region}:${account}:${given}`;
  else info.keyArn = `arn:${partition}:kms:${region}:${account}:key/${given}`;
  const aliasName = aliasArn?.[4] ?? (given.startsWith('alias/') ? given : undefined);
  if (aliasName && isAwsManagedAlias(aliasName)) info.manager = 'AWS';
  else {
    info.manager = 'CUSTOMER';
    info.note = 'customer-managed presumed from its form';
  }
  return info;
}

export type AllowlistDecision = 'allowed' | 'not-allowed' | 'undecidable';

/**
 * Is the key on the allowlist (key ARNs or alias ARNs)? When the key is known only by alias and the list only
 * by key ARN (or the reverse), the answer needs a live lookup: undecidable.
 * `allowedKeyArns` are the key ARNs that the list's aliases point to, when those were resolved live.
 */
export function checkKmsAllowlist(
  key: KmsKeyInfo,
  allowlist: readonly string[],
  allowedKeyArns: readonly string[] = [],
): AllowlistDecision {
  if (allowlist.length === 0) return 'allowed';
  const listed = new Set([...allowlist, ...allowedKeyArns]);
  if (key.keyArn && listed.has(key.keyArn)) return 'allowed';
  if (key.aliasArn && listed.has(key.aliasArn)) return 'allowed';
  const listHasAliases = allowlist.some((entry) => ALIAS_ARN.test(entry)) && allowedKeyArns.length === 0;
  const listHasKeys = allowlist.some((entry) => KEY_ARN.test(entry));
  if (key.keyArn && listHasAliases) return 'undecidable';
  if (!key.keyArn && key.aliasArn && listHasKeys) return 'undecidable';
  return 'not-allowed';
}
