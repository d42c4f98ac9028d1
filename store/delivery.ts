// The delivery records on the guardrails' table (store/table.ts): one item per event, `delivery#<event id>`.
// - claim: ONE conditional UpdateItem takes the event (a lease until the invocation's time ends) unless it
//   completed or another delivery's lease is unexpired, and returns the item as it was (ALL_OLD, on success and,
//   through ReturnValuesOnConditionCheckFailure, on a failed condition): what earlier attempts recorded comes
//   back with the lock, in the same round trip, which runs alongside the resource reads.
// - record: ONE UpdateItem sets the entries (one attribute each: the plan, each step) and how the event stands
//   (completed, or released for a retry to take at once).
// Powertools idempotency did the lock before the work, as a write of its own, then a write after: it cannot run
// alongside the reads, and a journal read came on top. See docs/architecture.md.
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DeliveryClaim, DeliveryStore, JournalEntries, Standing } from '#core/delivery';
import { KEY_ATTRIBUTE, TTL_ATTRIBUTE } from './table.ts';

/**
 * How long the records of an event are kept: as long as its dead letter can wait in the failed-events queue
 * (14 days), so a redrive finds what was already done.
 */
export const DELIVERY_RECORD_DAYS = 14;
const RECORD_SECONDS = DELIVERY_RECORD_DAYS * 24 * 3600;

export const DELIVERY_KEY_PREFIX = 'delivery#';
const ENTRY_ATTRIBUTE_PREFIX = 'entry_';
/** Epoch milliseconds until which the attempt that claimed the event holds it. */
const LEASE_ATTRIBUTE = 'lease_until';
/** Epoch milliseconds at which the event was handled to the end. */
const COMPLETED_ATTRIBUTE = 'completed_at';
const ENTRY_NAMES: (keyof JournalEntries)[] = ['plan', 'exempt', 'tags', 'stop', 'notify'];

type Item = Record<string, { S?: string; N?: string }>;

export class DynamoDeliveryStore implements DeliveryStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  private key(eventId: string) {
    return { [KEY_ATTRIBUTE]: { S: `${DELIVERY_KEY_PREFIX}${eventId}` } };
  }

  private expiration(): { N: string } {
    return { N: String(Math.floor(this.now() / 1000) + RECORD_SECONDS) };
  }

  /** TTL deletion is lazy: an expired item is no item. */
  private live(item: Item | undefined): Item | undefined {
    return item && Number(item[TTL_ATTRIBUTE]?.N ?? 0) * 1000 >= this.now() ? item : undefined;
  }

  async claim(eventId: string, leaseMs: number): Promise<DeliveryClaim> {
    const now = this.now();
    let old: Item | undefined;
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(eventId),
          UpdateExpression: 'SET #lease = :lease, #expiration = :expiration',
          // Free: no item, an expired one, or an unfinished attempt whose lease ended (it crashed or timed out).
          ConditionExpression:
            'attribute_not_exists(#key) OR #expiration < :nowSeconds OR ' +
            '(attribute_not_exists(#completed) AND #lease < :now)',
          ExpressionAttributeNames: {
            '#key': KEY_ATTRIBUTE,
            '#lease': LEASE_ATTRIBUTE,
            '#expiration': TTL_ATTRIBUTE,
            '#completed': COMPLETED_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':lease': { N: String(now + leaseMs) },
            ':expiration': this.expiration(),
            ':now': { N: String(now) },
            ':nowSeconds': { N: String(Math.floor(now / 1000)) },
          },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      old = this.live(out.Attributes as Item | undefined);
      // An expired item taken over: what it recorded belongs to nobody now.
      if (!old && out.Attributes) await this.clearEntries(eventId);
      return { state: 'claimed', recorded: entriesOf(old) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A store that does not return the item with a failed condition: read it (this path only).
      const item = (error.Item as Item | undefined) ?? (await this.read(eventId));
      if (item?.[COMPLETED_ATTRIBUTE]) return { state: 'completed' };
      return { state: 'held', recorded: entriesOf(item) };
    }
  }

  async record(eventId: string, entries: JournalEntries, standing: Standing): Promise<void> {
    const names: Record<string, string> = { '#expiration': TTL_ATTRIBUTE };
    const values: Record<string, { S: string } | { N: string }> = { ':expiration': this.expiration() };
    const set = ['#expiration = :expiration'];
    for (const name of ENTRY_NAMES) {
      const entry = entries[name];
      if (entry === undefined) continue;
      names[`#${name}`] = `${ENTRY_ATTRIBUTE_PREFIX}${name}`;
      values[`:${name}`] = { S: JSON.stringify(entry) };
      set.push(`#${name} = :${name}`);
    }
    if (standing === 'completed') {
      names['#completed'] = COMPLETED_ATTRIBUTE;
      values[':completed'] = { N: String(this.now()) };
      set.push('#completed = :completed');
    } else if (standing === 'released') {
      names['#lease'] = LEASE_ATTRIBUTE;
      values[':released'] = { N: '0' };
      set.push('#lease = :released');
    }
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(eventId),
        UpdateExpression: `SET ${set.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  private async read(eventId: string): Promise<Item | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.key(eventId), ConsistentRead: true }),
    );
    return this.live(Item as Item | undefined);
  }

  private async clearEntries(eventId: string): Promise<void> {
    const names = Object.fromEntries(
      [...ENTRY_NAMES.map((n) => `${ENTRY_ATTRIBUTE_PREFIX}${n}`), COMPLETED_ATTRIBUTE].map((a, i) => [
        `#a${i}`,
        a,
      ]),
    );
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(eventId),
        UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
        ExpressionAttributeNames: names,
      }),
    );
  }
}

function entriesOf(item: Item | undefined): JournalEntries {
  const entries: Record<string, unknown> = {};
  for (const name of ENTRY_NAMES) {
    const text = item?.[`${ENTRY_ATTRIBUTE_PREFIX}${name}`]?.S;
    if (text) entries[name] = JSON.parse(text);
  }
  return entries as JournalEntries;
}

export function dynamoDeliveryStore(client: DynamoDBClient, tableName: string): DeliveryStore {
  return new DynamoDeliveryStore(client, tableName);
}
