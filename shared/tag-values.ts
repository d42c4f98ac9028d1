// Which tag values the guardrails may write, and who may touch which key.
import { matchesPrincipalPattern, type Policy, type RequiredTag } from './policy.ts';
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

const regexCache = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let regex = regexCache.get(pattern);
  if (!regex) {
    regex = new RegExp(pattern, 'u');
    regexCache.set(pattern, regex);
  }
  return regex;
}

/** Why a tag value is not acceptable, or undefined when it is. */
export function tagValueProblem(value: string | undefined, spec: RequiredTag): string | undefined {
  if (value === undefined) return 'missing';
  if (spec.values) return spec.values.includes(value) ? undefined : `value "${value}" not allowed`;
  if (value === '') return 'empty';
  if (spec.pattern && !compiled(spec.pattern).test(value)) return `value "${value}" does not match`;
  return undefined;
}

export function describeRequirement(spec: RequiredTag): string {
  if (spec.values) return `one of ${spec.values.map((v) => `"${v}"`).join(', ')}`;
  if (spec.pattern) return `a value matching /${spec.pattern}/`;
  return 'a non-empty value';
}

/** The protected keys and who may change each. The exemption tag is always protected. */
export function protectedKeys(policy: Policy): Map<string, readonly string[]> {
  const keys = new Map<string, readonly string[]>();
  for (const [key, { allowedPrincipals }] of Object.entries(policy.protectedTags))
    keys.set(key, allowedPrincipals);
  keys.set(policy.exemption.tagKey, policy.exemption.allowedPrincipals);
  return keys;
}

/** The ARNs that identify an actor for matching: its own ARN and, for a role session, the role. */
export function actorArns(actor: Actor): string[] {
  return [actor.arn, actor.roleArn].filter((arn): arn is string => typeof arn === 'string');
}

export function actorMatches(actor: Actor, patterns: readonly string[]): boolean {
  const arns = actorArns(actor);
  return patterns.some((pattern) => arns.some((arn) => matchesPrincipalPattern(pattern, arn)));
}
