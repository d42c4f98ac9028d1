// What the Lambda bundles leave out of the AWS SDK, and the proof that nothing the guardrails do changes:
// - scripts/esbuild-plugins.cjs rewrites each client's error classes compactly: the same failing calls through
//   the emulator (real HTTP) give the same errors, field for field, with and without the rewrite;
// - serverless.yml aliases the event-stream codec and DynamoDB's endpoint-discovery cache to stubs that fail
//   loudly, because no operation the guardrails call reaches them.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#emulator/index';
import { DEPLOY_OPTIONS } from '../../bench/bundle.ts';
import { EndpointCache } from '../../shared/lambda/no-endpoint-discovery.ts';
import { EventStreamSerde, eventStreamSerdeProvider } from '../../shared/lambda/no-event-streams.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const plugins = createRequire(import.meta.url)('../../scripts/esbuild-plugins.cjs') as {
  codePlugins: NonNullable<BuildOptions['plugins']>;
  parseSdkErrors(source: string): { classes: unknown[] } | undefined;
};
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const CLIENTS = Object.keys(packageJson.dependencies).filter((name) => name.startsWith('@aws-sdk/client-'));
const distEs = (client: string) => path.join(ROOT, 'node_modules', client, 'dist-es');

describe('the SDK error classes, rewritten compactly', () => {
  it.each(CLIENTS)('%s: its errors module is one the rewrite understands exactly', (client) => {
    // Otherwise the module is bundled as it is: no harm, but its bytes come back (an SDK upgrade changed it).
    const parsed = plugins.parseSdkErrors(
      readFileSync(path.join(distEs(client), 'models/errors.js'), 'utf8'),
    );
    expect(parsed?.classes.length).toBeGreaterThan(0);
  });
});

describe('what serverless.yml aliases away', () => {
  it.each(CLIENTS)('%s: no command uses endpoint discovery (the cache is a stub)', (client) => {
    const commands = readdirSync(path.join(distEs(client), 'commands')).filter((f) => f.endsWith('.js'));
    expect(commands.length).toBeGreaterThan(0);
    const users = commands.filter((f) =>
      /EndpointDiscovery/.test(readFileSync(path.join(distEs(client), 'commands', f), 'utf8')),
    );
    expect(users).toEqual([]);
  });

  it('the stubs fail loudly if an operation ever needs them', () => {
    expect(() => new EventStreamSerde()).toThrow(/event streams are not bundled/);
    expect(() => eventStreamSerdeProvider()).toThrow(/event streams are not bundled/);
    const cache = new EndpointCache();
    expect(() => cache.getEndpoint('k')).toThrow(/endpoint discovery is not bundled/);
    expect(() => cache.set('k', [])).toThrow(/endpoint discovery is not bundled/);
  });

  it('the deployment options carry the aliases and the rewrite the bench measures', () => {
    expect(DEPLOY_OPTIONS.alias).toMatchObject({
      '@smithy/core/event-streams': './shared/lambda/no-event-streams.ts',
      '@aws-sdk/endpoint-cache': './shared/lambda/no-endpoint-discovery.ts',
    });
    expect(DEPLOY_OPTIONS.plugins?.map((p) => p.name)).toContain('sdk-compact-errors');
  });
});

