// Item 8: a forged re-check message cannot make the guardrails say or do what it wants.
import { describe, expect, it } from 'vitest';
import { parseRecheckRequest } from '#core/recheck';
import { ACCOUNT, REGION, useAttackWorld } from './support.ts';

const world = useAttackWorld();

const message = (over: Record<string, unknown> = {}, resource: Record<string, unknown> = {}) =>
  JSON.stringify({
    kind: 'sm-guardrails/notebook-recheck',
    resource: {
      type: 'notebook-instance',
      name: 'nb-open',
      arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/nb-open`,
      ...resource,
    },
    originEventId: 'e-1',
    attempt: 1,
    firstDeferredAt: '2026-05-04T10:00:00.000Z',
    ...over,
  });

describe('item 8: re-check messages carry the notebook identity only', () => {
  it.each([
    [
      'an ARN with an attacker host as region',
      {},
      { arn: `arn:aws:sagemaker:evil.example.com:${ACCOUNT}:notebook-instance/nb-open` },
    ],
    ['a name that is not the ARN', {}, { name: 'other-notebook' }],
    ['a name with a line break', {}, { name: 'nb-open\nSubject: hi' }],
    ['an ARN of another resource type', {}, { arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:domain/nb-open` }],
    ['a text instead of a date', { firstDeferredAt: 'click https://evil.example.com' }, {}],
    ['an attempt that is not a number', { attempt: '1; drop' }, {}],
  ])('%s: the message is dropped, nothing is said or done', async (_name, over, resource) => {
    const w = world();
    w.compliantNotebook('nb-open', { rootAccess: 'Enabled' });
    const report = await w.runtime().handleRecheck(message(over, resource));
    expect(report).toBeUndefined();
    expect(w.alerts()).toEqual([]);
    expect(w.emulator.inspect.notebookInstance('nb-open', REGION)?.status).toBe('InService');
  });

  it('extra fields are dropped: account and region come from the ARN, the alert from the live notebook', async () => {
    const parsed = parseRecheckRequest(
      JSON.parse(message({ account: '999999999999', region: 'evil.example.com', note: 'x' })),
    );
    expect(parsed).toEqual({
      kind: 'sm-guardrails/notebook-recheck',
      resource: {
        type: 'notebook-instance',
        name: 'nb-open',
        arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/nb-open`,
      },
      originEventId: 'e-1',
      attempt: 1,
      firstDeferredAt: '2026-05-04T10:00:00.000Z',
    });
    const w = world();
    w.compliantNotebook('nb-open', { rootAccess: 'Enabled' });
    const report = await w.runtime().handleRecheck(message({ region: 'evil.example.com' }));
    expect(report?.actions.find((a) => a.type === 'stop')?.status).toBe('done');
    const alert = w.alerts()[0];
    expect(alert?.message).toContain(
      `Console:   https://${REGION}.console.aws.amazon.com/sagemaker/home?region=${REGION}#/notebook-instances/nb-open`,
    );
    expect(alert?.message).not.toContain('evil');
  });

  it('a re-check of a notebook that is not there does nothing and says nothing', async () => {
    const w = world();
    const report = await w
      .runtime()
      .handleRecheck(
        message({}, { name: 'ghost', arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/ghost` }),
      );
    expect(report?.actions.filter((a) => a.type !== 'notify' && a.status === 'done')).toEqual([]);
    expect(w.alerts().every((a) => !a.message.includes('evil'))).toBe(true);
  });
});
