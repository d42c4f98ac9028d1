// `sm-guardrails scan` as a user runs it: the built CLI in its own process.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AppType,
  DescribeAppCommand,
  DescribeAppImageConfigCommand,
  DescribeDomainCommand,
  DescribeNotebookInstanceCommand,
  DescribeNotebookInstanceLifecycleConfigCommand,
  DescribeSpaceCommand,
  DescribeStudioLifecycleConfigCommand,
  DescribeUserProfileCommand,
  ListTagsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClientProvider } from '#core/aws/client-provider';
import { createAwsClients } from '#core/aws/clients';
import { normalizeEvent } from '#core/events/normalize';
import { Guardrails } from '#core/guardrails';
import { DEFAULT_POLICY } from '#core/policy';
import type { ResourceRef } from '#core/types';
import { type Emulator, startEmulator } from '#emulator/index';
import { DynamoExemptionGrants } from '#store/exemption-grants';
import { createStoreClient, ensureTable } from '#store/table';
import { SimulatedAccount } from '../../cli/simulation.ts';
import type { ResourceResult } from '../../sweep/sweep.ts';
import { runCli } from '../support/cli.ts';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

function parseScan(stdout: string): { results: ResourceResult[]; summary: Record<string, unknown> } {
  const lines = stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  const last = lines.pop();
  return { results: lines as ResourceResult[], summary: last?.summary };
}

const rulesOf = (violations: Array<{ rule: string }>) => [...new Set(violations.map((v) => v.rule))].sort();

