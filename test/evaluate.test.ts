import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statusTagValue } from '#core/evaluate';
import { InMemoryExemptionGrants } from '#core/exemption';
import { type Assessment, assessEvent, offlineStateSource, type StateSource } from '#core/pipeline';
import { DEFAULT_POLICY, type Policy, policySchema } from '#core/policy';
import { plannedResults } from '#core/report';
import type { Tags, Violation } from '#core/types';

const EVENTS = join(import.meta.dirname, '..', 'events');
const expected = JSON.parse(
  readFileSync(join(import.meta.dirname, 'expected-verdicts.json'), 'utf8'),
) as Record<string, { verdict: string; rules?: string[]; why: string }>;
const TRUNCATED = 'malformed/truncated-json.json';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.json') ? [relative(EVENTS, path)] : [];
  });
}
const FILES = walk(EVENTS).sort();

// biome-ignore lint/suspicious/noExplicitAny: sample events are edited freely below.
type Json = any;
const load = (file: string): Json => JSON.parse(readFileSync(join(EVENTS, file), 'utf8'));
function edited(file: string, edit: (event: Json) => void): Json {
  const event = structuredClone(load(file));
  edit(event);
  return event;
}
const assess = (input: unknown, policy: Policy = DEFAULT_POLICY, source: StateSource = offlineStateSource) =>
  assessEvent(input, policy, source);
const rulesOf = (a: Assessment) => [...new Set((a.evaluation?.violations ?? []).map((v) => v.rule))].sort();

/** The offline source, with tags the live resource would have. */
function withLiveTags(tags: Tags): StateSource {
  return {
    ...offlineStateSource,
    readState: async (change) => {
      const state = await offlineStateSource.readState(change);
      return state && { ...state, tags };
    },
  };
}

describe('sample events get their expected verdicts', () => {
  it('every file in events/ has an expected verdict, and every expected verdict has a file', () => {
    expect(FILES).toEqual(Object.keys(expected).sort());
  });

  it('the truncated file is not parseable JSON', () => {
    expect(expected[TRUNCATED]?.verdict).toBe('invalid');
    expect(() => load(TRUNCATED)).toThrow(SyntaxError);
  });

  it.each(FILES.filter((file) => file !== TRUNCATED))('%s', async (file) => {
    const want = expected[file];
    const assessment = await assess(load(file));
    expect(assessment.verdict).toBe(want?.verdict);
    expect(rulesOf(assessment)).toEqual([...(want?.rules ?? [])].sort());
    if (assessment.verdict === 'skipped' || assessment.verdict === 'invalid') {
      expect(assessment.reason?.length).toBeGreaterThan(0);
    }
  });
});

