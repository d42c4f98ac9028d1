// SNS (awsQuery): topics and Publish; every successful Publish is kept for assertions.
import { randomUUID } from 'node:crypto';
import { ApiError } from './errors.ts';
import { optRecord, optString, reqString } from './params.ts';
import { partitionOf, type State } from './state.ts';
import type { PublishedMessage, ServiceHandlers } from './types.ts';

const MAX_SUBJECT = 100;
const MAX_MESSAGE_BYTES = 256 * 1024;

const invalid = (what: string): ApiError => new ApiError('InvalidParameter', `Invalid parameter: ${what}`);

export function createTopic(state: State, region: string, name: string): string {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) throw invalid('Topic Name');
  const arn = `arn:${partitionOf(region)}:sns:${region}:${state.accountId}:${name}`;
  state.topics.add(arn); // CreateTopic is idempotent
  return arn;
}

function messageAttributes(raw: Record<string, unknown> | undefined): PublishedMessage['messageAttributes'] {
  const out: PublishedMessage['messageAttributes'] = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const v = (value ?? {}) as Record<string, unknown>;
    if (typeof v.DataType !== 'string' || v.DataType === '')
      throw invalid(
        `MessageAttributes. Reason: The message attribute '${name}' must contain non-empty message attribute type.`,
      );
    out[name] = {
      DataType: v.DataType,
      StringValue: typeof v.StringValue === 'string' ? v.StringValue : undefined,
    };
  }
  return out;
}

export function snsHandlers(state: State): ServiceHandlers {
  return {
    CreateTopic: (p, ctx) => ({
      TopicArn: createTopic(
        state,
        ctx.region,
        reqString(p, 'Name', () => invalid('Name')),
      ),
    }),
    Publish(p) {
      const topicArn = reqString(p, 'TopicArn', () =>
        invalid('TopicArn or TargetArn Reason: no value for required parameter'),
      );
      const message = reqString(p, 'Message', () => invalid('Empty message'));
      const subject = optString(p, 'Subject');
      // SNS: ASCII only, no line breaks or control characters, under 100 characters.
      if (
        subject !== undefined &&
        (subject.length > MAX_SUBJECT || subject.length === 0 || !/^[\x20-\x7e]+$/.test(subject))
      )
        throw invalid('Subject');
      if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw invalid('Message too long');
      if (!state.topics.has(topicArn)) throw new ApiError('NotFound', 'Topic does not exist', 404);
      const messageId = randomUUID();
      state.published.push({
        topicArn,
        subject,
        message,
        messageAttributes: messageAttributes(optRecord(p, 'MessageAttributes')),
        messageId,
        at: Date.now(),
      });
      return { MessageId: messageId };
    },
  };
}
