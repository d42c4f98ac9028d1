import { protectedTagChange } from '#core/rules/protected-tag-change';
import type { Actor, Tags } from '#core/types';
import { testRule } from '../support/rule-tester.ts';

const ADMIN_PATTERN = 'arn:aws:iam::*:role/Admin';
const ADMIN: Actor = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/Admin/jdoe',
  roleArn: 'arn:aws:iam::111122223333:role/Admin',
  sessionName: 'jdoe',
};
const DATA_SCIENTIST: Actor = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/DataScientist/bob',
  roleArn: 'arn:aws:iam::111122223333:role/DataScientist',
  sessionName: 'bob',
};
const IDENTITY_CENTER_USER: Actor = { type: 'IdentityCenterUser', identityCenterUserId: 'c4a8f4e8' };
const ADMIN_MAY_SET_STUDIOUSERID = {
  protectedTags: { studiouserid: { allowedPrincipals: [ADMIN_PATTERN] } },
};
const ADMIN_MAY_EXEMPT = { exemption: { allowedPrincipals: [ADMIN_PATTERN] } };
const GRANT = {
  resourceArn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-1',
  reason: 'CAB-1',
  grantedBy: ADMIN.arn ?? '',
  grantedAt: '2026-05-01T00:00:00.000Z',
  expiresAt: '2026-06-01T00:00:00.000Z',
};

const create = (tags: Tags, actor?: Actor) => ({
  operation: 'create' as const,
  tags,
  ...(actor ? { actor } : {}),
});
const addTags = (tagsSet: Tags, actor?: Actor) => ({
  operation: 'add-tags' as const,
  eventName: 'AddTags',
  tagsSet,
  ...(actor ? { actor } : {}),
});
const deleteTags = (tagsRemoved: string[], actor?: Actor) => ({
  operation: 'delete-tags' as const,
  eventName: 'DeleteTags',
  tagsRemoved,
  ...(actor ? { actor } : {}),
});

