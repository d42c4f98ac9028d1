// Public API: a local AWS endpoint for the real SDK v3 clients (SageMaker, KMS, IAM, SNS, SQS, STS).
import type { AddressInfo } from 'node:net';
import { startDynamoBackend } from './dynamodb.ts';
import { FaultRegistry } from './faults.ts';
import { createPrincipal, iamHandlers, stsHandlers } from './iam.ts';
import { createKey, kmsHandlers } from './kms.ts';
import { ArrivalGate, type HoldSpec, InjectedLatency, sequentialRoundTrips } from './latency.ts';
import {
  advanceNotebook,
  createNotebook,
  describeNotebook,
  findNotebook,
  notebookHandlers,
} from './notebooks.ts';
import { tagHandlers } from './sagemaker.ts';
import { createServer, RateLimiter, type ServerDeps } from './server.ts';
import { createTopic, snsHandlers } from './sns.ts';
import { createQueue, sqsHandlers } from './sqs.ts';
import { State } from './state.ts';
import {
  createDomain,
  createUserProfile,
  describeDomain,
  describeUserProfile,
  studioHandlers,
} from './studio.ts';
import type {
  CallRecord,
  EmulatorOptions,
  FaultSpec,
  NotebookStatus,
  PublishedMessage,
  SentSqsMessage,
  Tag,
} from './types.ts';

export type { HoldSpec } from './latency.ts';
export { sequentialRoundTrips } from './latency.ts';
export type {
  CallRecord,
  EmulatorOptions,
  FaultSpec,
  NotebookStatus,
  PublishedMessage,
  Tag,
} from './types.ts';

type Tags = Array<{ Key: string; Value: string }>;

export interface Emulator {
  endpoint: string;
  accountId: string;
  /** every request, in order, faults included */
  calls: CallRecord[];
  clearCalls(): void;
  /** Sequential round trips of the calls recorded since the last clearCalls/reset (see latency.ts). */
  roundTrips(): number;
  /** Latency added to every request from now on (0 = none). */
  setLatency(ms: number): void;
  /** Holds calls until all of them have arrived: pins concurrency in tests without timing (see latency.ts). */
  hold(spec: HoldSpec): void;
  injectFault(f: FaultSpec): void;
  /** Clears the injected faults and holds. */
  clearFaults(): void;
  /** every successful SNS Publish */
  published: PublishedMessage[];
  sqsMessages: SentSqsMessage[];
  seed: {
    notebookInstance(n: {
      name: string;
      region?: string;
      status?: NotebookStatus;
      instanceType?: string;
      roleArn?: string;
      directInternetAccess?: 'Enabled' | 'Disabled';
      rootAccess?: 'Enabled' | 'Disabled';
      subnetId?: string;
      securityGroupIds?: string[];
      kmsKeyId?: string;
      tags?: Tags;
    }): string;
    userProfile(p: {
      domainId: string;
      name: string;
      region?: string;
      executionRole?: string;
      tags?: Tags;
    }): string;
    domain(d: {
      domainId?: string;
      name: string;
      region?: string;
      appNetworkAccessType?: 'PublicInternetOnly' | 'VpcOnly';
      kmsKeyId?: string;
      subnetIds?: string[];
      vpcId?: string;
      authMode?: 'IAM' | 'SSO';
      executionRole?: string;
      tags?: Tags;
    }): { domainId: string; arn: string };
    kmsKey(k: {
      keyId?: string;
      region?: string;
      manager?: 'CUSTOMER' | 'AWS';
      state?: 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable';
      aliases?: string[];
      accountId?: string;
    }): string;
    role(r: { name: string; path?: string; tags?: Tags }): string;
    user(u: { name: string; path?: string; tags?: Tags }): string;
    topic(name: string, region?: string): string;
    queue(name: string, region?: string): string;
  };
  /** Moves a notebook to its next lifecycle state now (Pending->InService, Stopping->Stopped, Updating->Stopped...). */
  advanceNotebook(name: string, region?: string): void;
  /** SageMaker gives up on a notebook (capacity, a lifecycle script over 5 minutes): it is Failed now. */
  failNotebook(name: string, region?: string): void;
  /** Direct read of state for test assertions (no call recorded). */
  inspect: {
    notebookInstance(
      name: string,
      region?: string,
    ): { status: string; tags: Tags; [k: string]: unknown } | undefined;
    userProfile(
      domainId: string,
      name: string,
      region?: string,
    ): { tags: Tags; [k: string]: unknown } | undefined;
    domain(domainId: string, region?: string): { tags: Tags; [k: string]: unknown } | undefined;
    tags(arn: string): Tags;
  };
  /** forget all state, calls, faults, messages */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_ACCOUNT = '111122223333';
const DEFAULT_REGION = 'us-east-1';
const SEED_ROLE = (account: string) =>
  `arn:aws:iam::${account}:role/service-role/AmazonSageMaker-ExecutionRole`;

const copyTags = (tags: Tag[]): Tags => tags.map((t) => ({ ...t }));

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const accountId = options.accountId ?? DEFAULT_ACCOUNT;
  const state = new State(accountId, options.describesPerTransition ?? 1);
  const faults = new FaultRegistry();
  const calls: CallRecord[] = [];
  const dynamodb = await startDynamoBackend();
  const latency = new InjectedLatency(options.latencyMs ?? 0);
  const gate = new ArrivalGate();
  const deps: ServerDeps = {
    dynamodb,
    accountId,
    endpoint: '',
    faults,
    calls,
    log: options.log ?? false,
    latency,
    gate,
    ...(options.rateLimitPerSecond ? { rateLimit: new RateLimiter(options.rateLimitPerSecond) } : {}),
    handlers: {
      sagemaker: { ...notebookHandlers(state), ...studioHandlers(state), ...tagHandlers(state) },
      kms: kmsHandlers(state),
      iam: iamHandlers(state),
      sts: stsHandlers(state),
      sns: snsHandlers(state),
      sqs: sqsHandlers(state),
      dynamodb: {}, // forwarded to dynalite
    },
  };
  const server = createServer(deps);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  deps.endpoint = endpoint;

