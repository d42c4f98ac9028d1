import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { awsCall } from './errors.ts';

export async function sendDelayedMessage(
  client: SQSClient,
  queueUrl: string,
  body: unknown,
  delaySeconds: number,
): Promise<string> {
  const result = await awsCall('sqs:SendMessage', () =>
    client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(body),
        // SQS allows at most 15 minutes of delay per message.
        DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))),
      }),
    ),
  );
  return result.MessageId ?? '';
}
