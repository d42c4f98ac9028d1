// 6. What users feel: each event type handled by the Lambda runtime as deployed (AWS clients and the DynamoDB
// delivery store on the emulator) with a realistic AWS latency injected into every call, against the same code
// forced sequential (a shared lock lets one AWS call be in flight at a time) in the same run, interleaved.
// Per event type: p50/p99 wall time, calls, and sequential round trips on the critical path (the emulator's
// longest chain of calls each started after the previous ended: local/aws-emulator/latency.ts), for a warm
// container and for a fresh one (empty caches), and the bytes of log lines the event writes.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SimulatedAccount } from '#cli/simulation';
import { type AwsClientProvider, createAwsClientProvider } from '#core/aws/client-provider';
import { type AwsClients, createAwsClients } from '#core/aws/clients';
import { GuardrailsRuntime } from '#core/lambda/runtime';
import type { AwsLocation } from '#core/location';
import { DEFAULT_POLICY } from '#core/policy';
import { type Emulator, sequentialRoundTrips } from '#emulator/index';
import { dynamoDeliveryStore } from '#store/delivery';
import { createStoreClient } from '#store/table';
import {
  BENCH_TABLE,
  CREDENTIALS,
  type JsonEvent,
  lambdaContext,
  loadEvent,
  median,
  percentile,
  REGION,
  round,
  silenced,
  withFreshIds,
} from './common.ts';

const ACCOUNT = '111122223333';

export interface EventLatency {
  p50Ms: number;
  p99Ms: number;
  /** AWS calls per event (median; DynamoDB delivery records included). */
  calls: number;
  /**
   * Sequential round trips of the whole invocation, warm container (the most seen): the delivery record written
   * after the alert included.
   */
  roundTrips: number;
  /**
   * Sequential round trips up to the last user-visible effect (the alert, else the last AWS write or read): the
   * critical path users feel. The delivery record after the alert is not on it (the most seen).
   */
  roundTripsToLastEffect: number;
  /** Median time from the event's arrival to the end of its last user-visible effect. */
  p50MsToLastEffect: number;
  /** The same without the DynamoDB delivery records: SageMaker, KMS, IAM, SNS and SQS alone. */
  roundTripsWithoutDeliveryRecords: number;
  /** A fresh container's first event: empty KMS and IAM caches. */
  freshRoundTrips: number;
  verdict: string;
  actions: string[];
  /** Log bytes the event wrote (stdout + stderr: the finding line and the metrics document), the most seen. */
  logBytes: number;
}

export type EventTypeName =
  | 'compliantNotebook'
  | 'noncompliantNotebookPending'
  | 'noncompliantNotebookInService'
  | 'userProfile'
  | 'addTagsRevert';

export interface LatencyResult {
  latencyMs: number;
  eventsPerType: number;
  compliantNotebook: EventLatency;
  noncompliantNotebookPending: EventLatency;
  noncompliantNotebookInService: EventLatency;
  userProfile: EventLatency;
  addTagsRevert: EventLatency;
  sequential: Record<EventTypeName, EventLatency>;
  /** Sequential p50 / concurrent p50 per event type: how much faster the concurrent code is. */
  speedup: Record<EventTypeName, number>;
  note: string;
}

interface EventType {
  name: EventTypeName;
  file: string;
  /** The i-th event of this type for a variant, its resource made to exist as after the user's call. */
  prepare(template: JsonEvent, tag: string): JsonEvent;
  /** After the user's call is acted out (e.g. the notebook reaches InService). */
  after?(emulator: Emulator, event: JsonEvent): void;
}

type Detail = { requestParameters: Record<string, unknown>; responseElements: Record<string, unknown> };
const detailOf = (event: JsonEvent) => event.detail as Detail;

