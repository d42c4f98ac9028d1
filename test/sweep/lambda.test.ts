// The deployed sweep's two functions, as Lambda runs them, against the emulator: the schedule's start fans out one
// message per account and region; the worker sweeps each, sends its digest and queues re-checks of deferred stops.
import type { Context, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#emulator/index';
import { DynamoExemptionGrants } from '../../store/exemption-grants.ts';
import { createStoreClient, ensureTable } from '../../store/table.ts';
import { SweepWorker, sweepStartConfig, sweepWorkerConfig } from '../../sweep/lambda.ts';
import { parseSweepRequest } from '../../sweep/request.ts';

const ACCOUNT = '111122223333';
let emulator: Emulator;
let sweepQueueUrl: string;
let recheckQueueUrl: string;
let topicArn: string;
const saved = { ...process.env };
const TABLE = 'sm-guardrails-dev-records';

beforeAll(async () => {
  emulator = await startEmulator({ describesPerTransition: 0, accountId: ACCOUNT });
  sweepQueueUrl = emulator.seed.queue('sm-guardrails-dev-sweep', 'us-east-1');
  recheckQueueUrl = emulator.seed.queue('sm-guardrails-dev-recheck', 'us-east-1');
  topicArn = emulator.seed.topic('sm-guardrails-dev-alerts', 'us-east-1');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    SM_GUARDRAILS_ACCOUNT_ID: ACCOUNT,
    SM_GUARDRAILS_SWEEP_QUEUE_URL: sweepQueueUrl,
    SM_GUARDRAILS_SWEEP_REGIONS: 'us-east-1,eu-west-1',
    SM_GUARDRAILS_TOPIC_ARN: topicArn,
    SM_GUARDRAILS_RECHECK_QUEUE_URL: recheckQueueUrl,
    SM_GUARDRAILS_TABLE: TABLE,
  });
  await ensureTable(createStoreClient(), TABLE);
});
afterAll(async () => {
  process.env = saved;
  await emulator.close();
});

