// What scripts/esbuild-sdk-schemas.cjs changes in the SDK clients' schema modules, and the proof that no request
// or answer changes:
// - sdk-tree-shakable-schemas writes trait keys as plain keys: every client's module builds the same schemas;
// - sdk-security-hub-resource-details makes the ASFF resource details the guardrails never send documents: the
//   deployed bundle's Security Hub requests are, byte for byte, those of the unmodified SDK, and GetFindings
//   answers (other resource types' details too) are read the same.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessEvent, offlineStateSource } from '#core/pipeline';
import { DEFAULT_POLICY } from '#core/policy';
import { buildReport } from '#core/report';
import { type Emulator, startEmulator } from '#emulator/index';
import type { ReportForFindings } from '#securityhub/asff';
import { DEPLOY_OPTIONS } from '../../bench/bundle.ts';
import { type Exchange, type RecordingProxy, startRecordingProxy } from '../support/recording-proxy.ts';
import { sampleEvents } from '../support/sample-events.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const schemasPlugins = createRequire(import.meta.url)('../../scripts/esbuild-sdk-schemas.cjs') as {
  literalTraitKeys(source: string): string | undefined;
  compactErrorRegistrations(source: string): string | undefined;
  rewriteSchemas(source: string): string | undefined;
  resourceDetailsAsDocuments(source: string): string | undefined;
  RESOURCE_DETAILS_SENT: string[];
};
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const CLIENTS = Object.keys(packageJson.dependencies).filter((name) => name.startsWith('@aws-sdk/client-'));
const schemasFile = (client: string) =>
  path.join(ROOT, 'node_modules', client, 'dist-es/schemas/schemas_0.js');
const DIR = path.join(tmpdir(), `sdk-schemas-${process.pid}`);

/** A schema module (its source given), bundled on its own and imported: its exports. */
async function evaluate(source: string, client: string, name: string): Promise<Record<string, unknown>> {
  mkdirSync(DIR, { recursive: true });
  const outfile = path.join(DIR, `${client.replace(/\W/g, '_')}-${name}.mjs`);
  await build({
    bundle: true,
    format: 'esm',
    platform: 'node',
    mainFields: ['module', 'main'],
    stdin: { contents: source, resolveDir: path.dirname(schemasFile(client)), loader: 'js' },
    outfile,
    logLevel: 'error',
  });
  return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
}

/**
 * A value as plain data, cycles as references: schemas refer to one another through thunks (called here), and
 * the error registries hold maps of schemas and classes (a class by its name).
 */
function canonical(
  value: unknown,
  seen = new Map<object, number>(),
  leaves = new Map<unknown, string>(),
): unknown {
  if (typeof value === 'function') {
    const fn = value as (...args: unknown[]) => unknown;
    if (/^class\b/.test(Function.prototype.toString.call(fn))) return `class ${fn.name}`;
    if (fn.length === 0 && !Object.hasOwn(fn, 'prototype')) return canonical(fn(), seen, leaves);
    return `function ${fn.name}`;
  }
  if (value === null || typeof value !== 'object') return value;
  const leaf = leaves.get(value);
  if (leaf !== undefined) return leaf;
  const ref = seen.get(value);
  if (ref !== undefined) return { $ref: ref };
  seen.set(value, seen.size);
  const down = (v: unknown) => canonical(v, seen, leaves);
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [k, down(v)]) };
  if (Array.isArray(value)) return value.map(down);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, down(v)]));
}

it('the deployment (and the bench, which reads the same options) uses both rewrites', () => {
  expect(DEPLOY_OPTIONS.plugins?.map((p) => p.name)).toEqual(
    expect.arrayContaining(['sdk-tree-shakable-schemas', 'sdk-security-hub-resource-details']),
  );
});

describe('sdk-tree-shakable-schemas: trait keys written as plain keys, error registrations compact', () => {
  it.each(CLIENTS)(
    '%s: the rewritten module builds the same schemas and registries, trait for trait',
    async (client) => {
      const source = readFileSync(schemasFile(client), 'utf8');
      const rewritten = schemasPlugins.rewriteSchemas(source);
      expect(rewritten, `${client}: not rewritten`).toBeDefined();
      // Each rewrite found what it looks for where the functions' clients have it (otherwise the SDK changed).
      if (!/securityhub/.test(client)) {
        expect(schemasPlugins.compactErrorRegistrations(source), client).toContain('__registerError(');
      }
      if (!/kms|sts|iam/.test(client)) expect(schemasPlugins.literalTraitKeys(source), client).toBeDefined();
      const [original, compact] = [
        await evaluate(source, client, 'original'),
        await evaluate(rewritten as string, client, 'rewritten'),
      ];
      expect(Object.keys(compact).sort()).toEqual(Object.keys(original).sort());
      expect(Object.keys(original).length).toBeGreaterThan(10);
      // Every schema, and the error registries: the same shapes and classes registered in the same order.
      expect(JSON.stringify(canonical(compact))).toBe(JSON.stringify(canonical(original)));
    },
  );
});

