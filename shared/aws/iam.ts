// IAM tags of the principal behind a call (for deriving required tags from the creator's principal tags).
import { type IAMClient, ListRoleTagsCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import type { AwsLocation } from '../location.ts';
import type { Actor, Tags } from '../types.ts';
import { AwsCallError, awsCall } from './errors.ts';
import { LruCache } from './lru.ts';

const TTL_MS = 5 * 60_000;

export class PrincipalTagReader {
  private readonly cache = new LruCache<string, { tags: Tags | undefined; at: number }>(1000);

  constructor(
    /** The IAM client acting in an account (the principal is read in its own account only). */
    private readonly clientFor: (location: AwsLocation) => IAMClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The role behind an assumed-role session, or the IAM user. Other identities (Identity Center users, services) have none to read. */
  /** `fresh`: skip the cache (a sign-in is judged by the caller's tags as they are now). */
  async read(actor: Actor, location: AwsLocation, fresh = false): Promise<Tags | undefined> {
    const target = principalOf(actor, location.account);
    if (!target) return undefined;
    const key = `${location.partition}/${target.key}`;
    const cached = this.cache.get(key);
    if (!fresh && cached && this.now() - cached.at < TTL_MS) return cached.tags;
    let tags: Tags | undefined;
    try {
      const list =
        target.kind === 'role'
          ? (
              await awsCall('iam:ListRoleTags', () =>
                this.clientFor(location).send(new ListRoleTagsCommand({ RoleName: target.name })),
              )
            ).Tags
          : (
              await awsCall('iam:ListUserTags', () =>
                this.clientFor(location).send(new ListUserTagsCommand({ UserName: target.name })),
              )
            ).Tags;
      tags = Object.fromEntries((list ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (error) {
      // A deleted principal has no tags to derive from; anything transient is retried by the caller.
      if (error instanceof AwsCallError && /^NoSuchEntity/.test(error.errorName)) tags = undefined;
      else throw error;
    }
    this.cache.set(key, { tags, at: this.now() });
    return tags;
  }
}

function principalOf(
  actor: Actor,
  account: string,
): { kind: 'role' | 'user'; name: string; key: string } | undefined {
  // Principals of another account cannot be read with this account's IAM.
  if (actor.accountId && actor.accountId !== account) return undefined;
  if (actor.type === 'AssumedRole' && actor.roleArn) {
    const name = actor.roleArn.split('/').pop();
    return name ? { kind: 'role', name, key: actor.roleArn } : undefined;
  }
  if (actor.type === 'IAMUser' && actor.userName)
    return { kind: 'user', name: actor.userName, key: `${account}/user/${actor.userName}` };
  return undefined;
}