const context = {
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:sm-guardrails-dev-sweepStart`,
} as Context;

describe('sweepStart and sweepWorker', () => {
  it('fans a scheduled sweep out to one message per account and region, and each target is swept', async () => {
    emulator.seed.notebookInstance({ name: 'east-open', region: 'us-east-1', status: 'InService' });
    emulator.seed.notebookInstance({ name: 'east-pending', region: 'us-east-1', status: 'Pending' });
    emulator.seed.notebookInstance({ name: 'west-open', region: 'eu-west-1', status: 'Stopped' });
    const { handler: start } = await import('../../functions/sweep-start/handler.ts');
    const started = await start(
      { id: 'schedule-1', time: '2026-12-01T03:00:00Z' } as ScheduledEvent,
      context,
    );
    expect(started).toEqual({ targets: 2 });
    const bodies = emulator.sqsMessages.filter((m) => m.queueUrl === sweepQueueUrl).map((m) => m.body);
    expect(bodies.map((b) => parseSweepRequest(b))).toEqual([
      {
        kind: 'sm-guardrails/sweep',
        sweepId: 'schedule-1',
        account: ACCOUNT,
        region: 'us-east-1',
        partition: 'aws',
      },
      {
        kind: 'sm-guardrails/sweep',
        sweepId: 'schedule-1',
        account: ACCOUNT,
        region: 'eu-west-1',
        partition: 'aws',
      },
    ]);

    const { handler: work } = await import('../../functions/sweep-worker/handler.ts');
    const event = {
      Records: [...bodies, 'not a sweep message'].map((body, i) => ({ messageId: `m-${i}`, body })),
    } as SQSEvent;
    expect(await work(event)).toEqual({ batchItemFailures: [] });
    expect(emulator.inspect.notebookInstance('east-open')?.status).toBe('Stopping');
    expect(emulator.inspect.notebookInstance('east-pending')?.status).toBe('Pending');
    // One digest per account and region.
    expect(emulator.published.map((p) => p.subject).sort()).toEqual([
      `[sm-guardrails] SWEEP ${ACCOUNT}/eu-west-1: 1 new finding`,
      `[sm-guardrails] SWEEP ${ACCOUNT}/us-east-1: 2 new findings`,
    ]);
    // The Pending notebook's deferred stop has its re-check queued, as on the event path.
    const rechecks = emulator.sqsMessages.filter((m) => m.queueUrl === recheckQueueUrl);
    expect(rechecks.map((m) => JSON.parse(m.body).resource.name)).toEqual(['east-pending']);

    // The next day: nothing new, nothing sent.
    expect(await work(event)).toEqual({ batchItemFailures: [] });
    expect(emulator.published).toHaveLength(2);
  });

  it('reports a target whose digest could not be sent as a failed message, with the digest in the log', async () => {
    emulator.seed.notebookInstance({ name: 'another-open', region: 'us-east-1', status: 'Stopped' });
    emulator.injectFault({ service: 'sns', operation: 'Publish', kind: 'accessDenied' });
    const worker = new SweepWorker(sweepWorkerConfig());
    const errors: unknown[] = [];
    worker.logger.error = ((...args: unknown[]) => errors.push(args)) as typeof worker.logger.error;
    const body = JSON.stringify({
      kind: 'sm-guardrails/sweep',
      sweepId: 's2',
      account: ACCOUNT,
      region: 'us-east-1',
    });
    await expect(worker.handle(body)).rejects.toThrow(/could not be sent: AuthorizationError/);
    expect(JSON.stringify(errors)).toContain('another-open');
    emulator.clearFaults();
  });

  it('sends the digest to the chat topic too (AWS Chatbot custom notification), as the event alerts go', async () => {
    emulator.seed.notebookInstance({ name: 'chat-open', region: 'us-east-1', status: 'Stopped' });
    const chatTopicArn = emulator.seed.topic('sm-guardrails-dev-chat', 'us-east-1');
    const worker = new SweepWorker(
      sweepWorkerConfig({ ...process.env, SM_GUARDRAILS_CHAT_TOPIC_ARN: chatTopicArn }),
    );
    const body = JSON.stringify({
      kind: 'sm-guardrails/sweep',
      sweepId: 's-chat',
      account: ACCOUNT,
      region: 'us-east-1',
    });
    const before = emulator.published.length;
    await worker.handle(body);
    const sent = emulator.published.slice(before);
    const email = sent.find((p) => p.topicArn === topicArn);
    const chat = sent.find((p) => p.topicArn === chatTopicArn);
    expect(email?.subject).toMatch(/^\[sm-guardrails\] SWEEP /);
    const custom = JSON.parse(chat?.message ?? '{}');
    expect(custom).toMatchObject({ version: '1.0', source: 'custom', content: { title: email?.subject } });
    expect(custom.content.description).toContain('chat-open');
    // A chat topic that fails does not hold the email back: the digest still counts as sent.
    emulator.seed.notebookInstance({ name: 'chat-open-2', region: 'us-east-1', status: 'Stopped' });
    const order = emulator.published.length;
    const failing = new SweepWorker(
      sweepWorkerConfig({ ...process.env, SM_GUARDRAILS_CHAT_TOPIC_ARN: `${chatTopicArn}-missing` }),
    );
    await failing.handle(body.replace('s-chat', 's-chat-2'));
    expect(emulator.published.slice(order).map((p) => p.topicArn)).toEqual([topicArn]);
  });

  it('honours an exemption the event path recorded: the deployed worker reads the same grants', async () => {
    const arn = emulator.seed.notebookInstance({
      name: 'granted-open',
      region: 'us-east-1',
      status: 'InService',
      tags: [{ Key: 'guardrails:exempt', Value: 'vendor appliance' }],
    });
    await new DynamoExemptionGrants(createStoreClient(), TABLE).put({
      resourceArn: arn,
      reason: 'vendor appliance',
      grantedBy: 'arn:aws:iam::111122223333:role/MLPlatformAdmin',
      grantedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const { handler: work } = await import('../../functions/sweep-worker/handler.ts');
    const body = JSON.stringify({
      kind: 'sm-guardrails/sweep',
      sweepId: 's3',
      account: ACCOUNT,
      region: 'us-east-1',
    });
    expect(await work({ Records: [{ messageId: 'g', body }] } as SQSEvent)).toEqual({
      batchItemFailures: [],
    });
    expect(emulator.inspect.notebookInstance('granted-open')?.status).toBe('InService');
    const tags = emulator.inspect.notebookInstance('granted-open')?.tags ?? [];
    expect(JSON.stringify(tags)).toContain('vendor appliance');
  });

  it('reads its configuration from the environment and refuses a bad one', () => {
    expect(
      sweepStartConfig({ SM_GUARDRAILS_SWEEP_QUEUE_URL: 'q', AWS_REGION: 'eu-central-1' }).regions,
    ).toEqual(['eu-central-1']);
    expect(() =>
      sweepStartConfig({ SM_GUARDRAILS_SWEEP_QUEUE_URL: 'q', SM_GUARDRAILS_SWEEP_REGIONS: 'us-east-1,mars' }),
    ).toThrow(/SM_GUARDRAILS_SWEEP_REGIONS: not valid: "mars"/);
    expect(() => sweepStartConfig({})).toThrow(/SM_GUARDRAILS_SWEEP_QUEUE_URL/);
    expect(() => sweepWorkerConfig({ SM_GUARDRAILS_SWEEP_CONCURRENCY: '0' })).toThrow(
      /SM_GUARDRAILS_SWEEP_CONCURRENCY/,
    );
    expect(sweepWorkerConfig({}).concurrency).toBe(5);
    const accounts = { SM_GUARDRAILS_SWEEP_QUEUE_URL: 'q', AWS_REGION: 'us-east-1' };
    expect(sweepStartConfig(accounts).accounts).toEqual([]);
    expect(
      sweepStartConfig({ ...accounts, SM_GUARDRAILS_SWEEP_ACCOUNTS: '111122223333, 444455556666' }).accounts,
    ).toEqual(['111122223333', '444455556666']);
    expect(() => sweepStartConfig({ ...accounts, SM_GUARDRAILS_SWEEP_ACCOUNTS: '1234' })).toThrow(
      /SM_GUARDRAILS_SWEEP_ACCOUNTS/,
    );
  });
});
