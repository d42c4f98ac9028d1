// The policy: what the guardrails require and what they do about it. Strict objects, so a typo in a key is an
// error rather than a silently ignored setting. YAML files are read by policy-file.ts (the CLI and packaging);
// the Lambda functions get the validated policy as JSON and never load a YAML parser.
import * as z from 'zod/mini';
import './zod.ts';

export const ACTION_TYPES = ['tag', 'stop', 'revert', 'notify'] as const;

const principalPattern = z
  .string()
  .check(z.regex(/^arn:[^\s]+$/, 'must be an ARN pattern such as arn:aws:iam::*:role/name-*'));

const regexString = z.string().check(
  z.refine((source) => {
    try {
      new RegExp(source, 'u');
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid regular expression'),
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

const tagKey = z.string().check(z.minLength(1), z.maxLength(128));
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
  /** Calls by these principals are not evaluated: the guardrails' own roles, so they never loop on their writes. */
  ignoredPrincipals: z._default(z.array(principalPattern), ['arn:aws:iam::*:role/sm-guardrails-*']),
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

/** Validates a parsed policy document. Errors name the file, the field and the reason. */
export function validatePolicy(raw: unknown, file: string): Policy {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PolicyError(file, ['(top level): expected a mapping of policy settings']);
  }
  const result = policySchema.safeParse(raw);
  if (result.success) return result.data;
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

const patternCache = new Map<string, RegExp>();

/** ARN pattern with `*` wildcards, matched against the whole ARN. */
export function matchesPrincipalPattern(pattern: string, arn: string): boolean {
  let regex = patternCache.get(pattern);
  if (!regex) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${source}$`);
    patternCache.set(pattern, regex);
  }
  return regex.test(arn);
}
