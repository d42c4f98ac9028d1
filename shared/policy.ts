// The policy: what the guardrails require and what they do about it. Strict objects, so a typo in a key is an
// error rather than a silently ignored setting. YAML files are read by policy-file.ts (the CLI and packaging);
// the Lambda functions get the validated policy as JSON and never load a YAML parser.
import * as z from 'zod/mini';
import { compileLinearRegExp } from './linear-regexp.ts';
import './zod.ts';

export const ACTION_TYPES = ['tag', 'stop', 'revert', 'notify'] as const;

const principalPattern = z
  .string()
  .check(
    z.regex(/^arn:[^\s]+$/, 'must be an ARN pattern such as arn:aws:iam::*:role/name-*'),
    z.maxLength(2048),
  );

/**
 * Property names of JavaScript objects: as tag keys or map keys they would read an object's own machinery
 * (`tags.constructor` is a function) or be dropped (`__proto__`). A policy may not use them.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

const regexString = z.string().check(
  z.refine((source) => compileTagPattern(source) !== undefined, {
    error: (issue) =>
      `must be a regular expression the linear-time engine accepts: ${tagPatternError(String(issue.input))}`,
  }),
);

const requiredTagSchema = z.strictObject({
  /** Allowed values; absent means any non-empty value. */
  values: z.optional(z.array(z.string().check(z.maxLength(256))).check(z.minLength(1))),
  pattern: z.optional(regexString),
  /** How the `tag` action derives a value when the tag is missing. */
  derive: z.optional(z.enum(['principal-tag', 'user-profile-name'])),
  default: z.optional(z.string().check(z.maxLength(256))),
});
export type RequiredTag = z.infer<typeof requiredTagSchema>;

const tagKey = z.string().check(
  z.minLength(1),
  z.maxLength(128),
  z.refine((key) => !RESERVED_NAMES.has(key), 'is a reserved name (a JavaScript object property)'),
);
const requiredTagMap = z.record(tagKey, requiredTagSchema);

const kmsAllowEntry = z
  .string()
  .check(
    z.regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, 'must be a KMS key ARN or alias ARN'),
  );

const actionList = z.array(z.enum(ACTION_TYPES));

const DEFAULT_ACTIONS = {
  'notebook-direct-internet-access': ['tag', 'stop', 'notify'],
  'notebook-root-access': ['tag', 'stop', 'notify'],
  'notebook-vpc': ['tag', 'stop', 'notify'],
  'notebook-kms-key': ['tag', 'stop', 'notify'],
  'domain-network-access': ['tag', 'notify'],
  'domain-kms-key': ['tag', 'notify'],
  'user-profile-execution-role': ['tag', 'notify'],
  'required-tags': ['tag', 'notify'],
  'protected-tag-change': ['revert', 'notify'],
  'notebook-imdsv2': ['tag', 'notify'],
  'domain-identity-attribution': ['tag', 'notify'],
  'studio-image-run-as-root': ['notify'],
  'studio-presigned-url-abac': ['notify'],
  'lifecycle-config-change': ['notify'],
} as const satisfies Record<string, readonly (typeof ACTION_TYPES)[number][]>;
export type RuleId = keyof typeof DEFAULT_ACTIONS;
export const RULE_IDS = Object.keys(DEFAULT_ACTIONS) as RuleId[];

const section = <S extends z.ZodMiniType>(schema: S) => z.prefault(schema, {} as z.input<S>);

