// The Lambda functions as deployed: env configuration, Lambda error semantics, deferred stops through SQS.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configFromEnvironment, EventNotSettledError, GuardrailsRuntime } from '#core/lambda/runtime';
import { DEFAULT_POLICY, PolicyError } from '#core/policy';
import { RECHECK_DELAY_SECONDS } from '#core/recheck';
import { dynamoDeliveryStore } from '#store/delivery';
import { ensureTable } from '#store/table';
import { createNotebookEvent, type LiveWorld, REGION, startWorld } from '../support/live.ts';

let world: LiveWorld;
let queueUrl: string;
let dynamodb: DynamoDBClient;
const TABLE = 'sm-guardrails-test-records';
beforeAll(async () => {
  world = await startWorld();
  // The emulator's DynamoDB is dynalite behind the emulator's front door.
  dynamodb = new DynamoDBClient({
    endpoint: world.emulator.endpoint,
    region: REGION,
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
  await ensureTable(dynamodb, TABLE);
});
beforeEach(() => {
  world.emulator.reset();
  world.topicArn = world.emulator.seed.topic('sm-guardrails-alerts', REGION);
  queueUrl = world.emulator.seed.queue('sm-guardrails-recheck', REGION);
});
afterAll(async () => world.emulator.close());

function runtime(): GuardrailsRuntime {
  return new GuardrailsRuntime(
    { policy: DEFAULT_POLICY, topicArn: world.topicArn, recheckQueueUrl: queueUrl, tableName: TABLE },
    world.clients(),
    undefined,
    dynamoDeliveryStore(dynamodb, TABLE),
  );
}

const openNotebook = (name: string, status: 'Pending' | 'InService' = 'Pending') =>
  world.emulator.seed.notebookInstance({
    name,
    region: REGION,
    status,
    tags: [{ Key: 'project', Value: 'p' }],
  });

describe('configuration', () => {
  it('reads the policy, topic, queue and mode override from the environment', () => {
    const config = configFromEnvironment({
      SM_GUARDRAILS_POLICY: JSON.stringify({ mode: 'enforce', notebook: { requireKmsKey: false } }),
      SM_GUARDRAILS_MODE: 'report',
      SM_GUARDRAILS_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:t',
      SM_GUARDRAILS_RECHECK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/q',
    });
    expect(config.policy.mode).toBe('report');
    expect(config.policy.notebook.requireKmsKey).toBe(false);
    expect(config).toMatchObject({
      topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
      recheckQueueUrl: expect.stringContaining('/q'),
    });
  });

  it('fails the cold start on a bad policy or mode, naming the variable and field', () => {
    expect(() => configFromEnvironment({ SM_GUARDRAILS_POLICY: '{"mode": "sometimes"}' })).toThrow(
      PolicyError,
    );
    expect(() => configFromEnvironment({ SM_GUARDRAILS_POLICY: '{"mode": "sometimes"}' })).toThrow(
      /^SM_GUARDRAILS_POLICY: mode: /,
    );
    expect(() => configFromEnvironment({ SM_GUARDRAILS_MODE: 'off' })).toThrow(
      'SM_GUARDRAILS_MODE: must be enforce or report, not "off"',
    );
  });

  it('reads the policy file shipped in the code, relative to LAMBDA_TASK_ROOT', () => {
    const root = mkdtempSync(join(tmpdir(), 'sm-guardrails-task-'));
    mkdirSync(join(root, '.sm-guardrails/policy/abc'), { recursive: true });
    // A policy far over Lambda's 4 KB of environment variables.
    const roles = Array.from({ length: 450 }, (_, i) => `arn:aws:iam::123456789012:role/studio-team-${i}`);
    const text = JSON.stringify({ mode: 'report', userProfile: { allowedExecutionRoles: roles } });
    expect(text.length).toBeGreaterThan(20_000);
    writeFileSync(join(root, '.sm-guardrails/policy/abc/guardrails.policy.json'), text);
    const file = '.sm-guardrails/policy/abc/guardrails.policy.json';
    const config = configFromEnvironment({ SM_GUARDRAILS_POLICY_FILE: file, LAMBDA_TASK_ROOT: root });
    expect(config.policy.mode).toBe('report');
    expect(config.policy.userProfile.allowedExecutionRoles).toEqual(roles);
  });

  it('fails the cold start when the policy file is missing or bad: never the default policy instead', () => {
    const root = mkdtempSync(join(tmpdir(), 'sm-guardrails-task-'));
    expect(() =>
      configFromEnvironment({ SM_GUARDRAILS_POLICY_FILE: 'missing.json', LAMBDA_TASK_ROOT: root }),
    ).toThrow(/^SM_GUARDRAILS_POLICY_FILE: missing\.json is not in /);
    writeFileSync(join(root, 'bad.json'), '{"mode": "sometimes"}');
    expect(() =>
      configFromEnvironment({ SM_GUARDRAILS_POLICY_FILE: 'bad.json', LAMBDA_TASK_ROOT: root }),
    ).toThrow(/^bad\.json: mode: /);
  });
});

describe('Lambda error semantics', () => {
  it('a transient AWS failure throws so Lambda retries; the finding is still logged', async () => {
    openNotebook('nb-throttled', 'InService');
    world.emulator.injectFault({
      service: 'sagemaker',
      operation: 'DescribeNotebookInstance',
      kind: 'throttle',
      times: 10,
    });
    const failure = await runtime()
      .handleEvent(createNotebookEvent('nb-throttled'))
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(EventNotSettledError);
    expect((failure as EventNotSettledError).handled.error?.transient).toBe(true);
  });

  it('a permanent problem (an invalid event) returns without throwing', async () => {
    const report = await runtime().handleEvent({ id: 'x', 'detail-type': 'AWS API Call via CloudTrail' });
    expect(report).toMatchObject({ verdict: 'invalid', reason: '$.source: required field is missing' });
  });
});

describe('deferred stops', () => {
  it('a Pending notebook gets a delayed re-check through SQS that stops it once InService', async () => {
    openNotebook('nb-slow');
    const rt = runtime();
    const first = await rt.handleEvent(createNotebookEvent('nb-slow'));
    expect(first.actions.find((a) => a.type === 'stop')?.status).toBe('deferred');
    expect(world.emulator.sqsMessages).toHaveLength(1);
    const message = world.emulator.sqsMessages[0];
    expect(message?.delaySeconds).toBe(RECHECK_DELAY_SECONDS);
    // Minutes later: the state-change event was lost, the notebook is InService, the re-check arrives.
    world.emulator.advanceNotebook('nb-slow', REGION);
    const report = await rt.handleRecheck(message?.body ?? '');
    expect(report?.actions.find((a) => a.type === 'stop')?.status).toBe('done');
    expect(world.emulator.inspect.notebookInstance('nb-slow', REGION)?.status).toBe('Stopping');
    expect(world.emulator.sqsMessages).toHaveLength(1); // nothing left to re-check
  });

  it('still Pending: re-checked every 60 s with no cap, stopped when InService at last, no false alarm', async () => {
    openNotebook('nb-slower');
    const rt = runtime();
    await rt.handleEvent(createNotebookEvent('nb-slower'));
    // Pending for 30 re-checks (30 minutes): every one queues the next.
    for (let attempt = 1; attempt <= 30; attempt++) {
      const message = world.emulator.sqsMessages.at(-1);
      expect(JSON.parse(message?.body ?? '').attempt).toBe(attempt);
      expect(message?.delaySeconds).toBe(60);
      await rt.handleRecheck(message?.body ?? '');
    }
    expect(world.emulator.sqsMessages).toHaveLength(31);
    world.emulator.advanceNotebook('nb-slower', REGION); // InService
    const report = await rt.handleRecheck(world.emulator.sqsMessages.at(-1)?.body ?? '');
    expect(report?.actions.find((a) => a.type === 'stop')?.status).toBe('done');
    expect(world.emulator.sqsMessages).toHaveLength(31);
    expect(world.emulator.published.map((m) => m.subject?.split(' ')[1])).toEqual(['STOP', 'STOPPED']);
  });

  it('Pending then Failed: the admins are told it could not be stopped, once', async () => {
    openNotebook('nb-stuck');
    const rt = runtime();
    await rt.handleEvent(createNotebookEvent('nb-stuck'));
    await rt.handleRecheck(world.emulator.sqsMessages.at(-1)?.body ?? '');
    world.emulator.failNotebook('nb-stuck', REGION);
    const body = world.emulator.sqsMessages.at(-1)?.body ?? '';
    await rt.handleRecheck(body);
    await rt.handleRecheck(body); // SQS redelivers the same message
    expect(world.emulator.sqsMessages).toHaveLength(2); // the chain ends
    const last = world.emulator.published.at(-1);
    expect(world.emulator.published).toHaveLength(2);
    expect(last?.subject).toBe(
      '[sm-guardrails] NOT STOPPED notebook nb-stuck in 111122223333/us-east-1: Failed',
    );
    expect(last?.message).toContain('it ended Failed before it was InService (re-check 2)');
  });

  it('Pending then deleted: told once; the re-check chain ends', async () => {
    openNotebook('nb-gone');
    const rt = runtime();
    await rt.handleEvent(createNotebookEvent('nb-gone'));
    world.emulator.reset(); // the notebook is gone (and the rest of the account with it)
    world.topicArn = world.emulator.seed.topic('sm-guardrails-alerts', REGION);
    world.emulator.seed.queue('sm-guardrails-recheck', REGION);
    const report = await rt.handleRecheck(
      JSON.stringify({
        kind: 'sm-guardrails/notebook-recheck',
        resource: {
          type: 'notebook-instance',
          name: 'nb-gone',
          arn: `arn:aws:sagemaker:${REGION}:111122223333:notebook-instance/nb-gone`,
        },
        account: '111122223333',
        region: REGION,
        originEventId: 'gone-1',
        attempt: 3,
        firstDeferredAt: '2026-05-04T10:00:00Z',
      }),
    );
    expect(report?.notifications?.[0]?.status).toBe('sent');
    expect(world.emulator.published.map((m) => m.subject)).toEqual([
      '[sm-guardrails] NOT STOPPED notebook nb-gone in 111122223333/us-east-1: deleted',
    ]);
    expect(world.emulator.sqsMessages).toHaveLength(0);
  });

  it('a re-check retried by SQS is the same message: its alert, written completed alongside, is sent again', async () => {
    openNotebook('nb-retried');
    const rt = runtime();
    await rt.handleEvent(createNotebookEvent('nb-retried'));
    world.emulator.advanceNotebook('nb-retried', REGION);
    const body = world.emulator.sqsMessages.at(-1)?.body ?? '';
    // The first delivery's alert hangs (the invocation dies): its stop and its completion record land.
    world.emulator.injectFault({
      service: 'sns',
      operation: 'Publish',
      kind: 'latency',
      latencyMs: 1_500,
      times: 1,
    });
    const dying = rt.handleRecheck(body, undefined, 'm-1');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(world.emulator.inspect.notebookInstance('nb-retried', REGION)?.status).toBe('Stopping');
    // Another message for the same re-check (another id) does nothing: the event is recorded completed.
    const other = await rt.handleRecheck(body, undefined, 'm-2');
    expect(other?.reason).toMatch(/^duplicate delivery/);
    // SQS's retry of the same message sends the alert from the record; the stop is not repeated.
    const retried = await rt.handleRecheck(body, undefined, 'm-1');
    expect(retried?.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
      'tag:skipped',
      'stop:done',
      'notify:done',
    ]);
    expect(world.emulator.calls.filter((c) => c.operation === 'StopNotebookInstance')).toHaveLength(1);
    expect(world.emulator.published.map((m) => m.subject?.split(' ')[1])).toEqual(['STOP', 'STOPPED']);
    // Had the dying delivery's alert got through after all: twice, the documented limit (never not at all).
    await dying;
    expect(world.emulator.published).toHaveLength(3);
  });

  it('the SQS handler reports failed messages one by one', async () => {
    process.env.AWS_ENDPOINT_URL = world.emulator.endpoint;
    process.env.AWS_REGION = REGION;
    process.env.AWS_ACCESS_KEY_ID = 't';
    process.env.AWS_SECRET_ACCESS_KEY = 't';
    process.env.SM_GUARDRAILS_TOPIC_ARN = world.topicArn;
    process.env.SM_GUARDRAILS_RECHECK_QUEUE_URL = queueUrl;
    process.env.SM_GUARDRAILS_TABLE = TABLE;
    process.env.SM_GUARDRAILS_ACCOUNT_ID = '111122223333';
    const { handler } = await import('../../functions/stop-recheck/handler.ts');
    openNotebook('nb-q', 'InService');
    const request = {
      kind: 'sm-guardrails/notebook-recheck',
      resource: {
        type: 'notebook-instance',
        name: 'nb-q',
        arn: `arn:aws:sagemaker:${REGION}:111122223333:notebook-instance/nb-q`,
      },
      account: '111122223333',
      region: REGION,
      originEventId: 'e-1',
      attempt: 1,
      firstDeferredAt: '2026-05-04T10:00:00Z',
    };
    world.emulator.injectFault({
      service: 'sagemaker',
      operation: 'DescribeNotebookInstance',
      kind: 'throttle',
      times: 3,
    });
    const records = [
      { messageId: 'm-1', body: JSON.stringify(request) },
      { messageId: 'm-2', body: JSON.stringify({ ...request, attempt: 2 }) },
    ];
    const result = await handler({ Records: records } as unknown as SQSEvent);
    // The first message met three throttles (more than the SDK's 3 attempts absorb); the second went through.
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(world.emulator.inspect.notebookInstance('nb-q', REGION)?.status).toBe('Stopping');
  });

  it('the EventBridge handlers run the same runtime', async () => {
    const { handler } = await import('../../functions/notebook-instances/handler.ts');
    openNotebook('nb-h', 'InService');
    const report = await handler(
      createNotebookEvent('nb-h') as unknown as EventBridgeEvent<string, unknown>,
      { awsRequestId: 'r-1' } as Context,
    );
    expect(report.verdict).toBe('noncompliant');
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
      'tag:done',
      'stop:done',
      'notify:done',
    ]);
  });
});

