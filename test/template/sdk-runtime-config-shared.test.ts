// sdk-shared-runtime-config-shared (scripts/esbuild-sdk-sharing.cjs): IAM's, KMS's, SageMaker's and SNS's
// runtimeConfig.shared.js written once as a function of each client's values. Built as deployed and as published,
// the same probe describes each client's protocol defaults (what each value is and does): the descriptions must be
// the same, the configured values must still win, and the rewritten function must be bundled once.
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleDeployedProbe } from '../support/deployed-probe.ts';

const REWRITTEN = ['iam', 'kms', 'sagemaker', 'sns'];
// Other texts (other imports or keys): bundled as published, described too.
const OTHERS = ['dynamodb', 'sqs'];

const PROBE = `
${[...REWRITTEN, ...OTHERS]
  .map(
    (c) => `import { getRuntimeConfig as ${c} } from '@aws-sdk/client-${c}/dist-es/runtimeConfig.shared.js';`,
  )
  .join('\n')}
const getters = { ${[...REWRITTEN, ...OTHERS].join(', ')} };

function describeValue(key, value, config) {
  if (value === null || typeof value !== 'object' && typeof value !== 'function') return value;
  switch (key) {
    case 'protocol':
      return new value(config.protocolSettings).getShapeId();
    case 'protocolSettings':
      return { ...value, errorTypeRegistries: value.errorTypeRegistries?.map((r) => r.namespace) };
    case 'endpointProvider':
      return value({ Region: 'eu-west-3', UseFIPS: false, UseDualStack: false }).url.href;
    case 'httpAuthSchemeProvider':
      return JSON.parse(JSON.stringify(value({ operation: 'Probe', region: 'eu-west-3' })));
    case 'httpAuthSchemes':
      return value.map((s) => ({
        schemeId: s.schemeId,
        identity: s.identityProvider({ getIdentityProvider: (id) => 'identity for ' + id }),
        signs: typeof s.signer.sign,
      }));
    case 'extensions':
      return value.length;
    case 'base64Decoder':
      return Array.from(value('aGVsbG8='));
    case 'base64Encoder':
    case 'utf8Encoder':
      return value(new Uint8Array([104, 105]));
    case 'utf8Decoder':
      return Array.from(value('hi'));
    case 'urlParser':
      return value('https://example.com:8443/a?b=c').port;
    case 'logger':
      return typeof value.debug;
    case 'sha256':
    case 'md5':
      return typeof new value().digest;
    default:
      return typeof value;
  }
}

export function describeConfigs() {
  const out = {};
  for (const [name, get] of Object.entries(getters)) {
    const config = get({});
    out[name] = Object.entries(config).map(([key, value]) => [key, describeValue(key, value, config)]);
    const given = get({ protocolSettings: 'given', protocol: 'given', serviceId: 'given', endpointProvider: 'given',
      httpAuthSchemeProvider: 'given', apiVersion: 'ignored' });
    out[name + ' configured'] = [given.protocolSettings, given.protocol, given.serviceId, given.endpointProvider,
      given.httpAuthSchemeProvider, given.apiVersion];
  }
  return out;
}
`;

type Probe = { describeConfigs(): Record<string, unknown> };
let deployed: Record<string, unknown>;
let published: Record<string, unknown>;
let inOutput: string[];
beforeAll(async () => {
  const built = await bundleDeployedProbe(PROBE, 'sdk-runtime-config-shared');
  const unmodified = await bundleDeployedProbe(PROBE, 'sdk-runtime-config-shared', { unmodified: true });
  inOutput = built.inOutput;
  deployed = ((await import(pathToFileURL(built.file).href)) as Probe).describeConfigs();
  published = ((await import(pathToFileURL(unmodified.file).href)) as Probe).describeConfigs();
  // Two builds: seconds, more on a loaded machine.
}, 60_000);

describe('runtimeConfig.shared.js written once (sdk-shared-runtime-config-shared)', () => {
  it('is bundled once, for the four clients whose text is the template', () => {
    expect(inOutput.filter((f) => f.startsWith('sdk-shared-runtime-config-shared:'))).toHaveLength(1);
  });

  it("gives each client the published SDK's defaults, in the same order, and the configured values win", () => {
    expect(Object.keys(deployed)).toHaveLength(2 * (REWRITTEN.length + OTHERS.length));
    expect(deployed).toEqual(published);
    // The descriptions tell the clients apart (a client given another's values would fail the comparison).
    const kms = published.kms as [string, unknown][];
    const sns = published.sns as [string, unknown][];
    expect(Object.fromEntries(kms).protocol).toBe('aws.protocols#awsJson1_1');
    expect(Object.fromEntries(sns).protocol).toBe('aws.protocols#awsQuery');
    expect(Object.fromEntries(kms).endpointProvider).toBe('https://kms.eu-west-3.amazonaws.com/');
    expect(published['iam configured']).toEqual(['given', 'given', 'given', 'given', 'given', '2010-05-08']);
  });
});