export const policySchema = z.strictObject({
  /** enforce: act. report: change nothing, tell the admins what would have been done. */
  mode: z._default(z.enum(['enforce', 'report']), 'enforce'),
  requiredTags: section(
    z.strictObject({
      'notebook-instance': z._default(requiredTagMap, { project: { derive: 'principal-tag' } }),
      'user-profile': z._default(requiredTagMap, { studiouserid: { derive: 'user-profile-name' } }),
      domain: z._default(requiredTagMap, {}),
      space: z._default(requiredTagMap, {}),
      app: z._default(requiredTagMap, {}),
    }),
  ),
  /** Tag keys only the listed principals may add, change or remove. */
  protectedTags: z._default(
    z.record(tagKey, z.strictObject({ allowedPrincipals: z._default(z.array(principalPattern), []) })),
    { studiouserid: { allowedPrincipals: [] } },
  ),
  exemption: section(
    z.strictObject({
      tagKey: z._default(tagKey, 'guardrails:exempt'),
      allowedPrincipals: z._default(z.array(principalPattern), []),
      /** How long a grant lasts when its tag value names no `until=YYYY-MM-DD`. */
      defaultDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(3650)), 30),
      /** No grant lasts longer, whatever its `until` says. */
      maxDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(3650)), 90),
    }),
  ),
  kms: section(
    z.strictObject({
      /** Key ARNs or alias ARNs. Empty: any customer-managed key. */
      allowedKeys: z._default(z.array(kmsAllowEntry), []),
    }),
  ),
  notebook: section(
    z.strictObject({
      requireDirectInternetAccessDisabled: z._default(z.boolean(), true),
      requireRootAccessDisabled: z._default(z.boolean(), true),
      requireSubnet: z._default(z.boolean(), true),
      requireKmsKey: z._default(z.boolean(), true),
      /** InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion 2 (IMDSv2 only). */
      requireImdsV2: z._default(z.boolean(), true),
    }),
  ),
  domain: section(
    z.strictObject({
      requireVpcOnly: z._default(z.boolean(), true),
      requireKmsKey: z._default(z.boolean(), true),
      /** DomainSettings.ExecutionRoleIdentityConfig USER_PROFILE_NAME (CloudTrail names the Studio user). */
      requireExecutionRoleIdentity: z._default(z.boolean(), true),
    }),
  ),
  studio: section(
    z.strictObject({
      /** Custom images must not run as uid 0 or gid 0 (FileSystemConfig of an app image config). */
      forbidRootImages: z._default(z.boolean(), true),
      /** The tag that binds a user profile to its user, compared with the caller's principal tag of that key. */
      userIdTagKey: z._default(tagKey, 'studiouserid'),
      /**
       * Identity Center user id -> the user's studiouserid value, for callers identified by
       * `userIdentity.onBehalfOf.userId` (trusted identity propagation) rather than a principal tag.
       */
      identityCenterUsers: z._default(z.record(z.string().check(z.minLength(1)), z.string()), {}),
    }),
  ),
  lifecycleConfigs: section(
    z.strictObject({
      /** Principals (ARN patterns) that may create, update and attach lifecycle configurations. */
      allowedPrincipals: z._default(z.array(principalPattern), []),
      /**
       * Configuration names (`*` wildcards) anyone may attach. Creating or updating one still takes an allowed
       * principal: otherwise whoever may update an allowed configuration could rewrite its script.
       */
      allowedNames: z._default(
        z.array(
          z
            .string()
            .check(
              z.regex(
                /^[a-zA-Z0-9*-]{1,63}$/,
                'must be a lifecycle configuration name (letters, digits, -, * wildcards)',
              ),
            ),
        ),
        [],
      ),
    }),
  ),
  userProfile: section(
    z.strictObject({
      /** IAM role ARN patterns. Empty: any role (the rule is off). */
      allowedExecutionRoles: z._default(z.array(principalPattern), []),
    }),
  ),
  /** Actions per rule id; a rule absent here takes its default actions. */
  actions: z.pipe(
    z._default(z.partialRecord(z.enum(RULE_IDS as [RuleId, ...RuleId[]]), actionList), {}),
    z.transform((given) => ({ ...DEFAULT_ACTIONS, ...given }) as Record<RuleId, readonly ActionName[]>),
  ),
  /**
   * Calls by these principals are not evaluated. The guardrails' own roles need no entry: the deployment gives
   * their exact ARNs (SM_GUARDRAILS_OWN_ROLE_ARNS). Each `*` matches any run of characters except `:`.
   */
  ignoredPrincipals: z._default(z.array(principalPattern), []),
  statusTagKey: z._default(tagKey, 'guardrails:status'),
  /** What `generate-policies` writes (prevention/): read by the generator only, never by the Lambda functions. */
  prevention: section(
    z.strictObject({
      generate: z._default(z.array(z.enum(['scp', 'identity-policy', 'studio-access-policy'])), [
        'scp',
        'identity-policy',
        'studio-access-policy',
      ]),
      /** Break-glass roles no generated Deny applies to (aws:PrincipalArn patterns). */
      breakGlassPrincipals: z._default(z.array(principalPattern), []),
      studioUserTagKey: z._default(tagKey, 'studiouserid'),
      requireMfa: z._default(z.boolean(), false),
      mfaMaxAgeSeconds: z._default(z.int().check(z.positive()), 3600),
    }),
  ),
});

