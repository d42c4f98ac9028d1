import { IAMClient, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DescribeNotebookInstanceCommand,
  SageMakerClient,
  StopNotebookInstanceCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../local/aws-emulator/index.ts';
import { ACCOUNT, clientConfig, httpStatus, sdkError } from './helpers.ts';

let emu: Emulator;
let sm: SageMakerClient; // standard retry strategy, 3 attempts
let smOnce: SageMakerClient; // no retries

beforeAll(async () => {
  emu = await startEmulator();
  sm = new SageMakerClient(clientConfig(emu, { maxAttempts: 3 }));
  smOnce = new SageMakerClient(clientConfig(emu));
});
afterAll(async () => {
  sm.destroy();
  smOnce.destroy();
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  emu.seed.notebookInstance({ name: 'nb' });
});

const describeNb = (client: SageMakerClient) =>
  client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));

describe('fault injection', () => {
  it('throttles twice, then the SDK standard retry succeeds on the third attempt', async () => {
    emu.injectFault({
      service: 'sagemaker',
      operation: 'DescribeNotebookInstance',
      kind: 'throttle',
      times: 2,
    });
    const out = await describeNb(sm);
    expect(out.NotebookInstanceStatus).toBe('InService');
    expect(out.$metadata.attempts).toBe(3);
    expect(emu.calls.map((c) => [c.operation, c.status, c.errorCode])).toEqual([
      ['DescribeNotebookInstance', 400, 'ThrottlingException'],
      ['DescribeNotebookInstance', 400, 'ThrottlingException'],
      ['DescribeNotebookInstance', 200, undefined],
    ]);
  });

  it('surfaces ThrottlingException when the retries run out', async () => {
    emu.injectFault({ operation: 'DescribeNotebookInstance', kind: 'throttle', times: 5 });
    const err = await sdkError(describeNb(smOnce));
    expect(err.name).toBe('ThrottlingException');
    expect(httpStatus(err)).toBe(400);
  });

  it('answers one internal error (HTTP 500), then succeeds on retry', async () => {
    emu.injectFault({ operation: 'DescribeNotebookInstance', kind: 'internal' });
    const out = await describeNb(sm);
    expect(out.$metadata.attempts).toBe(2);
    expect(emu.calls.map((c) => c.status)).toEqual([500, 200]);
    expect(emu.calls[0]?.errorCode).toBe('InternalFailure');
  });

  it('denies access on SageMaker with AccessDeniedException, every time and without retries', async () => {
    emu.injectFault({ service: 'sagemaker', operation: 'StopNotebookInstance', kind: 'accessDenied' });
    for (let i = 0; i < 2; i++) {
      const err = await sdkError(sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'nb' })));
      expect(err.name).toBe('AccessDeniedException');
      expect(err.message).toBe(
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/sm-guardrails-role/fn is not authorized to perform: sagemaker:StopNotebookInstance ` +
          `on resource: arn:aws:sagemaker:us-east-1:${ACCOUNT}:notebook-instance/nb because no identity-based policy allows the sagemaker:StopNotebookInstance action`,
      );
    }
    expect(emu.calls).toHaveLength(2);
    expect(emu.inspect.notebookInstance('nb')?.status).toBe('InService'); // the denied call changed nothing
    emu.clearFaults();
    await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));
    expect(emu.inspect.notebookInstance('nb')?.status).toBe('Stopping');
  });

  it('denies access on SNS with AuthorizationError (HTTP 403) and publishes nothing', async () => {
    const topic = emu.seed.topic('alerts');
    const sns = new SNSClient(clientConfig(emu));
    try {
      emu.injectFault({ service: 'sns', operation: 'Publish', kind: 'accessDenied' });
      const err = await sdkError(sns.send(new PublishCommand({ TopicArn: topic, Message: 'm' })));
      // The SDK names its class after the query code: AuthorizationError -> AuthorizationErrorException.
      expect(err.name).toBe('AuthorizationErrorException');
      expect((err.Error as { Code?: string }).Code).toBe('AuthorizationError');
      expect(httpStatus(err)).toBe(403);
      expect(emu.published).toHaveLength(0);
    } finally {
      sns.destroy();
    }
  });

  it('uses each service family its own error codes', async () => {
    emu.seed.role({ name: 'r' });
    const queue = emu.seed.queue('q');
    const iam = new IAMClient(clientConfig(emu));
    const sqs = new SQSClient(clientConfig(emu));
    try {
      emu.injectFault({ service: 'iam', operation: 'ListRoleTags', kind: 'accessDenied', times: 1 });
      const denied = await sdkError(iam.send(new ListRoleTagsCommand({ RoleName: 'r' })));
      expect([denied.name, httpStatus(denied)]).toEqual(['AccessDenied', 403]);
      emu.injectFault({ service: 'iam', operation: 'ListRoleTags', kind: 'throttle' });
      const throttled = await sdkError(iam.send(new ListRoleTagsCommand({ RoleName: 'r' })));
      expect(throttled.name).toBe('Throttling');
      emu.injectFault({ service: 'sqs', operation: 'SendMessage', kind: 'throttle' });
      const sqsThrottled = await sdkError(
        sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'x' })),
      );
      expect(sqsThrottled.name).toBe('RequestThrottled');
    } finally {
      iam.destroy();
      sqs.destroy();
    }
  });

  it('delays a call with a latency fault, then answers normally', async () => {
    const kms = new KMSClient(clientConfig(emu));
    try {
      emu.seed.kmsKey({ aliases: ['alias/slow'] });
      emu.injectFault({
        service: 'kms',
        operation: 'DescribeKey',
        kind: 'latency',
        latencyMs: 300,
        times: 1,
      });
      const started = Date.now();
      const out = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/slow' }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(out.KeyMetadata?.KeyState).toBe('Enabled');
      expect(emu.calls[0]?.durationMs).toBeGreaterThanOrEqual(290);
      const quick = Date.now();
      await kms.send(new DescribeKeyCommand({ KeyId: 'alias/slow' })); // the fault was used up
      expect(Date.now() - quick).toBeLessThan(250);
    } finally {
      kms.destroy();
    }
  });

  it('matches on service as well as operation', async () => {
    emu.injectFault({ service: 'kms', operation: 'DescribeNotebookInstance', kind: 'internal' });
    await describeNb(smOnce);
    expect(emu.calls.map((c) => c.status)).toEqual([200]);
  });

  it('reset() forgets faults, calls and state', async () => {
    emu.injectFault({ operation: 'DescribeNotebookInstance', kind: 'accessDenied' });
    await sdkError(describeNb(smOnce));
    emu.reset();
    expect(emu.calls).toHaveLength(0);
    expect(emu.inspect.notebookInstance('nb')).toBeUndefined();
    const err = await sdkError(describeNb(smOnce));
    expect(err.message).toBe('RecordNotFound'); // no longer AccessDenied: the fault is gone too
  });
});
