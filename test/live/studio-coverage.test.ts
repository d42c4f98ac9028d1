// Studio and notebook coverage (issue 12) through the Lambda handlers as deployed: the real handler modules,
// configured from the environment, against the emulator over real HTTP with the real SDK clients.
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventReport } from '#core/report';
import { createStoreClient, ensureTable } from '#store/table';
import { ACCOUNT, type LiveWorld, REGION, sampleEvent, startWorld } from '../support/live.ts';

type Handler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<EventReport>;
let world: LiveWorld;
let studio: Handler;
let notebooks: Handler;
let tags: Handler;
const DOMAIN = 'd-abc123def456';
const context = { functionName: 'sm-guardrails-test', awsRequestId: 'r-1' } as Context;
const invoke = (handler: Handler, event: Record<string, unknown>) =>
  handler(event as unknown as EventBridgeEvent<string, unknown>, context);
/** A sample event with a fresh event id (the container remembers the ids it handled). */
const fresh = (rel: string, edit: (detail: Record<string, unknown>) => void = () => {}) => {
  const event = sampleEvent(rel);
  const detail = event.detail as Record<string, unknown>;
  detail.eventID = crypto.randomUUID();
  edit(detail);
  return event;
};

beforeAll(async () => {
  world = await startWorld();
  process.env.AWS_ENDPOINT_URL = world.emulator.endpoint;
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.SM_GUARDRAILS_TOPIC_ARN = world.topicArn;
  process.env.SM_GUARDRAILS_ACCOUNT_ID = ACCOUNT;
  // The delivery records live in the emulator's DynamoDB (dynalite), as the deployed functions' in theirs.
  process.env.SM_GUARDRAILS_TABLE = 'sm-guardrails-studio-coverage-records';
  await ensureTable(createStoreClient(), process.env.SM_GUARDRAILS_TABLE);
  studio = (await import('../../functions/studio/handler.ts')).handler;
  notebooks = (await import('../../functions/notebook-instances/handler.ts')).handler;
  tags = (await import('../../functions/tags/handler.ts')).handler;
});
beforeEach(() => {
  world.emulator.reset();
  world.emulator.seed.topic('sm-guardrails-alerts', REGION);
  world.emulator.seed.domain({ domainId: DOMAIN, name: 'ml', region: REGION, authMode: 'IAM' });
  world.emulator.seed.userProfile({
    domainId: DOMAIN,
    name: 'maria-garcia',
    region: REGION,
    tags: [{ Key: 'studiouserid', Value: 'maria.garcia' }],
  });
});
afterAll(async () => {
  for (const key of [
    'AWS_ENDPOINT_URL',
    'SM_GUARDRAILS_TOPIC_ARN',
    'SM_GUARDRAILS_TABLE',
    'SM_GUARDRAILS_ACCOUNT_ID',
  ])
    delete process.env[key];
  await world.emulator.close();
});

const rules = (report: EventReport) => [...new Set(report.violations.map((v) => v.rule))].sort();
/** The callers of the two sign-in samples: one IAM role per Studio user. */
const callerRole = (name: 'StudioUser-maria-garcia' | 'StudioUser-chen-wei', studiouserid?: string) =>
  world.emulator.seed.role({
    name,
    ...(studiouserid ? { tags: [{ Key: 'studiouserid', Value: studiouserid }] } : {}),
  });

