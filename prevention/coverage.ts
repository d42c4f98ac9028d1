// Which layer covers what: per rule and setting, the condition key that prevents it, or why only the corrective
// guardrails can. `isPrevented` is the same statement in code, and the simulation tests hold the two to it.
import type { Policy } from '#core/policy';
import { RULES } from '#core/rules/index';
import { protectedKeys } from '#core/tag-values';
import type { Violation } from '#core/types';
import { actionsOf, CREATE_ACTIONS, denyStatements, type PreventionRuleId } from './statements.ts';

const UPDATE_PREVENTED: Partial<Record<PreventionRuleId, string>> = {
  'notebook-root-access': 'UpdateNotebookInstance',
  'notebook-imdsv2': 'UpdateNotebookInstance',
  'domain-network-access': 'UpdateDomain',
};

const CREATE_EVENTS = new Set(
  Object.values(CREATE_ACTIONS).map((action) => action.replace('sagemaker:', '')),
);

/**
 * Would the generated policies have denied the API call that produced this violation? False for what no
 * condition key expresses: a tag value pattern, a user profile's execution role, settings only a live read shows.
 */
export function isPrevented(violation: Violation, eventName: string, policy: Policy): boolean {
  const rule = violation.rule as PreventionRuleId;
  switch (rule) {
    case 'notebook-direct-internet-access':
    case 'notebook-vpc':
      return eventName === 'CreateNotebookInstance' && requires(policy, rule);
    case 'notebook-kms-key':
      return eventName === 'CreateNotebookInstance' && policy.notebook.requireKmsKey;
    case 'domain-kms-key':
      return eventName === 'CreateDomain' && policy.domain.requireKmsKey;
    case 'notebook-root-access':
    case 'notebook-imdsv2':
      return ['CreateNotebookInstance', UPDATE_PREVENTED[rule]].includes(eventName);
    case 'domain-network-access':
      return ['CreateDomain', UPDATE_PREVENTED[rule]].includes(eventName);
    case 'required-tags':
      // The rule's message for a value that fails a pattern (tag-values.ts); IAM has no regular expressions.
      return (
        (CREATE_EVENTS.has(eventName) || eventName === 'AddTags' || eventName === 'DeleteTags') &&
        !violation.message.endsWith('does not match')
      );
    case 'protected-tag-change': {
      if (!(CREATE_EVENTS.has(eventName) || eventName === 'AddTags' || eventName === 'DeleteTags'))
        return false;
      // Not expressed in IAM: the status tag (the guardrails' alone), a key differing only in case (aws:TagKeys
      // compares exactly), a protected tag other than the exemption set at creation (reported, not denied).
      const keys = protectedKeys(policy);
      return (violation.tagKeys ?? []).every((key) => {
        const pk = keys.get(key.toLowerCase());
        if (!pk || pk.key !== key || pk.kind === 'status') return false;
        return !(CREATE_EVENTS.has(eventName) && pk.kind === 'tag');
      });
    }
    default:
      return false;
  }
}

function requires(policy: Policy, rule: 'notebook-direct-internet-access' | 'notebook-vpc'): boolean {
  return rule === 'notebook-vpc'
    ? policy.notebook.requireSubnet
    : policy.notebook.requireDirectInternetAccessDisabled;
}

const code = (text: string) => `\`${text}\``;

function conditionKeys(condition: Record<string, Record<string, unknown>> | undefined): string[] {
  return [...new Set(Object.values(condition ?? {}).flatMap((entries) => Object.keys(entries)))].filter(
    (key) => key !== 'aws:PrincipalArn',
  );
}

