// Public API: a local AWS endpoint for the real SDK v3 clients (SageMaker, KMS, IAM, SNS, SQS, STS).
// It holds many accounts, each with its own state per region: a call acts in the account its credentials lead to
// (unknown credentials: the default account; sts:AssumeRole issues credentials leading to the role's account).
import type { AddressInfo } from 'node:net';
import { startDynamoBackend } from './dynamodb.ts';
import { FaultRegistry } from './faults.ts';
import { type CredentialIssuer, createPrincipal, iamHandlers, stsHandlers } from './iam.ts';
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
import { securityHubHandlers } from './securityhub.ts';
import { createServer, RateLimiter, type ServerDeps } from './server.ts';
import { createTopic, snsHandlers } from './sns.ts';
import { createQueue, sqsHandlers } from './sqs.ts';
import { type KmsKey, randomId, State, type StudioResourceKind } from './state.ts';
import {
  createDomain,
  createUserProfile,
  describeDomain,
  describeUserProfile,
  studioHandlers,
} from './studio.ts';
import {
  createStudioResource,
  describeStudioResource,
  findStudioResource,
  studioResourceHandlers,
} from './studio-resources.ts';
import type {
  CallRecord,
  EmulatorOptions,
  FaultSpec,
  NotebookStatus,
  PublishedMessage,
  SentSqsMessage,
  ServiceHandlers,
  ServiceName,
  Tag,
} from './types.ts';

export type { HoldSpec } from './latency.ts';
export { sequentialRoundTrips } from './latency.ts';
export type { StudioResourceKind } from './state.ts';
export type {
  CallRecord,
  EmulatorOptions,
  FaultSpec,
  NotebookStatus,
  PublishedMessage,
  ServiceName,
  Tag,
} from './types.ts';

type Tags = Array<{ Key: string; Value: string }>;

/** Seeds and inspections name an account; the default account when they do not. */
interface InAccount {
  account?: string;
}

