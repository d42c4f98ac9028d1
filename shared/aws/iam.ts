// IAM tags of the principal behind a call (for deriving required tags from the creator's principal tags).
import { type IAMClient, ListRoleTagsCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import type { Actor, Tags } from '../types.ts';
import { AwsCallError, awsCall } from './errors.ts';

const TTL_MS = 5 * 60_000;

export class PrincipalTagReader {
  private readonly cache = new Map<string, { tags: Tags | undefined; at: number }>();

  constructor(
    private readonly client: IAMClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The role behind an assumed-role session, or the IAM user. Other identities (Identity Center users, services) have none to read. */
  async read(actor: Actor, account: string): Promise<Tags | undefined> {
    const target = principalOf(actor, account);
    if (!target) return undefined;
    const cached = this.cache.get(target.key);
    if (cached && this.now() - cached.at < TTL_MS) return cached.tags;
    let tags: Tags | undefined;
    try {
      const list =
        target.kind === 'role'
          ? (
              await awsCall('iam:ListRoleTags', () =>
                this.client.send(new ListRoleTagsCommand({ RoleName: target.name })),
              )
            ).Tags
          : (
              await awsCall('iam:ListUserTags', () =>
                this.client.send(new ListUserTagsCommand({ UserName: target.name })),
              )
            ).Tags;
      tags = Object.fromEntries((list ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (error) {
      // A deleted principal has no tags to derive from; anything transient is retried by the caller.
      if (error instanceof AwsCallError && /^NoSuchEntity/.test(error.errorName)) tags = undefined;
      else throw error;
    }
    this.cache.set(target.key, { tags, at: this.now() });
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
    return { kind: 'user', name: actor.userName, key: `user/${actor.userName}` };
  return undefined;
}