describe('scan --simulate on the sample exports', () => {
  const run = runCli(['scan', '--simulate', 'sweep/samples', '--json']);
  const { results, summary } = parseScan(run.stdout);
  const byName = (name: string) => results.find((r) => r.resource.name === name);

  it('evaluates every exported resource and exits 0', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(results).toHaveLength(15);
    for (const r of results) {
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining(['resource', 'verdict', 'violations', 'unevaluated', 'actions']),
      );
    }
    expect(summary).toMatchObject({ resources: 15, targets: 2, error: 0 });
  });

  it('gives the verdicts and rules of the policy, with account and region from the ARN', () => {
    expect(byName('scratch-notebook')).toMatchObject({
      verdict: 'noncompliant',
      resource: { account: '111122223333', region: 'us-east-1' },
    });
    expect(rulesOf(byName('scratch-notebook')?.violations ?? [])).toEqual([
      'notebook-direct-internet-access',
      'notebook-imdsv2',
      'notebook-kms-key',
      'notebook-root-access',
      'notebook-vpc',
      'required-tags',
    ]);
    expect(byName('churn-model')?.verdict).toBe('compliant');
    expect(byName('alice')?.verdict).toBe('compliant');
    expect(rulesOf(byName('bob')?.violations ?? [])).toEqual(['required-tags']);
    // An exemption tag the guardrails never saw an allowed principal grant is no exemption (docs/security.md).
    expect(byName('vendor-appliance')).toMatchObject({
      verdict: 'noncompliant',
      resource: { account: '444455556666', region: 'eu-west-1' },
    });
    expect(rulesOf(byName('vendor-appliance')?.violations ?? [])).toContain('protected-tag-change');
    expect(byName('platform')?.verdict).toBe('compliant');
    expect(rulesOf(byName('eu-analytics')?.violations ?? [])).toEqual(['notebook-root-access']);
    // The Studio resources of issue 12, exported with describe-space, describe-app... (sweep/samples).
    for (const name of ['shared-research', 'default', 'install-packages', 'auto-shutdown'])
      expect({ name, verdict: byName(name)?.verdict }).toEqual({ name, verdict: 'compliant' });
    expect(byName('default')?.resource.arn).toBe(
      'arn:aws:sagemaker:us-east-1:111122223333:app/d-abc123def456/alice/jupyterlab/default',
    );
    expect(rulesOf(byName('custom-r-image')?.violations ?? [])).toEqual(['studio-image-run-as-root']);
    // A deleted app (ListApps shows it as Deleted for a while) is gone: neither judged nor reported.
    expect(results.some((r) => r.resource.name.startsWith('datascience-1-0'))).toBe(false);
  });

  it('acts as the event path does: stop InService, defer Pending, no new alert for a known finding', () => {
    const actions = (name: string) => byName(name)?.actions.map((a) => `${a.type}:${a.status}`);
    expect(actions('scratch-notebook')).toEqual(['tag:done', 'stop:done', 'notify:done']);
    expect(actions('Feature-Eng')).toEqual(['tag:done', 'stop:deferred', 'notify:done']);
    expect(actions('old-experiment')).toEqual(['tag:skipped', 'notify:skipped']);
    expect(summary).toMatchObject({ digests: { sent: 2 } });
  });

  it('prints a summary table without --json', () => {
    const human = runCli(['scan', '--simulate', 'sweep/samples']);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^total +15 +7 +8 +0 +0 +7$/m);
    expect(human.stdout).toMatch(/^NONCOMPLIANT +notebook-instance\/scratch-notebook/m);
    expect(human.stdout).toMatch(/\d+ AWS calls \(\d\.\d\d per resource\)/);
  });

  it('names the file, the field and the reason of a bad export, and exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-bad-'));
    writeFileSync(
      join(dir, 'nb.json'),
      JSON.stringify({
        NotebookInstanceArn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/x',
        NotebookInstanceName: 'x',
        RootAccess: 'Maybe',
      }),
    );
    const bad = runCli(['scan', '--simulate', dir, '--json']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/nb\.json: \$\.RootAccess: /);
    writeFileSync(join(dir, 'nb.json'), JSON.stringify({ Something: 1 }));
    expect(runCli(['scan', '--simulate', dir]).stderr).toMatch(
      /nb\.json: \$: not a describe-notebook-instance, .*describe-space, describe-app, describe-app-image-config/,
    );
    const image = 'arn:aws:sagemaker:us-east-1:111122223333:app-image-config/img';
    writeFileSync(
      join(dir, 'nb.json'),
      JSON.stringify({
        AppImageConfigArn: image,
        AppImageConfigName: 'img',
        JupyterLabAppImageConfig: { FileSystemConfig: { DefaultUid: -1 } },
      }),
    );
    expect(runCli(['scan', '--simulate', dir]).stderr).toMatch(
      /nb\.json: \$\.JupyterLabAppImageConfig\.FileSystemConfig\.DefaultUid: /,
    );
    writeFileSync(
      join(dir, 'nb.json'),
      JSON.stringify({
        AppArn: 'arn:aws:sagemaker:us-east-1:111122223333:app/d-1/alice/jupyterlab/default',
        DomainId: 'd-1',
        UserProfileName: 'mallory',
        AppType: 'JupyterLab',
        AppName: 'default',
      }),
    );
    const mismatch = runCli(['scan', '--simulate', dir]);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toMatch(
      /nb\.json: \$\.AppArn: names another resource than DomainId, UserProfileName/,
    );
  });

  it('refuses contradictory options', () => {
    expect(runCli(['scan']).status).toBe(2);
    expect(runCli(['scan', '--simulate', 'x', '--live']).status).toBe(2);
    expect(runCli(['scan', '--live', '--regions', 'nowhere']).stderr).toMatch(/--regions: not a region/);
  });
});

