// replay --live and redrive honour the exemption grants the deployed guardrails recorded (the stage's table,
// store/exemption-grants.ts): without them every granted exemption tag would be judged forged and reverted.
// Against the emulator and its DynamoDB (dynalite), through the CLI's own entry point.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventReport } from '#core/report';
import { DynamoExemptionGrants } from '#store/exemption-grants';
import { createStoreClient, ensureTable } from '#store/table';
import { main } from '../cli/main.ts';
import { ACCOUNT, type LiveWorld, REGION, sampleEvent, startWorld } from './support/live.ts';

const CREDENTIALS = { accessKeyId: 'operator', secretAccessKey: 'operator' };
const ENV = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
const TABLE = 'sm-guardrails-test-records';
const EXEMPT = { Key: 'guardrails:exempt', Value: 'vendor appliance' };
// Someone tags the exempt notebook: the event path re-reads it, and only the grant keeps it running.
const EVENT = sampleEvent('tags/add-tags-notebook-project.json');
const dir = mkdtempSync(join(tmpdir(), 'live-grants-'));
const eventFile = join(dir, 'add-tags.json');
writeFileSync(eventFile, JSON.stringify(EVENT));

let world: LiveWorld;
let grants: DynamoExemptionGrants;
beforeEach(async () => {
  await world?.emulator.close();
  world = await startWorld();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: world.emulator.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  });
  const client = createStoreClient({
    endpoint: world.emulator.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
  });
  await ensureTable(client, TABLE);
  grants = new DynamoExemptionGrants(client, TABLE);
  // An open notebook an admin exempted: the tag it carries, and the grant the deployed guardrails recorded.
  const arn = world.emulator.seed.notebookInstance({
    name: 'scratch-notebook',
    region: REGION,
    status: 'InService',
    tags: [{ Key: 'project', Value: 'sandbox' }, EXEMPT],
  });
  await grants.put({
    resourceArn: arn,
    reason: EXEMPT.Value,
    grantedBy: `arn:aws:iam::${ACCOUNT}:role/MLPlatformAdmin`,
    grantedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
});
afterAll(async () => {
  await world?.emulator.close();
  for (const k of ENV)
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
});

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  const reports = out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EventReport);
  return { status, reports, err: err.join('\n') };
}

const notebook = () => world.emulator.inspect.notebookInstance('scratch-notebook');
const writes = () =>
  world.emulator.calls.filter((c) => /^(AddTags|DeleteTags|StopNotebookInstance|Publish)$/.test(c.operation));

describe('replay --live and the stage exemption grants', () => {
  it('refuses to change anything without the grants, and names a stage that is not deployed', async () => {
    const refused = await run('replay', '--live', '--json', eventFile);
    expect(refused.status).toBe(2);
    expect(refused.err).toMatch(/replay --live changes resources: give --stage STAGE .* or --table NAME/);
    const missing = await run('replay', '--live', '--json', '--stage', 'nope', eventFile);
    expect(missing.status).toBe(2);
    expect(missing.err).toMatch(/stage "nope": table sm-guardrails-nope-records not found in us-east-1/);
    expect((await run('replay', '--stage', 'test', eventFile)).err).toMatch(/--stage goes with --live/);
    expect(world.emulator.calls.filter((c) => c.service === 'sagemaker')).toEqual([]);
  });

  it("honours the stage's grant: the exempt notebook keeps running and keeps its tag", async () => {
    const { status, reports, err } = await run('replay', '--live', '--json', '--stage', 'test', eventFile);
    expect(err).toMatch(/exemption grants read from sm-guardrails-test-records/);
    expect(status).toBe(0);
    expect(reports[0]).toMatchObject({
      verdict: 'skipped',
      reason: expect.stringMatching(
        /^exempt until .* granted by arn:aws:iam::111122223333:role\/MLPlatformAdmin/,
      ),
    });
    expect(notebook()?.status).toBe('InService');
    expect(notebook()?.tags).toContainEqual(EXEMPT);
    // The same with the table named: --table is the stage's table under any name.
    expect((await run('replay', '--live', '--json', '--table', TABLE, eventFile)).reports[0]?.verdict).toBe(
      'skipped',
    );
  });

  it('a grant the stage never recorded is no exemption: the notebook is stopped and the tag reverted', async () => {
    await grants.delete(notebook()?.NotebookInstanceArn as string);
    const { reports } = await run('replay', '--live', '--json', '--stage', 'test', eventFile);
    expect(reports[0]?.verdict).toBe('noncompliant');
    expect(reports[0]?.violations.map((v) => v.rule)).toContain('protected-tag-change');
    expect(notebook()?.status).toBe('Stopping');
    expect(notebook()?.tags).not.toContainEqual(EXEMPT);
  });

  it('--dry-run without the grants says so, and the exempt notebook is unverifiable, not judged forged', async () => {
    const { status, reports, err } = await run('replay', '--live', '--dry-run', '--json', eventFile);
    expect(err).toMatch(/warning: exemption grants not read \(no --stage or --table\)/);
    expect(status).toBe(1);
    expect(reports[0]).toMatchObject({
      verdict: 'error',
      reason: expect.stringMatching(/ExemptionGrantsNotRead: .*unverifiable/),
    });
    expect(writes()).toEqual([]);
    expect(notebook()?.status).toBe('InService');
  });
});

describe('redrive and the stage exemption grants', () => {
  it('a redriven event on an exempt notebook honours the grant the stage recorded', async () => {
    const queueUrl = world.emulator.seed.queue('sm-guardrails-test-failed-events', REGION);
    world.emulator.seed.topic('sm-guardrails-test-alerts', REGION);
    const sqs = new SQSClient({
      endpoint: world.emulator.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(EVENT) }));
    sqs.destroy();
    const { status, reports } = await run('redrive', '--stage', 'test', '--json');
    expect(status).toBe(0);
    expect(reports[0]?.verdict).toBe('skipped');
    expect(notebook()?.status).toBe('InService');
    expect(notebook()?.tags).toContainEqual(EXEMPT);
  });
});
