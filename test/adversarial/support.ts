// The attacker's world: the emulator over real HTTP, the real SDK clients and the Lambda code path
// (GuardrailsRuntime, as the deployed functions run it). The attacker has ordinary SageMaker and tagging rights.
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { partitionOf } from '#core/arn';
import { createAwsClientProvider } from '#core/aws/client-provider';
import type { ExemptionGrants } from '#core/exemption';
import { GuardrailsRuntime, type RuntimeConfig } from '#core/lambda/runtime';
import { type Policy, policySchema } from '#core/policy';
import type { EventReport } from '#core/report';
import { type Emulator, startEmulator } from '#emulator/index';
import { seedCompliantNotebook } from '../support/live.ts';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/MLPlatformAdmin`;
export const OWN_ROLE = `arn:aws:iam::${ACCOUNT}:role/sm-guardrails-prod-us-east-1-tags`;

export interface Identity {
  userIdentity: Record<string, unknown>;
}

/** An ordinary data scientist's role session: SageMaker and tagging rights, nothing more. */
export function roleSession(roleArn: string, session = 'mallory', account = ACCOUNT): Identity {
  const partition = roleArn.split(':')[1] ?? 'aws';
  const [, name = ''] = roleArn.match(/:role\/(?:.*\/)?([^/]+)$/) ?? [];
  return {
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLE:${session}`,
      arn: `arn:${partition}:sts::${account}:assumed-role/${name}/${session}`,
      accountId: account,
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: roleArn, accountId: account },
        attributes: { creationDate: '2026-05-04T09:00:00Z', mfaAuthenticated: 'false' },
      },
    },
  };
}
export const MALLORY = roleSession(`arn:aws:iam::${ACCOUNT}:role/DataScientist`);
export const ADMIN = roleSession(ADMIN_ROLE, 'jdoe');

/** A CloudTrail API call as EventBridge delivers it. */
export function apiCall(
  eventName: string,
  requestParameters: Record<string, unknown> | null,
  who: Identity = MALLORY,
  options: { region?: string; account?: string; responseElements?: Record<string, unknown> | null } = {},
): Record<string, unknown> {
  const region = options.region ?? REGION;
  const account = options.account ?? ACCOUNT;
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sagemaker',
    account,
    time: '2026-05-04T10:00:00Z',
    region,
    resources: [],
    detail: {
      eventVersion: '1.11',
      ...who,
      eventTime: '2026-05-04T10:00:00Z',
      eventSource: 'sagemaker.amazonaws.com',
      eventName,
      awsRegion: region,
      sourceIPAddress: '203.0.113.66',
      userAgent: 'aws-cli/2.15.0',
      requestParameters,
      responseElements: options.responseElements ?? null,
      requestID: crypto.randomUUID(),
      eventID: crypto.randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
    },
  };
}

export const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));

export function addTags(arn: string, tags: Record<string, string>, who: Identity = MALLORY, region = REGION) {
  return apiCall('AddTags', { resourceArn: arn, tags: tagList(tags) }, who, { region });
}
export function deleteTags(arn: string, keys: string[], who: Identity = MALLORY, region = REGION) {
  return apiCall('DeleteTags', { resourceArn: arn, tagKeys: keys }, who, { region });
}

/** SageMaker's own state-change event for a notebook, as EventBridge delivers it. */
export function stateChange(arn: string, name: string, status: string, tags: Record<string, string>) {
  const region = arn.split(':')[3] ?? REGION;
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'SageMaker Notebook Instance State Change',
    source: 'aws.sagemaker',
    account: ACCOUNT,
    time: '2026-05-04T10:05:00Z',
    region,
    resources: [arn],
    detail: {
      NotebookInstanceArn: arn,
      NotebookInstanceName: name,
      NotebookInstanceStatus: status,
      Tags: tags,
    },
  };
}

export interface AttackWorld {
  emulator: Emulator;
  topicArn: string;
  queueUrl: string;
  /** The Lambda runtime as deployed: exact own role ARNs, the given policy and grant store. */
  runtime(options?: {
    policy?: Record<string, unknown>;
    grants?: ExemptionGrants;
    region?: string;
    ownRoleArns?: string[];
  }): GuardrailsRuntime;
  /** The alerts published so far. */
  alerts(): Array<{ subject: string; message: string }>;
  /** A resource's tags as a map, read directly (no call recorded). */
  tagsOf(arn: string): Record<string, string>;
  /** A compliant notebook (default policy), with its customer key. */
  compliantNotebook(name: string, overrides?: Record<string, unknown>): string;
}

/** One emulator for the file, reset before each test. */
export function useAttackWorld(): () => AttackWorld {
  let emulator: Emulator | undefined;
  let world: AttackWorld | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ describesPerTransition: 0 });
  });
  beforeEach(() => {
    if (!emulator) throw new Error('no emulator');
    const em = emulator;
    em.reset();
    const topicArn = em.seed.topic('sm-guardrails-alerts', REGION);
    const queueUrl = em.seed.queue('sm-guardrails-recheck', REGION);
    world = {
      emulator: em,
      topicArn,
      queueUrl,
      runtime(options = {}) {
        const region = options.region ?? REGION;
        const policy: Policy = policySchema.parse(options.policy ?? {});
        const aws = createAwsClientProvider({
          home: { partition: partitionOf(region), account: ACCOUNT, region },
          endpoint: em.endpoint,
          credentials: { accessKeyId: 't', secretAccessKey: 't' },
        });
        const config: RuntimeConfig = {
          policy,
          topicArn,
          recheckQueueUrl: queueUrl,
          ownRoleArns: options.ownRoleArns ?? [OWN_ROLE],
          ...(options.grants ? { grants: options.grants } : {}),
        };
        return new GuardrailsRuntime(config, aws, () => new Date('2026-05-04T10:00:00Z'));
      },
      tagsOf: (arn) => Object.fromEntries(em.inspect.tags(arn).map((t) => [t.Key, t.Value])),
      alerts: () => em.published.map((p) => ({ subject: p.subject ?? '', message: p.message })),
      compliantNotebook: (name, overrides = {}) => seedCompliantNotebook(em, name, overrides),
    };
  });
  afterAll(async () => emulator?.close());
  return () => {
    if (!world) throw new Error('the world starts in beforeEach');
    return world;
  };
}

/** The attacker's own SageMaker client against the emulator: their calls change the resource, as in AWS. */
export function userClient(emulator: Emulator): SageMakerClient {
  return new SageMakerClient({
    endpoint: emulator.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'user', secretAccessKey: 'user' },
  });
}

/** What the runtime wrote to stdout (the `finding` log line, the EMF metrics) while `run` ran. */
export async function captureOutput<T>(
  run: () => Promise<T>,
): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    const result = await run();
    const lines = chunks
      .join('')
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { result, lines };
  } finally {
    spy.mockRestore();
  }
}

export const actionsOf = (report: EventReport) => report.actions.map((a) => `${a.type}:${a.status}`);
