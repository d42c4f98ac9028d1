import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../local/aws-emulator/index.ts';
import { ACCOUNT, clientConfig, sdkError } from './helpers.ts';

let emu: Emulator;
let sqs: SQSClient;

beforeAll(async () => {
  emu = await startEmulator();
  sqs = new SQSClient(clientConfig(emu));
});
afterAll(async () => {
  sqs.destroy();
  await emu.close();
});
beforeEach(() => emu.reset());

describe('SQS', () => {
  it('creates a queue, resolves its URL and records SendMessage with DelaySeconds', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'retries' }));
    expect(QueueUrl).toBe(`${emu.endpoint}/${ACCOUNT}/retries`);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'retries' }))).QueueUrl).toBe(QueueUrl);

    // The SDK checks MD5OfMessageBody, so success here also proves the checksum is right.
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: '{"retry":1}', DelaySeconds: 120 }),
    );
    expect(emu.sqsMessages).toEqual([
      {
        queueUrl: QueueUrl,
        body: '{"retry":1}',
        delaySeconds: 120,
        messageId: sent.MessageId,
        at: expect.any(Number),
      },
    ]);
    // Still delayed, so nothing to receive yet.
    const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(none.Messages ?? []).toHaveLength(0);
  });

  it('receives and deletes a visible message', async () => {
    const url = emu.seed.queue('work');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'hello',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' } },
      }),
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['hello']);
    expect(got.Messages?.[0]?.MessageAttributes?.kind?.StringValue).toBe('x');
    // In flight now: a second receive sees nothing.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toHaveLength(0);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle }),
    );
    const again = await sdkError(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle })),
    );
    expect(again.name).toBe('ReceiptHandleIsInvalid');
  });

  it('rejects DelaySeconds above 900 and unknown queues', async () => {
    const url = emu.seed.queue('q');
    const delay = await sdkError(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })),
    );
    expect(delay.name).toBe('InvalidParameterValue');
    const missing = await sdkError(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })));
    expect(missing.name).toBe('QueueDoesNotExist');
    expect((missing.Error as { Code?: string }).Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect(emu.sqsMessages).toHaveLength(0);
  });
});
