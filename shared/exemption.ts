// Exemption grants: an exemption is honoured only when the guardrails saw an allowed principal grant it. The
// grant is recorded where users cannot write (a port: the DynamoDB table in production, store/exemption-grants.ts;
// memory offline and in the simulation), and it expires. The exemption tag's value is the grant's reason.
import type { Policy } from './policy.ts';
import type { Actor } from './types.ts';

export interface ExemptionGrant {
  resourceArn: string;
  /** The exemption tag's value as the admin wrote it. */
  reason: string;
  /** Who granted it (the actor's ARN, or its Identity Center user). */
  grantedBy: string;
  grantedAt: string;
  /** ISO time after which the grant is void. */
  expiresAt: string;
}

/** Where grants are kept. The core defines it; the composition root (functions/, cli/) injects one. */
export interface ExemptionGrants {
  /** The grant recorded for a resource, expired or not (callers check expiresAt). */
  get(resourceArn: string): Promise<ExemptionGrant | undefined>;
  put(grant: ExemptionGrant): Promise<void>;
  delete(resourceArn: string): Promise<void>;
}

/** Grants in memory: offline replay, the simulation and tests. */
export class InMemoryExemptionGrants implements ExemptionGrants {
  private readonly grants = new Map<string, ExemptionGrant>();
  async get(resourceArn: string): Promise<ExemptionGrant | undefined> {
    return this.grants.get(resourceArn.toLowerCase());
  }
  async put(grant: ExemptionGrant): Promise<void> {
    this.grants.set(grant.resourceArn.toLowerCase(), grant);
  }
  async delete(resourceArn: string): Promise<void> {
    this.grants.delete(resourceArn.toLowerCase());
  }
}

const UNTIL = /(?:^|\s)until=(\d{4}-\d{2}-\d{2})(?=\s|$)/;
const DAY_MS = 86_400_000;

/**
 * The grant an allowed principal makes by setting the exemption tag to `value`: `until=YYYY-MM-DD` in the value
 * ends it that day (UTC, end of day); without it the policy's default duration applies; never longer than the
 * policy's maximum.
 */
export function grantFromTag(
  resourceArn: string,
  value: string,
  actor: Actor,
  now: Date,
  policy: Policy,
): ExemptionGrant {
  const { defaultDays, maxDays } = policy.exemption;
  const max = now.getTime() + maxDays * DAY_MS;
  const until = value.match(UNTIL)?.[1];
  const untilMs = until ? Date.parse(`${until}T23:59:59Z`) : Number.NaN;
  const wanted = Number.isNaN(untilMs) ? now.getTime() + defaultDays * DAY_MS : untilMs;
  return {
    resourceArn,
    reason: value,
    grantedBy: actor.arn ?? actor.identityCenterUserId ?? actor.type,
    grantedAt: now.toISOString(),
    expiresAt: new Date(Math.min(wanted, max)).toISOString(),
  };
}

export function grantInForce(grant: ExemptionGrant | undefined, now: Date): grant is ExemptionGrant {
  return grant !== undefined && Date.parse(grant.expiresAt) > now.getTime();
}
