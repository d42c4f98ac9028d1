// Concurrency pinned without timing: the emulator holds calls that should run together until all of them have
// arrived. A caller that sends them together is answered at once; one that awaits one before sending the next is
// answered only after the hold's timeout, and its calls come out sequential in the round-trip count. So a test
// here fails if, say, ListTags waits for Describe again.
import { DescribeNotebookInstanceCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '#cli/simulation';
import { createAwsClients } from '#core/aws/clients';
import { readResourceState } from '#core/aws/sagemaker';
import { sendDelayedMessage } from '#core/aws/sqs';
import { type Emulator, sequentialRoundTrips } from '#emulator/index';
import { dynamoDeliveryStore } from '#store/delivery';
import { createStoreClient, ensureTable } from '#store/table';
import {
  ACCOUNT,
  createNotebookEvent,
  REGION,
  sampleEvent,
  seedCompliantNotebook,
  useFreshWorldPerTest,
} from '../support/live.ts';

const world = useFreshWorldPerTest();
/** Short enough that a sequential caller costs a test little, long enough to never release a concurrent one. */
const HOLD_MS = 1_500;

const interval = (startedMs: number, endedMs: number) => ({ startedMs, endedMs });

describe('sequentialRoundTrips: the longest chain of calls each started after the previous one ended', () => {
  it.each([
    ['no calls', [], 0],
    ['one call', [interval(0, 20)], 1],
    ['two overlapping calls', [interval(0, 20), interval(1, 21)], 1],
    ['one after the other', [interval(0, 20), interval(21, 41)], 2],
    ['a call starting exactly when the other ended follows it', [interval(0, 20), interval(20, 40)], 2],
    [
      'two together, then one, then two together',
      [interval(0, 20), interval(1, 22), interval(23, 43), interval(44, 64), interval(45, 65)],
      3,
    ],
    [
      'a long call alongside a chain of three: the chain decides',
      [interval(0, 100), interval(1, 20), interval(21, 40), interval(41, 60)],
      3,
    ],
    ['input order does not matter', [interval(21, 41), interval(0, 20)], 2],
  ])('%s', (_name, calls, expected) => {
    expect(sequentialRoundTrips(calls)).toBe(expected);
  });
});

describe('the emulator counts round trips as a caller sees them', () => {
  const clientOf = (emulator: Emulator) =>
    new SageMakerClient({
      endpoint: emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });

  it('two calls sent together are one round trip; the same two awaited one by one are two', async () => {
    const { emulator } = world();
    const arn = emulator.seed.notebookInstance({ name: 'nb', region: REGION });
    const client = clientOf(emulator);
    const describeNb = () => client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));
    const listTags = () => client.send(new ListTagsCommand({ ResourceArn: arn }));
    try {
      emulator.hold({ together: ['DescribeNotebookInstance', 'ListTags'], timeoutMs: HOLD_MS });
      await Promise.all([describeNb(), listTags()]);
      expect(emulator.roundTrips()).toBe(1);

      emulator.clearCalls();
      emulator.clearFaults();
      emulator.hold({ together: ['DescribeNotebookInstance', 'ListTags'], timeoutMs: 50 });
      await describeNb();
      await listTags();
      expect(emulator.calls.map((c) => c.operation)).toEqual(['DescribeNotebookInstance', 'ListTags']);
      expect(emulator.roundTrips()).toBe(2);
    } finally {
      client.destroy();
    }
  });

  it('injected latency delays every call by at least that much', async () => {
    const { emulator } = world();
    emulator.seed.notebookInstance({ name: 'nb', region: REGION });
    emulator.setLatency(30);
    const client = clientOf(emulator);
    try {
      await client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));
    } finally {
      client.destroy();
    }
    const [call] = emulator.calls;
    expect((call?.endedMs ?? 0) - (call?.startedMs ?? 0)).toBeGreaterThanOrEqual(29);
  });
});