describe('planned actions', () => {
  it('a noncompliant Pending notebook is quarantined: status tag, stop, notify', async () => {
    const a = await assess(load('notebook-instance/create-kms-aws-managed-alias.json'));
    expect(a.evaluation?.actions).toEqual([
      { type: 'tag', tags: { 'guardrails:status': 'quarantined: notebook-kms-key' }, untag: [] },
      { type: 'stop' },
      { type: 'notify' },
    ]);
  });

  it('the status tag lists the rules, sorted, once each', async () => {
    const a = await assess(load('notebook-instance/create-all-defaults.json'));
    expect(a.evaluation?.actions[0]).toEqual({
      type: 'tag',
      tags: {
        'guardrails:status':
          'quarantined: notebook-direct-internet-access notebook-imdsv2 notebook-kms-key notebook-root-access notebook-vpc required-tags',
      },
      untag: [],
    });
    expect(a.evaluation?.actions.map((action) => action.type)).toEqual(['tag', 'stop', 'notify']);
    // The project tag is derived from the principal's tags, which offline are not read.
    expect(a.evaluation?.actions[0]).not.toHaveProperty('tags.project');
  });

  it.each(['Stopped', 'Stopping', 'Deleting'])(
    'a %s notebook stays quarantined but no stop is planned',
    async (status) => {
      const event = edited('notebook-instance/state-change-inservice-noncompliant.json', (e) => {
        e.detail.NotebookInstanceStatus = status;
      });
      const a = await assess(event);
      expect(a.verdict).toBe('noncompliant');
      expect(a.evaluation?.actions).toEqual([
        {
          type: 'tag',
          tags: {
            'guardrails:status':
              'quarantined: notebook-direct-internet-access notebook-kms-key notebook-vpc required-tags',
          },
          untag: [],
        },
        { type: 'notify' },
      ]);
    },
  );

  it('an InService noncompliant notebook from a state-change event is stopped', async () => {
    const a = await assess(load('notebook-instance/state-change-inservice-noncompliant.json'));
    expect(a.evaluation?.actions.map((action) => action.type)).toEqual(['tag', 'stop', 'notify']);
  });

  it('a notebook whose rules do not stop it is marked noncompliant, not quarantined', async () => {
    const policy = policySchema.parse({ actions: { 'notebook-kms-key': ['tag', 'notify'] } });
    const a = await assess(load('notebook-instance/create-kms-aws-managed-alias.json'), policy);
    expect(a.evaluation?.actions).toEqual([
      { type: 'tag', tags: { 'guardrails:status': 'noncompliant: notebook-kms-key' }, untag: [] },
      { type: 'notify' },
    ]);
  });

  it('a user profile missing studiouserid gets it derived from its name, with no status tag', async () => {
    // The tag action repairs the only violation by itself: nothing is left to flag.
    const a = await assess(load('studio/create-user-profile-missing-studiouserid.json'));
    expect(a.evaluation?.actions).toEqual([
      { type: 'tag', tags: { studiouserid: 'ravi-patel' }, untag: [] },
      { type: 'notify' },
    ]);
  });

  it('a repaired resource that carried the status tag loses it', async () => {
    const source = withLiveTags({ team: 'risk', 'guardrails:status': 'noncompliant: required-tags' });
    const a = await assess(
      load('studio/create-user-profile-missing-studiouserid.json'),
      DEFAULT_POLICY,
      source,
    );
    expect(a.evaluation?.actions).toEqual([
      { type: 'tag', tags: { studiouserid: 'ravi-patel' }, untag: ['guardrails:status'] },
      { type: 'notify' },
    ]);
  });

  it('a wrong studiouserid value is not overwritten: the resource is flagged instead', async () => {
    const source = withLiveTags({ studiouserid: '' });
    const policy = policySchema.parse({
      requiredTags: {
        'user-profile': { studiouserid: { derive: 'user-profile-name', pattern: '^[a-z.]+$' } },
      },
    });
    const emptyIsFilled = await assess(
      load('studio/create-user-profile-missing-studiouserid.json'),
      policy,
      source,
    );
    expect(emptyIsFilled.evaluation?.actions[0]).toEqual({
      type: 'tag',
      tags: { studiouserid: 'ravi-patel' },
      untag: [],
    });
    const wrong = await assess(
      load('studio/create-user-profile-missing-studiouserid.json'),
      policy,
      withLiveTags({ studiouserid: 'Ravi Patel' }),
    );
    expect(wrong.evaluation?.actions[0]).toEqual({
      type: 'tag',
      tags: { 'guardrails:status': 'noncompliant: required-tags' },
      untag: [],
    });
  });

  it('deleting studiouserid: restored by the tag and the revert actions', async () => {
    const a = await assess(load('tags/delete-tags-user-profile-studiouserid.json'));
    expect(a.evaluation?.actions).toEqual([
      { type: 'tag', tags: { studiouserid: 'maria-garcia' }, untag: [] },
      { type: 'revert', key: 'studiouserid', restoreValue: 'maria-garcia' },
      { type: 'notify' },
    ]);
  });

  it('studiouserid rewritten by a Studio user: reverted to the profile name', async () => {
    const a = await assess(load('tags/add-tags-user-profile-change-studiouserid.json'));
    expect(a.evaluation?.actions).toEqual([
      { type: 'revert', key: 'studiouserid', restoreValue: 'maria-garcia' },
      { type: 'notify' },
    ]);
  });

  it('the exemption tag added by an ordinary user is removed (restoreValue null)', async () => {
    const a = await assess(load('tags/add-tags-notebook-guardrails-exempt.json'));
    expect(a.evaluation?.actions).toEqual([
      { type: 'revert', key: 'guardrails:exempt', restoreValue: null },
      { type: 'notify' },
    ]);
  });

  it('the exemption tag set at creation is removed and the notebook still quarantined', async () => {
    const a = await assess(load('notebook-instance/create-with-exempt-tag.json'));
    expect(a.evaluation?.actions).toEqual([
      {
        type: 'tag',
        tags: {
          'guardrails:status':
            'quarantined: notebook-direct-internet-access notebook-imdsv2 notebook-kms-key notebook-vpc',
        },
        untag: [],
      },
      { type: 'stop' },
      { type: 'revert', key: 'guardrails:exempt', restoreValue: null },
      { type: 'notify' },
    ]);
  });

  it('the exemption tag added by an allowed principal passes', async () => {
    const policy = policySchema.parse({
      exemption: { allowedPrincipals: ['arn:aws:iam::*:role/DataScientist'] },
    });
    const a = await assess(load('tags/add-tags-notebook-guardrails-exempt.json'), policy);
    expect(a.verdict).toBe('compliant');
    expect(a.evaluation?.actions).toEqual([]);
  });

  it('a compliant event plans nothing offline (the status tag is cleared only from a live read)', async () => {
    const a = await assess(load('notebook-instance/create-compliant.json'));
    expect(a.verdict).toBe('compliant');
    expect(a.evaluation?.actions).toEqual([]);
  });

  it('actions follow the policy: notify only', async () => {
    const policy = policySchema.parse({ actions: { 'notebook-kms-key': ['notify'] } });
    const a = await assess(load('notebook-instance/create-kms-aws-managed-alias.json'), policy);
    expect(a.evaluation?.actions).toEqual([{ type: 'notify' }]);
  });

  it('statusTagValue', () => {
    const v = (rule: string) => ({ rule }) as Violation;
    expect(statusTagValue([v('b'), v('a'), v('b')], false)).toBe('noncompliant: a b');
    expect(statusTagValue([v('notebook-vpc')], true)).toBe('quarantined: notebook-vpc');
  });
});