describe('sdk-security-hub-resource-details', () => {
  it('the installed module is one it understands: the details sent keep their schemas, the others are documents', async () => {
    const client = '@aws-sdk/client-securityhub';
    const source = readFileSync(schemasFile(client), 'utf8');
    const rewritten = schemasPlugins.resourceDetailsAsDocuments(source);
    expect(rewritten).toBeDefined();
    const [original, documents] = [
      await evaluate(source, client, 'rd-original'),
      await evaluate(rewritten as string, client, 'rd-documents'),
    ];
    type Struct = [number, string, string, number, string[], unknown[]];
    const before = original.ResourceDetails$ as Struct;
    const after = documents.ResourceDetails$ as Struct;
    expect(after[4]).toEqual(before[4]);
    expect(before[4].length).toBeGreaterThan(90);
    before[4].forEach((member, i) => {
      if (schemasPlugins.RESOURCE_DETAILS_SENT.includes(member)) {
        expect(canonical(after[5][i]), member).toEqual(canonical(before[5][i]));
      } else {
        expect(after[5][i], member).toBe(15);
      }
    });
    // Nothing else changed (ResourceDetails, where others refer to it, compared as its name).
    const rest = (exports: Record<string, unknown>) =>
      JSON.stringify(
        canonical(exports, new Map(), new Map([[exports.ResourceDetails$, 'ResourceDetails$']])),
      );
    expect(rest(documents)).toBe(rest(original));
  });
});

// The Security Hub function's import path (securityhub/sink.ts) over every sample event's findings, then one
// GetFindings of everything, the last answer's findings returned as the SDK read them.
const PROBE = `
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { importFindings } from './securityhub/sink.ts';

export async function run(endpoint, reports) {
  const clients = new Map();
  const clientFor = (location) => {
    let client = clients.get(location.region);
    if (!client) {
      client = new SecurityHubClient({ endpoint, region: location.region, maxAttempts: 1,
        credentials: { accessKeyId: 'probe', secretAccessKey: 'probe' } });
      clients.set(location.region, client);
    }
    return client;
  };
  const outcomes = [];
  for (const { report, observedAt } of reports) {
    try {
      outcomes.push(await importFindings(report, observedAt, clientFor));
    } catch (error) {
      outcomes.push({ error: error.name + ': ' + error.message });
    }
  }
  const found = {};
  for (const [region, client] of clients) {
    const answer = await client.send(new GetFindingsCommand({ MaxResults: 100 }));
    found[region] = answer.Findings;
  }
  for (const client of clients.values()) client.destroy();
  return { outcomes, found };
}
`;

type Probe = {
  run(
    endpoint: string,
    reports: Array<{ report: ReportForFindings; observedAt: string }>,
  ): Promise<{ outcomes: unknown[]; found: Record<string, AwsSecurityFinding[]> }>;
};

/** The probe bundled as deployed, or with the unmodified SDK (no plugin, no alias). */
async function bundleProbe(deployed: boolean): Promise<string> {
  mkdirSync(DIR, { recursive: true });
  const outfile = path.join(DIR, deployed ? 'probe-deployed.mjs' : 'probe-unmodified.mjs');
  const result = await build({
    ...DEPLOY_OPTIONS,
    ...(deployed ? {} : { plugins: [], alias: {} }),
    sourcemap: false,
    metafile: true,
    absWorkingDir: ROOT,
    stdin: { contents: PROBE, resolveDir: ROOT, sourcefile: 'probe.mjs', loader: 'js' },
    outfile,
    logLevel: 'error',
  });
  const schemas = Object.entries(result.metafile?.outputs ?? {})
    .flatMap(([, o]) => Object.entries(o.inputs))
    .find(([file]) => file.includes('client-securityhub/dist-es/schemas/schemas_0.js'))?.[1];
  // The resource details' shapes are gone from the deployed bundle only (the cut being tested is in effect).
  const code = readFileSync(outfile, 'utf8');
  expect(code.includes('"AwsEc2InstanceDetails"'), outfile).toBe(!deployed);
  expect(schemas?.bytesInOutput).toBeGreaterThan(0);
  return outfile;
}

/** Findings of every sample event that breaks a rule, then each resolved: failed, then passed and archived. */
async function sampleReports(): Promise<Array<{ report: ReportForFindings; observedAt: string }>> {
  const out: Array<{ report: ReportForFindings; observedAt: string }> = [];
  let second = 0;
  const at = () => new Date(Date.UTC(2026, 0, 1, 0, 0, second++)).toISOString();
  for (const { event } of sampleEvents()) {
    const report = buildReport(await assessEvent(event, DEFAULT_POLICY, offlineStateSource), []);
    if (report.violations.length === 0) continue;
    out.push({ report, observedAt: at() });
    // The same resource compliant again: every rule it broke resolved.
    const rules = [...new Set(report.violations.map((v) => v.rule))];
    out.push({ report: { ...report, violations: [], passed: rules }, observedAt: at() });
  }
  return out;
}

