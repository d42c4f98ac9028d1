import { requiredTags } from '#core/rules/required-tags';
import { testRule } from '../support/rule-tester.ts';

const PROJECT_VALUES = { requiredTags: { 'notebook-instance': { project: { values: ['churn', 'fraud'] } } } };
const PROJECT_PATTERN = {
  requiredTags: { 'notebook-instance': { project: { pattern: '^[a-z][a-z0-9-]*$' } } },
};
const PROJECT_MAY_BE_EMPTY = {
  requiredTags: { 'notebook-instance': { project: { values: ['churn', ''] } } },
};
const addTags = (tagsSet: Record<string, string>) => ({ operation: 'add-tags' as const, tagsSet });
const deleteTags = (...tagsRemoved: string[]) => ({ operation: 'delete-tags' as const, tagsRemoved });
const DERIVED_FIX = 'AddTags studiouserid=alice (the guardrails write it when the tag action is on).';

testRule(requiredTags, 'notebook-instance', {
  valid: [
    { name: 'full tag set with project', state: { tags: { project: 'churn', owner: 'jdoe' } } },
    { name: 'value on the list', state: { tags: { project: 'fraud' } }, policy: PROJECT_VALUES },
    { name: 'value matches the pattern', state: { tags: { project: 'churn-2' } }, policy: PROJECT_PATTERN },
    {
      name: '"" on the values list allows an empty value',
      state: { tags: { project: '' } },
      policy: PROJECT_MAY_BE_EMPTY,
    },
    {
      name: 'user profile with studiouserid and no project (project is a notebook requirement)',
      type: 'user-profile',
      state: { tags: { studiouserid: 'alice' } },
    },
    { name: 'change only: AddTags with a good value', change: addTags({ project: 'churn' }) },
    { name: 'change only: AddTags of another key', change: addTags({ team: '' }) },
    { name: 'change only: DeleteTags of another key', change: deleteTags('team') },
    {
      name: 'change only: AddTags with a value on the list',
      change: addTags({ project: 'churn' }),
      policy: PROJECT_VALUES,
    },
    // Tag keys are user-controlled strings: keys named like Object.prototype members are ordinary tags.
    ...['constructor', 'toString'].flatMap((key) => [
      { name: `change only: DeleteTags of an ordinary key named ${key}`, change: deleteTags(key) },
      {
        name: `change only: AddTags of an ordinary key named ${key} with an empty value`,
        change: addTags({ [key]: '' }),
      },
    ]),
    {
      name: 'domain with its own requirement met',
      type: 'domain',
      state: { tags: { owner: 'platform' } },
      policy: { requiredTags: { domain: { owner: {} } } },
    },
  ],
  invalid: [
    {
      name: 'full tag set without project',
      state: { tags: { owner: 'jdoe' } },
      messages: ['tag project missing'],
      seen: ['no project tag'],
      required: ['tag project with a non-empty value'],
      tagKeys: [['project']],
      fix: ['AddTags project with a non-empty value.'],
      recreateRequired: false,
    },
    {
      name: 'no tags at all',
      state: { tags: {} },
      messages: ['tag project missing'],
    },
    {
      name: 'project derived from the principal tag names the value in the fix',
      state: { tags: {} },
      principalTags: { project: 'churn' },
      messages: ['tag project missing'],
      fix: ['AddTags project=churn (the guardrails write it when the tag action is on).'],
    },
    {
      name: 'empty value',
      state: { tags: { project: '' } },
      messages: ['tag project empty'],
      seen: ['project=""'],
    },
    {
      name: 'value not on the list',
      state: { tags: { project: 'sandbox' } },
      policy: PROJECT_VALUES,
      messages: ['tag project value "sandbox" not allowed'],
      seen: ['project="sandbox"'],
      required: ['tag project with one of "churn", "fraud"'],
      fix: ['AddTags project with one of "churn", "fraud".'],
    },
    {
      name: 'empty value with a values list that does not include ""',
      state: { tags: { project: '' } },
      policy: PROJECT_VALUES,
      messages: ['tag project value "" not allowed'],
    },
    {
      name: 'value not matching the pattern',
      state: { tags: { project: 'Churn' } },
      policy: PROJECT_PATTERN,
      messages: ['tag project value "Churn" does not match'],
      required: ['tag project with a value matching /^[a-z][a-z0-9-]*$/'],
    },
    {
      name: 'empty value is "empty" even with a pattern',
      state: { tags: { project: '' } },
      policy: PROJECT_PATTERN,
      messages: ['tag project empty'],
    },
    {
      name: '"" on the values list does not make the tag optional',
      state: { tags: {} },
      policy: PROJECT_MAY_BE_EMPTY,
      messages: ['tag project missing'],
    },
    {
      name: 'user profile without studiouserid: the fix names the profile name',
      type: 'user-profile',
      state: { tags: { team: 'fraud', project: 'x' } },
      messages: ['tag studiouserid missing'],
      seen: ['no studiouserid tag'],
      tagKeys: [['studiouserid']],
      fix: [DERIVED_FIX],
    },
    {
      name: 'every missing key of a resource type, in policy order',
      type: 'user-profile',
      state: { tags: {} },
      policy: {
        requiredTags: { 'user-profile': { studiouserid: { derive: 'user-profile-name' }, team: {} } },
      },
      messages: ['tag studiouserid missing', 'tag team missing'],
      tagKeys: [['studiouserid'], ['team']],
      fix: [DERIVED_FIX, 'AddTags team with a non-empty value.'],
    },
    {
      name: 'default value named in the fix',
      state: { tags: {} },
      policy: { requiredTags: { 'notebook-instance': { project: { default: 'unassigned' } } } },
      messages: ['tag project missing'],
      fix: [/^AddTags project=unassigned /],
    },
    {
      name: 'domain with a requirement in the policy',
      type: 'domain',
      state: { tags: {} },
      policy: { requiredTags: { domain: { owner: {} } } },
      messages: ['tag owner missing'],
    },
    {
      name: 'change only: DeleteTags of a required key',
      change: deleteTags('team', 'project'),
      messages: ['tag project removed'],
      seen: ['DeleteTags project'],
      tagKeys: [['project']],
    },
    {
      name: 'change only: DeleteTags studiouserid from a user profile',
      type: 'user-profile',
      change: deleteTags('studiouserid'),
      messages: ['tag studiouserid removed'],
      fix: [DERIVED_FIX],
    },
    {
      name: 'change only: AddTags with an empty value',
      change: addTags({ project: '' }),
      messages: ['tag project empty'],
      seen: ['project=""'],
    },
    {
      name: 'change only: AddTags with a value not on the list',
      change: addTags({ project: 'sandbox', team: 'x' }),
      policy: PROJECT_VALUES,
      messages: ['tag project value "sandbox" not allowed'],
      seen: ['project="sandbox"'],
    },
    {
      name: 'change only: AddTags with a value not matching the pattern',
      change: addTags({ project: 'Has Spaces' }),
      policy: PROJECT_PATTERN,
      messages: ['tag project value "Has Spaces" does not match'],
    },
  ],
  unknown: [
    {
      name: 'neither the tag set nor a tag change is known (an update)',
      change: { operation: 'update' },
      state: { rootAccess: 'Enabled' },
      reason: /the tag set is not known/,
    },
  ],
  notApplicable: [
    { name: 'domain: nothing required by default', type: 'domain', state: { tags: {} } },
    { name: 'domain: nothing required by default, tag change', type: 'domain', change: deleteTags('owner') },
    {
      name: 'policy requires nothing for notebooks',
      state: { tags: {} },
      policy: { requiredTags: { 'notebook-instance': {} } },
    },
  ],
});
