// Item 10: in aws-cn and aws-us-gov the guardrails act on the right ARNs, recognise their own roles and link to
// the partition's console.
import { describe, expect, it } from 'vitest';
import { apiCall, roleSession, useAttackWorld } from './support.ts';

const world = useAttackWorld();

describe.each([
  ['cn-north-1', 'aws-cn', 'console.amazonaws.cn'],
  ['us-gov-west-1', 'aws-us-gov', 'console.amazonaws-us-gov.com'],
])('item 10: %s (%s)', (region, partition, consoleDomain) => {
  const ACCOUNT = '111122223333';
  const arn = `arn:${partition}:sagemaker:${region}:${ACCOUNT}:notebook-instance/nb-p`;
  const user = roleSession(`arn:${partition}:iam::${ACCOUNT}:role/DataScientist`);
  const update = (who = user) =>
    apiCall('UpdateNotebookInstance', { notebookInstanceName: 'nb-p', rootAccess: 'Enabled' }, who, {
      region,
    });

  it('an update is judged on the partition ARN: tagged, stopped, and linked on the partition console', async () => {
    const w = world();
    w.emulator.seed.topic('sm-guardrails-alerts', region);
    const seeded = w.emulator.seed.notebookInstance({
      name: 'nb-p',
      region,
      status: 'InService',
      rootAccess: 'Enabled',
      directInternetAccess: 'Disabled',
      imdsMinimumVersion: '2',
      subnetId: 'subnet-0a1b2c3d',
      kmsKeyId: w.emulator.seed.kmsKey({ region }),
      tags: [{ Key: 'project', Value: 'p' }],
    });
    expect(seeded).toBe(arn);
    const report = await w.runtime({ region }).handleEvent(update());
    expect(report.resource?.arn).toBe(arn);
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
      'tag:done',
      'stop:done',
      'notify:done',
    ]);
    expect(w.tagsOf(arn)['guardrails:status']).toBe('quarantined: notebook-root-access');
    const alert = w.alerts()[0];
    expect(alert?.message).toContain(`ARN:       ${arn}`);
    expect(alert?.message).toContain(
      `https://${region}.${consoleDomain}/sagemaker/home?region=${region}#/notebook-instances/nb-p`,
    );
  });

  it("the guardrails' own role in the partition is skipped; the same role in the aws partition is not", async () => {
    const w = world();
    const own = `arn:${partition}:iam::${ACCOUNT}:role/sm-guardrails-prod-${region}-tags`;
    w.emulator.seed.notebookInstance({ name: 'nb-p', region, status: 'InService', rootAccess: 'Enabled' });
    const runtime = () => w.runtime({ region, ownRoleArns: [own] });
    const skipped = await runtime().handleEvent(update(roleSession(own, 'fn')));
    expect(skipped.verdict).toBe('skipped');
    const lookalike = roleSession(`arn:aws:iam::${ACCOUNT}:role/sm-guardrails-prod-${region}-tags`, 'fn');
    const judged = await runtime().handleEvent(update(lookalike));
    expect(judged.verdict).toBe('noncompliant');
  });
});
