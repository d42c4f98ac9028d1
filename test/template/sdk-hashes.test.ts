// The hashes of the deployed bundles (scripts/esbuild-plugins.cjs, node-crypto-hashes: node:crypto only, the
// pure-JS fallbacks left out): the bundled clients' SigV4 signatures verify, and SQS's MD5 check of a sent
// message still runs, passing a right digest and rejecting a wrong one. The same calls prove the clients built
// from the modules they share (sdk-shared-modules).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#emulator/index';
import { bundleDeployedProbe } from '../support/deployed-probe.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

import { type Exchange, type RecordingProxy, startRecordingProxy } from '../support/recording-proxy.ts';

const CREDENTIALS = { accessKeyId: 'AKIDPROBE', secretAccessKey: 'probe-secret-key' };

// One call of each protocol the functions use (JSON: KMS, SQS, DynamoDB; query: IAM, SNS), and a message whose
// MD5 the SQS client checks.
const PROBE = `
import { DynamoDBClient, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { IAMClient, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { KMSClient, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { SNSClient, CreateTopicCommand } from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';

const settle = (p) => p.then(() => 'ok', (e) => e.name + ': ' + e.message);

export async function run(endpoint, credentials) {
  const config = { endpoint, region: 'us-east-1', maxAttempts: 1, credentials };
  const sqs = new SQSClient(config);
  const clients = [sqs, new DynamoDBClient(config), new IAMClient(config), new KMSClient(config), new SNSClient(config)];
  const out = {};
  out.signed = await Promise.all([
    settle(clients[1].send(new DescribeTableCommand({ TableName: 'missing' }))),
    settle(clients[2].send(new ListRoleTagsCommand({ RoleName: 'missing' }))),
    settle(clients[3].send(new DescribeKeyCommand({ KeyId: 'alias/missing' }))),
    settle(clients[4].send(new CreateTopicCommand({ Name: 'probe' }))),
  ]);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'probe' }));
  out.sent = await settle(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a message, its MD5 checked' })));
  globalThis.alterNextMd5 = true;
  out.tampered = await settle(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'another message' })));
  for (const client of clients) client.destroy();
  return out;
}
`;

let emulator: Emulator;
let proxy: RecordingProxy;
let bundle: string;
beforeAll(async () => {
  emulator = await startEmulator();
  proxy = await startRecordingProxy(emulator.endpoint);
  const probe = await bundleDeployedProbe(PROBE, 'sdk-hashes');
  bundle = probe.file;
  // The cut is in effect: the fallbacks are not in the bundle, their stand-ins are.
  const inOutput = probe.inOutput;
  expect(inOutput.filter((f) => /checksum[\\/](sha256|md5)[\\/]\w+Js\.js$/.test(f))).toEqual([]);
  expect(readFileSync(bundle, 'utf8')).toContain('its pure-JS fallback is not bundled');
  // sdk-shared-modules: the five clients share one copy of the modules that are the same in each (the calls
  // below go through all five).
  for (const shared of ['auth/httpAuthExtensionConfiguration.js', 'dist-es/runtimeExtensions.js']) {
    expect(inOutput.filter((f) => f.endsWith(shared)).length, shared).toBe(1);
  }
  // KMS, IAM and SNS have the same runtime config text: one function, called by each (so fewer functions than
  // clients; DynamoDB's and SQS's texts are their own, or shared with clients not bundled here).
  const runtimeConfigs = inOutput.filter((f) => f.startsWith('sdk-shared-runtime-config:')).length;
  expect(runtimeConfigs).toBeGreaterThan(0);
  expect(runtimeConfigs).toBeLessThanOrEqual(3);
  // The auth scheme and endpoint parameter functions, written once each and called with each client's signing
  // name (sdk-shared-client-functions): the calls below are signed for their own services.
  expect(inOutput.filter((f) => f.startsWith('sdk-shared-client-functions:')).length).toBe(2);
  // IAM's, KMS's and SNS's client classes: one class, made by each (sdk-shared-client-class).
  expect(inOutput.filter((f) => f.startsWith('sdk-shared-client-class:')).length).toBe(1);
  // A build: seconds, more on a loaded machine.
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
});