  return {
    endpoint,
    accountId,
    calls,
    clearCalls: () => {
      calls.length = 0;
    },
    roundTrips: () => sequentialRoundTrips(calls),
    setLatency: (ms) => {
      latency.latencyMs = ms;
    },
    hold: (spec) => gate.hold(spec),
    injectFault: (f) => faults.add(f),
    clearFaults: () => {
      faults.clear();
      gate.clear();
    },
    published: state.published,
    sqsMessages: state.sqsMessages,
    seed: {
      notebookInstance: (n) =>
        createNotebook(state, {
          ...n,
          seeded: true,
          region: n.region ?? DEFAULT_REGION,
          status: n.status ?? 'InService',
          instanceType: n.instanceType ?? 'ml.t3.medium',
          roleArn: n.roleArn ?? SEED_ROLE(accountId),
        }).arn,
      domain: (d) => {
        const domain = createDomain(state, {
          ...d,
          seeded: true,
          region: d.region ?? DEFAULT_REGION,
          defaultUserSettings: { ExecutionRole: d.executionRole ?? SEED_ROLE(accountId) },
        });
        return { domainId: domain.domainId, arn: domain.arn };
      },
      userProfile: (p) => {
        const region = p.region ?? DEFAULT_REGION;
        // Seeding a profile alone is common in tests; its domain is created on the fly.
        if (!state.domains.has(`${region}/${p.domainId}`))
          createDomain(state, { domainId: p.domainId, name: p.domainId, region });
        return createUserProfile(state, {
          ...p,
          seeded: true,
          region,
          userSettings: p.executionRole ? { ExecutionRole: p.executionRole } : {},
        }).arn;
      },
      kmsKey: (k) =>
        createKey(state, { ...k, region: k.region ?? DEFAULT_REGION, accountId: k.accountId ?? accountId })
          .arn,
      role: (r) => createPrincipal(state, 'role', r).arn,
      user: (u) => createPrincipal(state, 'user', u).arn,
      topic: (name, region) => createTopic(state, region ?? DEFAULT_REGION, name),
      queue: (name, region) => createQueue(state, endpoint, region ?? DEFAULT_REGION, name).url,
    },
    advanceNotebook(name, region = DEFAULT_REGION) {
      const nb = findNotebook(state, region, name);
      if (!nb) throw new Error(`advanceNotebook: no notebook instance '${name}' in ${region}`);
      advanceNotebook(state, nb);
    },
    failNotebook(name, region = DEFAULT_REGION) {
      const nb = findNotebook(state, region, name);
      if (!nb) throw new Error(`failNotebook: no notebook instance '${name}' in ${region}`);
      nb.status = 'Failed';
    },
    inspect: {
      notebookInstance(name, region = DEFAULT_REGION) {
        const nb = findNotebook(state, region, name);
        return nb && { ...describeNotebook(nb), status: nb.status, tags: copyTags(nb.tags) };
      },
      userProfile(domainId, name, region = DEFAULT_REGION) {
        const u = state.userProfiles.get(`${region}/${domainId}/${name}`);
        return u && { ...describeUserProfile(u), tags: copyTags(u.tags) };
      },
      domain(domainId, region = DEFAULT_REGION) {
        const d = state.domains.get(`${region}/${domainId}`);
        return d && { ...describeDomain(d), tags: copyTags(d.tags) };
      },
      tags: (arn) => copyTags(state.taggable.get(arn.toLowerCase())?.tags ?? []),
    },
    reset() {
      state.reset();
      faults.clear();
      gate.clear();
      calls.length = 0;
    },
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // SDK clients keep connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      });
      await dynamodb.close();
    },
  };
}