describe('the resource read: Describe and ListTags together', () => {
  const aws = () =>
    createAwsClients({
      endpoint: world().emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });

  it.each([
    ['notebook instance', 'DescribeNotebookInstance'],
    ['user profile', 'DescribeUserProfile'],
    ['domain', 'DescribeDomain'],
  ])('%s: ListTags does not wait for %s', async (type, describeOperation) => {
    const { emulator } = world();
    let ref: Parameters<typeof readResourceState>[1];
    if (type === 'notebook instance') {
      // Mixed case: the ARN's name part is lower case, the name keeps its case.
      const arn = emulator.seed.notebookInstance({
        name: 'Churn-NB',
        region: REGION,
        tags: [{ Key: 'project', Value: 'churn' }],
      });
      ref = { type: 'notebook-instance', name: 'Churn-NB', arn };
    } else if (type === 'user profile') {
      const arn = emulator.seed.userProfile({
        domainId: 'd-abc123',
        name: 'alice',
        region: REGION,
        tags: [{ Key: 'project', Value: 'churn' }],
      });
      ref = { type: 'user-profile', name: 'alice', domainId: 'd-abc123', arn };
    } else {
      const { domainId, arn } = emulator.seed.domain({
        name: 'research',
        region: REGION,
        tags: [{ Key: 'project', Value: 'churn' }],
      });
      ref = { type: 'domain', name: 'research', domainId, arn };
    }
    emulator.clearCalls();
    emulator.hold({ together: [describeOperation, 'ListTags'], timeoutMs: HOLD_MS });
    const clients = aws();
    try {
      const state = await readResourceState(clients.sagemaker, ref);
      expect(state?.tags).toEqual({ project: 'churn' });
    } finally {
      clients.destroy();
    }
    expect(emulator.calls.map((c) => c.operation).sort()).toEqual([describeOperation, 'ListTags'].sort());
    expect(emulator.roundTrips()).toBe(1);
  });

  it('an event that names the notebook in another case: the tags are still listed on the lower-case ARN', async () => {
    const { emulator } = world();
    emulator.seed.notebookInstance({ name: 'Churn-NB', region: REGION, tags: [{ Key: 'k', Value: 'v' }] });
    emulator.clearCalls();
    const clients = aws();
    try {
      const state = await readResourceState(clients.sagemaker, {
        type: 'notebook-instance',
        name: 'Churn-NB',
        arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/Churn-NB`,
      });
      expect(state?.tags).toEqual({ k: 'v' });
    } finally {
      clients.destroy();
    }
    const listed = emulator.calls.filter((c) => c.operation === 'ListTags').map((c) => c.params.ResourceArn);
    expect(listed).toEqual([`arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/churn-nb`]);
  });

  it('an ARN in the event that is not the resource’s: the tags are listed again on the ARN Describe returns', async () => {
    const { emulator } = world();
    const arn = emulator.seed.notebookInstance({
      name: 'nb',
      region: REGION,
      tags: [{ Key: 'k', Value: 'v' }],
    });
    emulator.clearCalls();
    const clients = aws();
    try {
      const state = await readResourceState(clients.sagemaker, {
        type: 'notebook-instance',
        name: 'nb',
        arn: `arn:aws:sagemaker:${REGION}:999999999999:notebook-instance/nb`,
      });
      expect(state?.tags).toEqual({ k: 'v' });
      expect(state?.ref.arn).toBe(arn);
    } finally {
      clients.destroy();
    }
    expect(emulator.calls.filter((c) => c.operation === 'ListTags').map((c) => c.params.ResourceArn)).toEqual(
      expect.arrayContaining([arn]),
    );
  });
});

/** The creation event of a notebook seeded by seedCompliantNotebook (same settings, same key). */
function compliantCreation(name: string, tags: Array<{ key: string; value: string }>) {
  const keyId = world().emulator.inspect.notebookInstance(name, REGION)?.KmsKeyId as string;
  return createNotebookEvent(name, {
    directInternetAccess: 'Disabled',
    rootAccess: 'Disabled',
    subnetId: 'subnet-0a1b2c3d',
    securityGroupIds: ['sg-0a1b2c3d'],
    kmsKeyId: keyId,
    ...(tags.length > 0 ? { tags } : {}),
  });
}

describe('a whole event: the reads it needs in one round trip', () => {
  it('compliant notebook, fresh container: Describe, ListTags and the KMS key together, nothing else', async () => {
    const w = world();
    const name = 'nb-ok';
    seedCompliantNotebook(w.emulator, name);
    const event = compliantCreation(name, [{ key: 'project', value: 'churn' }]);
    w.emulator.clearCalls();
    w.emulator.hold({
      together: ['DescribeNotebookInstance', 'ListTags', 'DescribeKey'],
      timeoutMs: HOLD_MS,
    });
    const { report } = await w.guardrails().handle(event);
    expect(report.verdict).toBe('compliant');
    expect(w.callNames().sort()).toEqual([
      'kms:DescribeKey',
      'sagemaker:DescribeNotebookInstance',
      'sagemaker:ListTags',
    ]);
    expect(w.emulator.roundTrips()).toBe(1);
  });

  it('a creation missing the tag derived from the principal: the IAM read runs alongside the resource read', async () => {
    const w = world();
    const name = 'nb-untagged';
    seedCompliantNotebook(w.emulator, name, { tags: [] });
    w.emulator.seed.role({ name: 'DataScientist', tags: [{ Key: 'project', Value: 'fraud' }] });
    const event = compliantCreation(name, []);
    w.emulator.clearCalls();
    w.emulator.hold({
      together: ['DescribeNotebookInstance', 'ListTags', 'DescribeKey', 'ListRoleTags'],
      timeoutMs: HOLD_MS,
    });
    const { report } = await w.guardrails().handle(event);
    expect(report.verdict).toBe('noncompliant');
    expect(w.emulator.inspect.notebookInstance(name, REGION)?.tags).toContainEqual({
      Key: 'project',
      Value: 'fraud',
    });
    const reads = w.emulator.calls.filter((c) => /^(Describe|List)/.test(c.operation));
    expect(reads.map((c) => c.operation).sort()).toEqual([
      'DescribeKey',
      'DescribeNotebookInstance',
      'ListRoleTags',
      'ListTags',
    ]);
    expect(sequentialRoundTrips(reads)).toBe(1);
  });

  it('a creation that has the derived tag costs no IAM call', async () => {
    const w = world();
    const name = 'nb-tagged';
    seedCompliantNotebook(w.emulator, name);
    w.emulator.seed.role({ name: 'DataScientist', tags: [{ Key: 'project', Value: 'fraud' }] });
    w.emulator.clearCalls();
    await w.guardrails().handle(createNotebookEvent(name, { tags: [{ key: 'project', value: 'churn' }] }));
    expect(w.callNames().filter((c) => c.startsWith('iam:'))).toEqual([]);
  });
});

describe('the writes: independent ones together, the alert last', () => {
  /** A noncompliant notebook (all defaults) with the project tag, and its creation event. */
  function openNotebook(name: string, status: 'InService' | 'Pending') {
    world().emulator.seed.notebookInstance({
      name,
      region: REGION,
      status,
      tags: [{ Key: 'project', Value: 'churn' }],
    });
    return createNotebookEvent(name, { tags: [{ key: 'project', value: 'churn' }] });
  }

  /** The round trips of the calls after the reads, and whether the alert started after every other write ended. */
  function writes(emulator: Emulator) {
    const calls = emulator.calls.filter((c) => !/^(Describe|List)/.test(c.operation));
    const publish = calls.find((c) => c.operation === 'Publish');
    const others = calls.filter((c) => c !== publish);
    return {
      operations: calls.map((c) => c.operation).sort(),
      roundTrips: sequentialRoundTrips(calls),
      alertLast: publish !== undefined && others.every((c) => c.endedMs <= publish.startedMs),
    };
  }

  it('InService: AddTags and Stop together, then the alert', async () => {
    const w = world();
    const event = openNotebook('nb-running', 'InService');
    w.emulator.clearCalls();
    w.emulator.hold({ together: ['AddTags', 'StopNotebookInstance'], timeoutMs: HOLD_MS });
    const { report } = await w.guardrails().handle(event);
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
      'tag:done',
      'stop:done',
      'notify:done',
    ]);
    expect(writes(w.emulator)).toEqual({
      operations: ['AddTags', 'Publish', 'StopNotebookInstance'],
      roundTrips: 2,
      alertLast: true,
    });
  });

  it('a protected tag set at creation: AddTags, DeleteTags and Stop together, then the alert', async () => {
    const w = world();
    const tags = [
      { key: 'project', value: 'etl' },
      { key: 'guardrails:exempt', value: 'true' },
    ];
    w.emulator.seed.notebookInstance({
      name: 'nb-exempt',
      region: REGION,
      status: 'InService',
      tags: tags.map(({ key, value }) => ({ Key: key, Value: value })),
    });
    const event = createNotebookEvent('nb-exempt', { tags });
    w.emulator.clearCalls();
    w.emulator.hold({ together: ['AddTags', 'DeleteTags', 'StopNotebookInstance'], timeoutMs: HOLD_MS });
    const { report } = await w.guardrails().handle(event);
    expect(report.verdict).toBe('noncompliant');
    expect(w.emulator.inspect.notebookInstance('nb-exempt', REGION)?.tags).not.toContainEqual({
      Key: 'guardrails:exempt',
      Value: 'true',
    });
    expect(writes(w.emulator)).toEqual({
      operations: ['AddTags', 'DeleteTags', 'Publish', 'StopNotebookInstance'],
      roundTrips: 2,
      alertLast: true,
    });
  });

  it('Pending: AddTags and the re-check message together, then the alert', async () => {
    const w = world();
    const queueUrl = w.emulator.seed.queue('sm-guardrails-recheck', REGION);
    const event = openNotebook('nb-pending', 'Pending');
    const guardrails = w.guardrails({
      scheduleRecheck: async (request, delaySeconds) => {
        const clients = createAwsClients({
          endpoint: w.emulator.endpoint,
          region: REGION,
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        });
        try {
          await sendDelayedMessage(clients.sqs, queueUrl, request, delaySeconds);
        } finally {
          clients.destroy();
        }
      },
    });
    w.emulator.clearCalls();
    w.emulator.hold({ together: ['AddTags', 'SendMessage'], timeoutMs: HOLD_MS });
    const { report } = await guardrails.handle(event);
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
      'tag:done',
      'stop:deferred',
      'notify:done',
    ]);
    expect(writes(w.emulator)).toEqual({
      operations: ['AddTags', 'Publish', 'SendMessage'],
      roundTrips: 2,
      alertLast: true,
    });
  });
});

describe('the delivery lock: taken alongside the reads, the one record alongside the alert', () => {
  const TABLE = 'sm-guardrails-test-records';

  /** A container as deployed: its delivery records on DynamoDB (behind the emulator, so its calls count). */
  async function lambdaContainer(w: ReturnType<typeof world>) {
    const client = createStoreClient({
      endpoint: w.emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await ensureTable(client, TABLE);
    return w.guardrails({ delivery: dynamoDeliveryStore(client, TABLE) });
  }

  /** Round trips up to the end of the alert (what users see), and those after it. */
  function criticalPath(emulator: Emulator) {
    const publish = emulator.calls.find((c) => c.operation === 'Publish');
    const upToAlert = emulator.calls.filter((c) => publish && c.startedMs <= publish.startedMs);
    const after = emulator.calls.filter((c) => publish && c.startedMs >= publish.endedMs);
    return {
      toAlert: sequentialRoundTrips(upToAlert),
      afterAlert: after.map((c) => `${c.service}:${c.operation}`),
      total: emulator.roundTrips(),
    };
  }

  it('compliant notebook: the lock and the reads together, and nothing after them (1 round trip)', async () => {
    const w = world();
    seedCompliantNotebook(w.emulator, 'nb-ok');
    const guardrails = await lambdaContainer(w);
    await guardrails.handle(createNotebookEvent('nb-ok')); // warms the KMS key cache
    w.emulator.clearCalls();
    // Fails if the lock waits for the reads, or the reads for the lock.
    w.emulator.hold({ together: ['UpdateItem', 'DescribeNotebookInstance', 'ListTags'], timeoutMs: HOLD_MS });
    const { report } = await guardrails.handle(createNotebookEvent('nb-ok'));
    expect(report.verdict).toBe('compliant');
    expect(w.callNames().sort()).toEqual([
      'dynamodb:UpdateItem',
      'sagemaker:DescribeNotebookInstance',
      'sagemaker:ListTags',
    ]);
    expect(w.emulator.roundTrips()).toBe(1);
  });

  it('noncompliant InService: lock with reads, writes together, the alert with the record: 3', async () => {
    const w = world();
    w.emulator.seed.notebookInstance({
      name: 'nb-open',
      region: REGION,
      status: 'InService',
      tags: [{ Key: 'project', Value: 'churn' }],
    });
    const guardrails = await lambdaContainer(w);
    w.emulator.clearCalls();
    w.emulator.hold({ together: ['UpdateItem', 'DescribeNotebookInstance', 'ListTags'], timeoutMs: HOLD_MS });
    w.emulator.hold({ together: ['AddTags', 'StopNotebookInstance'], timeoutMs: HOLD_MS });
    // A slow Publish: the completion record must overlap it, not follow it.
    w.emulator.injectFault({ service: 'sns', operation: 'Publish', kind: 'latency', latencyMs: 300 });
    const event = createNotebookEvent('nb-open', { tags: [{ key: 'project', value: 'churn' }] });
    const { report } = await guardrails.handle(event);
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
      'tag:done',
      'stop:done',
      'notify:done',
    ]);
    expect(w.callNames().filter((c) => c === 'dynamodb:UpdateItem')).toHaveLength(2);
    expect(criticalPath(w.emulator)).toEqual({ toAlert: 3, afterAlert: [], total: 3 });
    // Recorded completed: a redelivery costs the lock's one call and does nothing.
    w.emulator.clearCalls();
    w.emulator.clearFaults();
    const again = await guardrails.handle(event);
    expect(again.duplicate).toBe(true);
    expect(w.callNames().filter((c) => c.startsWith('dynamodb:'))).toEqual(['dynamodb:UpdateItem']);
    expect(w.emulator.published).toHaveLength(1);
  });

  it('AddTags of a protected tag: lock with reads, the revert, the alert with the record: 3', async () => {
    const w = world();
    const event = sampleEvent('tags/add-tags-user-profile-change-studiouserid.json');
    // The user's AddTags acted out first: the profile exists with the tag the event set.
    const actor = createAwsClients({
      endpoint: w.emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      await new SimulatedAccount(w.emulator, () => actor.sagemaker).apply(event);
    } finally {
      actor.destroy();
    }
    const guardrails = await lambdaContainer(w);
    w.emulator.clearCalls();
    w.emulator.hold({ together: ['UpdateItem', 'DescribeUserProfile', 'ListTags'], timeoutMs: HOLD_MS });
    w.emulator.injectFault({ service: 'sns', operation: 'Publish', kind: 'latency', latencyMs: 300 });
    const { report } = await guardrails.handle(event);
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual(['revert:done', 'notify:done']);
    expect(w.callNames().sort()).toEqual([
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
      'sagemaker:AddTags',
      'sagemaker:DescribeUserProfile',
      'sagemaker:ListTags',
      'sns:Publish',
    ]);
    expect(w.callNames().filter((c) => c === 'dynamodb:UpdateItem')).toHaveLength(2);
    expect(criticalPath(w.emulator)).toEqual({ toAlert: 3, afterAlert: [], total: 3 });
  });

  it('a tag the guardrails derive (it repairs the finding): no record before it, 3 round trips in all', async () => {
    const w = world();
    w.emulator.seed.userProfile({ domainId: 'd-1', name: 'mallory', region: REGION });
    const event = sampleEvent('studio/create-user-profile-missing-studiouserid.json');
    const detail = event.detail as { requestParameters: Record<string, unknown>; responseElements?: unknown };
    detail.requestParameters.domainId = 'd-1';
    detail.requestParameters.userProfileName = 'mallory';
    delete detail.responseElements;
    const guardrails = await lambdaContainer(w);
    w.emulator.clearCalls();
    w.emulator.hold({ together: ['UpdateItem', 'DescribeUserProfile', 'ListTags'], timeoutMs: HOLD_MS });
    w.emulator.injectFault({ service: 'sns', operation: 'Publish', kind: 'latency', latencyMs: 300 });
    const { report } = await guardrails.handle(event);
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual(['tag:done', 'notify:done']);
    const order = w.emulator.calls
      .filter((c) => c.service === 'dynamodb' || c.operation === 'AddTags')
      .map((c) => c.operation);
    // The claim, the derived tag, then the completion record (alongside the alert): nothing in between.
    expect(order).toEqual(['UpdateItem', 'AddTags', 'UpdateItem']);
    expect(criticalPath(w.emulator)).toEqual({ toAlert: 3, afterAlert: [], total: 3 });
  });
});
