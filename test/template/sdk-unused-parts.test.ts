// sdk-unused-parts (scripts/esbuild-plugins.cjs): the SDK modules no guardrails call reaches on Lambda are gone
// from the deployed bundles, and their stand-ins answer as the plugin says: event-stream message signing and S3
// endpoint parameters fail naming the cause; the instance-metadata region is none, so a client given no region
// still fails with the SDK's own "Region is missing". Requests are signed as before: sdk-hashes.test.ts.
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
});

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
