// Items 3 and 4: a KMS key the guardrails cannot read is never a pass, and every output names what was not
// evaluated or verified.
import { describe, expect, it } from 'vitest';
import { ACCOUNT, apiCall, captureOutput, REGION, useAttackWorld } from './support.ts';

const world = useAttackWorld();
const OTHER_ACCOUNT_KEY = 'arn:aws:kms:us-east-1:444455556666:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9';

function createWithKey(name: string, kmsKeyId: string) {
  return apiCall(
    'CreateNotebookInstance',
    {
      notebookInstanceName: name,
      instanceType: 'ml.t3.medium',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/x`,
      directInternetAccess: 'Disabled',
      rootAccess: 'Disabled',
      subnetId: 'subnet-0a1b2c3d',
      securityGroupIds: ['sg-0a1b2c3d'],
      kmsKeyId,
      tags: [{ key: 'project', value: 'churn' }],
    },
    undefined,
    {
      responseElements: {
        notebookInstanceArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/${name}`,
      },
    },
  );
}

function seedWithKey(name: string, kmsKeyId: string) {
  return world().compliantNotebook(name, { status: 'Pending', kmsKeyId });
}

describe('item 3: KMS fails closed', () => {
  it.each([
    ['a key in another account (DescribeKey not found)', OTHER_ACCOUNT_KEY, undefined],
    ['a key policy that leaves the guardrails out (AccessDenied)', 'accessDenied', 'accessDenied'],
  ])('%s: unverifiable, told, never compliant', async (_name, key, fault) => {
    const w = world();
    let keyArn = key;
    if (fault) {
      keyArn = w.emulator.seed.kmsKey({ region: REGION });
      w.emulator.injectFault({ service: 'kms', operation: 'DescribeKey', kind: 'accessDenied' });
    }
    seedWithKey('nb-key', keyArn);
    const { result: report, lines } = await captureOutput(() =>
      w.runtime().handleEvent(createWithKey('nb-key', keyArn)),
    );
    expect(report.verdict).toBe('unverifiable');
    expect(report.unverifiable).toEqual([
      expect.objectContaining({
        rule: 'notebook-kms-key',
        error: expect.stringMatching(/^kms:DescribeKey: /),
      }),
    ]);
    expect(report.actions.find((a) => a.type === 'notify')?.status).toBe('done');
    const alert = w.alerts()[0];
    expect(alert?.subject).toMatch(/UNVERIFIABLE notebook nb-key/);
    expect(alert?.message).toContain('Could not be verified (an AWS read failed; this is not a pass):');
    expect(alert?.message).toMatch(/notebook-kms-key: KMS key .* could not be read: kms:DescribeKey: /);
    // The finding log line and a metric name it too.
    const finding = lines.find((l) => l.message === 'finding')?.finding as Record<string, unknown>;
    expect(finding.verdict).toBe('unverifiable');
    expect(finding.unverifiable).toEqual([expect.objectContaining({ rule: 'notebook-kms-key' })]);
    const metric = lines.find((l) => 'Unverifiable_notebook-kms-key' in l);
    expect(metric).toMatchObject({ 'Unverifiable_notebook-kms-key': 1 });
  });

  it('a key ARN not on a non-empty allowlist is noncompliant without asking KMS (even when KMS would deny)', async () => {
    const w = world();
    w.emulator.injectFault({ service: 'kms', operation: 'DescribeKey', kind: 'accessDenied' });
    seedWithKey('nb-other-key', OTHER_ACCOUNT_KEY);
    w.emulator.clearCalls();
    const report = await w
      .runtime({
        policy: {
          kms: { allowedKeys: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`] },
        },
      })
      .handleEvent(createWithKey('nb-other-key', OTHER_ACCOUNT_KEY));
    expect(report.verdict).toBe('noncompliant');
    expect(report.violations.map((v) => v.message)).toContain('volume KMS key not on the allowlist');
    expect(w.emulator.calls.filter((c) => c.service === 'kms')).toEqual([]);
    expect(w.emulator.inspect.notebookInstance('nb-other-key', REGION)?.status).toBe('Pending');
    expect(w.alerts()[0]?.subject).toMatch(/STOP PENDING notebook nb-other-key/);
  });

  it('throttled past the retries: the event fails (Lambda retries it, then the failed-events queue alarms), never compliant', async () => {
    const w = world();
    const keyArn = w.emulator.seed.kmsKey({ region: REGION });
    seedWithKey('nb-throttled-key', keyArn);
    w.emulator.injectFault({ service: 'kms', operation: 'DescribeKey', kind: 'throttle', times: 100 });
    await expect(w.runtime().handleEvent(createWithKey('nb-throttled-key', keyArn))).rejects.toThrow();
    expect(w.alerts()).toEqual([]);
  });
});

describe('item 4: unevaluated rules are named everywhere', () => {
  it('the alert and the finding log line name a rule that could not be evaluated next to one that could not be verified', async () => {
    const w = world();
    w.emulator.injectFault({ service: 'kms', operation: 'DescribeKey', kind: 'accessDenied' });
    seedWithKey('nb-partial', OTHER_ACCOUNT_KEY);
    const { result: report, lines } = await captureOutput(() =>
      w
        .runtime({ policy: { notebook: { requireRootAccessDisabled: true } } })
        .handleEvent(createWithKey('nb-partial', OTHER_ACCOUNT_KEY)),
    );
    expect(report.verdict).toBe('unverifiable');
    const finding = lines.find((l) => l.message === 'finding')?.finding as Record<string, unknown>;
    expect(finding.unverifiable).toEqual([expect.objectContaining({ rule: 'notebook-kms-key' })]);
    expect(w.alerts()[0]?.message).toContain('Violations: none found');
  });
});
