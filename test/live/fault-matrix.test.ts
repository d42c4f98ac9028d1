// The live path through the real SDK against the emulator: each case asserts the end state, the exact AWS calls
// and what the admins were told.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createNotebookEvent,
  type LiveWorld,
  REGION,
  seedCompliantNotebook,
  useFreshWorldPerTest,
} from '../support/live.ts';

const currentWorld = useFreshWorldPerTest();
let world: LiveWorld;
beforeEach(() => {
  world = currentWorld();
});

/** A notebook created with every default: internet and root access enabled, no VPC, no customer key. */
function seedOpenNotebook(name: string, status: 'InService' | 'Pending' = 'InService') {
  world.emulator.seed.notebookInstance({
    name,
    region: REGION,
    status,
    tags: [{ Key: 'project', Value: 'churn' }],
  });
  return createNotebookEvent(name, { tags: [{ key: 'project', value: 'churn' }] });
}

const statuses = (report: { actions: Array<{ type: string; status: string; error?: string }> }) =>
  Object.fromEntries(report.actions.map((a) => [a.type, a.error ? `${a.status}:${a.error}` : a.status]));

describe('remediation of a noncompliant notebook', () => {
  it('tags, stops and notifies, with one call per action', async () => {
    const event = seedOpenNotebook('nb-open');
    const { report } = await world.guardrails().handle(event);
    expect(report.verdict).toBe('noncompliant');
    expect(statuses(report)).toEqual({ tag: 'done', stop: 'done', notify: 'done' });
    // No KMS call (no key to resolve) and no IAM call (no missing tag to derive). Describe and ListTags run
    // together, then AddTags and Stop together (either of a pair may be logged first), then the alert.
    const calls = world.callNames();
    expect(calls.slice(0, 2).sort()).toEqual(['sagemaker:DescribeNotebookInstance', 'sagemaker:ListTags']);
    expect(calls.slice(2, 4).sort()).toEqual(['sagemaker:AddTags', 'sagemaker:StopNotebookInstance']);
    expect(calls.slice(4)).toEqual(['sns:Publish']);
    const nb = world.emulator.inspect.notebookInstance('nb-open', REGION);
    expect(nb?.status).toBe('Stopping');
    expect(nb?.tags).toContainEqual({
      Key: 'guardrails:status',
      Value:
        'quarantined: notebook-direct-internet-access notebook-kms-key notebook-root-access notebook-vpc',
    });
    expect(world.emulator.published).toHaveLength(1);
    const subject = world.emulator.published[0]?.subject ?? '';
    expect(subject).toBe(
      '[sm-guardrails] STOPPED notebook nb-open in 111122223333/us-east-1: direct internet acc... (+3 more)',
    );
    expect(subject.length).toBeLessThanOrEqual(100); // SNS's limit
  });

  it('throttled twice, then fine: the SDK retries and the outcome is unchanged', async () => {
    const event = seedOpenNotebook('nb-throttled');
    world.emulator.injectFault({
      service: 'sagemaker',
      operation: 'DescribeNotebookInstance',
      kind: 'throttle',
      times: 2,
    });
    const { report } = await world.guardrails().handle(event);
    expect(statuses(report)).toEqual({ tag: 'done', stop: 'done', notify: 'done' });
    const describes = world.emulator.calls.filter((c) => c.operation === 'DescribeNotebookInstance');
    expect(describes.map((c) => c.status)).toEqual([400, 400, 200]);
    expect(describes.slice(0, 2).map((c) => c.errorCode)).toEqual([
      'ThrottlingException',
      'ThrottlingException',
    ]);
  });

  it('a 500, then fine', async () => {
    const event = seedOpenNotebook('nb-500');
    world.emulator.injectFault({ service: 'sagemaker', operation: 'ListTags', kind: 'internal', times: 1 });
    const { report } = await world.guardrails().handle(event);
    expect(report.verdict).toBe('noncompliant');
    expect(world.emulator.calls.filter((c) => c.operation === 'ListTags').map((c) => c.status)).toEqual([
      500, 200,
    ]);
    expect(world.emulator.inspect.notebookInstance('nb-500', REGION)?.status).toBe('Stopping');
  });

  it('a read that keeps failing gives an error outcome naming the call and the AWS error', async () => {
    const event = seedOpenNotebook('nb-down');
    world.emulator.injectFault({
      service: 'sagemaker',
      operation: 'DescribeNotebookInstance',
      kind: 'throttle',
      times: 10,
    });
    const handled = await world.guardrails().handle(event);
    expect(handled.report.verdict).toBe('error');
    expect(handled.report.reason).toBe(
      'sagemaker:DescribeNotebookInstance failed: ThrottlingException: Rate exceeded',
    );
    expect(handled.error?.transient).toBe(true);
    expect(handled.report.eventId).toBeTruthy();
    // Reads only: ListTags runs alongside each Describe attempt, nothing is written or sent.
    const reads = new Set(['sagemaker:DescribeNotebookInstance', 'sagemaker:ListTags']);
    expect(world.callNames().filter((c) => !reads.has(c))).toEqual([]);
    expect(world.emulator.published).toHaveLength(0);
  });

  it('AccessDenied on StopNotebookInstance: reported, the other actions done, the notification still sent', async () => {
    const event = seedOpenNotebook('nb-denied');
    world.emulator.injectFault({
      service: 'sagemaker',
      operation: 'StopNotebookInstance',
      kind: 'accessDenied',
    });
    const { report } = await world.guardrails().handle(event);
    expect(statuses(report)).toEqual({ tag: 'done', stop: 'failed:AccessDeniedException', notify: 'done' });
    expect(world.emulator.inspect.notebookInstance('nb-denied', REGION)?.status).toBe('InService');
    const [message] = world.emulator.published;
    expect(message?.subject).toMatch(/^\[sm-guardrails\] ACTION FAILED notebook nb-denied /);
    expect(message?.message).toMatch(
      /- stop: failed \(sagemaker:StopNotebookInstance failed: AccessDeniedException: .*\) error AccessDeniedException/,
    );
  });

  it('a Pending notebook: the stop is deferred, then done once InService', async () => {
    const event = seedOpenNotebook('nb-pending', 'Pending');
    const guardrails = world.guardrails();
    const first = await guardrails.handle(event);
    expect(statuses(first.report)).toEqual({ tag: 'done', stop: 'deferred', notify: 'done' });
    expect(world.callNames()).not.toContain('sagemaker:StopNotebookInstance');
    world.emulator.advanceNotebook('nb-pending', REGION);
    const second = await guardrails.handle({
      version: '0',
      id: crypto.randomUUID(),
      'detail-type': 'SageMaker Notebook Instance State Change',
      source: 'aws.sagemaker',
      account: '111122223333',
      time: '2026-05-04T10:05:00Z',
      region: REGION,
      resources: [],
      detail: {
        NotebookInstanceArn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-pending',
        NotebookInstanceName: 'nb-pending',
        NotebookInstanceStatus: 'InService',
        DirectInternetAccess: 'Enabled',
        Tags: { project: 'churn' },
      },
    });
    expect(statuses(second.report)).toEqual({ tag: 'skipped', stop: 'done', notify: 'done' });
    expect(world.emulator.inspect.notebookInstance('nb-pending', REGION)?.status).toBe('Stopping');
    expect(world.emulator.published.map((m) => m.subject?.split(' ')[1])).toEqual(['STOP', 'STOPPED']);
  });

  it('the resource deleted between event and check: skipped, nothing written or sent', async () => {
    const event = createNotebookEvent('nb-gone');
    const { report } = await world.guardrails().handle(event);
    expect(report).toMatchObject({ verdict: 'skipped', reason: 'resource no longer exists', actions: [] });
    // ListTags runs alongside Describe (the ARN is in the event): both find nothing.
    expect(world.callNames().sort()).toEqual(['sagemaker:DescribeNotebookInstance', 'sagemaker:ListTags']);
  });

  it('SNS failing: the actions are done, the notification failure is reported', async () => {
    const event = seedOpenNotebook('nb-sns');
    world.emulator.injectFault({ service: 'sns', operation: 'Publish', kind: 'accessDenied' });
    const { report } = await world.guardrails().handle(event);
    expect(statuses(report)).toEqual({
      tag: 'done',
      stop: 'done',
      notify: 'failed:AuthorizationErrorException',
    });
    expect(report.notifications?.[0]).toMatchObject({
      status: 'failed',
      error: 'AuthorizationErrorException',
    });
    expect(world.emulator.published).toHaveLength(0);
  });
});