function renamedNotebook(template: JsonEvent, name: string): JsonEvent {
  const event = withFreshIds(template);
  const d = detailOf(event);
  d.requestParameters.notebookInstanceName = name;
  d.responseElements.notebookInstanceArn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/${name}`;
  return event;
}

const EVENT_TYPES: EventType[] = [
  {
    name: 'compliantNotebook',
    file: 'notebook-instance/create-compliant.json',
    prepare: (t, tag) => renamedNotebook(t, `lat-ok-${tag}`),
  },
  {
    name: 'noncompliantNotebookPending',
    file: 'notebook-instance/create-all-defaults.json',
    prepare: (t, tag) => renamedNotebook(t, `lat-pending-${tag}`),
  },
  {
    name: 'noncompliantNotebookInService',
    file: 'notebook-instance/create-all-defaults.json',
    prepare: (t, tag) => renamedNotebook(t, `lat-running-${tag}`),
    after: (emulator, event) =>
      emulator.advanceNotebook(detailOf(event).requestParameters.notebookInstanceName as string, REGION),
  },
  {
    name: 'userProfile',
    file: 'studio/create-user-profile-missing-studiouserid.json',
    prepare: (t, tag) => {
      const event = withFreshIds(t);
      const d = detailOf(event);
      const name = `lat-user-${tag}`;
      d.requestParameters.userProfileName = name;
      d.responseElements.userProfileArn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:user-profile/${d.requestParameters.domainId}/${name}`;
      return event;
    },
  },
  {
    // The same profile every time: the user's AddTags is acted out again before each event, then reverted.
    name: 'addTagsRevert',
    file: 'tags/add-tags-user-profile-change-studiouserid.json',
    prepare: (t) => withFreshIds(t),
  },
];

type Middleware = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>;
type WithStack = {
  middlewareStack: { add(mw: Middleware, options: { step: 'initialize'; name: string }): void };
};

/** A lock that lets one holder at a time through, in arrival order. */
function oneAtATime(): () => Promise<() => void> {
  let tail: Promise<void> = Promise.resolve();
  return async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = tail;
    tail = previous.then(() => held);
    await previous;
    return release;
  };
}