// Failing calls of every service the functions use, each error described by everything a caller can see:
// name, message, fault, HTTP status, own fields, the classes it is an instance of, and awsCall's verdict.
const PROBE = `
import { DynamoDBClient, PutItemCommand, GetItemCommand, CreateTableCommand, ConditionalCheckFailedException,
  ResourceNotFoundException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { IAMClient, ListRoleTagsCommand, NoSuchEntityException, IAMServiceException } from '@aws-sdk/client-iam';
import { KMSClient, DescribeKeyCommand, NotFoundException as KmsNotFound, KMSServiceException } from '@aws-sdk/client-kms';
import { SageMakerClient, DescribeNotebookInstanceCommand, DescribeDomainCommand, ResourceNotFound,
  SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { SNSClient, PublishCommand, NotFoundException as SnsNotFound, SNSServiceException } from '@aws-sdk/client-sns';
import { SQSClient, SendMessageCommand, QueueDoesNotExist, SQSServiceException } from '@aws-sdk/client-sqs';
import { STSClient, AssumeRoleCommand, STSServiceException } from '@aws-sdk/client-sts';
import { awsCall } from './shared/aws/errors.ts';

const CLASSES = { ConditionalCheckFailedException, ResourceNotFoundException, DynamoDBServiceException,
  NoSuchEntityException, IAMServiceException, KmsNotFound, KMSServiceException, ResourceNotFound,
  SageMakerServiceException, SnsNotFound, SNSServiceException, QueueDoesNotExist, SQSServiceException,
  STSServiceException };

function describeError(error) {
  const own = {};
  for (const key of Object.keys(error).sort()) {
    if (key === '$response' || key === '$metadata') continue;
    own[key] = key === 'RequestId' ? '(per request)' : error[key];
  }
  return {
    name: error.name,
    message: error.message,
    // Minified, class names are a letter or two (what matters: ServiceException's instanceof ignores names
    // under 6 characters).
    constructorName: error.constructor.name.length < 6 ? '(minified)' : error.constructor.name,
    shapeId: error.constructor.shapeId,
    keys: Object.keys(error).filter((k) => k !== '$response'),
    own,
    httpStatusCode: error.$metadata?.httpStatusCode,
    instanceOf: Object.entries(CLASSES).filter(([, C]) => error instanceof C).map(([n]) => n),
    stackHead: String(error.stack).split('\\n')[0],
  };
}

export async function run(endpoint, injectFault, table) {
  const config = { endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'probe', secretAccessKey: 'probe' } };
  const ddb = new DynamoDBClient(config);
  const clients = { ddb, iam: new IAMClient(config), kms: new KMSClient(config), sm: new SageMakerClient(config),
    sns: new SNSClient(config), sqs: new SQSClient(config), sts: new STSClient(config) };
  await ddb.send(new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
  await ddb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'a' }, n: { N: '1' } } }));
  const calls = {
    conditionalCheckFailed: () => ddb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'a' } },
      ConditionExpression: 'attribute_not_exists(id)' })),
    dynamoMissingTable: () => ddb.send(new GetItemCommand({ TableName: 'missing', Key: { id: { S: 'a' } } })),
    iamNoSuchEntity: () => clients.iam.send(new ListRoleTagsCommand({ RoleName: 'missing' })),
    iamThrottled: () => (injectFault({ service: 'iam', operation: 'ListRoleTags', kind: 'throttle' }),
      clients.iam.send(new ListRoleTagsCommand({ RoleName: 'missing' }))),
    iamAccessDenied: () => (injectFault({ service: 'iam', operation: 'ListRoleTags', kind: 'accessDenied', times: 1 }),
      clients.iam.send(new ListRoleTagsCommand({ RoleName: 'missing' }))),
    kmsNotFound: () => clients.kms.send(new DescribeKeyCommand({ KeyId: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000' })),
    kmsAccessDenied: () => (injectFault({ service: 'kms', operation: 'DescribeKey', kind: 'accessDenied', times: 1 }),
      clients.kms.send(new DescribeKeyCommand({ KeyId: 'alias/x' }))),
    sagemakerValidation: () => clients.sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'missing' })),
    sagemakerResourceNotFound: () => clients.sm.send(new DescribeDomainCommand({ DomainId: 'd-missing' })),
    sagemakerThrottled: () => (injectFault({ service: 'sagemaker', operation: 'DescribeNotebookInstance', kind: 'throttle' }),
      clients.sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'missing' }))),
    sagemakerInternal: () => (injectFault({ service: 'sagemaker', operation: 'DescribeNotebookInstance', kind: 'internal' }),
      clients.sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'missing' }))),
    snsNotFound: () => clients.sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111122223333:missing', Message: 'm' })),
    snsThrottled: () => (injectFault({ service: 'sns', operation: 'Publish', kind: 'throttle' }),
      clients.sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111122223333:missing', Message: 'm' }))),
    sqsQueueDoesNotExist: () => clients.sqs.send(new SendMessageCommand({ QueueUrl: endpoint + '/111122223333/missing', MessageBody: 'm' })),
    sqsThrottled: () => (injectFault({ service: 'sqs', operation: 'SendMessage', kind: 'throttle' }),
      clients.sqs.send(new SendMessageCommand({ QueueUrl: endpoint + '/111122223333/missing', MessageBody: 'm' }))),
    stsAccessDenied: () => clients.sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::444455556666:role/missing', RoleSessionName: 's' })),
  };
  const out = {};
  for (const [name, call] of Object.entries(calls)) {
    try {
      await call();
      out[name] = 'no error';
    } catch (error) {
      let mapped;
      try { await awsCall(name, () => Promise.reject(error)); } catch (e) {
        mapped = { errorName: e.errorName, transient: e.transient, httpStatus: e.httpStatus, message: e.message };
      }
      out[name] = { ...describeError(error), awsCall: mapped };
    }
  }
  for (const client of Object.values(clients)) client.destroy();
  return out;
}
`;

