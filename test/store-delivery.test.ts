// The delivery records on a real DynamoDB (dynalite): Powertools idempotency per event, a record per action.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryInProgressError } from '#core/delivery';
import { DynamoActionJournal, DynamoDeliveryLedger } from '#store/delivery';
import { type LocalDynamo, startDynamo } from './support/dynamodb.ts';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(async () => dynamo.close());

describe('the event ledger (Powertools idempotency)', () => {
  it('runs the work once; a repeat gets the first outcome, flagged', async () => {
    const ledger = new DynamoDeliveryLedger(dynamo.client, dynamo.tableName);
    let runs = 0;
    const work = async () => ({ run: ++runs });
    expect(await ledger.once('e-1', work, 60_000)).toEqual({ value: { run: 1 }, repeat: false });
    // Another container: its own ledger object, the same table.
    const other = new DynamoDeliveryLedger(dynamo.client, dynamo.tableName);
    expect(await other.once('e-1', work, 60_000)).toEqual({ value: { run: 1 }, repeat: true });
    expect(runs).toBe(1);
  });

  it('a concurrent delivery is refused while the first runs, and retried after it', async () => {
    const a = new DynamoDeliveryLedger(dynamo.client, dynamo.tableName);
    const b = new DynamoDeliveryLedger(dynamo.client, dynamo.tableName);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = a.once(
      'e-2',
      async () => {
        await gate;
        return { by: 'a' };
      },
      60_000,
    );
    await new Promise((r) => setTimeout(r, 100));
    await expect(b.once('e-2', async () => ({ by: 'b' }), 60_000)).rejects.toBeInstanceOf(
      DeliveryInProgressError,
    );
    release();
    expect(await first).toEqual({ value: { by: 'a' }, repeat: false });
    expect(await b.once('e-2', async () => ({ by: 'b' }), 60_000)).toEqual({
      value: { by: 'a' },
      repeat: true,
    });
  });

  it('work that throws leaves no record: the retry runs it again', async () => {
    const ledger = new DynamoDeliveryLedger(dynamo.client, dynamo.tableName);
    await expect(
      ledger.once('e-3', async () => Promise.reject(new Error('throttled')), 60_000),
    ).rejects.toThrow('throttled');
    expect(await ledger.once('e-3', async () => ({ ok: true }), 60_000)).toEqual({
      value: { ok: true },
      repeat: false,
    });
  });

  it('an invocation that died holds the event only for its time budget', async () => {
    const crashed = new DynamoDeliveryLedger(dynamo.client, dynamo.tableName);
    void crashed.once('e-4', () => new Promise<object>(() => {}), 200); // never settles: the container died
    await new Promise((r) => setTimeout(r, 100));
    const retry = new DynamoDeliveryLedger(dynamo.client, dynamo.tableName);
    await expect(retry.once('e-4', async () => ({ ok: 1 }), 60_000)).rejects.toBeInstanceOf(
      DeliveryInProgressError,
    );
    await new Promise((r) => setTimeout(r, 250));
    expect(await retry.once('e-4', async () => ({ ok: 2 }), 60_000)).toEqual({
      value: { ok: 2 },
      repeat: false,
    });
  });
});

describe('the action journal', () => {
  it('records each step on its own; concurrent steps of one event keep each other', async () => {
    const journal = new DynamoActionJournal(dynamo.client, dynamo.tableName);
    expect(await journal.read('e-5')).toEqual({});
    await Promise.all([
      journal.record('e-5', 'tags', { results: [{ type: 'tag', status: 'done', detail: 'tag a=b' }] }),
      journal.record('e-5', 'stop', { results: [{ type: 'stop', status: 'done' }] }),
    ]);
    expect(await new DynamoActionJournal(dynamo.client, dynamo.tableName).read('e-5')).toEqual({
      tags: { results: [{ type: 'tag', status: 'done', detail: 'tag a=b' }] },
      stop: { results: [{ type: 'stop', status: 'done' }] },
    });
  });

  it('an expired record (TTL is lazy) is no record', async () => {
    const later = new DynamoActionJournal(
      dynamo.client,
      dynamo.tableName,
      () => Date.now() + 15 * 86_400_000,
    );
    await new DynamoActionJournal(dynamo.client, dynamo.tableName).record('e-6', 'notify', { results: [] });
    expect(await later.read('e-6')).toEqual({});
  });
});