describe('KMS allowlist', () => {
  const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/7c1e4b2a-93d5-4f1e-8a6b-2d9f0c3e5a17';
  const ALIAS_LIST = policySchema.parse({
    kms: { allowedKeys: ['arn:aws:kms:us-east-1:111122223333:alias/ml-notebooks'] },
  });
  const FILE = 'notebook-instance/create-compliant.json'; // kmsKeyId is a key ARN

  it('offline, a key ARN cannot be matched to an alias allowlist: the rule is left unevaluated', async () => {
    const a = await assess(load(FILE), ALIAS_LIST);
    expect(a.verdict).toBe('compliant');
    expect(a.evaluation?.unevaluated).toEqual([
      {
        rule: 'notebook-kms-key',
        reason: `KMS key ${KEY_ARN} cannot be matched to the allowlist without kms:DescribeKey`,
      },
    ]);
  });

  it.each([
    ['to the key', [KEY_ARN], 'compliant', []],
    [
      'to another key',
      ['arn:aws:kms:us-east-1:111122223333:key/other'],
      'noncompliant',
      ['notebook-kms-key'],
    ],
  ])('with the allowlist aliases resolved %s', async (_name, keyArns, verdict, rules) => {
    const source: StateSource = { ...offlineStateSource, resolveKmsAllowlist: async () => keyArns };
    const a = await assess(load(FILE), ALIAS_LIST, source);
    expect(a.verdict).toBe(verdict);
    expect(rulesOf(a)).toEqual(rules);
    expect(a.evaluation?.unevaluated).toEqual([]);
  });
});

describe('report mode', () => {
  const REPORT = policySchema.parse({ mode: 'report' });

  it('the same actions are planned, and all but notify are skipped with what would have been done', async () => {
    const a = await assess(load('notebook-instance/create-with-exempt-tag.json'), REPORT);
    expect(a.verdict).toBe('noncompliant');
    expect(plannedResults(a, REPORT.mode)).toEqual([
      {
        type: 'tag',
        status: 'skipped',
        detail:
          'report mode: would tag guardrails:status=quarantined: notebook-direct-internet-access notebook-imdsv2 notebook-kms-key notebook-vpc',
      },
      { type: 'stop', status: 'skipped', detail: 'report mode: would stop the notebook instance' },
      { type: 'revert', status: 'skipped', detail: 'report mode: would remove tag guardrails:exempt' },
      { type: 'notify', status: 'planned', detail: 'notify the admins' },
    ]);
  });

  it('a revert to a value', async () => {
    const a = await assess(load('tags/add-tags-user-profile-change-studiouserid.json'), REPORT);
    expect(plannedResults(a, REPORT.mode)[0]).toEqual({
      type: 'revert',
      status: 'skipped',
      detail: 'report mode: would restore tag studiouserid=maria-garcia',
    });
  });

  it('enforce mode plans them', async () => {
    const a = await assess(load('notebook-instance/create-kms-aws-managed-alias.json'));
    expect(plannedResults(a, DEFAULT_POLICY.mode)).toEqual([
      { type: 'tag', status: 'planned', detail: 'tag guardrails:status=quarantined: notebook-kms-key' },
      { type: 'stop', status: 'planned', detail: 'stop the notebook instance' },
      { type: 'notify', status: 'planned', detail: 'notify the admins' },
    ]);
  });

  it('nothing is planned for a skipped event', async () => {
    const a = await assess(load('not-for-guardrails/elb-add-tags.json'), REPORT);
    expect(plannedResults(a, REPORT.mode)).toEqual([]);
  });
});

