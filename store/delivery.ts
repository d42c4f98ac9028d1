// The delivery records on the guardrails' table (store/table.ts): one item per event, `delivery#<event id>`.
// - claim: ONE conditional UpdateItem takes the event (a lease until the invocation's time ends) unless it
//   completed or another delivery's lease is unexpired, and returns the item as it was (ALL_OLD, on success and,
//   through ReturnValuesOnConditionCheckFailure, on a failed condition): what earlier attempts recorded comes
//   back with the lock, in the same round trip, which runs alongside the resource reads.
//   The claim keeps its owner (the invocation's request id, which Lambda's retries keep) and adds it to the
//   event's claimants: a retry that finds its own id there finds an attempt of its own that recorded nothing.
// - record: ONE UpdateItem sets the entries (one attribute each: the plan, each step) and how the event stands
//   (completed, or released for a retry to take at once), and takes the owner out of the claimants.
// Powertools idempotency did the lock before the work, as a write of its own, then a write after: it cannot run
// alongside the reads, and a journal read came on top. See docs/architecture.md.
import {
  type AttributeValue,
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
/** The request id of the invocation that last claimed (or completed) the event. */
const OWNER_ATTRIBUTE = 'owner';
/** The request ids whose claims recorded nothing yet (a string set). */
const CLAIMANTS_ATTRIBUTE = 'claimants';
const ENTRY_NAMES: (keyof JournalEntries)[] = ['plan', 'exempt', 'tags', 'stop', 'notify'];

type Item = Record<string, { S?: string; N?: string; SS?: string[] }>;

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

  async claim(eventId: string, leaseMs: number, owner?: string): Promise<DeliveryClaim> {
    const now = this.now();
    let old: Item | undefined;
    const owned: { names: Record<string, string>; values: Record<string, AttributeValue>; update: string } =
      owner
        ? {
            names: { '#owner': OWNER_ATTRIBUTE, '#claimants': CLAIMANTS_ATTRIBUTE },
            values: { ':owner': { S: owner }, ':owners': { SS: [owner] } },
            update: ', #owner = :owner ADD #claimants :owners',
          }
        : { names: {}, values: {}, update: '' };
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(eventId),
          UpdateExpression: `SET #lease = :lease, #expiration = :expiration${owned.update}`,
          // Free: no item, an expired one, or an unfinished attempt whose lease ended (it crashed or timed out).
          ConditionExpression:
            'attribute_not_exists(#key) OR #expiration < :nowSeconds OR ' +
            '(attribute_not_exists(#completed) AND #lease < :now)',
          ExpressionAttributeNames: {
            '#key': KEY_ATTRIBUTE,
            '#lease': LEASE_ATTRIBUTE,
            '#expiration': TTL_ATTRIBUTE,
            '#completed': COMPLETED_ATTRIBUTE,
            ...owned.names,
          },
          ExpressionAttributeValues: {
            ':lease': { N: String(now + leaseMs) },
            ':expiration': this.expiration(),
            ':now': { N: String(now) },
            ':nowSeconds': { N: String(Math.floor(now / 1000)) },
            ...owned.values,
          },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      old = this.live(out.Attributes as Item | undefined);
      // An expired item taken over: what it recorded belongs to nobody now.
      if (!old && out.Attributes) await this.clearEntries(eventId, owner);
      return { state: 'claimed', recorded: entriesOf(old), ...unrecordedOf(old) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A store that does not return the item with a failed condition: read it (this path only).
      const item = (error.Item as Item | undefined) ?? (await this.read(eventId));
      if (item?.[COMPLETED_ATTRIBUTE]) {
        const by = item[OWNER_ATTRIBUTE]?.S;
        return { state: 'completed', recorded: entriesOf(item), ...(by ? { owner: by } : {}) };
      }
      return { state: 'held', recorded: entriesOf(item), ...unrecordedOf(item) };
    }
  }

  async record(eventId: string, entries: JournalEntries, standing: Standing, owner?: string): Promise<void> {
    const names: Record<string, string> = { '#expiration': TTL_ATTRIBUTE };
    const values: Record<string, { S: string } | { N: string } | { SS: string[] }> = {
      ':expiration': this.expiration(),
    };
    const set = ['#expiration = :expiration'];
    let rest = '';
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
      if (owner) {
        names['#owner'] = OWNER_ATTRIBUTE;
        values[':owner'] = { S: owner };
        set.push('#owner = :owner');
      }
    } else if (standing === 'released') {
      names['#lease'] = LEASE_ATTRIBUTE;
      values[':released'] = { N: '0' };
      set.push('#lease = :released');
      // A completion written alongside an alert that then failed is undone: a retry or a redrive sends it.
      names['#completed'] = COMPLETED_ATTRIBUTE;
      rest += ' REMOVE #completed';
    }
    if (owner && standing !== 'held') {
      names['#claimants'] = CLAIMANTS_ATTRIBUTE;
      values[':owners'] = { SS: [owner] };
      rest += ' DELETE #claimants :owners';
    }
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(eventId),
        UpdateExpression: `SET ${set.join(', ')}${rest}`,
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

  /** Only the new claim's owner stays a claimant. */
  private async clearEntries(eventId: string, owner: string | undefined): Promise<void> {
    const names: Record<string, string> = Object.fromEntries(
      [
        ...ENTRY_NAMES.map((n) => `${ENTRY_ATTRIBUTE_PREFIX}${n}`),
        COMPLETED_ATTRIBUTE,
        ...(owner ? [] : [CLAIMANTS_ATTRIBUTE]),
      ].map((a, i) => [`#a${i}`, a]),
    );
    const removed = Object.keys(names);
    if (owner) names['#claimants'] = CLAIMANTS_ATTRIBUTE;
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(eventId),
        UpdateExpression: `REMOVE ${removed.join(', ')}${owner ? ' SET #claimants = :owners' : ''}`,
        ExpressionAttributeNames: names,
        ...(owner ? { ExpressionAttributeValues: { ':owners': { SS: [owner] } } } : {}),
      }),
    );
  }
}

function unrecordedOf(item: Item | undefined): { unrecorded?: string[] } {
  const claimants = item?.[CLAIMANTS_ATTRIBUTE]?.SS ?? [];
  return claimants.length > 0 ? { unrecorded: claimants } : {};
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