/** Every SDK client handed out (created lazily) takes the lock around each call, retries included. */
function lockingClients(lock: () => Promise<() => void>) {
  const locked = new WeakSet<object>();
  const install = (client: WithStack) => {
    if (locked.has(client)) return;
    locked.add(client);
    client.middlewareStack.add(
      (next) => async (args) => {
        const release = await lock();
        try {
          return await next(args);
        } finally {
          release();
        }
      },
      { step: 'initialize', name: 'benchOneCallAtATime' },
    );
  };
  const wrapSet = (set: AwsClients): AwsClients =>
    new Proxy(set, {
      get(target, key) {
        const client = Reflect.get(target, key) as unknown;
        if (client && typeof client === 'object' && 'middlewareStack' in client) install(client as WithStack);
        return client;
      },
    });
  return {
    install,
    provider: (provider: AwsClientProvider): AwsClientProvider =>
      new Proxy(provider, {
        get(target, key) {
          if (key === 'homeClients') return wrapSet(target.homeClients);
          if (key === 'for') return (location: AwsLocation) => wrapSet(target.for(location));
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
  };
}

interface Container {
  runtime: GuardrailsRuntime;
  destroy(): void;
}

function container(emulator: Emulator, world: { topicArn: string; queueUrl: string }, sequential: boolean) {
  const clients = createAwsClientProvider({
    home: { partition: 'aws', account: emulator.accountId, region: REGION },
    endpoint: emulator.endpoint,
    credentials: CREDENTIALS,
  });
  const store: DynamoDBClient = createStoreClient({
    endpoint: emulator.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
  });
  let provider: AwsClientProvider = clients;
  if (sequential) {
    const locking = lockingClients(oneAtATime());
    locking.install(store as unknown as WithStack);
    provider = locking.provider(clients);
  }
  const runtime = new GuardrailsRuntime(
    {
      policy: DEFAULT_POLICY,
      topicArn: world.topicArn,
      recheckQueueUrl: world.queueUrl,
      tableName: BENCH_TABLE,
    },
    provider,
    undefined,
    dynamoDeliveryStore(store, BENCH_TABLE),
  );
  return {
    runtime,
    destroy: () => {
      clients.destroy();
      store.destroy();
    },
  } satisfies Container;
}

interface Sample {
  wallMs: number;
  calls: number;
  roundTrips: number;
  toLastEffect: number;
  msToLastEffect: number;
  withoutRecords: number;
  logBytes: number;
  verdict: string;
  actions: string[];
}

function summarize(samples: Sample[], fresh: Sample): EventLatency {
  const wall = samples.map((s) => s.wallMs);
  const last = samples[samples.length - 1] ?? fresh;
  return {
    p50Ms: round(median(wall), 1),
    p99Ms: round(percentile(wall, 99), 1),
    calls: median(samples.map((s) => s.calls)),
    roundTrips: Math.max(...samples.map((s) => s.roundTrips)),
    roundTripsToLastEffect: Math.max(...samples.map((s) => s.toLastEffect)),
    p50MsToLastEffect: round(median(samples.map((s) => s.msToLastEffect)), 1),
    roundTripsWithoutDeliveryRecords: Math.max(...samples.map((s) => s.withoutRecords)),
    freshRoundTrips: fresh.roundTrips,
    verdict: last.verdict,
    actions: last.actions,
    logBytes: Math.max(...samples.map((s) => s.logBytes), fresh.logBytes),
  };
}

/** The emulator must have the table BENCH_TABLE (run.ts creates it). */
export async function measureLatency(options: {
  emulator: Emulator;
  topicArn: string;
  queueUrl: string;
  latencyMs: number;
  eventsPerType: number;
}): Promise<LatencyResult> {
  const { emulator, latencyMs } = options;
  const actor = createAwsClients({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
  const account = new SimulatedAccount(emulator, () => actor.sagemaker);

  const one = async (c: Container, type: EventType, template: JsonEvent, tag: string): Promise<Sample> => {
    emulator.setLatency(0);
    const event = type.prepare(template, tag);
    await account.apply(event);
    type.after?.(emulator, event);
    emulator.clearCalls();
    emulator.setLatency(latencyMs);
    const t0 = performance.now();
    const out = await silenced(() => c.runtime.handleEvent(event, lambdaContext(`bench-${tag}`)));
    const wallMs = performance.now() - t0;
    emulator.setLatency(0);
    const report = out.value;
    // The last call that is not one of the guardrails' own records: what users see last.
    const effects = emulator.calls.filter((call) => call.service !== 'dynamodb');
    const lastEnd = Math.max(...effects.map((call) => call.endedMs));
    return {
      wallMs,
      calls: emulator.calls.length,
      roundTrips: emulator.roundTrips(),
      toLastEffect: sequentialRoundTrips(emulator.calls.filter((call) => call.endedMs <= lastEnd)),
      msToLastEffect: lastEnd - t0,
      withoutRecords: sequentialRoundTrips(emulator.calls.filter((call) => call.service !== 'dynamodb')),
      logBytes: out.stdoutBytes + out.stderrBytes,
      verdict: report.verdict,
      actions: report.actions.map((a) => `${a.type}:${a.status}`),
    };
  };

  const concurrent: Partial<Record<EventTypeName, EventLatency>> = {};
  const sequential: Partial<Record<EventTypeName, EventLatency>> = {};
  try {
    for (const type of EVENT_TYPES) {
      const template = loadEvent(type.file);
      const fast = container(emulator, options, false);
      const slow = container(emulator, options, true);
      try {
        // The first event of each container is its fresh (cold caches) one.
        const freshFast = await one(fast, type, template, 'c-0');
        const freshSlow = await one(slow, type, template, 's-0');
        const fastSamples: Sample[] = [];
        const slowSamples: Sample[] = [];
        for (let i = 1; i <= options.eventsPerType; i++) {
          // Interleaved, so both variants share the machine's noise.
          fastSamples.push(await one(fast, type, template, `c-${i}`));
          slowSamples.push(await one(slow, type, template, `s-${i}`));
        }
        concurrent[type.name] = summarize(fastSamples, freshFast);
        sequential[type.name] = summarize(slowSamples, freshSlow);
      } finally {
        fast.destroy();
        slow.destroy();
      }
    }
  } finally {
    emulator.setLatency(0);
    actor.destroy();
  }
  const all = concurrent as Record<EventTypeName, EventLatency>;
  const seq = sequential as Record<EventTypeName, EventLatency>;
  const speedup = Object.fromEntries(
    EVENT_TYPES.map((t) => [t.name, round(seq[t.name].p50Ms / all[t.name].p50Ms, 2)]),
  ) as Record<EventTypeName, number>;
  return {
    latencyMs,
    eventsPerType: options.eventsPerType,
    ...all,
    sequential: seq,
    speedup,
    note:
      `${latencyMs} ms added to every AWS call (DynamoDB included). roundTrips: the longest chain of calls each ` +
      'started after the previous one ended, the most seen on a warm container, for the whole invocation (the ' +
      'delivery record written after the alert included); roundTripsToLastEffect and p50MsToLastEffect: up to ' +
      'the end of the last user-visible effect (the alert, else the last AWS call), without that record; ' +
      'freshRoundTrips: a fresh ' +
      "container's first event. sequential: the same code with one AWS call in flight at a time. speedup: " +
      'sequential p50 / concurrent p50. The delivery store is the DynamoDB one, as deployed.',
  };
}
