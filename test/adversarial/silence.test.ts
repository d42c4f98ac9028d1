// Items 1 and 2: a user cannot silence the alerts with the status tag, nor pass as the guardrails.
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  actionsOf,
  addTags,
  apiCall,
  MALLORY,
  OWN_ROLE,
  REGION,
  roleSession,
  stateChange,
  tagList,
  useAttackWorld,
} from './support.ts';

const world = useAttackWorld();
const DOMAIN_ID = 'd-attack000001';

function createDomain(tags: Record<string, string>, who = MALLORY) {
  return apiCall(
    'CreateDomain',
    {
      domainName: 'open-domain',
      authMode: 'IAM',
      defaultUserSettings: { executionRole: `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution` },
      tags: tagList(tags),
    },
    who,
    { responseElements: { domainArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:domain/${DOMAIN_ID}` } },
  );
}

describe('item 1: the status tag does not silence the alerts', () => {
  it('a domain created open to the internet with a forged status tag is still alerted, and the tag corrected', async () => {
    const w = world();
    const status = 'noncompliant: domain-kms-key domain-network-access';
    w.emulator.seed.domain({
      domainId: DOMAIN_ID,
      name: 'open-domain',
      region: REGION,
      executionRoleIdentityConfig: 'USER_PROFILE_NAME',
      tags: [{ Key: 'guardrails:status', Value: status }],
    });
    const report = await w.runtime().handleEvent(createDomain({ 'guardrails:status': status }));
    expect(report.verdict).toBe('noncompliant');
    expect(report.violations.map((v) => v.rule)).toContain('protected-tag-change');
    expect(report.actions.find((a) => a.type === 'notify')?.status).toBe('done');
    expect(w.alerts()).toHaveLength(1);
    expect(w.alerts()[0]?.message).toContain('status tag guardrails:status set by the creator');
  });

  it.each([
    ['the exact key', 'guardrails:status'],
    ['a case variant IAM treats as the same key', 'Guardrails:Status'],
  ])('a user writing the status tag (%s) on a noncompliant domain is reverted and told', async (_n, key) => {
    const w = world();
    const before = 'noncompliant: domain-kms-key domain-network-access';
    // The domain as the user's AddTags left it (still open to the internet, no customer key).
    const given =
      key === 'guardrails:status'
        ? { [key]: 'noncompliant: none' }
        : { 'guardrails:status': before, [key]: 'noncompliant: none' };
    const { arn } = w.emulator.seed.domain({
      domainId: DOMAIN_ID,
      name: 'open-domain',
      region: REGION,
      executionRoleIdentityConfig: 'USER_PROFILE_NAME',
      tags: Object.entries(given).map(([Key, Value]) => ({ Key, Value })),
    });
    const report = await w.runtime().handleEvent(addTags(arn, { [key]: 'noncompliant: none' }));
    expect(report.verdict).toBe('noncompliant');
    expect(report.actions.find((a) => a.type === 'notify')?.status).toBe('done');
    expect(w.alerts()).toHaveLength(1);
    const tags = w.tagsOf(arn);
    expect(tags['guardrails:status']).toBe('noncompliant: domain-kms-key domain-network-access');
    if (key !== 'guardrails:status') expect(tags[key]).toBeUndefined();
  });

  it('every noncompliant user call is told, even when the status tag already says so', async () => {
    const w = world();
    const arn = w.compliantNotebook('nb-silenced', {
      rootAccess: 'Enabled',
      status: 'Stopped',
      tags: [
        { Key: 'project', Value: 'churn' },
        { Key: 'guardrails:status', Value: 'quarantined: notebook-root-access' },
      ],
    });
    const event = apiCall('UpdateNotebookInstance', {
      notebookInstanceName: 'nb-silenced',
      rootAccess: 'Enabled',
    });
    const report = await w.runtime().handleEvent(event);
    expect(report.verdict).toBe('noncompliant');
    expect(actionsOf(report)).toContain('notify:done');
    expect(w.alerts()).toHaveLength(1);
    expect(arn).toContain('nb-silenced');
  });

  it("SageMaker's own state-change event with nothing to do is not repeated to the admins", async () => {
    const w = world();
    const arn = w.compliantNotebook('nb-stopped', {
      rootAccess: 'Enabled',
      status: 'Stopping',
      tags: [
        { Key: 'project', Value: 'churn' },
        { Key: 'guardrails:status', Value: 'quarantined: notebook-root-access' },
      ],
    });
    const report = await w.runtime().handleEvent(stateChange(arn, 'nb-stopped', 'Stopping', {}));
    expect(report.verdict).toBe('noncompliant');
    expect(actionsOf(report)).toEqual(['tag:skipped', 'notify:skipped']);
    expect(w.alerts()).toHaveLength(0);
  });
});

describe("item 2: only the guardrails' exact roles are ignored", () => {
  const openNotebookCall = (who = MALLORY) =>
    apiCall(
      'CreateNotebookInstance',
      {
        notebookInstanceName: 'nb-open',
        instanceType: 'ml.t3.medium',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/x`,
      },
      who,
      {
        responseElements: {
          notebookInstanceArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/nb-open`,
        },
      },
    );

  it.each([
    [
      'a role named like the guardrails in the same account',
      `arn:aws:iam::${ACCOUNT}:role/sm-guardrails-prod-us-east-1-tagz`,
    ],
    [
      'the same role name in another account',
      'arn:aws:iam::444455556666:role/sm-guardrails-prod-us-east-1-tags',
    ],
    [
      'a role whose path holds ":role/sm-guardrails-"',
      `arn:aws:iam::${ACCOUNT}:role/x:role/sm-guardrails-prod-us-east-1-tags`,
    ],
    [
      'the same role name in another partition',
      'arn:aws-cn:iam::111122223333:role/sm-guardrails-prod-us-east-1-tags',
    ],
  ])('%s is judged like anyone', async (_name, roleArn) => {
    const w = world();
    w.emulator.seed.notebookInstance({ name: 'nb-open', region: REGION, status: 'Pending' });
    const report = await w.runtime().handleEvent(openNotebookCall(roleSession(roleArn)));
    expect(report.verdict).toBe('noncompliant');
    expect(actionsOf(report)).toContain('notify:done');
    expect(w.alerts()).toHaveLength(1);
  });

  it('a look-alike role cannot set the exemption tag, whatever its name', async () => {
    const w = world();
    const arn = w.compliantNotebook('nb-x', { rootAccess: 'Enabled' });
    const lookalike = roleSession(`arn:aws:iam::${ACCOUNT}:role/sm-guardrails-evil`);
    const report = await w
      .runtime()
      .handleEvent(addTags(arn, { 'guardrails:exempt': 'trust me' }, lookalike));
    expect(report.verdict).toBe('noncompliant');
    expect(report.violations.map((v) => v.rule)).toEqual(['notebook-root-access', 'protected-tag-change']);
    expect(w.emulator.inspect.notebookInstance('nb-x', REGION)?.status).toBe('Stopping');
    expect(w.alerts()).toHaveLength(1);
  });

  it('the exact own role is skipped without a single AWS call (no loop on its own writes)', async () => {
    const w = world();
    w.emulator.clearCalls();
    const own = roleSession(OWN_ROLE, 'sm-guardrails-prod-us-east-1-tags');
    const report = await w.runtime().handleEvent(openNotebookCall(own));
    expect(report.verdict).toBe('skipped');
    expect(w.emulator.calls).toEqual([]);
  });
});
