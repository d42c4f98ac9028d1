// sm-guardrails redrive against the local emulator: a stage's failed events run again with the stage's policy
// and mode, alerts sent, each message deleted only once its event settled, nothing already done done again.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoDeliveryStore } from '#store/delivery';
import { createStoreClient, ensureTable } from '#store/table';
import { main } from '../cli/main.ts';
import { createNotebookEvent, type LiveWorld, REGION, startWorld } from './support/live.ts';

const CREDENTIALS = { accessKeyId: 'operator', secretAccessKey: 'operator' };
const ENV = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

let world: LiveWorld;
let queueUrl: string;
beforeEach(async () => {
  await world?.emulator.close();
  world = await startWorld();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: world.emulator.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  });
  // The stage "test" as deployed: its queues, topic and table.
  queueUrl = world.emulator.seed.queue('sm-guardrails-test-failed-events', REGION);
  world.emulator.seed.queue('sm-guardrails-test-recheck', REGION);
  world.emulator.seed.topic('sm-guardrails-test-alerts', REGION);
  await ensureTable(
    createStoreClient({ endpoint: world.emulator.endpoint, region: REGION, credentials: CREDENTIALS }),
    'sm-guardrails-test-records',
  );
});
afterAll(async () => {
  await world?.emulator.close();
  for (const k of ENV)
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
});

/** A Lambda on-failure destination record, as the failed-events queue holds it. */
function onFailureRecord(event: unknown) {
  return {
    version: '1.0',
    timestamp: '2026-05-04T10:03:00.000Z',
    requestContext: {
      requestId: crypto.randomUUID(),
      functionArn: `arn:aws:lambda:${REGION}:111122223333:function:sm-guardrails-test-notebookInstances:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'EventNotSettledError', errorMessage: 'sns:Publish failed: Throttling' },
  };
}

async function enqueue(body: string) {
  const sqs = new SQSClient({ endpoint: world.emulator.endpoint, region: REGION, credentials: CREDENTIALS });
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  sqs.destroy();
}

function openNotebook(name: string) {
  world.emulator.seed.notebookInstance({ name, region: REGION, tags: [{ Key: 'project', Value: 'p' }] });
  return createNotebookEvent(name, { tags: [{ key: 'project', value: 'p' }] });
}

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(['redrive', '--stage', 'test', ...args], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

const deleted = () => world.emulator.calls.filter((c) => c.operation === 'DeleteMessage' && c.status === 200);

describe('sm-guardrails redrive', () => {
  it("re-runs each failed event with the stage's policy, alerts, deletes what settled, keeps the rest", async () => {
    await enqueue(JSON.stringify(onFailureRecord(openNotebook('nb-1'))));
    await enqueue('not an event at all');
    // This one keeps failing (its notebook cannot be read): it must stay in the queue.
    await enqueue(JSON.stringify(onFailureRecord(openNotebook('nb-2'))));
    world.emulator.injectFault({
      service: 'sagemaker',
      operation: 'DescribeNotebookInstance',
      kind: 'throttle',
      times: 3,
    });
    const { status, out, err } = await run();
    expect(err).toContain(
      'redrive: stage test (111122223333/us-east-1), policy guardrails.policy.yml, mode enforce',
    );
    expect(out).toContain(
      '3 messages: 1 handled and deleted, 1 still failing, 1 not events (left in the queue)',
    );
    expect(status).toBe(1);
    expect(deleted()).toHaveLength(1);
    // Which one failed depends on the order the queue answers: one notebook stopped, the other untouched.
    const statuses = ['nb-1', 'nb-2'].map((n) => world.emulator.inspect.notebookInstance(n, REGION)?.status);
    expect(statuses.sort()).toEqual(['InService', 'Stopping']);
    expect(world.emulator.published).toHaveLength(1);
    expect(world.emulator.published[0]?.topicArn).toBe(
      'arn:aws:sns:us-east-1:111122223333:sm-guardrails-test-alerts',
    );
    expect(world.emulator.published[0]?.subject).toMatch(/^\[sm-guardrails\] STOPPED notebook nb-/);
  });

  it('what a failed invocation already did is not done again: only the missing alert is sent', async () => {
    const event = openNotebook('nb-3');
    // The stage's function: tag and stop done, SNS down through every retry, the event dead-lettered.
    const delivery = dynamoDeliveryStore(
      createStoreClient({ endpoint: world.emulator.endpoint, region: REGION, credentials: CREDENTIALS }),
      'sm-guardrails-test-records',
    );
    const fn = world.guardrails({
      delivery,
      topicArn: 'arn:aws:sns:us-east-1:111122223333:sm-guardrails-test-alerts',
    });
    world.emulator.injectFault({ service: 'sns', operation: 'Publish', kind: 'throttle', times: 9 });
    for (let attempt = 0; attempt < 3; attempt++) expect((await fn.handle(event)).retry).toBe(true);
    world.emulator.clearFaults();
    await enqueue(JSON.stringify(onFailureRecord(event)));
    const { status, out } = await run('--json');
    expect(status).toBe(0);
    const [report] = out.split('\n').map((l) => JSON.parse(l));
    expect(report.actions.map((a: { type: string; status: string }) => `${a.type}:${a.status}`)).toEqual([
      'tag:done',
      'stop:done',
      'notify:done',
    ]);
    expect(world.emulator.calls.filter((c) => c.operation === 'AddTags' && c.status === 200)).toHaveLength(1);
    expect(
      world.emulator.calls.filter((c) => c.operation === 'StopNotebookInstance' && c.status === 200),
    ).toHaveLength(1);
    expect(world.emulator.published.map((m) => m.subject?.split(' ')[1])).toEqual(['STOPPED']);
    expect(deleted()).toHaveLength(1);
  });

  it("--mode report (the stage's mode when deployed with --param): nothing changed, the admins told", async () => {
    await enqueue(JSON.stringify(onFailureRecord(openNotebook('nb-4'))));
    const { status } = await run('--mode', 'report');
    expect(status).toBe(0);
    expect(world.emulator.inspect.notebookInstance('nb-4', REGION)?.status).toBe('InService');
    expect(world.emulator.published[0]?.subject).toMatch(/^\[sm-guardrails\] WOULD STOP notebook nb-4 /);
    expect(deleted()).toHaveLength(1);
  });

  it('--dry-run reads only and deletes nothing', async () => {
    await enqueue(JSON.stringify(onFailureRecord(openNotebook('nb-5'))));
    const { status, out } = await run('--dry-run');
    expect(status).toBe(0);
    expect(out).toContain('1 messages: 0 handled and deleted');
    expect(deleted()).toHaveLength(0);
    expect(world.emulator.published).toHaveLength(0);
    expect(world.emulator.inspect.notebookInstance('nb-5', REGION)?.status).toBe('InService');
  });

  it('a stage that is not deployed here is a usage error naming the queue', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await main(['redrive', '--stage', 'nope'], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    expect(status).toBe(2);
    expect(err.join('\n')).toContain(
      'stage "nope": no queue sm-guardrails-nope-failed-events in 111122223333/us-east-1',
    );
  });
});