describe('redelivery and loops', () => {
  it('the same event twice to one container: one notification, no repeated action', async () => {
    const event = seedOpenNotebook('nb-twice');
    const guardrails = world.guardrails();
    await guardrails.handle(event);
    world.emulator.clearCalls();
    const again = await guardrails.handle(event);
    expect(again.report).toMatchObject({
      verdict: 'skipped',
      reason: expect.stringMatching(/^duplicate delivery/),
    });
    expect(
      world.callNames().filter((c) => !c.startsWith('sagemaker:Describe') && c !== 'sagemaker:ListTags'),
    ).toEqual([]);
    expect(world.emulator.published).toHaveLength(1);
  });

  it('the same event to another container: the live state shows the work done, nothing is repeated', async () => {
    const event = seedOpenNotebook('nb-twice-2');
    await world.guardrails().handle(event);
    world.emulator.advanceNotebook('nb-twice-2', REGION); // Stopping -> Stopped
    world.emulator.clearCalls();
    const again = await world.guardrails().handle(event);
    expect(statuses(again.report)).toEqual({ tag: 'skipped', notify: 'skipped' });
    expect(world.callNames().sort()).toEqual(['sagemaker:DescribeNotebookInstance', 'sagemaker:ListTags']);
    expect(world.emulator.published).toHaveLength(1);
  });

  it("the guardrails' own AddTags: skipped without a single AWS call", async () => {
    const { sampleEvent } = await import('../support/live.ts');
    const { report } = await world
      .guardrails()
      .handle(sampleEvent('not-for-guardrails/guardrails-own-add-tags.json'));
    expect(report.verdict).toBe('skipped');
    expect(report.reason).toMatch(/ignored principal/);
    expect(world.emulator.calls).toEqual([]);
  });

  it('a user who restarts a quarantined notebook gets it stopped again, and is told', async () => {
    const event = seedOpenNotebook('nb-restart');
    const guardrails = world.guardrails();
    await guardrails.handle(event);
    world.emulator.advanceNotebook('nb-restart', REGION); // Stopped
    // The user starts it again: Pending, then InService.
    const { SageMakerClient, StartNotebookInstanceCommand } = await import('@aws-sdk/client-sagemaker');
    const user = new SageMakerClient({
      endpoint: world.emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'u', secretAccessKey: 'u' },
    });
    await user.send(new StartNotebookInstanceCommand({ NotebookInstanceName: 'nb-restart' }));
    world.emulator.advanceNotebook('nb-restart', REGION); // InService
    const start = createNotebookEvent('nb-restart');
    const detail = start.detail as Record<string, unknown>;
    detail.eventName = 'StartNotebookInstance';
    detail.requestParameters = { notebookInstanceName: 'nb-restart' };
    detail.responseElements = null;
    const { report } = await guardrails.handle(start);
    expect(statuses(report)).toEqual({ tag: 'skipped', stop: 'done', notify: 'done' });
    expect(world.emulator.published.at(-1)?.subject).toMatch(
      /^\[sm-guardrails\] STOPPED notebook nb-restart /,
    );
    expect(world.emulator.published.at(-1)?.message).toContain(
      'The notebook was started again while quarantined: the guardrails stopped it again.',
    );
    // The first notification, for the creation, says nothing of a restart.
    expect(world.emulator.published[0]?.message).not.toContain('started again');
  });
});

