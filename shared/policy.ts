// The policy: what the guardrails require and what they do about it. Strict objects, so a typo in a key is an
// error rather than a silently ignored setting.
import { parseDocument } from 'yaml';
import { z } from 'zod';

export const ACTION_TYPES = ['tag', 'stop', 'revert', 'notify'] as const;

const principalPattern = z
  .string()
  .regex(/^arn:[^\s]+$/, 'must be an ARN pattern such as arn:aws:iam::*:role/name-*');

const regexString = z.string().refine((source) => {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

const requiredTagSchema = z.strictObject({
  /** Allowed values; absent means any non-empty value. */
  values: z.array(z.string().max(256)).min(1).optional(),
  pattern: regexString.optional(),
  /** How the `tag` action derives a value when the tag is missing. */
  derive: z.enum(['principal-tag', 'user-profile-name']).optional(),
  default: z.string().max(256).optional(),
});
export type RequiredTag = z.infer<typeof requiredTagSchema>;

const tagKey = z.string().min(1).max(128);
const requiredTagMap = z.record(tagKey, requiredTagSchema);

const kmsAllowEntry = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, 'must be a KMS key ARN or alias ARN');

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
} as const satisfies Record<string, readonly (typeof ACTION_TYPES)[number][]>;
export type RuleId = keyof typeof DEFAULT_ACTIONS;
export const RULE_IDS = Object.keys(DEFAULT_ACTIONS) as RuleId[];

export const policySchema = z.strictObject({
  /** enforce: act. report: change nothing, tell the admins what would have been done. */
  mode: z.enum(['enforce', 'report']).default('enforce'),
  requiredTags: z
    .strictObject({
      'notebook-instance': requiredTagMap.default({ project: { derive: 'principal-tag' } }),
      'user-profile': requiredTagMap.default({ studiouserid: { derive: 'user-profile-name' } }),
      domain: requiredTagMap.default({}),
    })
    .prefault({}),
  /** Tag keys only the listed principals may add, change or remove. */
  protectedTags: z
    .record(tagKey, z.strictObject({ allowedPrincipals: z.array(principalPattern).default([]) }))
    .default({ studiouserid: { allowedPrincipals: [] } }),
  exemption: z
    .strictObject({
      tagKey: tagKey.default('guardrails:exempt'),
      allowedPrincipals: z.array(principalPattern).default([]),
    })
    .prefault({}),
  kms: z
    .strictObject({
      /** Key ARNs or alias ARNs. Empty: any customer-managed key. */
      allowedKeys: z.array(kmsAllowEntry).default([]),
    })
    .prefault({}),
  notebook: z
    .strictObject({
      requireDirectInternetAccessDisabled: z.boolean().default(true),
      requireRootAccessDisabled: z.boolean().default(true),
      requireSubnet: z.boolean().default(true),
      requireKmsKey: z.boolean().default(true),
    })
    .prefault({}),
  domain: z
    .strictObject({
      requireVpcOnly: z.boolean().default(true),
      requireKmsKey: z.boolean().default(true),
    })
    .prefault({}),
  userProfile: z
    .strictObject({
      /** IAM role ARN patterns. Empty: any role (the rule is off). */
      allowedExecutionRoles: z.array(principalPattern).default([]),
    })
    .prefault({}),
  /** Actions per rule id; a rule absent here takes its default actions. */
  actions: z
    .partialRecord(z.enum(RULE_IDS as [RuleId, ...RuleId[]]), actionList)
    .default({})
    .transform((given) => ({ ...DEFAULT_ACTIONS, ...given }) as Record<RuleId, readonly ActionName[]>),
  /** Calls by these principals are not evaluated: the guardrails' own roles, so they never loop on their writes. */
  ignoredPrincipals: z.array(principalPattern).default(['arn:aws:iam::*:role/sm-guardrails-*']),
  statusTagKey: tagKey.default('guardrails:status'),
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

/** Parses policy text (YAML or JSON). Errors name the file, the field and the reason. */
export function parsePolicy(text: string, file: string): Policy {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      file,
      // prettyErrors adds the position; keep the first line of the message, which names it.
      doc.errors.map(
        (e) =>
          `line ${e.linePos?.[0]?.line ?? '?'}: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      ),
    );
  }
  const raw = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PolicyError(file, ['(top level): expected a mapping of policy settings']);
  }
  const result = policySchema.safeParse(raw);
  if (!result.success) {
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
  return result.data;
}

/** ARN pattern with `*` wildcards, matched against the whole ARN. */
export function matchesPrincipalPattern(pattern: string, arn: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(arn);
}