describe('exemptions and ignored principals', () => {
  const ADMIN = 'arn:aws:iam::111122223333:role/MLPlatformAdmin';
  const grants = async (reason: string, expiresAt = '2099-01-01T00:00:00.000Z') => {
    const store = new InMemoryExemptionGrants();
    await store.put({
      resourceArn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/churn-analysis',
      reason,
      grantedBy: ADMIN,
      grantedAt: '2026-05-01T00:00:00.000Z',
      expiresAt,
    });
    return store;
  };

  it('a resource with a recorded grant is skipped (update)', async () => {
    const source = withLiveTags({ 'guardrails:exempt': 'approved by secops', project: 'churn' });
    const a = await assessEvent(
      load('notebook-instance/update-root-access-enabled.json'),
      DEFAULT_POLICY,
      source,
      {
        grants: await grants('approved by secops'),
      },
    );
    expect(a.verdict).toBe('skipped');
    expect(a.reason).toBe(
      `exempt until 2099-01-01T00:00:00.000Z: guardrails:exempt="approved by secops" granted by ${ADMIN}`,
    );
    expect(a.evaluation?.violations).toEqual([]);
    expect(a.evaluation?.actions).toEqual([]);
  });

  it('an exemption tag alone exempts nothing: it is reverted and the resource judged', async () => {
    const source = withLiveTags({ 'guardrails:exempt': 'approved by secops', project: 'churn' });
    const a = await assess(load('notebook-instance/update-root-access-enabled.json'), DEFAULT_POLICY, source);
    expect(a.verdict).toBe('noncompliant');
    expect(rulesOf(a)).toEqual(['notebook-root-access', 'protected-tag-change']);
    expect(a.evaluation?.actions).toContainEqual({
      type: 'revert',
      key: 'guardrails:exempt',
      restoreValue: null,
    });
  });

  it('an expired grant exempts nothing, and ends', async () => {
    const source = withLiveTags({ 'guardrails:exempt': 'CAB-1', project: 'churn' });
    const a = await assessEvent(
      load('notebook-instance/update-root-access-enabled.json'),
      DEFAULT_POLICY,
      source,
      {
        grants: await grants('CAB-1', '2026-05-02T00:00:00.000Z'),
        now: new Date('2026-05-04T10:00:00Z'),
      },
    );
    expect(a.verdict).toBe('noncompliant');
    expect(a.evaluation?.violations.map((v) => v.message)).toContain(
      'exemption guardrails:exempt expired on 2026-05-02T00:00:00.000Z',
    );
    expect(a.evaluation?.actions[0]).toMatchObject({ type: 'exempt', grant: null });
  });

  it('an exempt notebook reported by a state-change event without a grant is judged', async () => {
    const event = edited('notebook-instance/state-change-inservice-noncompliant.json', (e) => {
      e.detail.Tags = { 'guardrails:exempt': 'true' };
    });
    const a = await assess(event);
    expect(a.verdict).toBe('noncompliant');
    expect(rulesOf(a)).toContain('protected-tag-change');
  });

  it('a resource with a grant is still protected against tag tampering', async () => {
    const source = withLiveTags({ 'guardrails:exempt': 'true' });
    const a = await assess(load('tags/delete-tags-user-profile-studiouserid.json'), DEFAULT_POLICY, source);
    expect(a.verdict).toBe('noncompliant');
    expect(rulesOf(a)).toContain('protected-tag-change');
  });

  it("a role named like the guardrails' is judged like anyone", async () => {
    const a = await assess(load('attacks/02-lookalike-role/writes-status-tag.json'));
    expect(a.verdict).toBe('noncompliant');
    expect(rulesOf(a)).toEqual(['protected-tag-change']);
  });

  it("the guardrails' own roles, given by exact ARN, are skipped", async () => {
    const role = 'arn:aws:iam::111122223333:role/sm-guardrails-tagging';
    const a = await assessEvent(
      load('attacks/02-lookalike-role/writes-status-tag.json'),
      DEFAULT_POLICY,
      offlineStateSource,
      {
        ownRoleArns: [role],
      },
    );
    expect(a.verdict).toBe('skipped');
    expect(a.reason).toBe(`call by the guardrails' own role (${role})`);
    expect(a.evaluation).toBeUndefined();
    const other = await assessEvent(
      load('attacks/02-lookalike-role/writes-status-tag.json'),
      DEFAULT_POLICY,
      offlineStateSource,
      {
        ownRoleArns: ['arn:aws:iam::444455556666:role/sm-guardrails-tagging'],
      },
    );
    expect(other.verdict).toBe('noncompliant');
  });

  it("organization mode: the member role in the event's own account is the guardrails'; elsewhere or renamed it is not", async () => {
    const event = (roleArn: string) =>
      edited('attacks/02-lookalike-role/writes-status-tag.json', (e) => {
        e.detail.userIdentity.sessionContext.sessionIssuer.arn = roleArn;
      });
    const opts = { memberRoleName: 'sm-guardrails-member' };
    const own = await assessEvent(
      event('arn:aws:iam::111122223333:role/sm-guardrails-member'),
      DEFAULT_POLICY,
      offlineStateSource,
      opts,
    );
    expect(own.verdict).toBe('skipped');
    for (const other of [
      'arn:aws:iam::444455556666:role/sm-guardrails-member',
      'arn:aws:iam::111122223333:role/sm-guardrails-member2',
    ]) {
      expect((await assessEvent(event(other), DEFAULT_POLICY, offlineStateSource, opts)).verdict).toBe(
        'noncompliant',
      );
    }
  });

  it('a principal ignored by the policy is skipped (an IAM user, matched by its ARN)', async () => {
    const policy = policySchema.parse({ ignoredPrincipals: ['arn:aws:iam::*:user/alice'] });
    const a = await assess(load('notebook-instance/create-all-defaults.json'), policy);
    expect(a.verdict).toBe('skipped');
    expect(a.reason).toBe('call by an ignored principal (arn:aws:iam::111122223333:user/alice)');
  });
});

