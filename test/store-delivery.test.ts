// The delivery records on a real DynamoDB (dynalite): one item per event, claimed by one conditional write that
// returns what earlier attempts recorded, and recorded by one write at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeliveryStore } from '#store/delivery';
import { type LocalDynamo, startDynamo } from './support/dynamodb.ts';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(async () => dynamo.close());

/** A container's store: its own object, the same table. */
const container = (now: () => number = Date.now) =>
  new DynamoDeliveryStore(dynamo.client, dynamo.tableName, now);

const tagged = { results: [{ type: 'tag' as const, status: 'done' as const, detail: 'tag a=b' }] };

describe('the delivery store', () => {
  it('claims an event once: held while the lease runs, completed for good once recorded so', async () => {
    const first = container();
    expect(await first.claim('e-1', 60_000)).toEqual({ state: 'claimed', recorded: {} });
    expect(await container().claim('e-1', 60_000)).toEqual({ state: 'held', recorded: {} });
    await first.record('e-1', { tags: tagged }, 'completed');
    expect(await container().claim('e-1', 60_000)).toEqual({
      state: 'completed',
      recorded: { tags: tagged },
    });
    // Even once the lease is long over.
    expect(await container(() => Date.now() + 3_600_000).claim('e-1', 60_000)).toMatchObject({
      state: 'completed',
    });
  });

  it('a released event is taken at once by the retry, with what the failed attempt recorded', async () => {
    const failed = container();
    await failed.claim('e-2', 60_000);
    const plan = { verdict: 'noncompliant' as const, evaluation: { violations: [], actions: [] } as never };
    await failed.record('e-2', { plan }, 'held');
    await failed.record('e-2', { tags: tagged }, 'released');
    expect(await container().claim('e-2', 60_000)).toEqual({
      state: 'claimed',
      recorded: { plan, tags: tagged },
    });
  });

  it('an attempt that died holds the event only until its lease ends; the retry gets what it recorded', async () => {
    const dead = container();
    await dead.claim('e-3', 200);
    await dead.record('e-3', { notify: { results: [] } }, 'held');
    expect((await container().claim('e-3', 60_000)).state).toBe('held');
    await new Promise((r) => setTimeout(r, 250));
    expect(await container().claim('e-3', 60_000)).toEqual({
      state: 'claimed',
      recorded: { notify: { results: [] } },
    });
  });

  it('each entry replaces its own only: a later record keeps the earlier ones', async () => {
    const store = container();
    await store.claim('e-4', 60_000);
    await store.record('e-4', { tags: tagged }, 'held');
    await store.record('e-4', { stop: { results: [] } }, 'released');
    expect((await container().claim('e-4', 60_000)) as unknown).toMatchObject({
      recorded: { tags: tagged, stop: { results: [] } },
    });
  });

  it('an expired item (TTL is lazy) is no item: claimed afresh, its old records and completion gone', async () => {
    await container().claim('e-5', 60_000);
    await container().record('e-5', { tags: tagged }, 'completed');
    const later = container(() => Date.now() + 15 * 86_400_000);
    expect(await later.claim('e-5', 60_000)).toEqual({ state: 'claimed', recorded: {} });
    await new Promise((r) => setTimeout(r, 5));
    // The lease is the later one's: the old completion does not come back.
    expect((await container(() => Date.now() + 15 * 86_400_000 + 120_000).claim('e-5', 60_000)).state).toBe(
      'claimed',
    );
  });

  it('keeps who claimed: a claim that recorded nothing is found by the next one; the completion says by whom', async () => {
    const dead = container();
    expect(await dead.claim('e-6', 100, 'request-1')).toEqual({ state: 'claimed', recorded: {} });
    await new Promise((r) => setTimeout(r, 150));
    // Lambda's retry of the dead invocation (same request id) finds its own claim that recorded nothing.
    expect(await container().claim('e-6', 60_000, 'request-1')).toEqual({
      state: 'claimed',
      recorded: {},
      unrecorded: ['request-1'],
    });
    await container().record('e-6', { tags: tagged }, 'completed', 'request-1');
    expect(await container().claim('e-6', 60_000, 'request-2')).toEqual({
      state: 'completed',
      recorded: { tags: tagged },
      owner: 'request-1',
    });
  });

  it('a release undoes a completion written alongside an alert that failed: the retry takes the event', async () => {
    const store = container();
    await store.claim('e-7', 60_000, 'request-1');
    await store.record('e-7', { tags: tagged }, 'completed', 'request-1');
    await store.record('e-7', { tags: tagged }, 'released', 'request-1');
    // Released with what settled, and its claim recorded: the retry is not an interrupted one.
    expect(await container().claim('e-7', 60_000, 'request-1')).toEqual({
      state: 'claimed',
      recorded: { tags: tagged },
    });
  });
});