/** What the corrective layer alone covers, per rule, whatever the policy. */
const CORRECTIVE_ONLY: Record<string, string[]> = {
  'notebook-direct-internet-access': [
    'Notebooks that existed before the SCP was attached: UpdateNotebookInstance cannot change DirectInternetAccess, so they are found by their events and stopped.',
  ],
  'notebook-vpc': ['Existing notebooks: SubnetId cannot be changed by an update.'],
  'notebook-kms-key': [
    'An AWS managed key named by its key id or key ARN: only kms:DescribeKey (live) tells who manages it.',
    'A key named by an alias while the allowlist names the key ARN (or the reverse): `sagemaker:VolumeKmsKeyArn` holds the form the caller sent, so the SCP denies it; list both forms or send the listed one.',
  ],
  'domain-kms-key': [
    'An AWS managed key named by its key id or key ARN, as for notebooks. Existing domains: KmsKeyId is set only at creation.',
  ],
  'user-profile-execution-role': [
    'CreateUserProfile and UpdateUserProfile carry no condition key for the execution role. `iam:PassRole` with `iam:PassedToService` would also govern every other SageMaker role (notebooks, training), so it is not generated.',
  ],
  'required-tags': [
    'A value that must match a `pattern`: IAM has no regular expressions (only `*` and `?` wildcards).',
    'Deriving a missing value (`derive`, `default`): only the `tag` action writes tags.',
  ],
  'protected-tag-change': [
    'The status tag, keys differing from a protected key only in letter case, and protected tags other than the exemption tag set at creation: the guardrails revert or report them; IAM compares tag keys in aws:TagKeys exactly.',
    'The SCP is stricter than the rule in one case: setting a protected tag to the value the policy derives (e.g. `studiouserid` = the profile name) is denied to everyone but the allowed principals, while the rule accepts it.',
    'Allowed principals are matched against `aws:PrincipalArn`, the role ARN for a role session: a pattern written for STS session ARNs never matches there and the SCP denies that principal too.',
  ],
};

export function coverageMarkdown(policy: Policy): string {
  const statements = denyStatements(policy);
  const lines = [
    '# Coverage: prevented or corrected',
    '',
    'Generated by `sm-guardrails generate-policies` from the policy it was given. "Prevented" statements are in',
    '`scp*.json` and `identity-policy*.json` (the same Deny statements); everything else is left to the corrective',
    'guardrails, which also evaluate calls by the break-glass principals the Deny statements exclude.',
    '',
    '| Rule | Statement (Sid) | Denies | Condition keys |',
    '|---|---|---|---|',
  ];
  for (const { rule, statement } of statements) {
    lines.push(
      `| ${code(rule)} | ${code(statement.Sid)} | ${actionsOf(statement)
        .map((a) => a.replace('sagemaker:', ''))
        .join(', ')} | ${conditionKeys(statement.Condition).map(code).join(', ')} |`,
    );
  }
  lines.push('', '## Corrected only', '', '| Rule | Case | Why |', '|---|---|---|');
  const prevented = new Set(statements.map((s) => s.rule));
  for (const { meta } of RULES) {
    if (!prevented.has(meta.id) && meta.id !== 'user-profile-execution-role') {
      lines.push(`| ${code(meta.id)} | all | switched off by the policy, or nothing to prevent |`);
    }
    for (const why of CORRECTIVE_ONLY[meta.id] ?? []) lines.push(`| ${code(meta.id)} | | ${why} |`);
  }
  const patterns = (
    Object.entries(policy.requiredTags) as [
      keyof Policy['requiredTags'],
      Policy['requiredTags'][keyof Policy['requiredTags']],
    ][]
  )
    .flatMap(([type, specs]) => Object.entries(specs).map(([key, spec]) => ({ type, key, spec })))
    .filter(({ spec }) => spec.pattern && !spec.values);
  for (const { type, key, spec } of patterns) {
    lines.push(
      `| ${code('required-tags')} | ${type} ${code(key)} | value must match ${code(`/${spec.pattern}/`)}: prevented only when missing or empty |`,
    );
  }
  lines.push(
    `| all | resources changed before the SCP was attached, or by break-glass principals (${policy.prevention.breakGlassPrincipals.map(code).join(', ') || 'none configured'}) | nothing was asked at the API: the events are evaluated as usual |`,
    '',
  );
  return lines.join('\n');
}
