// Item 6 (and 5): exemptions mean what they say: granted only by an allowed principal the guardrails saw,
// recorded where users cannot write, expiring; nothing silently cancelled. Item 5: tag values cannot stall them.
import { AddTagsCommand, DeleteTagsCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExemptionGrants, InMemoryExemptionGrants } from '#core/exemption';
import { DynamoExemptionGrants } from '../../store/exemption-grants.ts';
import { type LocalDynamo, startDynamo } from '../support/dynamodb.ts';
import {
  ACCOUNT,
  ADMIN,
  ADMIN_ROLE,
  actionsOf,
  addTags,
  apiCall,
  deleteTags,
  MALLORY,
  REGION,
  stateChange,
  useAttackWorld,
  userClient,
} from './support.ts';

const world = useAttackWorld();
const POLICY = { exemption: { allowedPrincipals: [ADMIN_ROLE], defaultDays: 30, maxDays: 90 } };
const QUARANTINED = 'quarantined: notebook-root-access';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(() => dynamo.close());

/** A running notebook the guardrails quarantined, with the exemption tag as the user's call left it. */
function quarantinedNotebook(name: string, exempt?: string, status = 'InService') {
  return world().compliantNotebook(name, {
    rootAccess: 'Enabled',
    status,
    tags: [
      { Key: 'project', Value: 'churn' },
      { Key: 'guardrails:status', Value: QUARANTINED },
      ...(exempt !== undefined ? [{ Key: 'guardrails:exempt', Value: exempt }] : []),
    ],
  });
}

