// KMS key resolution, cached per container: keys rarely change and every notebook event would otherwise pay a call.
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { resolveKmsKeyFromForm } from '../kms.ts';
import { type AwsLocation, locationKey } from '../location.ts';
import type { KmsKeyInfo } from '../types.ts';
import { AwsCallError, awsCall } from './errors.ts';
import { LruCache } from './lru.ts';

export class KmsKeyResolver {
  private readonly cache = new LruCache<string, KmsKeyInfo>(1000);

  /** `clientFor`: the KMS client acting in an account and region (an alias is resolvable only there). */
  constructor(private readonly clientFor: (location: AwsLocation) => KMSClient) {}

  /** The key ARNs that alias ARNs on an allowlist point to, each read in its own account and region. Cached with the keys; unresolvable aliases are left out. */
  async resolveAliases(allowlist: readonly string[]): Promise<string[]> {
    const arns: string[] = [];
    for (const entry of allowlist) {
      const m = entry.match(/^arn:([^:]+):kms:([^:]+):(\d{12}):alias\//);
      if (!m) continue;
      const info = await this.resolve(entry, {
        partition: m[1] ?? '',
        region: m[2] ?? '',
        account: m[3] ?? '',
      });
      if (info.keyArn) arns.push(info.keyArn);
    }
    return arns;
  }

  /** Resolves any of the four forms in the given account and region. Not found or access denied: unresolved with the AWS error (the rule reports it unverifiable); throttling etc. throws. */
  async resolve(given: string, location: AwsLocation): Promise<KmsKeyInfo> {
    const cacheKey = `${locationKey(location)}|${given}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const fromForm = resolveKmsKeyFromForm(given, location);
    let info: KmsKeyInfo;
    try {
      const { KeyMetadata } = await awsCall('kms:DescribeKey', () =>
        this.clientFor(location).send(new DescribeKeyCommand({ KeyId: given })),
      );
      info = {
        given,
        resolved: true,
        ...(KeyMetadata?.Arn ? { keyArn: KeyMetadata.Arn } : {}),
        ...(fromForm.aliasArn ? { aliasArn: fromForm.aliasArn } : {}),
        ...(KeyMetadata?.KeyManager ? { manager: KeyMetadata.KeyManager as 'AWS' | 'CUSTOMER' } : {}),
        ...(KeyMetadata?.KeyState ? { keyState: KeyMetadata.KeyState } : {}),
      };
    } catch (error) {
      // Transient (throttled past the SDK's retries): the event is retried, then dead-lettered with an alarm.
      if (!(error instanceof AwsCallError) || error.transient) throw error;
      // Denied, not found (another account's key, a key policy without the guardrails): the rule reports the
      // key unverifiable, never compliant.
      // An alias/aws/... alias is AWS managed whatever DescribeKey says.
      info = {
        ...fromForm,
        resolved: fromForm.manager === 'AWS',
        note: `kms:DescribeKey: ${error.errorName}`,
        error: `kms:DescribeKey: ${error.errorName}`,
      };
      if (fromForm.manager !== 'AWS') delete info.manager;
      return info; // not cached: a missing permission may be fixed
    }
    this.cache.set(cacheKey, info);
    return info;
  }
}