export interface Emulator {
  endpoint: string;
  /** The default account (unknown credentials act in it). */
  accountId: string;
  /** The accounts holding state so far. */
  accounts(): string[];
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
    notebookInstance(
      n: InAccount & {
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
        imdsMinimumVersion?: '1' | '2';
        tags?: Tags;
      },
    ): string;
    userProfile(
      p: InAccount & {
        domainId: string;
        name: string;
        region?: string;
        executionRole?: string;
        tags?: Tags;
      },
    ): string;
    domain(
      d: InAccount & {
        domainId?: string;
        name: string;
        region?: string;
        appNetworkAccessType?: 'PublicInternetOnly' | 'VpcOnly';
        kmsKeyId?: string;
        subnetIds?: string[];
        vpcId?: string;
        authMode?: 'IAM' | 'SSO';
        executionRole?: string;
        executionRoleIdentityConfig?: 'USER_PROFILE_NAME' | 'DISABLED';
        tags?: Tags;
      },
    ): { domainId: string; arn: string };
    /**
     * A space, app, app image config or lifecycle configuration, from the members of its create request
     * (PascalCase, e.g. `{ DomainId, SpaceName }`). The domain (and an app's user profile) must exist. Returns the ARN.
     */
    studioResource(
      r: InAccount & {
        kind: StudioResourceKind;
        region?: string;
        params: Record<string, unknown>;
        tags?: Tags;
        /** An app as ListApps shows it for a while after it was deleted. */
        status?: 'InService' | 'Deleted';
      },
    ): string;
    kmsKey(k: {
      keyId?: string;
      region?: string;
      manager?: 'CUSTOMER' | 'AWS';
      state?: 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable';
      aliases?: string[];
      /** The key's account (where it is stored too). */
      accountId?: string;
    }): string;
    role(r: InAccount & { name: string; path?: string; tags?: Tags }): string;
    user(u: InAccount & { name: string; path?: string; tags?: Tags }): string;
    topic(name: string, region?: string, account?: string): string;
    queue(name: string, region?: string, account?: string): string;
  };
  /** Moves a notebook to its next lifecycle state now (Pending->InService, Stopping->Stopped, Updating->Stopped...). */
  advanceNotebook(name: string, region?: string, account?: string): void;
  /** The notebook disappears (deleted by its owner) between two calls of the guardrails. */
  deleteNotebook(name: string, region?: string, account?: string): void;
  /** SageMaker gives up on a notebook (capacity, a lifecycle script over 5 minutes): it is Failed now. */
  failNotebook(name: string, region?: string, account?: string): void;
  /** Security Hub of an account (default: the default account) and region (default us-east-1). */
  securityHub: {
    /** The findings imported there, as Security Hub holds them (no call recorded). */
    findings(account?: string, region?: string): Record<string, unknown>[];
    /** Security Hub is not enabled there: every finding imported there fails. */
    disable(account?: string, region?: string): void;
  };
  /** Direct read of state for test assertions (no call recorded). */
  inspect: {
    notebookInstance(
      name: string,
      region?: string,
      account?: string,
    ): { status: string; tags: Tags; [k: string]: unknown } | undefined;
    userProfile(
      domainId: string,
      name: string,
      region?: string,
      account?: string,
    ): { tags: Tags; [k: string]: unknown } | undefined;
    domain(
      domainId: string,
      region?: string,
      account?: string,
    ): { tags: Tags; [k: string]: unknown } | undefined;
    /** A space, app, app image config or lifecycle configuration by ARN (in its own account): Describe and tags. */
    studioResource(arn: string): { tags: Tags; [k: string]: unknown } | undefined;
    /** Tags of a resource by ARN, in the ARN's own account. */
    tags(arn: string): Tags;
    /** Whether an IAM role or user of this name exists. */
    principal(kind: 'role' | 'user', name: string, account?: string): boolean;
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
  const describesPerTransition = options.describesPerTransition ?? 1;
  const published: PublishedMessage[] = [];
  const sqsMessages: SentSqsMessage[] = [];
  const kmsKeys = new Map<string, KmsKey>();
  const kmsAliases = new Map<string, string>();
  const accounts = new Map<string, { state: State; handlers: Record<ServiceName, ServiceHandlers> }>();
  /** Access key id -> account, for credentials AssumeRole issued. */
  const keys = new Map<string, string>();
  const issuer: CredentialIssuer = {
    role: (account, name) => accounts.get(account)?.state.roles.get(name),
    issue(account) {
      const AccessKeyId = `ASIA${randomId(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
      keys.set(AccessKeyId, account);
      return { AccessKeyId, SecretAccessKey: randomId(40), SessionToken: randomId(64) };
    },
  };
  const world = (account: string) => {
    let entry = accounts.get(account);
    if (!entry) {
      const state = new State(account, describesPerTransition, {
        published,
        sqsMessages,
        kmsKeys,
        kmsAliases,
      });
      entry = {
        state,
        handlers: {
          sagemaker: {
            ...notebookHandlers(state),
            ...studioHandlers(state),
            ...studioResourceHandlers(state),
            ...tagHandlers(state),
          },
          kms: kmsHandlers(state),
          iam: iamHandlers(state),
          sts: stsHandlers(state, issuer),
          sns: snsHandlers(state),
          sqs: sqsHandlers(state),
          securityhub: securityHubHandlers(state),
          dynamodb: {}, // forwarded to dynalite
        },
      };
      accounts.set(account, entry);
    }
    return entry.state;
  };
  const stateOf = (account?: string) => world(account ?? accountId);
  world(accountId);
  const faults = new FaultRegistry();
  const calls: CallRecord[] = [];
  const dynamodb = await startDynamoBackend();
  const latency = new InjectedLatency(options.latencyMs ?? 0);
  const gate = new ArrivalGate();
  const deps: ServerDeps = {
    dynamodb,
    latency,
    gate,
    accountOf: (key) => (key && keys.get(key)) || accountId,
    endpoint: '',
    faults,
    calls,
    log: options.log ?? false,
    ...(options.rateLimitPerSecond ? { rateLimit: new RateLimiter(options.rateLimitPerSecond) } : {}),
    handlers: (account) => {
      world(account);
      return (accounts.get(account) as { handlers: Record<ServiceName, ServiceHandlers> }).handlers;
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
    accounts: () => [...accounts.keys()],
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
    published,
    sqsMessages,
    seed: {
      notebookInstance: ({ account, ...n }) =>
        createNotebook(stateOf(account), {
          ...n,
          seeded: true,
          region: n.region ?? DEFAULT_REGION,
          status: n.status ?? 'InService',
          instanceType: n.instanceType ?? 'ml.t3.medium',
          roleArn: n.roleArn ?? SEED_ROLE(account ?? accountId),
        }).arn,
      domain: ({ account, ...d }) => {
        const domain = createDomain(stateOf(account), {
          ...d,
          seeded: true,
          region: d.region ?? DEFAULT_REGION,
          defaultUserSettings: { ExecutionRole: d.executionRole ?? SEED_ROLE(account ?? accountId) },
          ...(d.executionRoleIdentityConfig
            ? { domainSettings: { ExecutionRoleIdentityConfig: d.executionRoleIdentityConfig } }
            : {}),
        });
        return { domainId: domain.domainId, arn: domain.arn };
      },
      userProfile: ({ account, ...p }) => {
        const state = stateOf(account);
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
      studioResource: ({ account, ...r }) =>
        createStudioResource(stateOf(account), {
          kind: r.kind,
          region: r.region ?? DEFAULT_REGION,
          params: r.params,
          ...(r.tags ? { tags: r.tags } : {}),
          ...(r.status ? { status: r.status } : {}),
          seeded: true,
        }).arn,
      kmsKey: (k) =>
        createKey(stateOf(), {
          ...k,
          region: k.region ?? DEFAULT_REGION,
          accountId: k.accountId ?? accountId,
        }).arn,
      role: ({ account, ...r }) => createPrincipal(stateOf(account), 'role', r).arn,
      user: ({ account, ...u }) => createPrincipal(stateOf(account), 'user', u).arn,
      topic: (name, region, account) => createTopic(stateOf(account), region ?? DEFAULT_REGION, name),
      queue: (name, region, account) =>
        createQueue(stateOf(account), endpoint, region ?? DEFAULT_REGION, name).url,
    },
    advanceNotebook(name, region = DEFAULT_REGION, account = accountId) {
      const state = stateOf(account);
      const nb = findNotebook(state, region, name);
      if (!nb) throw new Error(`advanceNotebook: no notebook instance '${name}' in ${account}/${region}`);
      advanceNotebook(state, nb);
    },
    deleteNotebook(name, region = DEFAULT_REGION, account = accountId) {
      const state = stateOf(account);
      const nb = findNotebook(state, region, name);
      if (!nb) throw new Error(`deleteNotebook: no notebook instance '${name}' in ${account}/${region}`);
      state.notebooks.delete(`${region}/${name.toLowerCase()}`);
      state.taggable.delete(nb.arn.toLowerCase());
    },
    failNotebook(name, region = DEFAULT_REGION, account = accountId) {
      const nb = findNotebook(stateOf(account), region, name);
      if (!nb) throw new Error(`failNotebook: no notebook instance '${name}' in ${account}/${region}`);
      nb.status = 'Failed';
    },
    securityHub: {
      findings: (account = accountId, region = DEFAULT_REGION) =>
        [...(accounts.get(account)?.state.securityHub.findings.values() ?? [])]
          .filter((f) => f.Region === region)
          .map((f) => structuredClone(f)),
      disable: (account = accountId, region = DEFAULT_REGION) => {
        stateOf(account).securityHub.disabledRegions.add(region);
      },
    },
    inspect: {
      notebookInstance(name, region = DEFAULT_REGION, account = accountId) {
        const nb = accounts.get(account) && findNotebook(stateOf(account), region, name);
        return nb && { ...describeNotebook(nb), status: nb.status, tags: copyTags(nb.tags) };
      },
      userProfile(domainId, name, region = DEFAULT_REGION, account = accountId) {
        const u = accounts.get(account)?.state.userProfiles.get(`${region}/${domainId}/${name}`);
        return u && { ...describeUserProfile(u), tags: copyTags(u.tags) };
      },
      domain(domainId, region = DEFAULT_REGION, account = accountId) {
        const d = accounts.get(account)?.state.domains.get(`${region}/${domainId}`);
        return d && { ...describeDomain(d), tags: copyTags(d.tags) };
      },
      studioResource(arn) {
        const account = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? accountId;
        const r = accounts.get(account) && findStudioResource(stateOf(account), arn);
        return r && { ...describeStudioResource(r), tags: copyTags(r.tags) };
      },
      tags: (arn) => {
        const account = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? accountId;
        return copyTags(accounts.get(account)?.state.taggable.get(arn.toLowerCase())?.tags ?? []);
      },
      principal: (kind, name, account = accountId) => {
        const state = accounts.get(account)?.state;
        return (kind === 'role' ? state?.roles : state?.users)?.has(name) ?? false;
      },
    },
    reset() {
      for (const { state } of accounts.values()) state.reset();
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
