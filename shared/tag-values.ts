// Which tag values the guardrails may write, and who may touch which key.
import { compileTagPattern, matchesPrincipalPattern, type Policy, type RequiredTag } from './policy.ts';
import type { Actor, ResourceRef, Tags } from './types.ts';

/** The value the `tag` action writes for a missing required tag, or undefined when none can be derived. */
export function deriveTagValue(
  key: string,
  spec: RequiredTag | undefined,
  resource: ResourceRef,
  principalTags: Tags | undefined,
): string | undefined {
  if (spec?.derive === 'user-profile-name' && resource.type === 'user-profile') return resource.name;
  if (spec?.derive === 'principal-tag') {
    const value = principalTags?.[key];
    if (value) return value;
  }
  return spec?.default;
}

const NO_REQUIRED_TAGS: Record<string, RequiredTag> = Object.freeze({});

/** Resource types the policy has no required tags for (app image configs, lifecycle configs) require none. */
export function requiredTagsFor(policy: Policy, resource: ResourceRef): Record<string, RequiredTag> {
  const byType = policy.requiredTags as Partial<Record<ResourceRef['type'], Record<string, RequiredTag>>>;
  return Object.hasOwn(byType, resource.type)
    ? (byType[resource.type] ?? NO_REQUIRED_TAGS)
    : NO_REQUIRED_TAGS;
}

/** Why a tag value is not acceptable, or undefined when it is. */
export function tagValueProblem(value: string | undefined, spec: RequiredTag): string | undefined {
  if (value === undefined) return 'missing';
  if (spec.values) return spec.values.includes(value) ? undefined : `value "${value}" not allowed`;
  if (value === '') return 'empty';
  if (spec.pattern && !compileTagPattern(spec.pattern)?.test(value)) return `value "${value}" does not match`;
  return undefined;
}

export function describeRequirement(spec: RequiredTag): string {
  if (spec.values) return `one of ${spec.values.map((v) => `"${v}"`).join(', ')}`;
  if (spec.pattern) return `a value matching /${spec.pattern}/`;
  return 'a non-empty value';
}

/** A tag key only some principals may write: a policy's protected tag, the exemption tag or the status tag. */
export interface ProtectedKey {
  /** The key as the policy spells it. */
  key: string;
  kind: 'tag' | 'exemption' | 'status';
  allowedPrincipals: readonly string[];
}

/**
 * The protected keys by lower-cased key: IAM compares tag keys in condition keys case-insensitively, so
 * `StudioUserId` grants what `studiouserid` grants. The exemption tag is always protected; the status tag is the
 * guardrails' alone (no principal may write it).
 */
export function protectedKeys(policy: Policy): Map<string, ProtectedKey> {
  const keys = new Map<string, ProtectedKey>();
  for (const [key, { allowedPrincipals }] of Object.entries(policy.protectedTags))
    keys.set(key.toLowerCase(), { key, kind: 'tag', allowedPrincipals });
  const { tagKey, allowedPrincipals } = policy.exemption;
  keys.set(tagKey.toLowerCase(), { key: tagKey, kind: 'exemption', allowedPrincipals });
  keys.set(policy.statusTagKey.toLowerCase(), {
    key: policy.statusTagKey,
    kind: 'status',
    allowedPrincipals: [],
  });
  return keys;
}

/** A tag's value, only when the tag set itself has that key (never an inherited object property). */
export function tagValue(tags: Tags | undefined, key: string): string | undefined {
  return tags && Object.hasOwn(tags, key) ? tags[key] : undefined;
}

export function hasTag(tags: Tags | undefined, key: string): boolean {
  return tags !== undefined && Object.hasOwn(tags, key);
}

/** The ARNs that identify an actor for matching: its own ARN and, for a role session, the role. */
export function actorArns(actor: Actor): string[] {
  return [actor.arn, actor.roleArn].filter((arn): arn is string => typeof arn === 'string');
}

/** Calls by the guardrails' own roles (exact ARNs from the deployment): their own writes are not judged. */
export function isOwnPrincipal(actor: Actor, ownRoleArns: readonly string[]): boolean {
  return actorArns(actor).some((arn) => ownRoleArns.includes(arn));
}

export function actorMatches(actor: Actor, patterns: readonly string[]): boolean {
  const arns = actorArns(actor);
  return patterns.some((pattern) => arns.some((arn) => matchesPrincipalPattern(pattern, arn)));
}
