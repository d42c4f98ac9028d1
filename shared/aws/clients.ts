// SDK v3 clients, created once per container and shared by every invocation: one set per account and region
// the guardrails act in (see client-provider.ts), each client created on first use.
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { partitionOf } from '../arn.ts';

export interface AwsClients {
  sagemaker: SageMakerClient;
  kms: KMSClient;
  iam: IAMClient;
  sns: SNSClient;
  sqs: SQSClient;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** The SDK asks its provider again shortly before this. */
  expiration?: Date;
}

export interface AwsClientOptions {
  region?: string;
  /** Endpoint override (the local emulator); defaults to AWS_ENDPOINT_URL when set. */
  endpoint?: string;
  /** Fixed credentials or a provider; default: the SDK's default chain (in Lambda, the function's role). */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Attempts per call including the first (standard retry mode, exponential backoff with jitter). */
  maxAttempts?: number;
  /** Per-request socket timeout: a hung call fails and is retried instead of eating the Lambda's time. */
  requestTimeoutMs?: number;
  /** `adaptive` adds client-side rate limiting after throttling (the sweep's many calls); default `standard`. */
  retryMode?: 'standard' | 'adaptive';
}

/** The configuration every client of one account and region shares; also for clients built elsewhere. */
export function clientConfig(options: AwsClientOptions = {}) {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  return {
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    retryMode: options.retryMode ?? 'standard',
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 2_000,
      requestTimeout: options.requestTimeoutMs ?? 5_000,
    }),
  };
}

const IAM_REGION: Record<string, string> = {
  aws: 'us-east-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-cn': 'cn-north-1',
};

/**
 * Clients created on first use; `shared` ones (the home's SNS and SQS) are taken as they are. The clients are
 * own enumerable properties (getters), so `Object.values(set)` lists them as it does for a plain object.
 */
class LazyClients implements AwsClients {
  declare readonly sagemaker: SageMakerClient;
  declare readonly kms: KMSClient;
  declare readonly iam: IAMClient;
  declare readonly sns: SNSClient;
  declare readonly sqs: SQSClient;
  readonly #made = new Map<keyof AwsClients, { destroy(): void }>();

  constructor(config: ReturnType<typeof clientConfig>, shared: Partial<AwsClients> = {}) {
    // IAM is global: one endpoint per partition, in its first region, unless overridden.
    const { region, endpoint } = config;
    const iamRegion = endpoint ? region : (IAM_REGION[partitionOf(region)] ?? region);
    const create: { [K in keyof AwsClients]: () => AwsClients[K] } = {
      sagemaker: () => new SageMakerClient(config),
      kms: () => new KMSClient(config),
      iam: () => new IAMClient({ ...config, region: iamRegion }),
      sns: () => new SNSClient(config),
      sqs: () => new SQSClient(config),
    };
    for (const name of Object.keys(create) as (keyof AwsClients)[]) {
      Object.defineProperty(this, name, {
        enumerable: true,
        get: () => {
          const existing = shared[name] ?? this.#made.get(name);
          if (existing) return existing;
          const client = create[name]();
          this.#made.set(name, client);
          return client;
        },
      });
    }
  }

  /** Closes the sockets of the clients this set created (not the shared ones). */
  destroy(): void {
    for (const client of this.#made.values()) client.destroy();
    this.#made.clear();
  }
}

export function createAwsClients(
  options: AwsClientOptions = {},
  shared?: Partial<AwsClients>,
): AwsClients & {
  destroy(): void;
} {
  return new LazyClients(clientConfig(options), shared);
}