const clientVersion = (service: string): string =>
  (
    JSON.parse(
      readFileSync(path.join(ROOT, 'node_modules/@aws-sdk', `client-${service}`, 'package.json'), 'utf8'),
    ) as { version: string }
  ).version;

/** The request's signature computed again, with the unbundled SDK's signer, over the headers it signed. */
async function expectedAuthorization(exchange: Exchange): Promise<string> {
  const authorization = String(exchange.headers.authorization);
  const scope = /Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  const signed = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  if (!scope) throw new Error(`no credential scope in ${authorization}`);
  const url = new URL(exchange.path, 'http://placeholder');
  const request = new HttpRequest({
    method: exchange.method,
    protocol: 'http:',
    hostname: String(exchange.headers.host).split(':')[0],
    port: Number(String(exchange.headers.host).split(':')[1]),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(signed.map((h) => [h, String(exchange.headers[h])])),
    body: exchange.body.toString('utf8'),
  });
  const amzDate = String(exchange.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({
    credentials: CREDENTIALS,
    region: scope[2] as string,
    service: scope[3] as string,
    sha256: Sha256,
  });
  const again = await signer.sign(request, { signingDate });
  return String(again.headers.authorization);
}

describe('hashes in the deployed bundle: node:crypto only', () => {
  it('signatures verify for every protocol, and SQS checks each message MD5', async () => {
    proxy.exchanges.length = 0;
    const g = globalThis as { alterNextMd5?: boolean };
    proxy.alter = (_sent, body) => {
      if (!g.alterNextMd5) return body;
      const answer = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      if (typeof answer.MD5OfMessageBody !== 'string') return body;
      g.alterNextMd5 = false;
      return Buffer.from(JSON.stringify({ ...answer, MD5OfMessageBody: '0'.repeat(32) }));
    };
    const probe = (await import(pathToFileURL(bundle).href)) as {
      run(endpoint: string, credentials: typeof CREDENTIALS): Promise<Record<string, unknown>>;
    };
    const out = await probe.run(proxy.endpoint, CREDENTIALS);
    proxy.alter = undefined;
    // The calls reached the services (answers or their errors): what was signed was sent.
    expect(out.signed).toEqual([
      expect.stringMatching(/^ResourceNotFoundException/),
      expect.stringMatching(/^NoSuchEntityException/),
      expect.stringMatching(/^NotFoundException/),
      'ok',
    ]);
    expect(out.sent).toBe('ok');
    expect(out.tampered).toBe('Error: InvalidChecksumError');
    const services = new Set<string>();
    let hashedBodies = 0;
    for (const exchange of proxy.exchanges) {
      const authorization = String(exchange.headers.authorization);
      const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ?? '';
      services.add(service);
      // Each client's own runtime config (sdk-shared-runtime-config: one function, each client's package): its
      // own name and version in the user agent.
      expect(String(exchange.headers['user-agent'])).toContain(`api/${service}#${clientVersion(service)}`);
      expect(authorization).toBe(await expectedAuthorization(exchange));
      // The body's SHA-256 the signature covers (sent when the SDK computed it), checked against node:crypto.
      const bodyHash = exchange.headers['x-amz-content-sha256'];
      if (bodyHash !== undefined) {
        expect(bodyHash).toBe(createHash('sha256').update(exchange.body).digest('hex'));
        hashedBodies++;
      }
    }
    expect([...services].sort()).toEqual(['dynamodb', 'iam', 'kms', 'sns', 'sqs']);
    expect(hashedBodies).toBeGreaterThan(0);
    // The check can fail: a signature over another signed header is another signature.
    const first = proxy.exchanges[0] as Exchange;
    const forged = { ...first, headers: { ...first.headers, 'amz-sdk-request': 'attempt=2; max=1' } };
    expect(await expectedAuthorization(forged)).not.toBe(String(first.headers.authorization));
  });
});
