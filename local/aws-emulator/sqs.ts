// SQS (JSON 1.0, awsQuery-compatible): a queue per region/name with delay and visibility timeout.
import { createHash, randomUUID } from 'node:crypto';
import { ApiError } from './errors.ts';
import { optNumber, optRecord, optStringList, reqString } from './params.ts';
import type { Queue, State } from './state.ts';
import type { Params, RequestContext, ServiceHandlers } from './types.ts';

// SQS errors carry a modern shape name and the legacy query code; the SDK builds its error from both.
const sqsError = (name: string, queryCode: string, message: string, status = 400): ApiError =>
  new ApiError(name, message, status, queryCode);
const missingParam = (key: string): ApiError =>
  sqsError('MissingParameter', 'MissingParameter', `The request must contain the parameter ${key}.`);
const invalidValue = (message: string): ApiError =>
  sqsError('InvalidParameterValue', 'InvalidParameterValue', message);
const noQueue = (): ApiError =>
  sqsError(
    'QueueDoesNotExist',
    'AWS.SimpleQueueService.NonExistentQueue',
    'The specified queue does not exist.',
  );

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

export function createQueue(state: State, endpoint: string, region: string, name: string): Queue {
  const key = `${region}/${name}`;
  const existing = state.queues.get(key);
  if (existing) return existing;
  const queue: Queue = { name, region, url: `${endpoint}/${state.accountId}/${name}`, messages: [] };
  state.queues.set(key, queue);
  return queue;
}

/** Queue URLs are resolved by their last path segment, so real-looking AWS URLs work too. */
function queueOf(state: State, p: Params, ctx: RequestContext): Queue {
  const url = reqString(p, 'QueueUrl', missingParam);
  const name = url.split('/').filter(Boolean).pop() ?? '';
  const queue = state.queues.get(`${ctx.region}/${name}`);
  if (!queue) throw noQueue();
  return queue;
}

export function sqsHandlers(state: State): ServiceHandlers {
  return {
    CreateQueue(p, ctx) {
      const name = reqString(p, 'QueueName', missingParam);
      if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) throw invalidValue(`Invalid queue name: ${name}`);
      return { QueueUrl: createQueue(state, ctx.endpoint, ctx.region, name).url };
    },
    GetQueueUrl(p, ctx) {
      const queue = state.queues.get(`${ctx.region}/${reqString(p, 'QueueName', missingParam)}`);
      if (!queue) throw noQueue();
      return { QueueUrl: queue.url };
    },
    SendMessage(p, ctx) {
      const queue = queueOf(state, p, ctx);
      const body = reqString(p, 'MessageBody', missingParam);
      const delaySeconds = optNumber(p, 'DelaySeconds') ?? 0;
      if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900)
        throw invalidValue(
          `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.`,
        );
      const messageId = randomUUID();
      const now = Date.now();
      queue.messages.push({
        messageId,
        body,
        attributes: optRecord(p, 'MessageAttributes') ?? {},
        visibleAt: now + delaySeconds * 1000,
      });
      state.sqsMessages.push({ queueUrl: queue.url, body, delaySeconds, messageId, at: now });
      // The SDK verifies this checksum and rejects the response if it does not match.
      return { MessageId: messageId, MD5OfMessageBody: md5(body) };
    },
    ReceiveMessage(p, ctx) {
      const queue = queueOf(state, p, ctx);
      const max = optNumber(p, 'MaxNumberOfMessages') ?? 1;
      const visibility = optNumber(p, 'VisibilityTimeout') ?? 30;
      const wanted = optStringList(p, 'MessageAttributeNames') ?? [];
      const all = wanted.includes('All') || wanted.includes('.*');
      const now = Date.now();
      // No long polling: WaitTimeSeconds is ignored and the call answers at once.
      const ready = queue.messages.filter((m) => m.visibleAt <= now).slice(0, max);
      const messages = ready.map((m) => {
        m.visibleAt = now + visibility * 1000;
        m.receiptHandle = randomUUID();
        const attrs = Object.fromEntries(
          Object.entries(m.attributes).filter(([k]) => all || wanted.includes(k)),
        );
        return {
          MessageId: m.messageId,
          ReceiptHandle: m.receiptHandle,
          MD5OfBody: md5(m.body),
          Body: m.body,
          MessageAttributes: Object.keys(attrs).length ? attrs : undefined,
        };
      });
      return { Messages: messages.length ? messages : undefined };
    },
    DeleteMessage(p, ctx) {
      const queue = queueOf(state, p, ctx);
      const handle = reqString(p, 'ReceiptHandle', missingParam);
      const i = queue.messages.findIndex((m) => m.receiptHandle === handle);
      if (i < 0)
        throw sqsError(
          'ReceiptHandleIsInvalid',
          'ReceiptHandleIsInvalid',
          `The input receipt handle "${handle}" is not a valid receipt handle.`,
          404,
        );
      queue.messages.splice(i, 1);
      return {};
    },
  };
}