describe('cost and modes', () => {
  it('a compliant notebook event on a warm container: 2 SageMaker reads, no writes', async () => {
    seedCompliantNotebook(world.emulator, 'nb-ok');
    const guardrails = world.guardrails();
    const event = createNotebookEvent('nb-ok');
    await guardrails.handle(event); // warms the KMS key cache
    world.emulator.clearCalls();
    const { report } = await guardrails.handle(createNotebookEvent('nb-ok'));
    expect(report.verdict).toBe('compliant');
    expect(world.callNames().sort()).toEqual(['sagemaker:DescribeNotebookInstance', 'sagemaker:ListTags']);
  });

  it('report mode changes nothing and tells the admins what would have been done', async () => {
    const event = seedOpenNotebook('nb-report');
    const { report } = await world.guardrails({ policyText: { mode: 'report' } }).handle(event);
    expect(statuses(report)).toEqual({ tag: 'skipped', stop: 'skipped', notify: 'done' });
    expect(report.actions.find((a) => a.type === 'stop')?.detail).toBe(
      'report mode: would stop the notebook instance',
    );
    expect(world.callNames().filter((c) => /AddTags|DeleteTags|Stop/.test(c))).toEqual([]);
    expect(world.emulator.inspect.notebookInstance('nb-report', REGION)?.status).toBe('InService');
    expect(world.emulator.published[0]?.subject).toMatch(/^\[sm-guardrails\] WOULD STOP notebook nb-report /);
    expect(world.emulator.published[0]?.message).toContain('report mode: nothing was changed');
  });

  it('dry run reads only', async () => {
    const event = seedOpenNotebook('nb-dry');
    const { report } = await world.guardrails({ dryRun: true }).handle(event);
    expect(report.verdict).toBe('noncompliant');
    expect(world.callNames().every((c) => /Describe|List/.test(c))).toBe(true);
    expect(report.notifications?.[0]?.status).toBe('planned');
  });
});