type ActionName = (typeof ACTION_TYPES)[number];
export type Policy = z.output<typeof policySchema>;

export const DEFAULT_POLICY: Policy = policySchema.parse({});

export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'PolicyError';
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

/** Reserved names used as keys anywhere in the document (zod would silently drop a `__proto__` key). */
function reservedKeyProblems(value: unknown, path: string[] = []): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (RESERVED_NAMES.has(key)) {
      problems.push(
        `${fieldPath([...path, key])}: "${key}" is a reserved name (a JavaScript object property)`,
      );
    } else problems.push(...reservedKeyProblems(child, [...path, key]));
  }
  return problems;
}

/** Validates a parsed policy document. Errors name the file, the field and the reason. */
export function validatePolicy(raw: unknown, file: string): Policy {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PolicyError(file, ['(top level): expected a mapping of policy settings']);
  }
  const reserved = reservedKeyProblems(raw);
  if (reserved.length > 0) throw new PolicyError(file, reserved);
  const result = policySchema.safeParse(raw);
  if (result.success) {
    const policy = result.data;
    if (policy.exemption.defaultDays > policy.exemption.maxDays) {
      throw new PolicyError(file, ['exemption.defaultDays: must not exceed exemption.maxDays']);
    }
    return policy;
  }
  throw new PolicyError(
    file,
    result.error.issues.map((issue) => {
      const path = fieldPath(issue.path);
      if (issue.code === 'unrecognized_keys') {
        const where = issue.path.length ? `${path}: ` : '';
        return `${where}unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      return `${path}: ${issue.message}`;
    }),
  );
}

/** The policy as the Lambda functions receive it: JSON, validated at package time and again at cold start. */
export function parsePolicyJson(text: string, file: string): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(file, [`not valid JSON (${(error as Error).message})`]);
  }
  return validatePolicy(raw ?? {}, file);
}

/** A principal pattern compiled once: its `:`-separated fields, each split at its `*`s. */
type CompiledPattern = string[][];
const patternCache = new Map<string, CompiledPattern>();

/** One field of an ARN against one field of a pattern: literals found in order, leftmost first. Linear. */
function fieldMatches(parts: readonly string[], field: string): boolean {
  const first = parts[0] ?? '';
  if (parts.length === 1) return field === first;
  const last = parts[parts.length - 1] ?? '';
  if (field.length < first.length + last.length) return false;
  if (!field.startsWith(first) || !field.endsWith(last)) return false;
  let at = first.length;
  const end = field.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    const found = field.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/**
 * ARN pattern with `*` wildcards, matched against the whole ARN. A `*` matches any run of characters except `:`,
 * so it stays inside one ARN field (an account id, a resource such as `role/path/name`). No regular expression
 * is built from the pattern: matching is linear in the ARN's length whatever the pattern.
 */
export function matchesPrincipalPattern(pattern: string, arn: string): boolean {
  let compiled = patternCache.get(pattern);
  if (!compiled) {
    compiled = pattern.split(':').map((field) => field.split('*'));
    patternCache.set(pattern, compiled);
  }
  const fields = arn.split(':');
  if (fields.length !== compiled.length) return false;
  return compiled.every((parts, i) => fieldMatches(parts, fields[i] ?? ''));
}

const tagPatternCache = new Map<string, RegExp | undefined>();

/** A tag-value pattern on the linear-time engine (linear-regexp.ts); undefined when it cannot run there. */
export function compileTagPattern(source: string): RegExp | undefined {
  if (tagPatternCache.has(source)) return tagPatternCache.get(source);
  const result = compileLinearRegExp(source);
  const compiled = result.ok ? result.regexp : undefined;
  tagPatternCache.set(source, compiled);
  return compiled;
}

function tagPatternError(source: string): string {
  const result = compileLinearRegExp(source);
  return result.ok ? 'unknown error' : result.reason;
}
