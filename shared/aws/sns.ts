import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { awsCall } from './errors.ts';

export interface SnsMessage {
  subject: string;
  body: string;
  attributes: Record<string, string>;
}

/** The message id, and how many attempts the SDK made (its retries of throttling and 5xx included). */
export async function publishNotification(
  client: SNSClient,
  topicArn: string,
  message: SnsMessage,
): Promise<{ messageId: string; attempts: number }> {
  const result = await awsCall('sns:Publish', () =>
    client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: message.subject,
        Message: message.body,
        MessageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([name, value]) => [
            name,
            { DataType: value.startsWith('[') ? 'String.Array' : 'String', StringValue: value },
          ]),
        ),
      }),
    ),
  );
  return { messageId: result.MessageId ?? '', attempts: result.$metadata.attempts ?? 1 };
}

/** A message without subject or attributes (an AWS Chatbot custom notification is the JSON body alone). */
export async function publishRawMessage(client: SNSClient, topicArn: string, body: string): Promise<string> {
  const result = await awsCall('sns:Publish', () =>
    client.send(new PublishCommand({ TopicArn: topicArn, Message: body })),
  );
  return result.MessageId ?? '';
}