describe.each<[string, () => ExemptionGrants]>([
  ['in memory', () => new InMemoryExemptionGrants()],
  ['on the DynamoDB table (dynalite)', () => new DynamoExemptionGrants(dynamo.client, dynamo.tableName)],
])('item 6, grants %s', (_store, makeGrants) => {
  it('(a) an allowed admin exempts a running quarantined notebook: not stopped, quarantine lifted, admins told who/what/until', async () => {
    const w = world();
    const grants = makeGrants();
    const arn = quarantinedNotebook('nb-a', 'CAB-1234 until=2026-05-20');
    const report = await w
      .runtime({ policy: POLICY, grants })
      .handleEvent(addTags(arn, { 'guardrails:exempt': 'CAB-1234 until=2026-05-20' }, ADMIN));
    expect(report.verdict).toBe('skipped');
    expect(report.reason).toMatch(/^exempt until 2026-05-20T23:59:59.000Z/);
    expect(actionsOf(report)).toEqual(['exempt:done', 'tag:done', 'notify:done']);
    expect(w.emulator.inspect.notebookInstance('nb-a', REGION)?.status).toBe('InService');
    expect(w.tagsOf(arn)['guardrails:status']).toBeUndefined();
    const alert = w.alerts()[0];
    expect(alert?.subject).toMatch(/EXEMPTED notebook nb-a/);
    expect(alert?.message).toContain(`granted by arn:aws:sts::${ACCOUNT}:assumed-role/MLPlatformAdmin/jdoe`);
    expect(alert?.message).toContain('until      2026-05-20T23:59:59.000Z');
    expect((await grants.get(arn))?.reason).toBe('CAB-1234 until=2026-05-20');
    // Later events honour the grant: SageMaker's InService event does not stop it.
    const later = await w
      .runtime({ policy: POLICY, grants })
      .handleEvent(stateChange(arn, 'nb-a', 'InService', {}));
    expect(later.verdict).toBe('skipped');
    expect(w.emulator.inspect.notebookInstance('nb-a', REGION)?.status).toBe('InService');
  });

  it('a grant never outlives the policy maximum, and without `until` lasts the default', async () => {
    const w = world();
    const grants = makeGrants();
    const far = quarantinedNotebook('nb-far', 'forever until=2099-01-01');
    await w
      .runtime({ policy: POLICY, grants })
      .handleEvent(addTags(far, { 'guardrails:exempt': 'forever until=2099-01-01' }, ADMIN));
    expect((await grants.get(far))?.expiresAt).toBe('2026-08-02T10:00:00.000Z'); // granted 2026-05-04 + 90 days
    const plain = quarantinedNotebook('nb-plain', 'CAB-9');
    await w
      .runtime({ policy: POLICY, grants })
      .handleEvent(addTags(plain, { 'guardrails:exempt': 'CAB-9' }, ADMIN));
    expect((await grants.get(plain))?.expiresAt).toBe('2026-06-03T10:00:00.000Z'); // + 30 days
  });

  it("(b) an ordinary user overwrites an admin's exemption: the admin's value is restored, not deleted; not stopped", async () => {
    const w = world();
    const grants = makeGrants();
    const arn = quarantinedNotebook('nb-b', 'CAB-1');
    await w
      .runtime({ policy: POLICY, grants })
      .handleEvent(addTags(arn, { 'guardrails:exempt': 'CAB-1' }, ADMIN));
    // Mallory's AddTags replaced the value.
    const user = userClient(w.emulator);
    await user.send(
      new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'guardrails:exempt', Value: 'mine now' }] }),
    );
    const report = await w
      .runtime({ policy: POLICY, grants })
      .handleEvent(addTags(arn, { 'guardrails:exempt': 'mine now' }, MALLORY));
    expect(report.verdict).toBe('noncompliant');
    expect(report.violations.map((v) => v.rule)).toEqual(['protected-tag-change']);
    expect(w.tagsOf(arn)['guardrails:exempt']).toBe('CAB-1');
    expect(w.emulator.inspect.notebookInstance('nb-b', REGION)?.status).toBe('InService');
    expect(w.alerts().at(-1)?.subject).toMatch(/REVERTED notebook nb-b/);
    // And removing it: restored too.
    await user.send(
      new DeleteTagsCommand({
        ResourceArn: arn,
        TagKeys: ['guardrails:exempt'],
      }),
    );
    const removed = await w
      .runtime({ policy: POLICY, grants })
      .handleEvent(deleteTags(arn, ['guardrails:exempt'], MALLORY));
    expect(removed.actions.find((a) => a.type === 'revert')?.status).toBe('done');
    expect(w.tagsOf(arn)['guardrails:exempt']).toBe('CAB-1');
  });

  it('(c) an exemption tag that survived without an allowed setter is reverted and reported; the deferred stop happens', async () => {
    const w = world();
    const grants = makeGrants();
    // A CreateNotebookInstance whose parameters CloudTrail omitted: the tag came with the creation.
    const arn = quarantinedNotebook('nb-c', 'please', 'Pending');
    const omitted = apiCall('CreateNotebookInstance', null, MALLORY, {
      responseElements: { notebookInstanceArn: arn },
    });
    const first = await w.runtime({ policy: POLICY, grants }).handleEvent(omitted);
    expect(first.verdict).toBe('noncompliant');
    expect(first.violations.map((v) => v.rule)).toContain('protected-tag-change');
    expect(w.tagsOf(arn)['guardrails:exempt']).toBeUndefined();
    expect(first.actions.find((a) => a.type === 'stop')?.status).toBe('deferred');
    // The revert "failed" and the tag is back (a race): at InService the stop still happens, and the admins hear of it.
    const user = userClient(w.emulator);
    await user.send(
      new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'guardrails:exempt', Value: 'please' }] }),
    );
    w.emulator.advanceNotebook('nb-c', REGION);
    const inService = await w
      .runtime({ policy: POLICY, grants })
      .handleEvent(stateChange(arn, 'nb-c', 'InService', {}));
    expect(inService.actions.find((a) => a.type === 'stop')?.status).toBe('done');
    expect(inService.violations.map((v) => v.message)).toContain(
      'exemption tag guardrails:exempt without a grant the guardrails saw',
    );
    expect(w.alerts().at(-1)?.subject).toMatch(/STOPPED notebook nb-c/);
  });

  it('an expired grant ends: the tag is removed, the notebook judged and stopped, the admins told', async () => {
    const w = world();
    const grants = makeGrants();
    const arn = quarantinedNotebook('nb-old', 'CAB-7');
    await grants.put({
      resourceArn: arn,
      reason: 'CAB-7',
      grantedBy: 'x',
      grantedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-02-01T00:00:00.000Z',
    });
    const report = await w
      .runtime({ policy: POLICY, grants })
      .handleEvent(stateChange(arn, 'nb-old', 'InService', {}));
    expect(report.violations.map((v) => v.message)).toContain(
      'exemption guardrails:exempt expired on 2026-02-01T00:00:00.000Z',
    );
    expect(actionsOf(report)).toContain('stop:done');
    expect(w.tagsOf(arn)['guardrails:exempt']).toBeUndefined();
    expect(await grants.get(arn)).toBeUndefined();
    expect(w.alerts()).toHaveLength(1);
  });

  it('a creator cannot exempt at creation, even an allowed admin', async () => {
    const w = world();
    const grants = makeGrants();
    const arn = quarantinedNotebook('nb-own', 'mine', 'Pending');
    const create = apiCall(
      'CreateNotebookInstance',
      {
        notebookInstanceName: 'nb-own',
        instanceType: 'ml.t3.medium',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/x`,
        tags: [{ key: 'guardrails:exempt', value: 'mine' }],
      },
      ADMIN,
      { responseElements: { notebookInstanceArn: arn } },
    );
    const report = await w.runtime({ policy: POLICY, grants }).handleEvent(create);
    expect(report.verdict).toBe('noncompliant');
    expect(report.actions.find((a) => a.type === 'stop')?.status).toBe('deferred');
    expect(await grants.get(arn)).toBeUndefined();
  });
});

describe('item 5: a tag value cannot stall the guardrails (linear-time engine)', () => {
  it.each([41, 250])(
    'a %i-character value against ^([a-z0-9]+-?)+$ is judged, and the notebook stopped',
    async (length) => {
      const w = world();
      const value = `${'a'.repeat(length - 1)}!`;
      const arn = w.compliantNotebook('nb-redos', { tags: [{ Key: 'project', Value: value }] });
      const report = await w
        .runtime({
          policy: { requiredTags: { 'notebook-instance': { project: { pattern: '^([a-z0-9]+-?)+$' } } } },
        })
        .handleEvent(addTags(arn, { project: value }));
      expect(report.verdict).toBe('noncompliant');
      expect(report.violations[0]?.message).toBe(`tag project value "${value}" does not match`);
      expect(w.alerts()).toHaveLength(1);
    },
  );
});
