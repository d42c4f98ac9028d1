// The sweep against the emulator over real HTTP with the real SDK clients: listing, reading, the core's rules and
// executor, the digest, and AWS misbehaving mid-sweep.
import {
  DeleteAppCommand,
  DeleteAppImageConfigCommand,
  DeleteNotebookInstanceCommand,
  DeleteNotebookInstanceLifecycleConfigCommand,
  DeleteSpaceCommand,
  DeleteStudioLifecycleConfigCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '#core/aws/clients';
import { DEFAULT_POLICY, type Policy } from '#core/policy';
import { type Emulator, startEmulator } from '#emulator/index';
import type { StudioResourceKind } from '#emulator/state';
import { composeDigest, DIGEST_WORST } from '../../sweep/digest.ts';
import { type RunSweepOptions, runSweep, SWEEP_MAX_ATTEMPTS, sweepClients } from '../../sweep/run.ts';
import { rulesInStatusTag, type TargetSweep } from '../../sweep/sweep.ts';
import { target } from '../../sweep/target.ts';
import { ACCOUNT, REGION, seedCompliantNotebook } from '../support/live.ts';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const HERE = target(ACCOUNT, REGION);

let emulator: Emulator;
let topicArn: string;

beforeAll(async () => {
  emulator = await startEmulator({ describesPerTransition: 0 });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(() => {
  emulator.reset();
});

function fresh(): void {
  emulator.reset();
  topicArn = emulator.seed.topic('sm-guardrails-alerts', REGION);
}

async function sweep(overrides: Partial<RunSweepOptions> & { policy?: Policy; concurrency?: number } = {}) {
  const { clientsFor, calls } = sweepClients(overrides.concurrency ?? 5, (t, o) =>
    createAwsClients({ ...o, endpoint: emulator.endpoint, region: t.region, credentials: CREDENTIALS }),
  );
  const sweeps: TargetSweep[] = [];
  const summary = await runSweep({
    targets: [HERE],
    clientsFor,
    policy: DEFAULT_POLICY,
    sweepId: 'test-sweep',
    topicArnFor: () => topicArn,
    onTarget: (s) => {
      sweeps.push(s);
    },
    ...overrides,
  });
  const results = sweeps.flatMap((s) => s.results);
  const byName = (name: string) => {
    const r = results.find((x) => x.resource.name === name);
    if (!r) throw new Error(`no result for ${name}`);
    return r;
  };
  return { summary, sweeps, results, byName, calls };
}

const opCount = (operation: string) => emulator.calls.filter((c) => c.operation === operation).length;

const STUDIO_LISTS = [
  'ListSpaces',
  'ListApps',
  'ListAppImageConfigs',
  'ListNotebookInstanceLifecycleConfigs',
  'ListStudioLifecycleConfigs',
];

function sagemaker(): SageMakerClient {
  return new SageMakerClient({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
}

/**
 * `n` compliant resources of each Studio type (spaces and apps in domain d-dom0, the apps for its user-0, and
 * one more app `gone` to delete) and, with them, the domain and profile they need. Returns the ARNs, `gone` aside.
 */
function seedStudioResources(n: number): string[] {
  if (!emulator.inspect.userProfile('d-dom0', 'user-0', REGION))
    emulator.seed.userProfile({
      domainId: 'd-dom0',
      name: 'user-0',
      region: REGION,
      tags: [{ Key: 'studiouserid', Value: 'user-0' }],
    });
  const arns: string[] = [];
  const seed = (kind: StudioResourceKind, params: Record<string, unknown>) =>
    emulator.seed.studioResource({ kind, region: REGION, params });
  for (let i = 0; i < n; i++) {
    arns.push(
      seed('space', { DomainId: 'd-dom0', SpaceName: `space-${i}` }),
      seed('app', {
        DomainId: 'd-dom0',
        UserProfileName: 'user-0',
        AppType: 'JupyterLab',
        AppName: `app-${i}`,
      }),
      seed('app-image-config', { AppImageConfigName: `image-${i}` }),
      seed('notebook-instance-lifecycle-config', { NotebookInstanceLifecycleConfigName: `nb-lcc-${i}` }),
      seed('studio-lifecycle-config', {
        StudioLifecycleConfigName: `studio-lcc-${i}`,
        StudioLifecycleConfigContent: 'ZWNobyBoaQ==',
        StudioLifecycleConfigAppType: 'JupyterLab',
      }),
    );
  }
  seed('app', { DomainId: 'd-dom0', UserProfileName: 'user-0', AppType: 'JupyterLab', AppName: 'gone' });
  return arns;
}

function seedOpenNotebook(name: string, extra: Record<string, unknown> = {}): string {
  return emulator.seed.notebookInstance({ name, region: REGION, status: 'InService', ...extra });
}

describe("sweep: every resource, the event path's rules and actions", () => {
  it('lists more than one page of each type and evaluates every resource once', async () => {
    fresh();
    for (let i = 0; i < 5; i++) seedCompliantNotebook(emulator, `nb-${i}`);
    for (let i = 0; i < 3; i++) {
      emulator.seed.domain({
        domainId: `d-dom${i}`,
        name: `dom-${i}`,
        region: REGION,
        appNetworkAccessType: 'VpcOnly',
        vpcId: 'vpc-1',
        subnetIds: ['subnet-1'],
        kmsKeyId: emulator.seed.kmsKey({ region: REGION }),
        executionRoleIdentityConfig: 'USER_PROFILE_NAME',
      });
    }
    for (let i = 0; i < 5; i++) {
      emulator.seed.userProfile({
        domainId: `d-dom${i % 3}`,
        name: `user-${i}`,
        region: REGION,
        tags: [{ Key: 'studiouserid', Value: `user-${i}` }],
      });
    }
    const studio = seedStudioResources(3);
    // Deleted apps stay listed (Status Deleted) for a while: gone, neither judged nor reported.
    await sagemaker().send(
      new DeleteAppCommand({
        DomainId: 'd-dom0',
        UserProfileName: 'user-0',
        AppType: 'JupyterLab',
        AppName: 'gone',
      }),
    );
    emulator.clearCalls();
    const { results, summary } = await sweep({ pageSize: 2 });
    expect(results).toHaveLength(13 + 15);
    expect(new Set(results.map((r) => r.resource.arn)).size).toBe(28);
    expect(summary.compliant).toBe(28);
    expect(opCount('ListNotebookInstances')).toBe(3);
    expect(opCount('ListDomains')).toBe(2);
    expect(opCount('ListUserProfiles')).toBe(3);
    // 3 of each Studio type at 2 a page: 2 pages each (ListApps also lists the deleted app: 4 apps, 2 pages).
    for (const op of STUDIO_LISTS) expect({ op, pages: opCount(op) }).toEqual({ op, pages: 2 });
    expect(results.find((r) => r.resource.type === 'user-profile')?.resource.arn).toMatch(
      /^arn:aws:sagemaker:us-east-1:111122223333:user-profile\/d-dom\d\/user-\d$/,
    );
    // Each listed resource by the ARN AWS gave it (built for spaces and apps, whose summaries carry none).
    expect(
      results
        .filter(
          (r) =>
            r.resource.type !== 'notebook-instance' &&
            !r.resource.arn.includes(':domain/') &&
            !r.resource.arn.includes(':user-profile/'),
        )
        .map((r) => r.resource.arn)
        .sort(),
    ).toEqual(studio.sort());
    expect(results.some((r) => r.resource.name === 'gone')).toBe(false);
    expect(opCount('AddTags') + opCount('Publish')).toBe(0);
  });

  it('judges Studio resources with the rules of their type, and reads each once', async () => {
    fresh();
    emulator.seed.domain({
      domainId: 'd-s',
      name: 's',
      region: REGION,
      appNetworkAccessType: 'VpcOnly',
      vpcId: 'vpc-1',
      subnetIds: ['subnet-1'],
      kmsKeyId: emulator.seed.kmsKey({ region: REGION }),
      executionRoleIdentityConfig: 'USER_PROFILE_NAME',
    });
    const space = emulator.seed.studioResource({
      kind: 'space',
      region: REGION,
      params: { DomainId: 'd-s', SpaceName: 'shared' },
    });
    const rootImage = emulator.seed.studioResource({
      kind: 'app-image-config',
      region: REGION,
      params: {
        AppImageConfigName: 'root-image',
        KernelGatewayImageConfig: {
          KernelSpecs: [{ Name: 'python3' }],
          FileSystemConfig: { DefaultUid: 0, DefaultGid: 0 },
        },
      },
    });
    const policy: Policy = {
      ...DEFAULT_POLICY,
      requiredTags: { ...DEFAULT_POLICY.requiredTags, space: { team: {} } },
    };
    emulator.clearCalls();
    const { byName, summary } = await sweep({ policy });
    expect(byName('shared')).toMatchObject({ verdict: 'noncompliant', resource: { arn: space } });
    expect(byName('shared').violations.map((v) => v.rule)).toEqual(['required-tags']);
    expect(byName('root-image')).toMatchObject({ verdict: 'noncompliant', resource: { arn: rootImage } });
    expect(byName('root-image').violations.map((v) => v.rule)).toEqual(['studio-image-run-as-root']);
    expect(summary.noncompliant).toBe(2);
    // A space is read by its tags alone (as the event path reads it), an app image config described too.
    expect(opCount('DescribeSpace')).toBe(0);
    expect(opCount('DescribeAppImageConfig')).toBe(1);
    expect(emulator.published).toHaveLength(1);
    expect(emulator.published[0]?.message).toContain('root-image');
    expect(emulator.published[0]?.message).toContain('shared');
  });

  it('costs ceil(N/100) list pages per type, 2 reads per resource and the actions', async () => {
    fresh();
    const key = emulator.seed.kmsKey({ region: REGION });
    for (let i = 0; i < 150; i++) seedCompliantNotebook(emulator, `nb-${i}`, { kmsKeyId: key });
    seedOpenNotebook('open-one', { tags: [{ Key: 'project', Value: 'x' }] });
    emulator.clearCalls();
    const { summary, calls } = await sweep();
    expect(summary.resources).toBe(151);
    expect(opCount('ListNotebookInstances')).toBe(2);
    expect(opCount('ListDomains') + opCount('ListUserProfiles')).toBe(2);
    for (const op of STUDIO_LISTS) expect(opCount(op)).toBe(1);
    expect(opCount('DescribeNotebookInstance')).toBe(151);
    expect(opCount('ListTags')).toBe(151);
    // The shared key is resolved once; the open notebook costs a tag write, a stop and the digest.
    expect(opCount('DescribeKey')).toBe(1);
    expect(opCount('AddTags') + opCount('StopNotebookInstance') + opCount('Publish')).toBe(3);
    expect(calls.total).toBe(emulator.calls.length);
    expect(calls.total).toBe(4 + STUDIO_LISTS.length + 2 * 151 + 1 + 3);
  });

  it('tags and stops an InService notebook, defers a Pending one, and completes a deferred stop whose event was lost', async () => {
    fresh();
    seedOpenNotebook('running-open', { tags: [{ Key: 'project', Value: 'a' }] });
    seedOpenNotebook('pending-open', { status: 'Pending', tags: [{ Key: 'project', Value: 'b' }] });
    // Quarantined earlier (stop deferred while Pending); its InService event never arrived.
    seedOpenNotebook('lost-event', {
      tags: [
        { Key: 'project', Value: 'c' },
        {
          Key: 'guardrails:status',
          Value:
            'quarantined: notebook-direct-internet-access notebook-kms-key notebook-root-access notebook-vpc',
        },
      ],
    });
    const { byName, sweeps } = await sweep();
    expect(byName('running-open').actions.find((a) => a.type === 'stop')?.status).toBe('done');
    expect(emulator.inspect.notebookInstance('running-open')?.status).toBe('Stopping');
    expect(byName('pending-open').actions.find((a) => a.type === 'stop')?.status).toBe('deferred');
    expect(sweeps[0]?.deferredStops.map((a) => a.state?.ref.name)).toEqual(['pending-open']);
    const lost = byName('lost-event');
    expect(lost.actions.find((a) => a.type === 'stop')?.status).toBe('done');
    expect(emulator.inspect.notebookInstance('lost-event')?.status).toBe('Stopping');
    // A stop is news even for known findings.
    expect(lost.actions.find((a) => a.type === 'notify')?.status).toBe('done');
    expect(emulator.inspect.tags(byName('running-open').resource.arn)).toContainEqual({
      Key: 'guardrails:status',
      Value:
        'quarantined: notebook-direct-internet-access notebook-imdsv2 notebook-kms-key notebook-root-access notebook-vpc',
    });
  });

  it('sends one digest per account and region, and none for findings the admins were already told about', async () => {
    fresh();
    for (let i = 0; i < 3; i++)
      seedOpenNotebook(`open-${i}`, { status: 'Stopped', tags: [{ Key: 'project', Value: 'p' }] });
    emulator.seed.userProfile({ domainId: 'd-one', name: 'untagged', region: REGION });
    const first = await sweep();
    expect(first.summary.noncompliant).toBe(5); // 3 notebooks, the profile, its made-up public domain
    expect(emulator.published).toHaveLength(1);
    expect(first.summary.digests.sent).toBe(1);

    const second = await sweep();
    expect(second.summary.noncompliant).toBe(4); // the profile's studiouserid was filled in
    expect(emulator.published).toHaveLength(1);
    expect(second.summary.digests.none).toBe(1);
    expect(
      second.results
        .filter((r) => r.verdict === 'noncompliant')
        .every((r) =>
          r.actions.some(
            (a) => a.type === 'notify' && a.status === 'skipped' && a.detail?.startsWith('already notified'),
          ),
        ),
    ).toBe(true);

    // A new finding on a known resource, and a new resource: the third sweep tells only those.
    emulator.seed.notebookInstance({
      name: 'newcomer',
      region: REGION,
      status: 'Stopped',
      rootAccess: 'Disabled',
      directInternetAccess: 'Enabled',
      tags: [{ Key: 'project', Value: 'n' }],
    });
    const third = await sweep();
    expect(emulator.published).toHaveLength(2);
    const digest = emulator.published[1];
    expect(digest?.subject).toBe('[sm-guardrails] SWEEP 111122223333/us-east-1: 1 new finding');
    expect(digest?.message).toContain('newcomer');
    expect(digest?.message).not.toContain('open-0');
    expect(third.byName('newcomer').actions.find((a) => a.type === 'notify')?.status).toBe('done');
  });

  it('reads through throttling mid-sweep (adaptive retries) and reports what stayed unreadable as unverifiable', async () => {
    fresh();
    for (let i = 0; i < 6; i++) seedCompliantNotebook(emulator, `nb-${i}`);
    emulator.injectFault({ operation: 'DescribeNotebookInstance', kind: 'throttle', times: 4 });
    emulator.injectFault({ operation: 'ListTags', kind: 'throttle', times: 2 });
    const ok = await sweep();
    expect(ok.summary.compliant).toBe(6);
    expect(ok.summary.error).toBe(0);
    expect(emulator.calls.filter((c) => c.errorCode === 'ThrottlingException')).toHaveLength(6);
    expect(emulator.published).toHaveLength(0);

    // One notebook that stays throttled past every retry: unverifiable, and the admins hear of it.
    fresh();
    for (let i = 0; i < 2; i++) seedCompliantNotebook(emulator, `nb-${i}`);
    emulator.injectFault({
      operation: 'DescribeNotebookInstance',
      kind: 'throttle',
      times: SWEEP_MAX_ATTEMPTS,
    });
    const bad = await sweep({ concurrency: 1 });
    expect(bad.summary.error).toBe(1);
    const unverified = bad.results.find((r) => r.verdict === 'error');
    expect(unverified?.reason).toMatch(/sagemaker:DescribeNotebookInstance failed: ThrottlingException/);
    expect(emulator.published).toHaveLength(1);
    expect(emulator.published[0]?.subject).toBe(
      '[sm-guardrails] SWEEP 111122223333/us-east-1: 1 unverifiable',
    );
    expect(emulator.published[0]?.message).toContain('could not be evaluated');
    // Adaptive retries slow the client down after throttling: seconds, not the default 20.
  }, 90_000);

  it("holds to the emulator's rate limit with bounded concurrency", async () => {
    const limited = await startEmulator({ describesPerTransition: 0, rateLimitPerSecond: 40 });
    try {
      for (let i = 0; i < 40; i++) seedCompliantNotebook(limited, `nb-${i}`);
      const { clientsFor } = sweepClients(8, (t, o) =>
        createAwsClients({ ...o, endpoint: limited.endpoint, region: t.region, credentials: CREDENTIALS }),
      );
      const summary = await runSweep({
        targets: [HERE],
        clientsFor,
        policy: DEFAULT_POLICY,
        sweepId: 'rate',
        concurrency: 8,
      });
      expect(summary.compliant).toBe(40);
      expect(summary.error).toBe(0);
      expect(limited.calls.some((c) => c.errorCode === 'ThrottlingException')).toBe(true);
    } finally {
      await limited.close();
    }
  });

  it('skips a resource deleted between list and describe', async () => {
    fresh();
    seedCompliantNotebook(emulator, 'stays');
    seedCompliantNotebook(emulator, 'goes', { status: 'Stopped' });
    const client = new SageMakerClient({
      endpoint: emulator.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
    });
    const { byName, summary } = await sweep({
      onListed: async () => {
        await client.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: 'goes' }));
        emulator.advanceNotebook('goes');
      },
    });
    expect(byName('goes').verdict).toBe('skipped');
    expect(byName('goes').reason).toBe('deleted since it was listed');
    expect(byName('stays').verdict).toBe('compliant');
    expect(summary.error).toBe(0);
    expect(emulator.published).toHaveLength(0);
  });

  it('skips Studio resources deleted between list and read, and never tags them', async () => {
    fresh();
    seedStudioResources(1);
    const policy: Policy = {
      ...DEFAULT_POLICY,
      requiredTags: { ...DEFAULT_POLICY.requiredTags, space: { team: { values: ['a'] } } },
    };
    const { results, summary } = await sweep({
      policy,
      onListed: async () => {
        const sm = sagemaker();
        await sm.send(new DeleteSpaceCommand({ DomainId: 'd-dom0', SpaceName: 'space-0' }));
        await sm.send(new DeleteAppImageConfigCommand({ AppImageConfigName: 'image-0' }));
        await sm.send(
          new DeleteNotebookInstanceLifecycleConfigCommand({
            NotebookInstanceLifecycleConfigName: 'nb-lcc-0',
          }),
        );
        await sm.send(new DeleteStudioLifecycleConfigCommand({ StudioLifecycleConfigName: 'studio-lcc-0' }));
      },
    });
    const gone = results
      .filter((r) => r.reason === 'deleted since it was listed')
      .map((r) => r.resource.name);
    expect(gone.sort()).toEqual(['image-0', 'nb-lcc-0', 'space-0', 'studio-lcc-0']);
    expect(results.filter((r) => gone.includes(r.resource.name)).every((r) => r.verdict === 'skipped')).toBe(
      true,
    );
    expect(summary.error).toBe(0);
    // Only the made-up domain of the seeded profile (public) is tagged; nothing deleted is.
    const tagged = emulator.calls.filter((c) => c.operation === 'AddTags').map((c) => c.params.ResourceArn);
    expect(tagged).toEqual([expect.stringMatching(/:domain\/d-dom0$/)]);
  });

  it('reads through throttled Studio listings, and a listing that stays throttled leaves its type unverified', async () => {
    fresh();
    seedStudioResources(3);
    emulator.injectFault({ operation: 'ListSpaces', kind: 'throttle', times: 2 });
    emulator.injectFault({ operation: 'ListApps', kind: 'throttle', times: 1 });
    const ok = await sweep({ pageSize: 2 });
    expect(ok.summary).toMatchObject({ resources: 3 + 15, error: 0, listErrors: [] });
    expect(emulator.calls.filter((c) => c.errorCode === 'ThrottlingException')).toHaveLength(3);

    fresh();
    seedStudioResources(3);
    // The second page of spaces never comes: the spaces are unverified (not compliant), the rest is judged.
    emulator.injectFault({ operation: 'ListSpaces', kind: 'throttle', times: SWEEP_MAX_ATTEMPTS, after: 1 });
    const bad = await sweep({ pageSize: 2 });
    expect(bad.summary.listErrors).toEqual([
      expect.objectContaining({
        type: 'space',
        error: expect.stringMatching(/sagemaker:ListSpaces failed: ThrottlingException/),
      }),
    ]);
    expect(bad.results.some((r) => r.resource.type === 'space')).toBe(false);
    expect(bad.summary.resources).toBe(3 + 12);
    expect(emulator.published[0]?.subject).toMatch(/unverifiable/);
  }, 90_000);

  it('reads nothing but writes nothing in a dry run', async () => {
    fresh();
    seedOpenNotebook('open');
    const { byName, summary } = await sweep({ dryRun: true });
    expect(byName('open').actions.map((a) => a.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(summary.digests.planned).toBe(1);
    expect(emulator.calls.every((c) => /^(List|Describe)/.test(c.operation))).toBe(true);
    expect(emulator.published).toHaveLength(0);
  });
});

describe('digest contents', () => {
  it('counts per rule, names the worst resources first and at most ten, with console links', async () => {
    fresh();
    for (let i = 0; i < 12; i++)
      seedOpenNotebook(`open-${String(i).padStart(2, '0')}`, { status: 'Stopped' });
    emulator.seed.userProfile({ domainId: 'd-one', name: 'untagged', region: REGION, tags: [] });
    emulator.seed.notebookInstance({
      name: 'only-kms',
      region: REGION,
      status: 'Stopped',
      directInternetAccess: 'Disabled',
      rootAccess: 'Disabled',
      subnetId: 'subnet-1',
      tags: [{ Key: 'project', Value: 'k' }],
    });
    const { sweeps } = await sweep();
    const s = sweeps[0];
    if (!s) throw new Error('no sweep');
    const message = composeDigest({ sweep: s, sweepId: 'test-sweep', mode: 'enforce' });
    expect(message?.subject).toBe('[sm-guardrails] SWEEP 111122223333/us-east-1: 15 new findings');
    const body = message?.body ?? '';
    expect(body).toContain('[high] notebook-direct-internet-access: 12 resources (12 new)');
    expect(body).toContain('[medium] notebook-kms-key: 13 resources (13 new)');
    expect(body).toContain('[high] domain-network-access: 1 resource (1 new)');
    expect(body).toContain(`Worst first (${DIGEST_WORST} of 15):`);
    const named = body.split('\n').filter((l) => l.startsWith('  - '));
    expect(named).toHaveLength(DIGEST_WORST);
    // Five high findings outrank one medium one: the KMS-only notebook is not among the ten.
    expect(body).not.toContain('only-kms');
    expect(body).toContain(
      'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/notebook-instances/open-00',
    );
    expect(message?.attributes.severity).toBe('high');
    expect(JSON.parse(message?.attributes.rules ?? '[]')).toContain('required-tags');
  });

  it('reads the rules a status tag names', () => {
    expect([...(rulesInStatusTag('quarantined: a b') ?? [])]).toEqual(['a', 'b']);
    expect([...(rulesInStatusTag('noncompliant: c') ?? [])]).toEqual(['c']);
    expect(rulesInStatusTag('whatever')).toBeUndefined();
    expect(rulesInStatusTag(undefined)).toBeUndefined();
  });
});
