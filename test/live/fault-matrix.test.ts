// The live path through the real SDK against the emulator: each case asserts the end state, the exact AWS calls
// and what the admins were told.
import { beforeEach, describe, expect, it } from 'vitest';
import { sendDelayedMessage } from '#core/aws/sqs';
import type { DeliveryStore } from '#core/delivery';
import type { Guardrails } from '#core/guardrails';
import { type RecheckRequest, recheckEvent } from '#core/recheck';
import type { EventReport } from '#core/report';
import type { ServiceName } from '#emulator/index';
import { dynamoDeliveryStore } from '#store/delivery';
import { createStoreClient, ensureTable } from '#store/table';
import { deliverLikeLambda } from '../../cli/delivery.ts';
import {
  createNotebookEvent,
  type LiveWorld,
  REGION,
  sampleEvent,
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
        'quarantined: notebook-direct-internet-access notebook-imdsv2 notebook-kms-key notebook-root-access notebook-vpc',
    });
    expect(world.emulator.published).toHaveLength(1);
    const subject = world.emulator.published[0]?.subject ?? '';
    expect(subject).toBe(
      '[sm-guardrails] STOPPED notebook nb-open in 111122223333/us-east-1: direct internet acc... (+4 more)',
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

  it('the same event to another container: no AWS write is repeated; the tags never decide the notification', async () => {
    const event = seedOpenNotebook('nb-twice-2');
    await world.guardrails().handle(event);
    world.emulator.advanceNotebook('nb-twice-2', REGION); // Stopping -> Stopped
    world.emulator.clearCalls();
    const again = await world.guardrails().handle(event);
    // A status tag "already in place" is user-writable, so it cannot silence the alert; dropping a redelivery
    // before it gets here is the idempotency store's job, not the tags'.
    expect(statuses(again.report)).toEqual({ tag: 'skipped', notify: 'done' });
    expect(world.callNames().sort()).toEqual([
      'sagemaker:DescribeNotebookInstance',
      'sagemaker:ListTags',
      'sns:Publish',
    ]);
  });

  it("the guardrails' own AddTags (their exact role ARN): skipped without a single AWS call", async () => {
    const { sampleEvent } = await import('../support/live.ts');
    const { report } = await world
      .guardrails({ ownRoleArns: ['arn:aws:iam::111122223333:role/sm-guardrails-tagging'] })
      .handle(sampleEvent('attacks/02-lookalike-role/writes-status-tag.json'));
    expect(report.verdict).toBe('skipped');
    expect(report.reason).toMatch(/the guardrails' own role/);
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

// ---------------------------------------------------------------------------------------------------------
// Delivery guarantees under faults: the Lambda path with its DynamoDB records (dynalite behind the emulator),
// Lambda's retries (deliverLikeLambda) and, where it matters, two containers. For every case: no lost action,
// no duplicate action, at most one alert for the event, and an alert that says what happened.

const TABLE = 'sm-guardrails-test-records';
const CALLER = { accessKeyId: 'test', secretAccessKey: 'test' };

async function lambdaWorld() {
  const client = createStoreClient({
    endpoint: world.emulator.endpoint,
    region: REGION,
    credentials: CALLER,
  });
  await ensureTable(client, TABLE);
  const queueUrl = world.emulator.seed.queue('sm-guardrails-recheck', REGION);
  return {
    /** A container: its own clients and memory; the account, the queue and the records are shared. */
    container(
      overrides: { store?: (real: DeliveryStore) => DeliveryStore; budgetMs?: number } = {},
    ): Guardrails {
      const real = dynamoDeliveryStore(
        createStoreClient({ endpoint: world.emulator.endpoint, region: REGION, credentials: CALLER }),
        TABLE,
      );
      const guardrails = world.guardrails({
        delivery: overrides.store ? overrides.store(real) : real,
        ...(overrides.budgetMs ? { invocationBudgetMs: overrides.budgetMs } : {}),
      });
      guardrails.options.scheduleRecheck = async (request, delay) => {
        await sendDelayedMessage(guardrails.options.clients.homeClients.sqs, queueUrl, request, delay);
      };
      return guardrails;
    },
  };
}

/** Successful calls of one operation (a call that failed did nothing). */
const done = (operation: string) =>
  world.emulator.calls.filter((c) => c.operation === operation && c.status === 200).length;

interface Expected {
  /** The notebook's status at the end. */
  status: string;
  /** The status tag written (once). */
  tagged: boolean;
  /** The one alert's subject, or none. */
  alert?: RegExp;
  /** Text the alert's body must hold (the AWS error it reports). */
  alertSays?: string;
  attempts?: number;
  deadLettered?: boolean;
}

function expectGuarantees(name: string, reports: EventReport[], expected: Expected) {
  const nb = world.emulator.inspect.notebookInstance(name, REGION);
  // Nothing lost: the end state is what the plan asked for, or the report says why not.
  expect(nb?.status).toBe(expected.status);
  const tagged = nb?.tags.some((t) => t.Key === 'guardrails:status') ?? false;
  expect(tagged).toBe(expected.tagged);
  // Nothing twice.
  expect(done('AddTags')).toBeLessThanOrEqual(1);
  expect(done('StopNotebookInstance')).toBeLessThanOrEqual(1);
  expect(done('SendMessage')).toBeLessThanOrEqual(1);
  // At most one alert for the event, and a truthful one.
  expect(world.emulator.published.length).toBe(expected.alert ? 1 : 0);
  if (expected.alert) expect(world.emulator.published[0]?.subject).toMatch(expected.alert);
  if (expected.alertSays) expect(world.emulator.published[0]?.message).toContain(expected.alertSays);
  const last = reports.at(-1);
  expect(last?.attempts ?? 1).toBe(expected.attempts ?? 1);
  expect(last?.deadLettered ?? false).toBe(expected.deadLettered ?? false);
}

type FaultKind = 'throttle' | 'internal' | 'accessDenied';
// Transient faults outlast the SDK's 3 attempts once: the first invocation fails, Lambda's retry succeeds.
const fault = (service: ServiceName, operation: string, kind: FaultKind) =>
  world.emulator.injectFault({ service, operation, kind, ...(kind === 'accessDenied' ? {} : { times: 3 }) });

/** The container dies as it publishes its alert (after its writes): the call never leaves, nothing returns. */
function diesAtTheAlert(guardrails: Guardrails): Guardrails {
  const sns = guardrails.options.clients.for({
    partition: 'aws',
    account: '111122223333',
    region: REGION,
  }).sns;
  sns.middlewareStack.add(() => () => new Promise<never>(() => {}), {
    step: 'initialize',
    name: 'containerDied',
  });
  return guardrails;
}

/** A user profile created without the tag the guardrails derive from its name: their AddTags repairs it. */
function profileMissingDerivedTag() {
  world.emulator.seed.userProfile({ domainId: 'd-1', name: 'mallory', region: REGION });
  const event = sampleEvent('studio/create-user-profile-missing-studiouserid.json');
  const detail = event.detail as { requestParameters: Record<string, unknown> };
  detail.requestParameters.domainId = 'd-1';
  detail.requestParameters.userProfileName = 'mallory';
  delete (detail as { responseElements?: unknown }).responseElements;
  return event;
}

const STOPPED = /^\[sm-guardrails\] STOPPED notebook nb /;
const FAILED = /^\[sm-guardrails\] ACTION FAILED notebook nb /;
const UNVERIFIED = /^\[sm-guardrails\] UNVERIFIED notebook nb /;
const transientOk: Expected = { status: 'Stopping', tagged: true, alert: STOPPED, attempts: 2 };

describe('delivery guarantees: every write and read x throttling, 5xx, access denied', () => {
  const cases: Array<[string, ServiceName, string, FaultKind, Expected]> = [
    ['AddTags', 'sagemaker', 'AddTags', 'throttle', transientOk],
    ['AddTags', 'sagemaker', 'AddTags', 'internal', transientOk],
    [
      'AddTags',
      'sagemaker',
      'AddTags',
      'accessDenied',
      { status: 'Stopping', tagged: false, alert: STOPPED, alertSays: 'tag: failed' },
    ],
    ['StopNotebookInstance', 'sagemaker', 'StopNotebookInstance', 'throttle', transientOk],
    ['StopNotebookInstance', 'sagemaker', 'StopNotebookInstance', 'internal', transientOk],
    [
      'StopNotebookInstance',
      'sagemaker',
      'StopNotebookInstance',
      'accessDenied',
      { status: 'InService', tagged: true, alert: FAILED, alertSays: 'stop: failed' },
    ],
    ['Publish', 'sns', 'Publish', 'throttle', transientOk],
    ['Publish', 'sns', 'Publish', 'internal', transientOk],
    // No alert can get through: the report and the failed-actions metric (alarm) say so.
    ['Publish', 'sns', 'Publish', 'accessDenied', { status: 'Stopping', tagged: true }],
    ['DescribeNotebookInstance', 'sagemaker', 'DescribeNotebookInstance', 'throttle', transientOk],
    ['DescribeNotebookInstance', 'sagemaker', 'DescribeNotebookInstance', 'internal', transientOk],
    [
      'DescribeNotebookInstance',
      'sagemaker',
      'DescribeNotebookInstance',
      'accessDenied',
      {
        status: 'InService',
        tagged: false,
        alert: UNVERIFIED,
        alertSays: 'sagemaker:DescribeNotebookInstance failed: AccessDeniedException',
        attempts: 3,
        deadLettered: true,
      },
    ],
    ['ListTags', 'sagemaker', 'ListTags', 'throttle', transientOk],
    ['ListTags', 'sagemaker', 'ListTags', 'internal', transientOk],
    [
      'ListTags',
      'sagemaker',
      'ListTags',
      'accessDenied',
      {
        status: 'InService',
        tagged: false,
        alert: UNVERIFIED,
        alertSays: 'sagemaker:ListTags failed: AccessDeniedException',
        attempts: 3,
        deadLettered: true,
      },
    ],
    ['UpdateItem (the lock, then the record)', 'dynamodb', 'UpdateItem', 'throttle', transientOk],
    ['UpdateItem (the lock, then the record)', 'dynamodb', 'UpdateItem', 'internal', transientOk],
    // Nothing can be locked, so nothing is done: the event is dead-lettered (alarm) and redriven later.
    [
      'UpdateItem (the lock, then the record)',
      'dynamodb',
      'UpdateItem',
      'accessDenied',
      { status: 'InService', tagged: false, attempts: 3, deadLettered: true },
    ],
  ];
  it.each(cases)('%s: %s %s %s', async (_label, service, operation, kind, expected) => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    fault(service, operation, kind);
    const reports = await deliverLikeLambda([lambda.container()], event);
    expectGuarantees('nb', reports, expected);
  });

  it.each<FaultKind>(['throttle', 'internal', 'accessDenied'])('kms:DescribeKey %s', async (kind) => {
    const lambda = await lambdaWorld();
    const keyArn = world.emulator.seed.kmsKey({ region: REGION });
    world.emulator.seed.notebookInstance({
      name: 'nb',
      region: REGION,
      status: 'InService',
      kmsKeyId: keyArn,
      tags: [{ Key: 'project', Value: 'churn' }],
    });
    fault('kms', 'DescribeKey', kind);
    const reports = await deliverLikeLambda([lambda.container()], createNotebookEvent('nb'));
    // Denied: the key rule is unverifiable (reported as such, never compliant); the other violations are acted on.
    expectGuarantees('nb', reports, kind === 'accessDenied' ? { ...transientOk, attempts: 1 } : transientOk);
    if (kind === 'accessDenied')
      expect(reports[0]?.unverifiable.map((u) => u.rule)).toContain('notebook-kms-key');
  });

  it.each<FaultKind>(['throttle', 'internal', 'accessDenied'])(
    'iam:ListRoleTags %s while deriving a missing tag',
    async (kind) => {
      const lambda = await lambdaWorld();
      world.emulator.seed.role({ name: 'DataScientist', tags: [{ Key: 'project', Value: 'churn' }] });
      world.emulator.seed.notebookInstance({ name: 'nb', region: REGION, status: 'InService' });
      fault('iam', 'ListRoleTags', kind);
      const reports = await deliverLikeLambda([lambda.container()], createNotebookEvent('nb'));
      if (kind !== 'accessDenied') {
        expectGuarantees('nb', reports, transientOk);
        expect(world.emulator.inspect.notebookInstance('nb', REGION)?.tags).toContainEqual({
          Key: 'project',
          Value: 'churn',
        });
        return;
      }
      expectGuarantees('nb', reports, {
        status: 'InService',
        tagged: false,
        alert: UNVERIFIED,
        alertSays: 'iam:ListRoleTags failed: AccessDenied',
        attempts: 3,
        deadLettered: true,
      });
    },
  );

  it.each<FaultKind>(['throttle', 'internal', 'accessDenied'])(
    'sqs:SendMessage %s for the re-check of a Pending notebook',
    async (kind) => {
      const lambda = await lambdaWorld();
      const event = seedOpenNotebook('nb', 'Pending');
      fault('sqs', 'SendMessage', kind);
      const reports = await deliverLikeLambda([lambda.container()], event);
      if (kind !== 'accessDenied') {
        expectGuarantees('nb', reports, {
          status: 'Pending',
          tagged: true,
          alert: /^\[sm-guardrails\] STOP PENDING notebook nb /,
          attempts: 2,
        });
        expect(world.emulator.sqsMessages).toHaveLength(1);
        return;
      }
      expectGuarantees('nb', reports, {
        status: 'Pending',
        tagged: true,
        alert: FAILED,
        alertSays: 'the re-check could not be queued',
      });
    },
  );

  it.each<FaultKind>(['throttle', 'internal', 'accessDenied'])(
    'sagemaker:DeleteTags %s clearing the status tag of a notebook made compliant',
    async (kind) => {
      const lambda = await lambdaWorld();
      seedCompliantNotebook(world.emulator, 'nb', {
        tags: [
          { Key: 'project', Value: 'churn' },
          { Key: 'guardrails:status', Value: 'noncompliant: required-tags' },
        ],
      });
      fault('sagemaker', 'DeleteTags', kind);
      const reports = await deliverLikeLambda([lambda.container()], createNotebookEvent('nb'));
      const removed = done('DeleteTags');
      expect(removed).toBe(kind === 'accessDenied' ? 0 : 1);
      expect(reports.at(-1)?.attempts ?? 1).toBe(kind === 'accessDenied' ? 1 : 2);
      expect(reports.at(-1)?.actions.map((a) => a.status)).toEqual([
        kind === 'accessDenied' ? 'failed' : 'done',
      ]);
      expect(world.emulator.published).toHaveLength(0);
    },
  );
});

describe('delivery guarantees: SNS down, deletions, Pending then Failed, duplicates, crashes', () => {
  it('SNS down for good: the actions are done once, the event is dead-lettered, never silently dropped', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    world.emulator.injectFault({ service: 'sns', operation: 'Publish', kind: 'throttle', times: 1000 });
    const reports = await deliverLikeLambda([lambda.container()], event);
    expectGuarantees('nb', reports, { status: 'Stopping', tagged: true, attempts: 3, deadLettered: true });
    expect(reports[0]?.retried).toEqual([
      'sns:Publish failed: Throttling: Rate exceeded',
      'sns:Publish failed: Throttling: Rate exceeded',
    ]);
    // SNS back: the redrive (same event) sends the one alert, and repeats nothing.
    world.emulator.clearFaults();
    const redriven = await deliverLikeLambda([lambda.container()], event);
    expectGuarantees('nb', redriven, { status: 'Stopping', tagged: true, alert: STOPPED });
    expect(world.emulator.published[0]?.message).toContain('- stop: done');
  });

  it('the notebook deleted between the read and the stop: no action on a ghost, no alert', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    world.emulator.injectFault({
      service: 'sagemaker',
      operation: 'ListTags',
      kind: 'latency',
      latencyMs: 300,
    });
    setTimeout(() => world.emulator.deleteNotebook('nb', REGION), 100);
    const reports = await deliverLikeLambda([lambda.container()], event);
    expect(reports[0]).toMatchObject({ verdict: 'skipped', reason: 'resource no longer exists' });
    expect(done('AddTags') + done('StopNotebookInstance')).toBe(0);
    expect(world.emulator.published).toHaveLength(0);
  });

  it('the notebook deleted just before the stop: the stop is reported skipped, the alert says so', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    world.emulator.injectFault({
      service: 'sagemaker',
      operation: 'StopNotebookInstance',
      kind: 'latency',
      latencyMs: 300,
    });
    setTimeout(() => world.emulator.deleteNotebook('nb', REGION), 100);
    const reports = await deliverLikeLambda([lambda.container()], event);
    expect(reports[0]?.actions.find((a) => a.type === 'stop')).toMatchObject({
      status: 'skipped',
      detail: 'the notebook was deleted',
    });
    expect(world.emulator.published).toHaveLength(1);
    expect(world.emulator.published[0]?.message).toContain('- stop: skipped (the notebook was deleted)');
  });

  it('Pending, then Failed: STOP PENDING, then NOT STOPPED once, the re-check chain ends', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb', 'Pending');
    const guardrails = lambda.container();
    await deliverLikeLambda([guardrails], event);
    world.emulator.failNotebook('nb', REGION);
    const request = JSON.parse(world.emulator.sqsMessages[0]?.body ?? '{}') as RecheckRequest;
    // The re-check delivered twice (SQS is at least once), to two containers at once.
    await deliverLikeLambda([guardrails, lambda.container()], recheckEvent(request, new Date()), {
      numbered: true,
      handle: { recheck: request },
    });
    expect(world.emulator.published.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^\[sm-guardrails\] STOP PENDING notebook nb /),
      '[sm-guardrails] NOT STOPPED notebook nb in 111122223333/us-east-1: Failed',
    ]);
    expect(world.emulator.sqsMessages).toHaveLength(1);
  });

  it('the same event twice, one after the other, to two containers: nothing repeated', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    await deliverLikeLambda([lambda.container()], event);
    const again = await deliverLikeLambda([lambda.container()], event);
    expect(again[0]).toMatchObject({
      verdict: 'skipped',
      reason: expect.stringMatching(/^duplicate delivery/),
    });
    expectGuarantees('nb', again, { status: 'Stopping', tagged: true, alert: STOPPED });
  });

  it('the same event to two containers at once: one does the work, the other is retried and repeats nothing', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    const reports = await deliverLikeLambda([lambda.container(), lambda.container()], event, {
      numbered: true,
    });
    expect(done('AddTags')).toBe(1);
    expect(done('StopNotebookInstance')).toBe(1);
    expect(world.emulator.published).toHaveLength(1);
    expect(reports.map((r) => r.verdict).sort()).toEqual(['noncompliant', 'skipped']);
    expect(reports.find((r) => r.verdict === 'skipped')?.reason).toMatch(/^duplicate delivery/);
  });

  it("a crash between the completion record and the alert: a redelivery does nothing, Lambda's retry sends it", async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    // The container dies once its writes are done, as it publishes the alert (the completion record goes out
    // alongside the alert and lands): the invocation never returns.
    void diesAtTheAlert(lambda.container({ budgetMs: 300 })).handle(event, { requestId: 'invocation-1' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(done('AddTags')).toBe(1);
    expect(done('StopNotebookInstance')).toBe(1);
    expect(world.emulator.published).toHaveLength(0);
    // EventBridge's second delivery (another request id): recorded completed, nothing done again.
    const redelivered = await deliverLikeLambda([lambda.container()], event);
    expect(redelivered[0]?.reason).toMatch(/^duplicate delivery/);
    expect(world.emulator.published).toHaveLength(0);
    // Lambda's retry of the dead invocation (the same request id): its alert may not have gone out, so it is
    // sent, from what the completion recorded; no write is repeated.
    const retried = await deliverLikeLambda([lambda.container()], event, {
      handle: { requestId: 'invocation-1' },
    });
    expect(retried[0]?.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
      'tag:done',
      'stop:done',
      'notify:done',
    ]);
    expectGuarantees('nb', retried, { status: 'Stopping', tagged: true, alert: STOPPED });
    // A later redelivery (another request id) does nothing.
    const again = await deliverLikeLambda([lambda.container()], event);
    expect(again[0]?.reason).toMatch(/^duplicate delivery/);
    expect(world.emulator.published).toHaveLength(1);
  });

  it('a crash between the completion record and the alert, the retries exhausted: the redrive sends it', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    void diesAtTheAlert(lambda.container({ budgetMs: 300 })).handle(event, { requestId: 'invocation-1' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const redriven = await lambda.container().handle(event, { redrive: true });
    expect(redriven.report.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
      'tag:done',
      'stop:done',
      'notify:done',
    ]);
    expect(done('AddTags') + done('StopNotebookInstance')).toBe(2);
    expect(world.emulator.published).toHaveLength(1);
  });

  it('a crash after the alert, before the completion record: the retry repeats no write', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    const diesBeforeCompleting = (real: DeliveryStore): DeliveryStore => ({
      claim: (id, leaseMs, owner) => real.claim(id, leaseMs, owner),
      record: (id, entries, standing, owner) =>
        standing === 'completed' ? new Promise(() => {}) : real.record(id, entries, standing, owner),
    });
    void lambda
      .container({ store: diesBeforeCompleting, budgetMs: 300 })
      .handle(event, { requestId: 'invocation-1' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(world.emulator.published).toHaveLength(1);
    const reports = await deliverLikeLambda([lambda.container()], event, {
      handle: { requestId: 'invocation-1' },
    });
    expect(done('AddTags')).toBe(1);
    expect(done('StopNotebookInstance')).toBe(1);
    expect(reports[0]?.actions.map((a) => `${a.type}:${a.status}`)).toEqual(['tag:skipped', 'notify:done']);
    // The documented limit (docs/security.md): the alert may come twice after a crash, never not at all.
    expect(world.emulator.published).toHaveLength(2);
    expect(world.emulator.published[1]?.message).toContain('An earlier attempt at this event died');
    // Completed now: a later redelivery does nothing.
    const again = await deliverLikeLambda([lambda.container()], event);
    expect(again[0]?.reason).toMatch(/^duplicate delivery/);
    expect(world.emulator.published).toHaveLength(2);
  });

  it('a crash after a derived tag was written, the completion recorded: the retry sends its alert', async () => {
    const lambda = await lambdaWorld();
    const event = profileMissingDerivedTag();
    void diesAtTheAlert(lambda.container({ budgetMs: 300 })).handle(event, { requestId: 'invocation-1' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(done('AddTags')).toBe(1);
    expect(world.emulator.published).toHaveLength(0);
    // The profile looks compliant now (its tag was derived and written): the completion record's plan decides.
    const reports = await deliverLikeLambda([lambda.container()], event, {
      handle: { requestId: 'invocation-1' },
    });
    expect(reports[0]?.verdict).toBe('noncompliant');
    expect(done('AddTags')).toBe(1);
    expect(world.emulator.published).toHaveLength(1);
  });

  it('a crash after a derived tag was written, nothing recorded: a redelivery finds it compliant, the retry alerts', async () => {
    const lambda = await lambdaWorld();
    const event = profileMissingDerivedTag();
    // The container dies as it publishes, and its completion record never reaches DynamoDB.
    const recordsNothing = (real: DeliveryStore): DeliveryStore => ({
      claim: (id, leaseMs, owner) => real.claim(id, leaseMs, owner),
      record: () => new Promise(() => {}),
    });
    void diesAtTheAlert(lambda.container({ store: recordsNothing, budgetMs: 300 })).handle(event, {
      requestId: 'invocation-1',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(done('AddTags')).toBe(1);
    expect(world.emulator.published).toHaveLength(0);
    // EventBridge's second delivery takes the expired lease over and judges afresh: compliant, by the dead
    // attempt's own tag (the documented limit: only the dead invocation's own retries know).
    const redelivered = await lambda.container({ budgetMs: 300 }).handle(event, { requestId: 'delivery-2' });
    expect(redelivered.report.verdict).toBe('compliant');
    expect(world.emulator.published).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Lambda's retry of the dead invocation finds its own claim that recorded nothing: interrupted, told.
    const reports = await deliverLikeLambda([lambda.container()], event, {
      handle: { requestId: 'invocation-1' },
    });
    expect(reports[0]?.deadLettered ?? false).toBe(false);
    expect(done('AddTags')).toBe(1);
    expect(world.emulator.published).toHaveLength(1);
    expect(world.emulator.published[0]?.subject).toMatch(
      /^\[sm-guardrails\] INTERRUPTED user profile mallory /,
    );
    expect(world.emulator.published[0]?.message).toContain('An earlier attempt at this event died');
    // Recorded completed: a later redelivery does nothing.
    const again = await deliverLikeLambda([lambda.container()], event);
    expect(again[0]?.reason).toMatch(/^duplicate delivery/);
    expect(world.emulator.published).toHaveLength(1);
  });

  it('DynamoDB failing on the lock: nothing is done, the event is retried and then handled once', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    // Outlasts the store client's 3 attempts once.
    world.emulator.injectFault({ service: 'dynamodb', operation: 'UpdateItem', kind: 'internal', times: 3 });
    const reports = await deliverLikeLambda([lambda.container()], event);
    expectGuarantees('nb', reports, { status: 'Stopping', tagged: true, alert: STOPPED, attempts: 2 });
  });

  it('a lease held by another delivery: a delivery with work to do is retried, one with none returns', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    // A delivery that took the event and is still at it (its lease is the default minute).
    const holder = dynamoDeliveryStore(
      createStoreClient({ endpoint: world.emulator.endpoint, region: REGION, credentials: CALLER }),
      TABLE,
    );
    const eventId = (event.detail as { eventID: string }).eventID;
    expect((await holder.claim(eventId, 60_000)).state).toBe('claimed');
    const refused = await lambda.container().handle(event);
    expect(refused.retry).toBe(true);
    expect(refused.report.reason).toMatch(/another delivery of event .* is being handled/);
    expect(done('AddTags') + done('StopNotebookInstance') + world.emulator.published.length).toBe(0);
    // The same for a compliant notebook: nothing to add to what the holder does, no retry.
    seedCompliantNotebook(world.emulator, 'nb-ok');
    const ok = createNotebookEvent('nb-ok');
    await holder.claim((ok.detail as { eventID: string }).eventID, 60_000);
    const handled = await lambda.container().handle(ok);
    expect(handled.retry ?? false).toBe(false);
    expect(handled.report.verdict).toBe('compliant');
  });

  it('a retry after the tags were written still sends the alert (the resource looks compliant now)', async () => {
    const lambda = await lambdaWorld();
    const event = profileMissingDerivedTag();
    world.emulator.injectFault({ service: 'sns', operation: 'Publish', kind: 'throttle', times: 3 });
    const reports = await deliverLikeLambda([lambda.container()], event);
    expect(reports[0]?.attempts).toBe(2);
    expect(done('AddTags')).toBe(1);
    expect(world.emulator.published).toHaveLength(1);
    expect(world.emulator.published[0]?.message).toContain('- tag: done');
  });

  it('a reporting-only field of an unexpected type: warned, and the event is still enforced', async () => {
    const lambda = await lambdaWorld();
    const event = seedOpenNotebook('nb');
    const identity = (
      event.detail as { userIdentity: { sessionContext: { attributes: Record<string, unknown> } } }
    ).userIdentity;
    identity.sessionContext.attributes.mfaAuthenticated = true;
    (event.detail as { requestParameters: Record<string, unknown> }).requestParameters.securityGroupIds =
      null;
    const reports = await deliverLikeLambda([lambda.container()], event);
    expect(reports[0]?.warnings).toHaveLength(2);
    expectGuarantees('nb', reports, { status: 'Stopping', tagged: true, alert: STOPPED });
  });
});
