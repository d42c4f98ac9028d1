// The AWS clients for each account and region the guardrails act in: created lazily, cached per container with a
// bound, and never pointed anywhere but the event's own location. In the function's own account the function's
// role is used; in any other account the member role (organization deployment), assumed and cached per account.
// Anything that acts in a member account (the sweep, the Security Hub sink) takes its clients from here.
import { type AwsLocation, locationKey } from '../location.ts';
import { type AwsClientOptions, type AwsClients, clientConfig, createAwsClients } from './clients.ts';
import { AwsCallError } from './errors.ts';
import { LruCache } from './lru.ts';
import { MemberCredentials } from './member-credentials.ts';

export interface AwsClientProvider {
  /** Where the guardrails run: their own account (the function's role), region and partition. */
  readonly home: AwsLocation;
  /** The home's clients: the alert topic, the queues, the guardrails' own resources. */
  readonly homeClients: AwsClients;
  /** Clients acting in this account and region; `sns` and `sqs` are always the home's. */
  for(location: AwsLocation): AwsClients;
  /** The SDK configuration for this account and region, for clients this module does not make. */
  configFor(location: AwsLocation): ReturnType<typeof clientConfig>;
  /** AssumeRole calls made so far (benchmark, tests). */
  readonly assumeRoleCalls: number;
  /** Client sets held now (bounded by the capacity; the home's not counted). */
  readonly size: number;
  /** Closes every client's sockets. */
  destroy(): void;
}

export interface AwsClientProviderOptions extends Omit<AwsClientOptions, 'region'> {
  home: AwsLocation;
  /** The member role's name in every member account; without it, only the home account is guarded. */
  memberRoleName?: string;
  /** Account-and-region client sets kept (default 64; each holds up to three SDK clients). */
  capacity?: number;
  now?: () => number;
  /** A local endpoint serving every partition (the emulator): member roles may be assumed across partitions. */
  anyPartition?: boolean;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const PARTITION = /^aws(-[a-z]+)*$/;

class CachedClientProvider implements AwsClientProvider {
  readonly homeClients: AwsClients & { destroy(): void };
  private readonly sets: LruCache<string, AwsClients & { destroy(): void }>;
  private readonly member?: MemberCredentials;

  constructor(private readonly options: AwsClientProviderOptions) {
    const where = options.home;
    for (const [field, value, pattern] of [
      ['account', where.account, ACCOUNT],
      ['region', where.region, REGION],
      ['partition', where.partition, PARTITION],
    ] as const) {
      if (!pattern.test(value)) throw new Error(`home ${field}: not a valid AWS ${field}: "${value}"`);
    }
    const home = createAwsClients(this.base(where.region, options.credentials));
    this.homeClients = home;
    this.sets = new LruCache(options.capacity ?? 64, (set) => set.destroy());
    if (options.memberRoleName) {
      this.member = new MemberCredentials({
        home: options.home,
        homeCredentials: () => home.sagemaker.config.credentials(),
        roleName: options.memberRoleName,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
        ...(options.now ? { now: options.now } : {}),
        ...(options.anyPartition ? { anyPartition: true } : {}),
      });
    }
  }

  get home(): AwsLocation {
    return this.options.home;
  }

  get size(): number {
    return this.sets.size;
  }

  destroy(): void {
    this.sets.clear();
    this.homeClients.destroy();
  }

  get assumeRoleCalls(): number {
    return this.member?.assumeRoleCalls ?? 0;
  }

  private base(region: string, credentials: AwsClientOptions['credentials']): AwsClientOptions {
    const { endpoint, maxAttempts, requestTimeoutMs, retryMode } = this.options;
    return {
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(retryMode ? { retryMode } : {}),
      ...(credentials ? { credentials } : {}),
      ...(maxAttempts ? { maxAttempts } : {}),
      ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
    };
  }

  private credentialsFor(location: AwsLocation): AwsClientOptions['credentials'] {
    const { home } = this.options;
    if (location.account === home.account && location.partition === home.partition)
      return this.options.credentials;
    const member = this.member;
    if (!member) {
      // A single-account deployment never acts in another account, whatever the event says.
      return async () => {
        throw new AwsCallError(
          'sts:AssumeRole',
          'NotGuardedAccount',
          `the event is from account ${location.account}, these guardrails guard account ${home.account} only (no member role configured)`,
        );
      };
    }
    return () => member.get(location);
  }

  private check(location: AwsLocation): void {
    if (
      !ACCOUNT.test(location.account) ||
      !REGION.test(location.region) ||
      !PARTITION.test(location.partition)
    ) {
      throw new AwsCallError(
        'locate',
        'InvalidLocation',
        `not an AWS location: ${JSON.stringify([location.partition, location.account, location.region])}`,
      );
    }
  }

  configFor(location: AwsLocation) {
    this.check(location);
    return clientConfig(this.base(location.region, this.credentialsFor(location)));
  }

  for(location: AwsLocation): AwsClients {
    const key = locationKey(location);
    // The home set is never evicted: the alert topic and queues go through it.
    if (key === locationKey(this.options.home)) return this.homeClients;
    const cached = this.sets.get(key);
    if (cached) return cached;
    this.check(location);
    const { sns, sqs } = this.homeClients;
    const set = createAwsClients(this.base(location.region, this.credentialsFor(location)), { sns, sqs });
    this.sets.set(key, set);
    return set;
  }
}

export function createAwsClientProvider(options: AwsClientProviderOptions): AwsClientProvider {
  return new CachedClientProvider(options);
}