// Tag keys are user-controlled: looked up in a plain object, `constructor` finds Object (whose `values` is a
// function) and `toString` finds a method, so they must not be mistaken for required tags.
describe('tag keys named like Object.prototype members are ordinary tags', () => {
  const deleteTags = (key: string) =>
    edited('tags/delete-tags-notebook-project.json', (e) => {
      e.detail.requestParameters.tagKeys = [key];
    });
  const addTags = (key: string, value: string) =>
    edited('tags/add-tags-notebook-project.json', (e) => {
      e.detail.requestParameters.tags = [{ key, value }];
    });

  it.each([
    ['DeleteTags constructor', () => deleteTags('constructor')],
    ['DeleteTags toString', () => deleteTags('toString')],
    ['AddTags constructor=""', () => addTags('constructor', '')],
  ])('%s', async (_name, event) => {
    const a = await assess(event());
    expect(a.verdict).toBe('compliant');
    expect(a.evaluation?.violations).toEqual([]);
  });
});

describe('an empty KmsKeyId names no key', () => {
  it('create with kmsKeyId "" is like no KmsKeyId', async () => {
    const event = edited('notebook-instance/create-compliant.json', (e) => {
      e.detail.requestParameters.kmsKeyId = '';
    });
    const a = await assess(event);
    expect(a.verdict).toBe('noncompliant');
    expect(rulesOf(a)).toEqual(['notebook-kms-key']);
  });
});

describe('invalid and skipped assessments', () => {
  it('invalid input names the path', async () => {
    const a = await assess(load('malformed/request-tags-is-string.json'));
    expect(a).toEqual({
      verdict: 'invalid',
      path: '$.detail.requestParameters.tags',
      reason: '$.detail.requestParameters.tags: Invalid input: expected array, received string',
      eventId: '517e54c7-46df-423f-a022-0bfeaf14eee1',
      eventName: 'CreateNotebookInstance',
    });
  });

  it('a resource that no longer exists is skipped', async () => {
    const source: StateSource = { ...offlineStateSource, readState: async () => undefined };
    const a = await assess(load('notebook-instance/create-all-defaults.json'), DEFAULT_POLICY, source);
    expect(a).toMatchObject({ verdict: 'skipped', reason: 'resource no longer exists' });
  });
});