/** Another product's kind of finding in the same account: resource details of other types, read back. */
const FOREIGN_DETAILS: AwsSecurityFinding['Resources'] = [
  {
    Type: 'AwsEc2Instance',
    Id: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0',
    Details: {
      AwsEc2Instance: {
        Type: 'm5.large',
        IpV4Addresses: ['10.0.0.1', '10.0.0.2'],
        LaunchedAt: '2026-01-01T00:00:00.000Z',
        NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1' }],
        MetadataOptions: { HttpPutResponseHopLimit: 2, HttpTokens: 'required', HttpEndpoint: 'enabled' },
        VirtualizationType: 'hvm',
      },
    },
  },
  {
    Type: 'AwsS3Bucket',
    Id: 'arn:aws:s3:::bucket',
    Details: {
      AwsS3Bucket: {
        OwnerId: 'o',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'k' } }],
        },
        BucketVersioningConfiguration: { IsMfaDeleteEnabled: false, Status: 'Enabled' },
        BucketLifecycleConfiguration: {
          Rules: [{ ID: 'r', Status: 'Enabled', ExpirationInDays: 30, Prefix: 'p/' }],
        },
      },
    },
  },
  { Type: 'Container', Id: 'c', Details: { Container: { Name: 'c', Privileged: true, VolumeMounts: [] } } },
];

let emulator: Emulator;
let proxy: RecordingProxy;
beforeAll(async () => {
  emulator = await startEmulator();
  proxy = await startRecordingProxy(emulator.endpoint);
});
afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
});

/** A finding with other resources' details, imported with the full SDK from node_modules (not bundled). */
async function seedForeignFinding(): Promise<void> {
  const client = new SecurityHubClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'seed', secretAccessKey: 'seed' },
  });
  const account = emulator.accountId;
  const answer = await client.send(
    new BatchImportFindingsCommand({
      Findings: [
        {
          SchemaVersion: '2018-10-08',
          Id: 'foreign-1',
          ProductArn: `arn:aws:securityhub:us-east-1:${account}:product/${account}/default`,
          GeneratorId: 'another-product',
          AwsAccountId: account,
          Types: ['Software and Configuration Checks'],
          CreatedAt: '2026-01-01T00:00:00.000Z',
          UpdatedAt: '2026-01-01T00:00:00.000Z',
          Severity: { Label: 'LOW' },
          Title: 't',
          Description: 'd',
          Resources: FOREIGN_DETAILS,
        },
      ],
    }),
  );
  client.destroy();
  expect(answer.SuccessCount).toBe(1);
}

describe('Security Hub through the deployed bundle and through the unmodified SDK', () => {
  it('the same requests, byte for byte, and the same findings read back', async () => {
    const reports = await sampleReports();
    expect(reports.length).toBeGreaterThan(20);
    const runs: Array<{ exchanges: Exchange[]; result: Awaited<ReturnType<Probe['run']>> }> = [];
    for (const deployed of [false, true]) {
      const file = await bundleProbe(deployed);
      emulator.reset();
      await seedForeignFinding();
      proxy.exchanges.length = 0;
      const probe = (await import(pathToFileURL(file).href)) as Probe;
      const result = await probe.run(proxy.endpoint, reports);
      runs.push({ exchanges: [...proxy.exchanges], result });
    }
    const [unmodified, deployed] = runs as [(typeof runs)[0], (typeof runs)[0]];
    // What was compared is real: both resource types' details were sent, findings were resolved, and the answer
    // read back holds the foreign finding's details.
    const sent = unmodified.exchanges
      .filter((e) => e.path === '/findings/import')
      .map((e) => e.body.toString());
    expect(sent.some((b) => b.includes('"AwsSageMakerNotebookInstance":{'))).toBe(true);
    expect(sent.some((b) => b.includes('"Other":{"sm-guardrails/ResourceType":"domain"'))).toBe(true);
    expect(sent.some((b) => b.includes('"RecordState":"ARCHIVED"'))).toBe(true);
    const foreign = unmodified.result.found['us-east-1']?.find((f) => f.Id === 'foreign-1');
    expect(foreign?.Resources).toEqual(FOREIGN_DETAILS);
    expect(unmodified.exchanges.length).toBeGreaterThan(40);
    // The comparison.
    const wire = (exchanges: Exchange[]) =>
      exchanges.map((e) => ({
        request: `${e.method} ${e.path} ${e.headers['content-type']} ${e.body.toString('utf8')}`,
        answer: `${e.status} ${e.responseBody.toString('utf8')}`,
      }));
    expect(wire(deployed.exchanges)).toEqual(wire(unmodified.exchanges));
    expect(deployed.result).toEqual(unmodified.result);
    // Two builds and some hundred calls: seconds, more on a loaded machine.
  }, 60_000);
});