describe('scan --simulate agrees with the event path', () => {
  // Each sample creation event is acted out in an emulated account; the resource it leaves is exported as
  // `aws sagemaker describe-*` and `list-tags` print it, then judged both ways. The exemption tag at creation is
  // the one deliberate difference (an event shows who set it; a sweep cannot know), so that sample is left out.
  // A lifecycle configuration's creation is judged as a call (lifecycle-config-change: who wrote which script),
  // which a sweep cannot see either: those are compared on the next event about them, an ordinary AddTags, where
  // the event path judges the configuration as it is.
  const JUDGED_AS_IS = new Set([
    'notebook-instance/create-lifecycle-config.json',
    'studio/create-studio-lifecycle-config.json',
  ]);
  const SAMPLES = [
    ...JUDGED_AS_IS,
    'studio/create-space-compliant.json',
    'studio/create-app-compliant.json',
    'studio/create-app-image-config-compliant.json',
    'studio/create-app-image-config-run-as-root.json',
    'notebook-instance/create-all-defaults.json',
    'notebook-instance/create-by-identity-center-role-root-enabled.json',
    'notebook-instance/create-compliant.json',
    'notebook-instance/create-kms-alias-name.json',
    'notebook-instance/create-kms-aws-managed-alias.json',
    'studio/create-domain-compliant.json',
    'studio/create-domain-defaults.json',
    'studio/create-user-profile-by-identity-center-user.json',
    'studio/create-user-profile-compliant.json',
    'studio/create-user-profile-missing-studiouserid.json',
  ];
  const dir = mkdtempSync(join(tmpdir(), 'scan-exports-'));
  const eventPath = new Map<string, { verdict: string; rules: string[] }>();
  const emulators: Emulator[] = [];

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    for (const sample of SAMPLES) {
      const event: unknown = JSON.parse(readFileSync(`events/${sample}`, 'utf8'));
      const normalized = normalizeEvent(event);
      if (normalized.kind !== 'change') throw new Error(`${sample}: not a change`);
      const { region } = normalized.change;
      const emulator = await startEmulator({
        describesPerTransition: 0,
        accountId: normalized.change.account,
      });
      emulators.push(emulator);
      const aws = createAwsClients({ endpoint: emulator.endpoint, region, credentials: CREDENTIALS });
      const account = new SimulatedAccount(emulator, () => aws.sagemaker);
      const clients = createAwsClientProvider({
        home: { partition: 'aws', account: normalized.change.account, region },
        endpoint: emulator.endpoint,
        credentials: CREDENTIALS,
      });
      const guardrails = new Guardrails({ policy: DEFAULT_POLICY, clients });
      await account.apply(event);
      let judged: unknown = event;
      if (JUDGED_AS_IS.has(sample)) {
        await guardrails.handle(event);
        judged = ordinaryTagEvent(normalized.change.resource.arn);
        await account.apply(judged);
      }
      writeFileSync(
        join(dir, sample.replace('/', '--')),
        JSON.stringify(await exportResource(aws.sagemaker, normalized.change.resource), null, 2),
      );
      const { report } = await guardrails.handle(judged);
      eventPath.set(report.resource?.arn.toLowerCase() ?? sample, {
        verdict: report.verdict,
        rules: rulesOf(report.violations),
      });
    }
  });
  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.close()));
  });

  it('gives each exported resource the verdict and rules the event gave it, and exits 0', () => {
    expect(readdirSync(dir)).toHaveLength(SAMPLES.length);
    const run = runCli(['scan', '--simulate', dir, '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { results } = parseScan(run.stdout);
    expect(eventPath.size).toBe(SAMPLES.length);
    expect([...eventPath.values()].filter((e) => e.verdict === 'noncompliant').length).toBeGreaterThanOrEqual(
      4,
    );
    for (const [arn, expected] of eventPath) {
      const swept = results.find((r) => r.resource.arn.toLowerCase() === arn);
      expect({ arn, verdict: swept?.verdict, rules: rulesOf(swept?.violations ?? []) }).toEqual({
        arn,
        ...expected,
      });
    }
  });
});

/** An ordinary AddTags (a tag nobody protects or requires) on `arn`, by an administrator: a new event ID each. */
function ordinaryTagEvent(arn: string): Record<string, unknown> {
  const event = JSON.parse(readFileSync('events/tags/add-tags-app-ordinary.json', 'utf8'));
  event.id = crypto.randomUUID();
  event.detail.eventID = crypto.randomUUID();
  event.detail.requestParameters.resourceArn = arn;
  return event;
}

/** What `aws sagemaker describe-*` prints, with `list-tags`' Tags added at the top level. */
async function exportResource(client: SageMakerClient, ref: ResourceRef) {
  const { $metadata: _, ...output } = await describeResource(client, ref);
  const { Tags } = await client.send(new ListTagsCommand({ ResourceArn: ref.arn }));
  return { ...output, Tags: Tags ?? [] };
}

