// sdk-unused-parts (scripts/esbuild-plugins.cjs): the SDK modules no guardrails call reaches on Lambda are gone
// from the deployed bundles, and their stand-ins answer as the plugin says: event-stream message signing and S3
// endpoint parameters fail naming the cause; the instance-metadata region is none, so a client given no region
// still fails with the SDK's own "Region is missing". Requests are signed as before: sdk-hashes.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleDeployedProbe } from '../support/deployed-probe.ts';

const PROBE = `
import { Sha256 } from '@smithy/core/checksum';
import { NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';
import { resolveParams } from '@smithy/core/endpoints';
import { SignatureV4 } from '@smithy/signature-v4';
import { KMSClient, DescribeKeyCommand } from '@aws-sdk/client-kms';

const settle = (f) => Promise.resolve().then(f).then((v) => ({ value: v }), (e) => ({ error: e.message }));

export async function run() {
  const signer = new SignatureV4({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, region: 'us-east-1',
    service: 'kinesis', sha256: Sha256 });
  const regionless = new KMSClient({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const out = {
    signMessage: await settle(() => signer.signMessage(
      { message: { headers: {}, body: new Uint8Array(1) }, priorSignature: '00' }, { signingDate: new Date(0) })),
    imdsRegion: await settle(() => NODE_REGION_CONFIG_OPTIONS.default()),
    s3Params: await settle(() => resolveParams({ Bucket: 'b' }, { getEndpointParameterInstructions: () => ({}) },
      { serviceId: 'S3' })),
    kmsParams: await settle(async () => Object.keys(await resolveParams({}, { getEndpointParameterInstructions: () => ({}) },
      { serviceId: 'KMS', region: 'us-east-1' }))),
    regionlessClient: await settle(() => regionless.send(new DescribeKeyCommand({ KeyId: 'k' }))),
  };
  regionless.destroy();
  return out;
}
`;

let bundle: string;
let inOutput: string[];
beforeAll(async () => {
  ({ file: bundle, inOutput } = await bundleDeployedProbe(PROBE, 'sdk-unused-parts'));
}, 60_000);

describe('sdk-unused-parts', () => {
  it('the modules are not in the deployed bundle', () => {
    expect(inOutput.some((f) => f.includes('@smithy/signature-v4/dist-es/SignatureV4.js'))).toBe(true);
    expect(
      inOutput.filter((f) =>
        /HeaderFormatter\.js$|getInstanceMetadataRegion\.js$|service-customizations[\\/]s3\.js$/.test(f),
      ),
    ).toEqual([]);
  });

  it('their stand-ins fail naming the cause, or answer what Lambda would', async () => {
    const previous = { region: process.env.AWS_REGION, defaultRegion: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const probe = (await import(pathToFileURL(bundle).href)) as { run(): Promise<Record<string, unknown>> };
      expect(await probe.run()).toEqual({
        signMessage: { error: expect.stringMatching(/^Event-stream message signing is not bundled/) },
        imdsRegion: { error: 'Region is missing' },
        s3Params: { error: expect.stringMatching(/^S3's endpoint parameters is not bundled/) },
        // Every other service resolves its endpoint parameters as before.
        kmsParams: { value: ['serviceId', 'region'] },
        regionlessClient: { error: 'Region is missing' },
      });
    } finally {
      if (previous.region !== undefined) process.env.AWS_REGION = previous.region;
      if (previous.defaultRegion !== undefined) process.env.AWS_DEFAULT_REGION = previous.defaultRegion;
    }
  });
});

// The shared config files: what the SDK reads when there are none (Lambda) is what the stand-in answers.
const CONFIG_PROBE = `
import { NODE_MAX_ATTEMPT_CONFIG_OPTIONS, NODE_RETRY_MODE_CONFIG_OPTIONS } from '@smithy/core/retry';
import { loadConfig, NODE_REGION_CONFIG_OPTIONS, NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS,
  NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS } from '@smithy/core/config';
import { NODE_APP_ID_CONFIG_OPTIONS } from '@aws-sdk/core/client';
import { NODE_AUTH_SCHEME_PREFERENCE_OPTIONS } from '@aws-sdk/core/httpAuthSchemes';

const settle = (f) => Promise.resolve().then(f).then((v) => ({ value: v }), (e) => ({ error: e.message }));
const OPTIONS = { NODE_MAX_ATTEMPT_CONFIG_OPTIONS, NODE_RETRY_MODE_CONFIG_OPTIONS,
  NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, NODE_APP_ID_CONFIG_OPTIONS,
  NODE_AUTH_SCHEME_PREFERENCE_OPTIONS };

export async function run(withRegion) {
  const out = {};
  for (const [name, options] of Object.entries(OPTIONS)) out[name] = await settle(() => loadConfig(options, {})());
  if (withRegion) out.region = await settle(() => loadConfig(NODE_REGION_CONFIG_OPTIONS, {})());
  return out;
}
`;

describe('the shared config files (sdk-unused-parts)', () => {
  it('without files, every setting is what the unmodified SDK reads; a file is not read', async () => {
    const saved = { ...process.env };
    const home = mkdtempSync(path.join(tmpdir(), 'sdk-config-home-'));
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    process.env.HOME = home;
    try {
      const deployed = await bundleDeployedProbe(CONFIG_PROBE, 'sdk-config');
      expect(deployed.inOutput.filter((f) => f.includes('shared-ini-file-loader'))).toEqual([]);
      const unmodified = await bundleDeployedProbe(CONFIG_PROBE, 'sdk-config', { unmodified: true });
      type ConfigProbe = { run(withRegion: boolean): Promise<Record<string, unknown>> };
      const [mine, theirs] = (await Promise.all([
        import(pathToFileURL(deployed.file).href),
        import(pathToFileURL(unmodified.file).href),
      ])) as [ConfigProbe, ConfigProbe];
      const expected = await theirs.run(false);
      expect(expected).toMatchObject({
        NODE_MAX_ATTEMPT_CONFIG_OPTIONS: { value: 3 },
        NODE_RETRY_MODE_CONFIG_OPTIONS: { value: 'standard' },
      });
      expect(await mine.run(false)).toEqual(expected);
      // A config file (which Lambda never has) is not read: its region is not seen.
      // (A path not read before: the SDK caches what it read per file.)
      const file = path.join(home, 'config');
      writeFileSync(file, '[default]\nregion = eu-west-1\nmax_attempts = 7\n');
      process.env.AWS_CONFIG_FILE = file;
      expect(await theirs.run(false)).toMatchObject({ NODE_MAX_ATTEMPT_CONFIG_OPTIONS: { value: 7 } });
      expect(await mine.run(true)).toEqual({ ...expected, region: { error: 'Region is missing' } });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  }, 60_000);
});