describe('studio-presigned-url-abac: the caller and the profile read live', () => {
  it('a sign-in to the caller own profile is compliant', async () => {
    callerRole('StudioUser-maria-garcia', 'maria.garcia');
    const report = await invoke(studio, fresh('studio/create-presigned-url-own-profile.json'));
    expect(report.verdict).toBe('compliant');
    expect(world.callNames()).toEqual(expect.arrayContaining(['sagemaker:ListTags', 'iam:ListRoleTags']));
  });

  it("a sign-in to another user's profile is critical and notified, even recorded as readOnly", async () => {
    callerRole('StudioUser-chen-wei', 'chen.wei');
    const report = await invoke(studio, fresh('studio/create-presigned-url-other-profile.json'));
    expect(report.verdict).toBe('noncompliant');
    expect(report.violations).toEqual([
      expect.objectContaining({
        rule: 'studio-presigned-url-abac',
        severity: 'critical',
        seen: 'profile studiouserid=maria.garcia; caller studiouserid=chen.wei',
      }),
    ]);
    const [message] = world.emulator.published;
    expect(message?.subject).toMatch(/user profile maria-garcia/);
    // The presigned URL itself is a credential: it never reaches the alert.
    expect(message?.message).not.toMatch(/authorizedUrl|HIDDEN_DUE_TO|token=/i);
  });

  it('a caller whose role has no studiouserid tag is flagged (fail closed)', async () => {
    callerRole('StudioUser-maria-garcia');
    const report = await invoke(studio, fresh('studio/create-presigned-url-own-profile.json'));
    expect(report.violations.map((v) => v.message)).toEqual(['sign-in by a caller without a studiouserid']);
  });

  it('a failed IAM read is an error for Lambda to retry, not a verdict', async () => {
    callerRole('StudioUser-maria-garcia', 'maria.garcia');
    world.emulator.injectFault({ service: 'iam', operation: 'ListRoleTags', kind: 'throttle', times: 10 });
    await expect(invoke(studio, fresh('studio/create-presigned-url-own-profile.json'))).rejects.toThrow(
      /ListRoleTags/,
    );
  });
});