function describeResource(client: SageMakerClient, ref: ResourceRef): Promise<{ $metadata: unknown }> {
  switch (ref.type) {
    case 'notebook-instance':
      return client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: ref.name }));
    case 'domain':
      return client.send(new DescribeDomainCommand({ DomainId: ref.domainId }));
    case 'user-profile':
      return client.send(
        new DescribeUserProfileCommand({ DomainId: ref.domainId, UserProfileName: ref.name }),
      );
    case 'space':
      return client.send(new DescribeSpaceCommand({ DomainId: ref.domainId, SpaceName: ref.name }));
    case 'app':
      return client.send(
        new DescribeAppCommand({
          DomainId: ref.domainId,
          SpaceName: ref.owner, // the sample app runs in a space
          AppType: ref.appType as AppType,
          AppName: ref.name,
        }),
      );
    case 'app-image-config':
      return client.send(new DescribeAppImageConfigCommand({ AppImageConfigName: ref.name }));
    case 'notebook-instance-lifecycle-config':
      return client.send(
        new DescribeNotebookInstanceLifecycleConfigCommand({ NotebookInstanceLifecycleConfigName: ref.name }),
      );
    case 'studio-lifecycle-config':
      return client.send(new DescribeStudioLifecycleConfigCommand({ StudioLifecycleConfigName: ref.name }));
  }
}

describe('scan --live (AWS_ENDPOINT_URL)', () => {
  it("sweeps the caller's account in each region given, and --dry-run changes nothing", async () => {
    const emulator = await startEmulator({ describesPerTransition: 0, accountId: '777788889999' });
    try {
      emulator.seed.notebookInstance({ name: 'east-open', region: 'us-east-1', status: 'InService' });
      emulator.seed.notebookInstance({ name: 'west-open', region: 'us-west-2', status: 'InService' });
      const env = {
        AWS_ENDPOINT_URL: emulator.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
      };
      const dry = await runCliAsync(
        ['scan', '--live', '--dry-run', '--json', '--regions', 'us-east-1,us-west-2'],
        env,
      );
      expect(dry.status).toBe(0);
      // No exemption tag here: the grants not read change no verdict, but the output says they were not read.
      expect(dry.stderr).toMatch(/exemption grants not read \(no --stage or --table\)/);
      const { results, summary } = parseScan(dry.stdout);
      expect(summary.exemptionGrants).toBe('not read');
      expect(
        results.map((r) => `${r.resource.account}/${r.resource.region}/${r.resource.name}`).sort(),
      ).toEqual(['777788889999/us-east-1/east-open', '777788889999/us-west-2/west-open']);
      expect(summary).toMatchObject({ targets: 2, noncompliant: 2, digests: { planned: 2 } });
      expect(emulator.inspect.notebookInstance('east-open')?.status).toBe('InService');
      expect(emulator.calls.filter((c) => !/^(List|Describe|GetCallerIdentity)/.test(c.operation))).toEqual(
        [],
      );

      await stageTable(emulator);
      const live = await runCliAsync(['scan', '--live', '--json', '--stage', 'test'], env);
      expect(live.status).toBe(0);
      expect(parseScan(live.stdout).summary.exemptionGrants).toBe('sm-guardrails-test-records');
      expect(parseScan(live.stdout).summary).toMatchObject({ targets: 1, resources: 1 });
      expect(emulator.inspect.notebookInstance('east-open')?.status).toBe('Stopping');
      expect(emulator.inspect.notebookInstance('west-open', 'us-west-2')?.status).toBe('InService');
    } finally {
      await emulator.close();
    }
  });
});

/** The CLI in its own process without blocking this one (the emulator answers from here). */
function runCliAsync(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sm-guardrails.mjs', ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** The deployed stage "test"'s table, in the emulator's DynamoDB (dynalite). */
async function stageTable(emulator: Emulator): Promise<DynamoExemptionGrants> {
  const client = createStoreClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
  });
  await ensureTable(client, 'sm-guardrails-test-records');
  return new DynamoExemptionGrants(client, 'sm-guardrails-test-records');
}