describe('log volume', () => {
  /** What the runtime writes to stdout and stderr while handling one event, line by line. */
  async function logged(fn: () => Promise<unknown>): Promise<string[]> {
    const out = process.stdout.write;
    const err = process.stderr.write;
    let text = '';
    const capture = ((chunk: unknown) => {
      text += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    try {
      await fn();
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    return text.split('\n').filter(Boolean);
  }

  it('a noncompliant event: the finding and one metrics document, 2 KB at most, with what an operator needs', async () => {
    // Every notebook rule violated, Pending (tagged, stop deferred, re-check queued, alerted).
    world.emulator.seed.notebookInstance({ name: 'lat-pending-c-40', region: REGION, status: 'Pending' });
    const rt = runtime();
    const lines = await logged(() =>
      rt.handleEvent(createNotebookEvent('lat-pending-c-40'), {
        awsRequestId: 'bench-c-40',
        getRemainingTimeInMillis: () => 30_000,
      } as Context),
    );
    expect(lines).toHaveLength(2);
    expect(Buffer.byteLength(lines.join('\n'))).toBeLessThanOrEqual(2_048);
    const finding = JSON.parse(lines[0] as string).finding;
    expect(finding.rules).toContain('notebook-direct-internet-access');
    expect(finding.actor.arn).toMatch(/^arn:aws:/);
    expect(finding.resource.name).toBe('lat-pending-c-40');
    expect(finding.actions.map((a: { type: string }) => a.type)).toEqual(['tag', 'stop', 'notify']);
    expect(finding.notifications[0]).toMatchObject({ subject: expect.stringMatching(/^STOP PENDING /) });
    const metrics = JSON.parse(lines[1] as string);
    expect(metrics['Violations_notebook-direct-internet-access']).toBe(1);
    expect(metrics.ActionsFailed).toBe(0);
  });
});