// The default resource is user profile "alice": the policy derives studiouserid=alice for it.
testRule(protectedTagChange, 'user-profile', {
  valid: [
    {
      name: 'create with studiouserid set to the derived value (the profile name)',
      change: create({ studiouserid: 'alice' }),
    },
    {
      name: 'create with another studiouserid by a principal allowed to set it',
      change: create({ studiouserid: 'chen.wei' }, ADMIN),
      policy: ADMIN_MAY_SET_STUDIOUSERID,
    },
    {
      name: 'exemption tag matching the recorded grant',
      type: 'notebook-instance',
      change: { operation: 'state-change' },
      state: { tags: { 'guardrails:exempt': 'CAB-1' } },
      exemption: { grant: GRANT },
    },
    { name: 'create without tags', change: { operation: 'create' } },
    { name: 'AddTags of ordinary keys', change: addTags({ team: 'fraud', project: 'churn' }) },
    { name: 'DeleteTags of an ordinary key', change: deleteTags(['team']) },
    {
      name: 'AddTags re-setting studiouserid to the derived value (the profile name)',
      change: addTags({ studiouserid: 'alice' }),
    },
    {
      name: 'AddTags of studiouserid by an allowed principal (matched by its role)',
      change: addTags({ studiouserid: 'chen.wei' }, ADMIN),
      policy: ADMIN_MAY_SET_STUDIOUSERID,
    },
    {
      name: 'DeleteTags of studiouserid by an allowed principal',
      change: deleteTags(['studiouserid'], ADMIN),
      policy: ADMIN_MAY_SET_STUDIOUSERID,
    },
    {
      name: 'allowed principal matched by its session ARN',
      change: addTags({ studiouserid: 'chen.wei' }, ADMIN),
      policy: {
        protectedTags: { studiouserid: { allowedPrincipals: ['arn:aws:sts::*:assumed-role/Admin/*'] } },
      },
    },
    {
      name: 'exemption tag added by an allowed principal',
      type: 'notebook-instance',
      change: addTags({ 'guardrails:exempt': 'true' }, ADMIN),
      policy: ADMIN_MAY_EXEMPT,
    },
    {
      name: 'exemption tag removed by an allowed principal',
      type: 'notebook-instance',
      change: deleteTags(['guardrails:exempt'], ADMIN),
      policy: ADMIN_MAY_EXEMPT,
    },
    {
      name: 'with another exemption key, guardrails:exempt is an ordinary tag',
      type: 'notebook-instance',
      change: addTags({ 'guardrails:exempt': 'true' }),
      policy: { exemption: { tagKey: 'security:exempt' } },
    },
    {
      name: 'studiouserid no longer protected when the policy lists other keys',
      change: addTags({ studiouserid: 'chen.wei' }),
      policy: { protectedTags: { owner: {} } },
    },
  ],
  invalid: [
    {
      // Whoever can create profiles must not decide who opens them: told, not reverted (that would lock out).
      name: 'create with another studiouserid by a principal not allowed to set it',
      change: create({ studiouserid: 'someone-else' }, DATA_SCIENTIST),
      messages: ['protected tag studiouserid set at creation by a principal not allowed to'],
      seen: ['studiouserid="someone-else" at creation'],
      revertTo: [undefined],
    },
    {
      name: 'create with a case variant of studiouserid (IAM compares tag keys case-insensitively)',
      change: create({ StudioUserId: 'someone-else' }, DATA_SCIENTIST),
      messages: ['protected tag StudioUserId set at creation by a principal not allowed to'],
      revertTo: [undefined],
    },
    {
      name: 'create with the status tag',
      type: 'notebook-instance',
      change: create({ 'guardrails:status': 'noncompliant: none' }, DATA_SCIENTIST),
      messages: ['status tag guardrails:status set by the creator'],
      revertTo: [null],
    },
    {
      name: 'AddTags of the status tag by an ordinary user',
      type: 'notebook-instance',
      change: addTags({ 'guardrails:status': 'quarantined: x' }, DATA_SCIENTIST),
      messages: ['status tag guardrails:status changed'],
      required: ['guardrails:status changed only by the guardrails only'],
      revertTo: [null],
    },
    {
      name: 'AddTags of the status tag even by an exemption admin',
      type: 'notebook-instance',
      change: addTags({ 'Guardrails:Status': 'x' }, ADMIN),
      policy: ADMIN_MAY_EXEMPT,
      messages: ['status tag Guardrails:Status changed (same key as guardrails:status to IAM)'],
      revertTo: [null],
    },
    {
      name: 'AddTags of a case variant of studiouserid: removed',
      change: addTags({ STUDIOUSERID: 'mallory' }, DATA_SCIENTIST),
      messages: ['protected tag STUDIOUSERID changed (same key as studiouserid to IAM)'],
      revertTo: [null],
    },
    {
      name: "an ordinary user overwrites an admin's exemption: the granted value is restored",
      type: 'notebook-instance',
      change: addTags({ 'guardrails:exempt': 'mine now' }, DATA_SCIENTIST),
      exemption: { grant: GRANT },
      messages: ['protected tag guardrails:exempt changed'],
      revertTo: ['CAB-1'],
    },
    {
      name: "an ordinary user removes an admin's exemption: the granted value is restored",
      type: 'notebook-instance',
      change: deleteTags(['guardrails:exempt'], DATA_SCIENTIST),
      exemption: { grant: GRANT },
      messages: ['protected tag guardrails:exempt removed'],
      revertTo: ['CAB-1'],
    },
    {
      name: 'an exemption tag with no recorded grant (a revert failed, parameters omitted)',
      type: 'notebook-instance',
      change: { operation: 'state-change' },
      state: { tags: { 'guardrails:exempt': 'forged' } },
      messages: ['exemption tag guardrails:exempt without a grant the guardrails saw'],
      revertTo: [null],
    },
    {
      name: 'an expired exemption',
      type: 'notebook-instance',
      change: { operation: 'start' },
      state: { tags: { 'guardrails:exempt': 'CAB-1' } },
      exemption: { expired: GRANT },
      messages: ['exemption guardrails:exempt expired on 2026-06-01T00:00:00.000Z'],
      revertTo: [null],
    },
    {
      name: 'an exemption tag that no longer says what was granted',
      type: 'notebook-instance',
      change: { operation: 'state-change' },
      state: { tags: { 'guardrails:exempt': 'changed' } },
      exemption: { grant: GRANT },
      messages: ['exemption tag guardrails:exempt differs from the recorded grant'],
      revertTo: ['CAB-1'],
    },
    {
      name: 'create with the exemption tag',
      type: 'notebook-instance',
      change: create({ project: 'etl', 'guardrails:exempt': 'true' }),
      messages: ['exemption tag guardrails:exempt set by the creator'],
      seen: ['guardrails:exempt="true" at creation'],
      required: ['guardrails:exempt set only by an allowed administrator after creation'],
      tagKeys: [['guardrails:exempt']],
      revertTo: [null],
    },
    {
      name: 'create with the exemption tag, even by an allowed principal',
      type: 'notebook-instance',
      change: create({ 'guardrails:exempt': '' }, ADMIN),
      policy: ADMIN_MAY_EXEMPT,
      messages: ['exemption tag guardrails:exempt set by the creator'],
      seen: ['guardrails:exempt="" at creation'],
      revertTo: [null],
    },
    {
      name: 'AddTags of studiouserid by an ordinary user',
      change: addTags({ studiouserid: 'chen.wei' }, DATA_SCIENTIST),
      messages: ['protected tag studiouserid changed'],
      seen: ['studiouserid="chen.wei"'],
      required: ['studiouserid changed only by nobody (no principal is allowed)'],
      tagKeys: [['studiouserid']],
      revertTo: ['alice'],
    },
    {
      name: 'DeleteTags of studiouserid by an ordinary user',
      change: deleteTags(['team', 'studiouserid'], DATA_SCIENTIST),
      messages: ['protected tag studiouserid removed'],
      seen: ['DeleteTags studiouserid'],
      tagKeys: [['studiouserid']],
      revertTo: ['alice'],
    },
    {
      name: 'AddTags of studiouserid by a principal not on the list',
      change: addTags({ studiouserid: 'chen.wei' }, DATA_SCIENTIST),
      policy: ADMIN_MAY_SET_STUDIOUSERID,
      messages: ['protected tag studiouserid changed'],
      required: [`studiouserid changed only by ${ADMIN_PATTERN}`],
      revertTo: ['alice'],
    },
    {
      name: 'an Identity Center user (no ARN) never matches an allowed pattern',
      change: addTags({ studiouserid: 'chen.wei' }, IDENTITY_CENTER_USER),
      policy: ADMIN_MAY_SET_STUDIOUSERID,
      messages: ['protected tag studiouserid changed'],
    },
    {
      name: 'studiouserid changed on a notebook: no derived value to restore',
      type: 'notebook-instance',
      change: addTags({ studiouserid: 'chen.wei' }),
      messages: ['protected tag studiouserid changed'],
      revertTo: [undefined],
    },
    {
      name: 'exemption tag added by an ordinary user',
      type: 'notebook-instance',
      change: addTags({ 'guardrails:exempt': 'true' }, DATA_SCIENTIST),
      messages: ['protected tag guardrails:exempt changed'],
      seen: ['guardrails:exempt="true"'],
      required: ['guardrails:exempt changed only by nobody (no principal is allowed)'],
      revertTo: [null],
    },
    {
      name: 'exemption tag added by a principal allowed only for studiouserid',
      type: 'notebook-instance',
      change: addTags({ 'guardrails:exempt': 'true' }, ADMIN),
      policy: ADMIN_MAY_SET_STUDIOUSERID,
      messages: ['protected tag guardrails:exempt changed'],
      revertTo: [null],
    },
    {
      name: 'exemption tag added by a principal not on the exemption list',
      type: 'notebook-instance',
      change: addTags({ 'guardrails:exempt': 'true' }, DATA_SCIENTIST),
      policy: ADMIN_MAY_EXEMPT,
      messages: ['protected tag guardrails:exempt changed'],
      required: [`guardrails:exempt changed only by ${ADMIN_PATTERN}`],
    },
    {
      name: 'custom exemption key',
      type: 'domain',
      change: addTags({ 'security:exempt': 'yes' }),
      policy: { exemption: { tagKey: 'security:exempt' } },
      messages: ['protected tag security:exempt changed'],
      revertTo: [null],
    },
    {
      name: 'several protected keys in one AddTags, ordinary keys ignored',
      change: addTags({ team: 'x', studiouserid: 'mallory', 'guardrails:exempt': 'true' }),
      messages: ['protected tag studiouserid changed', 'protected tag guardrails:exempt changed'],
      tagKeys: [['studiouserid'], ['guardrails:exempt']],
      revertTo: ['alice', null],
    },
    {
      // The tag is already gone; its previous value is unknown, so there is nothing to restore offline.
      // revertTo must be absent (types.ts: "Absent when the previous value is unknown"), not null ("remove the tag").
      name: 'exemption tag removed by an ordinary user: previous value unknown',
      type: 'notebook-instance',
      change: deleteTags(['guardrails:exempt'], DATA_SCIENTIST),
      messages: ['protected tag guardrails:exempt removed'],
      seen: ['DeleteTags guardrails:exempt'],
      revertTo: [undefined],
    },
  ],
  notApplicable: [
    { name: 'update', change: { operation: 'update', settings: { executionRole: 'arn:aws:iam::1:role/x' } } },
    {
      name: 'state change',
      type: 'notebook-instance',
      change: { operation: 'state-change', tags: { 'guardrails:exempt': 'true' } },
    },
    { name: 'start', type: 'notebook-instance', change: { operation: 'start' } },
  ],
});
