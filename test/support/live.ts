// A simulated account for live-path tests: the emulator over real HTTP, real SDK clients, the real Guardrails.
import { readFileSync } from 'node:fs';
import { afterAll, beforeEach } from 'vitest';
import {
  type AwsClientProvider,
  type AwsClientProviderOptions,
  createAwsClientProvider,
} from '#core/aws/client-provider';
import { Guardrails, type GuardrailsOptions } from '#core/guardrails';
import { DEFAULT_POLICY, type Policy, policySchema } from '#core/policy';
import { type Emulator, startEmulator } from '#emulator/index';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

export interface LiveWorld {
  emulator: Emulator;
  topicArn: string;
  /** Clients homed in the default account and region (options: a member role, another home...). */
  clients(options?: Partial<AwsClientProviderOptions>): AwsClientProvider;
  guardrails(options?: Partial<GuardrailsOptions> & { policyText?: Record<string, unknown> }): Guardrails;
  /** The calls made since the last clearCalls, as `service:Operation`. */
  callNames(): string[];
}

export async function startWorld(): Promise<LiveWorld> {
  const emulator = await startEmulator({ describesPerTransition: 0 });
  const topicArn = emulator.seed.topic('sm-guardrails-alerts', REGION);
  const clients = (options: Partial<AwsClientProviderOptions> = {}) =>
    createAwsClientProvider({
      home: { partition: 'aws', account: ACCOUNT, region: REGION },
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      ...options,
    });
  return {
    emulator,
    topicArn,
    clients,
    guardrails(options = {}) {
      const { policyText, ...rest } = options;
      const policy: Policy = policyText ? policySchema.parse(policyText) : DEFAULT_POLICY;
      return new Guardrails({ policy, clients: clients(), topicArn, ...rest });
    },
    callNames: () => emulator.calls.map((c) => `${c.service}:${c.operation}`),
  };
}

export function sampleEvent(rel: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`events/${rel}`, 'utf8')) as Record<string, unknown>;
}

/** A compliant notebook (default policy) in the emulator, with its customer KMS key. */
export function seedCompliantNotebook(
  emulator: Emulator,
  name: string,
  overrides: Record<string, unknown> = {},
): string {
  const keyArn = emulator.seed.kmsKey({ region: REGION });
  return emulator.seed.notebookInstance({
    name,
    region: REGION,
    status: 'InService',
    directInternetAccess: 'Disabled',
    rootAccess: 'Disabled',
    subnetId: 'subnet-0a1b2c3d',
    securityGroupIds: ['sg-0a1b2c3d'],
    kmsKeyId: keyArn,
    imdsMinimumVersion: '2',
    tags: [{ Key: 'project', Value: 'churn' }],
    ...overrides,
  });
}

/** A CloudTrail CreateNotebookInstance event as EventBridge delivers it. */
export function createNotebookEvent(
  name: string,
  params: Record<string, unknown> = {},
  identity: Record<string, unknown> = {},
): Record<string, unknown> {
  const id = crypto.randomUUID();
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sagemaker',
    account: ACCOUNT,
    time: '2026-05-04T10:00:00Z',
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.11',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLE:alice',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DataScientist/alice`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            arn: `arn:aws:iam::${ACCOUNT}:role/DataScientist`,
            accountId: ACCOUNT,
          },
          attributes: { creationDate: '2026-05-04T09:00:00Z', mfaAuthenticated: 'false' },
        },
        ...identity,
      },
      eventTime: '2026-05-04T10:00:00Z',
      eventSource: 'sagemaker.amazonaws.com',
      eventName: 'CreateNotebookInstance',
      awsRegion: REGION,
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-cli/2.15.0',
      requestParameters: {
        notebookInstanceName: name,
        instanceType: 'ml.t3.medium',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/AmazonSageMaker-ExecutionRole`,
        ...params,
      },
      responseElements: {
        notebookInstanceArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/${name.toLowerCase()}`,
      },
      requestID: crypto.randomUUID(),
      eventID: id,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}

/** A fresh simulated account for every test of the calling file; `world()` returns the current one. */
export function useFreshWorldPerTest(): () => LiveWorld {
  let world: LiveWorld | undefined;
  beforeEach(async () => {
    await world?.emulator.close();
    world = await startWorld();
  });
  afterAll(async () => world?.emulator.close());
  return () => {
    if (!world) throw new Error('the world starts in beforeEach');
    return world;
  };
}