/** The probe bundled as the deployment bundles (aliases included), with or without the error rewrite. */
async function bundleProbe(compact: boolean, dir: string): Promise<string> {
  const outfile = path.join(dir, compact ? 'compact.mjs' : 'original.mjs');
  await build({
    ...DEPLOY_OPTIONS,
    sourcemap: false,
    plugins: (DEPLOY_OPTIONS.plugins ?? []).filter((p) => compact || p.name !== 'sdk-compact-errors'),
    absWorkingDir: ROOT,
    stdin: { contents: PROBE, resolveDir: ROOT, sourcefile: 'probe.mjs', loader: 'js' },
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

type Probe = {
  run(
    endpoint: string,
    injectFault: Emulator['injectFault'],
    table: string,
  ): Promise<Record<string, Record<string, unknown> | string>>;
};

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => emulator?.close());

describe('SDK errors through the emulator, with and without the rewrite', () => {
  it('are the same, field for field, for every service and kind of failure', async () => {
    const dir = path.join(tmpdir(), `sdk-trim-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const results = [];
    for (const compact of [false, true]) {
      const file = await bundleProbe(compact, dir);
      // The rewrite writes a shape id's namespace once; the SDK's classes spell each one out.
      const code = readFileSync(file, 'utf8');
      expect(code.includes('"com.amazonaws.kms#AlreadyExistsException"'), file).toBe(!compact);
      // sdk-shared-error-names (with the rewrite only): IAM's schema imports the error's name from its class
      // module, so the name is spelled once (class and schema each spell it without the rewrite).
      const spelled = code.split('"NoSuchEntityException"').length - 1;
      if (compact) expect(spelled, file).toBe(1);
      else expect(spelled, file).toBeGreaterThan(1);
      emulator.reset();
      const probe = (await import(pathToFileURL(file).href)) as Probe;
      results.push(
        await probe.run(emulator.endpoint, (f) => emulator.injectFault(f), compact ? 'compact' : 'original'),
      );
    }
    const [original, compacted] = results as [Record<string, unknown>, Record<string, unknown>];
    // Each call failed as the guardrails expect (the comparison below is not of two empty answers).
    const seen = (name: string) => original[name] as { name: string; instanceOf: string[] };
    expect(Object.values(original)).not.toContain('no error');
    expect(seen('conditionalCheckFailed')).toMatchObject({
      name: 'ConditionalCheckFailedException',
      instanceOf: ['ConditionalCheckFailedException', 'DynamoDBServiceException'],
    });
    expect(seen('iamNoSuchEntity')).toMatchObject({
      name: 'NoSuchEntityException',
      instanceOf: ['NoSuchEntityException', 'IAMServiceException'],
    });
    expect(seen('sqsQueueDoesNotExist').name).toBe('QueueDoesNotExist');
    expect(seen('sagemakerResourceNotFound').instanceOf).toEqual([
      'ResourceNotFound',
      'SageMakerServiceException',
    ]);
    expect(seen('sagemakerThrottled')).toMatchObject({ awsCall: { transient: true } });
    expect(seen('kmsAccessDenied')).toMatchObject({ awsCall: { transient: false, httpStatus: 400 } });
    expect(compacted).toEqual(original);
  });
});