describe('scan --live and the exemption grants the deployed guardrails recorded', () => {
  it("honours the stage's grants, refuses to change anything without them, and a dry run without them says so", async () => {
    const emulator = await startEmulator({ describesPerTransition: 0, accountId: '777788889999' });
    try {
      const exempt = [{ Key: 'guardrails:exempt', Value: 'vendor appliance' }];
      const granted = emulator.seed.notebookInstance({
        name: 'granted-open',
        region: 'us-east-1',
        tags: exempt,
      });
      emulator.seed.notebookInstance({ name: 'forged-open', region: 'us-east-1', tags: exempt });
      const grants = await stageTable(emulator);
      await grants.put({
        resourceArn: granted,
        reason: 'vendor appliance',
        grantedBy: 'arn:aws:iam::777788889999:role/MLPlatformAdmin',
        grantedAt: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
      const env = {
        AWS_ENDPOINT_URL: emulator.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
      };
      const writes = () =>
        emulator.calls.filter((c) => /^(AddTags|DeleteTags|Stop|Publish)/.test(c.operation));

      // A scan that would write, without the grants: nothing is listed, nothing changed.
      const refused = await runCliAsync(['scan', '--live', '--json'], env);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/scan --live changes resources: give --stage STAGE .* or --table NAME/);
      expect(emulator.calls.filter((c) => c.service === 'sagemaker')).toEqual([]);
      const missing = await runCliAsync(['scan', '--live', '--stage', 'nosuch'], env);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(
        /stage "nosuch": table sm-guardrails-nosuch-records not found in us-east-1/,
      );
      expect(runCli(['scan', '--simulate', 'sweep/samples', '--stage', 'test']).stderr).toMatch(
        /--stage goes with --live/,
      );

      // A dry run without them: the exemption tag is unverifiable (not compliant, not forged), and the run says so.
      const blind = await runCliAsync(['scan', '--live', '--dry-run', '--json'], env);
      expect(blind.status).toBe(1);
      expect(blind.stderr).toMatch(/warning: exemption grants not read/);
      const unread = parseScan(blind.stdout);
      for (const name of ['granted-open', 'forged-open'])
        expect(unread.results.find((r) => r.resource.name === name)).toMatchObject({
          verdict: 'error',
          reason: expect.stringMatching(/ExemptionGrantsNotRead: .*unverifiable/),
        });
      expect(unread.summary).toMatchObject({ exemptionGrants: 'not read', error: 2 });

      // The same dry run with the table named: the granted exemption holds, the forged one is a finding.
      const dry = parseScan(
        (
          await runCliAsync(
            ['scan', '--live', '--dry-run', '--json', '--table', 'sm-guardrails-test-records'],
            env,
          )
        ).stdout,
      );
      expect(dry.results.find((r) => r.resource.name === 'granted-open')?.verdict).toBe('skipped');
      expect(writes()).toEqual([]);

      const live = await runCliAsync(['scan', '--live', '--json', '--stage', 'test'], env);
      expect(live.status).toBe(0);
      const { results } = parseScan(live.stdout);
      expect(results.find((r) => r.resource.name === 'granted-open')).toMatchObject({
        verdict: 'skipped',
        reason: expect.stringMatching(
          /^exempt until .*granted by arn:aws:iam::777788889999:role\/MLPlatformAdmin/,
        ),
      });
      expect(emulator.inspect.notebookInstance('granted-open')?.status).toBe('InService');
      expect(emulator.inspect.notebookInstance('granted-open')?.tags).toContainEqual(exempt[0]);
      const forged = results.find((r) => r.resource.name === 'forged-open');
      expect(forged?.verdict).toBe('noncompliant');
      expect(forged?.violations.map((v) => v.rule)).toContain('protected-tag-change');
      expect(emulator.inspect.notebookInstance('forged-open')?.status).toBe('Stopping');
      expect(emulator.inspect.notebookInstance('forged-open')?.tags).not.toContainEqual(exempt[0]);
    } finally {
      await emulator.close();
    }
  });
});

describe('scan --live --accounts (a mixed organization)', () => {
  it('sweeps each account through its member role, in each region; an account without the role is unverifiable', async () => {
    const emulator = await startEmulator({ describesPerTransition: 0, accountId: '111122223333' });
    try {
      const [home, member, closed] = ['111122223333', '444455556666', '777788889999'];
      emulator.seed.role({ account: member, name: 'sm-guardrails-member' });
      emulator.seed.notebookInstance({ name: 'home-open', region: 'us-east-1', status: 'Stopped' });
      const key = emulator.seed.kmsKey({ region: 'eu-west-1', accountId: member });
      emulator.seed.notebookInstance({
        account: member,
        name: 'member-compliant',
        region: 'eu-west-1',
        status: 'InService',
        directInternetAccess: 'Disabled',
        rootAccess: 'Disabled',
        subnetId: 'subnet-1',
        kmsKeyId: key,
        imdsMinimumVersion: '2',
        tags: [{ Key: 'project', Value: 'm' }],
      });
      emulator.seed.notebookInstance({
        account: member,
        name: 'member-open',
        region: 'us-east-1',
        status: 'InService',
      });
      // Studio resources of the types issue 12 covers, in the member account and at home.
      emulator.seed.studioResource({
        account: member,
        kind: 'app-image-config',
        region: 'eu-west-1',
        params: {
          AppImageConfigName: 'member-root-image',
          JupyterLabAppImageConfig: { FileSystemConfig: { DefaultUid: 0, DefaultGid: 100 } },
        },
      });
      emulator.seed.studioResource({
        kind: 'studio-lifecycle-config',
        region: 'us-east-1',
        params: {
          StudioLifecycleConfigName: 'home-lcc',
          StudioLifecycleConfigContent: 'ZWNobyBoaQ==',
          StudioLifecycleConfigAppType: 'JupyterLab',
        },
      });
      emulator.seed.notebookInstance({
        account: closed,
        name: 'unreachable',
        region: 'us-east-1',
        status: 'InService',
      });
      const env = {
        AWS_ENDPOINT_URL: emulator.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
      };
      const args = [
        'scan',
        '--live',
        '--json',
        '--accounts',
        [home, member, closed].join(','),
        '--regions',
        'us-east-1,eu-west-1',
      ];
      expect((await runCliAsync(args, env)).stderr).toMatch(
        /--accounts other than your own need --member-role/,
      );
      await stageTable(emulator);
      const run = await runCliAsync(
        [...args, '--member-role', 'sm-guardrails-member', '--stage', 'test'],
        env,
      );
      const { results, summary } = parseScan(run.stdout);
      expect(
        results
          .map((r) => `${r.resource.account}/${r.resource.region}/${r.resource.name}:${r.verdict}`)
          .sort(),
      ).toEqual([
        `${home}/us-east-1/home-lcc:compliant`,
        `${home}/us-east-1/home-open:noncompliant`,
        `${member}/eu-west-1/member-compliant:compliant`,
        `${member}/eu-west-1/member-root-image:noncompliant`,
        `${member}/us-east-1/member-open:noncompliant`,
      ]);
      expect(results.find((r) => r.resource.name === 'member-root-image')?.resource.arn).toBe(
        `arn:aws:sagemaker:eu-west-1:${member}:app-image-config/member-root-image`,
      );
      expect(emulator.inspect.notebookInstance('member-open', 'us-east-1', member)?.status).toBe('Stopping');
      expect(emulator.inspect.notebookInstance('unreachable', 'us-east-1', closed)?.status).toBe('InService');
      // Fail closed: the account that cannot be read is unverifiable, in every region, and the exit status says so.
      const unreachable = (summary.listErrors as Array<{ account: string; region: string }>).filter(
        (e) => e.account === closed,
      );
      expect(new Set(unreachable.map((e) => e.region))).toEqual(new Set(['us-east-1', 'eu-west-1']));
      expect(summary).toMatchObject({ targets: 6, noncompliant: 3, compliant: 2 });
      expect(run.status).toBe(1);
    } finally {
      await emulator.close();
    }
  });
});
