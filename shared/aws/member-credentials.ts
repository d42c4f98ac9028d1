// Credentials for a member account of an organization deployment: sts:AssumeRole into the member role, cached per
// account until shortly before they expire, so AssumeRole costs O(1) per account per hour rather than per event.
//
// AssumeRole is one signed awsQuery POST, sent here with the SDK's own SigV4 signer and Node's fetch: the STS
// client would add about 23 KiB to every Lambda bundle (its endpoint rules and runtime config), past the 400 KB
// budget, for this single call.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsLocation } from '../location.ts';
import { AwsCallError } from './errors.ts';
import { LruCache } from './lru.ts';

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface BaseCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface MemberCredentialsOptions {
  /** Where the guardrails run: AssumeRole is called there, with the function's own credentials. */
  home: AwsLocation;
  homeCredentials: () => Promise<BaseCredentials>;
  /** The member role's name (the same in every member account; the member template creates it). */
  roleName: string;
  /** Endpoint override (the local emulator). */
  endpoint?: string;
  requestTimeoutMs?: number;
  /** Refresh this long before expiry (default 5 minutes, as the SDK does). */
  refreshMarginMs?: number;
  /** Accounts whose credentials are kept (default 1000). */
  capacity?: number;
  now?: () => number;
  /** For tests on a local endpoint that serves every partition: allow leaving the home's partition. */
  anyPartition?: boolean;
}

const DNS_SUFFIX: Record<string, string> = {
  'aws-cn': 'amazonaws.com.cn',
  'aws-iso': 'c2s.ic.gov',
  'aws-iso-b': 'sc2s.sgov.gov',
};

const toBytes = (data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 (and HMAC-SHA-256 with a secret) in the shape the SigV4 signer takes. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const unescapeXml = (s: string): string =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : '&',
  );

/** The text of the first `<tag>` in an STS answer (its values never contain markup). */
function xmlValue(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1] === undefined ? undefined : unescapeXml(m[1]);
}

export class MemberCredentials {
  private readonly cache: LruCache<string, Promise<TemporaryCredentials>>;
  private readonly now: () => number;
  /** AssumeRole calls made (for the benchmark and tests). */
  assumeRoleCalls = 0;

  constructor(private readonly options: MemberCredentialsOptions) {
    this.cache = new LruCache(options.capacity ?? 1000);
    this.now = options.now ?? Date.now;
  }

  roleArn(location: AwsLocation): string {
    return `arn:${location.partition}:iam::${location.account}:role/${this.options.roleName}`;
  }

  /** Credentials in the member role of the location's account: cached, shared by concurrent callers. */
  async get(location: AwsLocation): Promise<TemporaryCredentials> {
    const key = `${location.partition}/${location.account}`;
    const margin = this.options.refreshMarginMs ?? 5 * 60_000;
    const cached = this.cache.get(key);
    if (cached) {
      try {
        const credentials = await cached;
        if (credentials.expiration.getTime() - margin > this.now()) return credentials;
      } catch {
        // A failed AssumeRole is not cached: the next event tries again.
      }
      if (this.cache.get(key) !== cached) return this.get(location);
    }
    const pending = this.assume(location);
    this.cache.set(key, pending);
    pending.catch(() => {
      if (this.cache.get(key) === pending) this.cache.delete(key);
    });
    return pending;
  }

  private async assume(location: AwsLocation): Promise<TemporaryCredentials> {
    const { home } = this.options;
    const call = 'sts:AssumeRole';
    if (location.partition !== home.partition && !this.options.anyPartition) {
      throw new AwsCallError(
        call,
        'CrossPartition',
        `account ${location.account} is in partition ${location.partition}, the guardrails run in ${home.partition}: deploy them in that partition too`,
      );
    }
    this.assumeRoleCalls++;
    const url = new URL(
      this.options.endpoint ?? `https://sts.${home.region}.${DNS_SUFFIX[home.partition] ?? 'amazonaws.com'}`,
    );
    const body = new URLSearchParams({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: this.roleArn(location),
      RoleSessionName: 'sm-guardrails',
      DurationSeconds: '3600',
    }).toString();
    const signer = new SignatureV4({
      service: 'sts',
      region: home.region,
      credentials: this.options.homeCredentials,
      sha256: NodeSha256,
    });
    let status: number;
    let text: string;
    try {
      const signed = await signer.sign({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: {},
        headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: signed.headers,
        body,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 5_000),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      // No answer at all (network, timeout): worth a retry.
      const e = error as Error;
      throw new AwsCallError(
        call,
        e.name === 'TimeoutError' ? 'TimeoutError' : 'NetworkingError',
        e.message,
        503,
      );
    }
    if (status !== 200) {
      const code = xmlValue(text, 'Code') ?? 'UnknownError';
      throw new AwsCallError(
        call,
        code,
        `${this.roleArn(location)}: ${xmlValue(text, 'Message') ?? ''}`,
        status,
      );
    }
    const accessKeyId = xmlValue(text, 'AccessKeyId');
    const secretAccessKey = xmlValue(text, 'SecretAccessKey');
    const sessionToken = xmlValue(text, 'SessionToken');
    const expiration = new Date(xmlValue(text, 'Expiration') ?? '');
    if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiration.getTime())) {
      throw new AwsCallError(call, 'InvalidResponse', 'the answer carries no complete credentials', 502);
    }
    return { accessKeyId, secretAccessKey, sessionToken, expiration };
  }
}
