// The delivery guarantees on the guardrails' table (store/table.ts):
// - the event: Powertools idempotency with its DynamoDB persistence layer, keyed on the event id
//   (`event#<md5 of the id>`: IN_PROGRESS while handled, COMPLETED with the outcome, deleted when the work
//   throws so the retry runs it again; an IN_PROGRESS record expires with the invocation's time budget, so a
//   crashed invocation is retried);
// - each action: `action#<event id>`, one attribute per step, written as the step completes, so a retry after a
//   partial failure redoes only the steps not recorded.
import { randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type ActionJournal,
  DeliveryInProgressError,
  type DeliveryLedger,
  type DeliveryStore,
  type JournalEntries,
} from '#core/delivery';
import { KEY_ATTRIBUTE, TTL_ATTRIBUTE } from './table.ts';

/**
 * How long the records of an event are kept: as long as its dead letter can wait in the failed-events queue
 * (14 days), so a redrive finds what was already done.
 */
export const DELIVERY_RECORD_DAYS = 14;
const RECORD_SECONDS = DELIVERY_RECORD_DAYS * 24 * 3600;

export const EVENT_KEY_PREFIX = 'event';
export const ACTION_KEY_PREFIX = 'action#';
const STEP_ATTRIBUTE_PREFIX = 'step_';

type IdempotentRun = (
  key: { eventId: string },
  context: { getRemainingTimeInMillis(): number },
  work: () => Promise<object>,
  nonce: string,
) => Promise<{ nonce: string; value: object }>;

export class DynamoDeliveryLedger implements DeliveryLedger {
  private readonly run: IdempotentRun;

  constructor(client: DynamoDBClient, tableName: string) {
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName,
      awsSdkV3Client: client,
      keyAttr: KEY_ATTRIBUTE,
      expiryAttr: TTL_ATTRIBUTE,
    });
    // The whole key object ({ eventId }) is hashed: no JMESPath (the Lambda bundle leaves it out).
    const config = new IdempotencyConfig({
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: RECORD_SECONDS,
    });
    // The nonce tells a fresh run from a stored outcome: Powertools returns the first run's value to a repeat.
    const work: IdempotentRun = async (_key, _context, run, nonce) => ({ nonce, value: await run() });
    this.run = makeIdempotent(work, { persistenceStore, config, keyPrefix: EVENT_KEY_PREFIX });
  }

  async once<T extends object>(eventId: string, work: () => Promise<T>, budgetMs: number) {
    const nonce = randomUUID();
    try {
      const out = await this.run({ eventId }, { getRemainingTimeInMillis: () => budgetMs }, work, nonce);
      return { value: out.value as T, repeat: out.nonce !== nonce };
    } catch (error) {
      if ((error as Error).name === 'IdempotencyAlreadyInProgressError') {
        throw new DeliveryInProgressError(eventId);
      }
      throw error;
    }
  }
}

export class DynamoActionJournal implements ActionJournal {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  private key(eventId: string) {
    return { [KEY_ATTRIBUTE]: { S: `${ACTION_KEY_PREFIX}${eventId}` } };
  }

  async read(eventId: string): Promise<JournalEntries> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.key(eventId), ConsistentRead: true }),
    );
    const steps: Record<string, unknown> = {};
    // TTL deletion is lazy: an expired record is no record.
    const expiration = Number(Item?.[TTL_ATTRIBUTE]?.N ?? 0);
    if (!Item || expiration * 1000 < this.now()) return steps;
    for (const [name, value] of Object.entries(Item)) {
      if (name.startsWith(STEP_ATTRIBUTE_PREFIX) && value.S) {
        steps[name.slice(STEP_ATTRIBUTE_PREFIX.length)] = JSON.parse(value.S);
      }
    }
    return steps as JournalEntries;
  }

  /** One attribute per step: concurrent steps of one event never overwrite each other. */
  async record<K extends keyof JournalEntries>(
    eventId: string,
    step: K,
    settled: JournalEntries[K],
  ): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(eventId),
        UpdateExpression: 'SET #step = :settled, #expiration = :expiration',
        ExpressionAttributeNames: {
          '#step': `${STEP_ATTRIBUTE_PREFIX}${step}`,
          '#expiration': TTL_ATTRIBUTE,
        },
        ExpressionAttributeValues: {
          ':settled': { S: JSON.stringify(settled) },
          ':expiration': { N: String(Math.floor(this.now() / 1000) + RECORD_SECONDS) },
        },
      }),
    );
  }
}

export function dynamoDeliveryStore(client: DynamoDBClient, tableName: string): DeliveryStore {
  return {
    ledger: new DynamoDeliveryLedger(client, tableName),
    journal: new DynamoActionJournal(client, tableName),
  };
}
