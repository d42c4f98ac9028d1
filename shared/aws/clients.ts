// SDK v3 clients, created once per container and shared by every invocation.
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface AwsClients {
  sagemaker: SageMakerClient;
  kms: KMSClient;
  iam: IAMClient;
  sns: SNSClient;
  sqs: SQSClient;
}

export interface AwsClientOptions {
  region?: string;
  /** Endpoint override (the local emulator); defaults to AWS_ENDPOINT_URL when set. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per call including the first (standard retry mode, exponential backoff with jitter). */
  maxAttempts?: number;
  /** Per-request socket timeout: a hung call fails and is retried instead of eating the Lambda's time. */
  requestTimeoutMs?: number;
  /** `adaptive` adds client-side rate limiting after throttling (the sweep's many calls); default `standard`. */
  retryMode?: 'standard' | 'adaptive';
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const config = {
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
  return {
    sagemaker: new SageMakerClient(config),
    kms: new KMSClient(config),
    // IAM is global: its endpoint lives in us-east-1 unless overridden.
    iam: new IAMClient({ ...config, region: endpoint ? config.region : 'us-east-1' }),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
  };
}

let shared: AwsClients | undefined;
/** The container's clients, created on first use. */
export function defaultAwsClients(): AwsClients {
  shared ??= createAwsClients();
  return shared;
}