describe('notebook-imdsv2 and domain-identity-attribution read live', () => {
  it('tags a notebook that allows IMDSv1', async () => {
    // The notebook after the call the event records: IMDSv1 allowed (the emulator's default, as AWS's).
    world.emulator.seed.notebookInstance({ name: 'quick-eda', region: REGION, status: 'Stopped' });
    const report = await invoke(notebooks, fresh('notebook-instance/update-imdsv1-allowed.json'));
    expect(rules(report)).toContain('notebook-imdsv2');
    const imds = report.violations.find((v) => v.rule === 'notebook-imdsv2');
    expect(imds?.seen).toBe('MinimumInstanceMetadataServiceVersion=1');
    expect(imds?.recreateRequired).toBeFalsy();
    const arn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/quick-eda`;
    expect(world.emulator.inspect.tags(arn)).toContainEqual({
      Key: 'guardrails:status',
      Value: expect.stringContaining('notebook-imdsv2'),
    });
  });

  it('passes a notebook with IMDSv2 only', async () => {
    world.emulator.seed.notebookInstance({
      name: 'quick-eda',
      region: REGION,
      status: 'Stopped',
      imdsMinimumVersion: '2',
    });
    const report = await invoke(notebooks, fresh('notebook-instance/update-imdsv1-allowed.json'));
    expect(rules(report)).not.toContain('notebook-imdsv2');
  });

  it('reads ExecutionRoleIdentityConfig from DescribeDomain (absent: DISABLED)', async () => {
    const report = await invoke(studio, fresh('studio/update-domain-identity-attribution.json'));
    // The event says USER_PROFILE_NAME, but the live domain (the emulator did not get the call) says otherwise.
    expect(rules(report)).toContain('domain-identity-attribution');
    world.emulator.reset();
    world.emulator.seed.topic('sm-guardrails-alerts', REGION);
    world.emulator.seed.domain({
      domainId: DOMAIN,
      name: 'ml',
      region: REGION,
      appNetworkAccessType: 'VpcOnly',
      vpcId: 'vpc-1',
      subnetIds: ['subnet-1'],
      kmsKeyId: world.emulator.seed.kmsKey({ region: REGION }),
      executionRoleIdentityConfig: 'USER_PROFILE_NAME',
    });
    const ok = await invoke(studio, fresh('studio/update-domain-identity-attribution.json'));
    expect(ok.verdict).toBe('compliant');
  });
});

describe('app image configs, lifecycle configurations, spaces and apps', () => {
  it('studio-image-run-as-root reads the app image config live, also on an update that names no image', async () => {
    world.emulator.seed.studioResource({
      kind: 'app-image-config',
      params: {
        AppImageConfigName: 'custom-r-kernel',
        KernelGatewayImageConfig: {
          KernelSpecs: [{ Name: 'ir' }],
          FileSystemConfig: { DefaultUid: 0, DefaultGid: 0 },
        },
      },
    });
    const event = fresh('studio/update-app-image-config-root-group.json', (d) => {
      d.requestParameters = { appImageConfigName: 'custom-r-kernel' };
    });
    const report = await invoke(studio, event);
    expect(report.violations).toEqual([
      expect.objectContaining({
        rule: 'studio-image-run-as-root',
        seen: 'KernelGateway FileSystemConfig DefaultUid=0 DefaultGid=0',
      }),
    ]);
    expect(world.emulator.published).toHaveLength(1);
  });

  it('a new notebook lifecycle configuration is reported with its hash, never its script', async () => {
    world.emulator.seed.studioResource({
      kind: 'notebook-instance-lifecycle-config',
      params: {
        NotebookInstanceLifecycleConfigName: 'pip-setup',
        OnStart: [{ Content: 'IyEvYmluL2Jhc2gK' }],
      },
    });
    const report = await invoke(notebooks, fresh('notebook-instance/create-lifecycle-config.json'));
    expect(report.violations[0]).toMatchObject({
      rule: 'lifecycle-config-change',
      seen: expect.stringMatching(/^pip-setup: OnStart sha256=[0-9a-f]{64} \(\d+ bytes\)$/),
    });
    const body = world.emulator.published[0]?.message ?? '';
    expect(body).toMatch(/sha256=[0-9a-f]{64}/);
    expect(body).not.toContain('pip install');
    expect(body).toContain('arn:aws:sts::111122223333:assumed-role/MLPlatformAdmin/jdoe');
  });

  it('an allowed principal creates lifecycle configurations silently', async () => {
    process.env.SM_GUARDRAILS_POLICY = JSON.stringify({
      lifecycleConfigs: { allowedPrincipals: ['arn:aws:iam::*:role/MLPlatformAdmin'] },
    });
    try {
      const { GuardrailsRuntime, configFromEnvironment } = await import('#core/lambda/runtime');
      world.emulator.seed.studioResource({
        kind: 'notebook-instance-lifecycle-config',
        params: { NotebookInstanceLifecycleConfigName: 'pip-setup' },
      });
      const runtime = new GuardrailsRuntime(configFromEnvironment(), world.clients());
      const report = await runtime.handleEvent(fresh('notebook-instance/create-lifecycle-config.json'));
      expect(report.verdict).toBe('compliant');
    } finally {
      delete process.env.SM_GUARDRAILS_POLICY;
    }
  });

  it('a space created with the exemption tag gets it removed and the admins told', async () => {
    const spaceArn = world.emulator.seed.studioResource({
      kind: 'space',
      params: { DomainId: DOMAIN, SpaceName: 'alice-private' },
      tags: [{ Key: 'guardrails:exempt', Value: 'testing' }],
    });
    const report = await invoke(studio, fresh('studio/create-space-with-exempt-tag.json'));
    expect(rules(report)).toEqual(['protected-tag-change']);
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual(['revert:done', 'notify:done']);
    expect(world.emulator.inspect.tags(spaceArn)).toEqual([]);
  });

  it('an exemption added to an app image config is reverted by the tags function', async () => {
    const arn = world.emulator.seed.studioResource({
      kind: 'app-image-config',
      params: {
        AppImageConfigName: 'gpu-kernel',
        KernelGatewayImageConfig: { KernelSpecs: [{ Name: 'python3' }] },
      },
      tags: [{ Key: 'guardrails:exempt', Value: 'needed for CUDA' }],
    });
    const report = await invoke(tags, fresh('tags/add-tags-app-image-config-guardrails-exempt.json'));
    expect(rules(report)).toEqual(['protected-tag-change']);
    expect(world.emulator.inspect.tags(arn)).toEqual([]);
  });

  it('an app that no longer exists is skipped', async () => {
    const report = await invoke(tags, fresh('tags/add-tags-app-ordinary.json'));
    expect(report).toMatchObject({ verdict: 'skipped', reason: 'resource no longer exists' });
  });
});
