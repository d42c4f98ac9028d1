// The CloudFormation template and the function zips that `serverless package` produces from serverless.yml,
// packaged once for this file (about 5 s; see serverless.ts).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLED_EVENT_NAMES } from '#core/events/normalize';
import { DEFAULT_POLICY, matchesPrincipalPattern, parsePolicyJson } from '#core/policy';
import { parsePolicy } from '#core/policy-file';
import { startEmulator } from '#emulator/index';
import { createStoreClient, ensureTable } from '#store/table';
import { type EventPattern, matchesPattern } from './event-pattern.ts';
import {
  type CfnTemplate,
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionName,
  functionOfLogicalId,
  PACKAGE_TIMEOUT_MS,
  type Packaged,
  packagedPolicy,
  packageService,
  props,
  ROOT,
  resourcesOfType,
  targetOf,
} from './serverless.ts';
import { readZip } from './zip.ts';

const LOCAL = { accessKeyId: 'local', secretAccessKey: 'local' };
let packaged: Packaged;
let template: CfnTemplate;

beforeAll(async () => {
  packaged = await packageService();
  template = packaged.template;
}, PACKAGE_TIMEOUT_MS);

const SOURCE_DIRS: Record<FunctionName, string> = {
  notebookInstances: 'notebook-instances',
  studio: 'studio',
  tags: 'tags',
  stopRecheck: 'stop-recheck',
};
const EVENT_FUNCTIONS: FunctionName[] = ['notebookInstances', 'studio', 'tags'];

// ---- EventBridge rules against the sample events ---------------------------------------------------------

interface Rule {
  id: string;
  pattern: EventPattern;
  fn: FunctionName;
}

/** The event-pattern rules (the sweep's schedule is a rule too: test/template/sweep.test.ts). */
const patternRules = () =>
  resourcesOfType(template, 'AWS::Events::Rule').filter(([, r]) => r.Properties?.EventPattern !== undefined);

function rules(): Rule[] {
  return patternRules().map(([id, r]) => {
    const p = r.Properties ?? {};
    const targets = p.Targets as { Arn: unknown }[];
    expect(targets).toHaveLength(1);
    return {
      id,
      pattern: p.EventPattern as EventPattern,
      fn: functionOfLogicalId(targetOf(targets[0]?.Arn) ?? ''),
    };
  });
}

function routedTo(event: unknown): FunctionName[] {
  return [
    ...new Set(
      rules()
        .filter((r) => matchesPattern(r.pattern, event))
        .map((r) => r.fn),
    ),
  ].sort();
}

const EVENTS_DIR = path.join(ROOT, 'events');
const SAMPLE_EVENTS = readdirSync(EVENTS_DIR)
  .filter((dir) => dir !== 'malformed' && statSync(path.join(EVENTS_DIR, dir)).isDirectory())
  .flatMap((dir) => readdirSync(path.join(EVENTS_DIR, dir)).map((file) => `${dir}/${file}`))
  .filter((file) => file.endsWith('.json'))
  .sort();
const readEvent = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(EVENTS_DIR, file), 'utf8'));

/** Who must receive each sample event (the malformed ones are not EventBridge events at all). */
const NOT_FOR_GUARDRAILS: Record<string, FunctionName[]> = {
  'not-for-guardrails/elb-add-tags.json': [], // eventSource elasticloadbalancing
  'not-for-guardrails/opensearch-create-domain.json': [], // eventSource es
  'not-for-guardrails/create-notebook-access-denied.json': [], // errorCode: the rules take successful calls only
  'not-for-guardrails/describe-notebook-read-only.json': [],
  'not-for-guardrails/delete-notebook-unhandled-event.json': [],
  // A pattern cannot reliably exclude the guardrails' own sessions: the policy's ignoredPrincipals does.
  'attacks/02-lookalike-role/writes-status-tag.json': ['tags'],
  // requestParameters omitted by CloudTrail: the function must still get it and read the notebook live.
  'not-for-guardrails/create-notebook-request-parameters-omitted.json': ['notebookInstances'],
};
function expectedRoute(file: string): FunctionName[] {
  const dir = file.split('/')[0];
  if (dir === 'notebook-instance') return ['notebookInstances'];
  if (dir === 'studio') return ['studio'];
  if (dir === 'tags') return ['tags'];
  const explicit = NOT_FOR_GUARDRAILS[file];
  if (!explicit) throw new Error(`${file}: add the function(s) it must reach to NOT_FOR_GUARDRAILS`);
  return explicit;
}

describe('EventBridge rules', () => {
  it('has the exact patterns of the design, one rule per event group', () => {
    const cloudTrail = (eventName: string[]) => ({
      source: ['aws.sagemaker'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['sagemaker.amazonaws.com'], errorCode: [{ exists: false }], eventName },
    });
    const byFunction = (fn: FunctionName) =>
      rules()
        .filter((r) => r.fn === fn)
        .map((r) => r.pattern);
    expect(byFunction('notebookInstances')).toEqual([
      cloudTrail([
        'CreateNotebookInstance',
        'UpdateNotebookInstance',
        'StartNotebookInstance',
        'CreateNotebookInstanceLifecycleConfig',
        'UpdateNotebookInstanceLifecycleConfig',
      ]),
      {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Notebook Instance State Change'],
        detail: { NotebookInstanceStatus: ['InService'] },
      },
    ]);
    expect(byFunction('studio')).toEqual([
      cloudTrail([
        'CreateUserProfile',
        'UpdateUserProfile',
        'CreateDomain',
        'UpdateDomain',
        'CreateSpace',
        'UpdateSpace',
        'CreateApp',
        'CreateAppImageConfig',
        'UpdateAppImageConfig',
        'CreatePresignedDomainUrl',
        'CreateStudioLifecycleConfig',
      ]),
    ]);
    expect(byFunction('tags')).toEqual([cloudTrail(['AddTags', 'DeleteTags'])]);
    expect(byFunction('stopRecheck')).toEqual([]);
  });

  it('routes every event name the code handles to exactly one rule', () => {
    const names = rules().flatMap((r) => {
      const detail = r.pattern.detail as { eventName?: string[] };
      return detail.eventName ?? [];
    });
    expect([...names].sort()).toEqual([...HANDLED_EVENT_NAMES].sort());
  });

  it.each(SAMPLE_EVENTS)('%s reaches exactly the function(s) that handle it', (file) => {
    expect(routedTo(readEvent(file))).toEqual([...expectedRoute(file)].sort());
  });

  it('delivers every sample event the guardrails judge (compliant or noncompliant) to one function', () => {
    const verdicts = JSON.parse(
      readFileSync(path.join(ROOT, 'test/expected-verdicts.json'), 'utf8'),
    ) as Record<string, { verdict: string }>;
    const judged = Object.entries(verdicts).filter(
      ([, v]) => v.verdict === 'compliant' || v.verdict === 'noncompliant',
    );
    expect(judged.length).toBeGreaterThan(10);
    for (const [file] of judged) expect(routedTo(readEvent(file)), file).toHaveLength(1);
  });

  it('drops failed calls of every handled event and non-InService state changes', () => {
    const create = readEvent('notebook-instance/create-compliant.json');
    for (const eventName of HANDLED_EVENT_NAMES) {
      const ok = { ...create, detail: { ...(create.detail as object), eventName } };
      expect(routedTo(ok), eventName).toHaveLength(1);
      const failed = { ...ok, detail: { ...ok.detail, errorCode: 'AccessDenied', errorMessage: 'denied' } };
      expect(routedTo(failed), eventName).toEqual([]);
    }
    const inService = readEvent('notebook-instance/state-change-inservice-compliant.json');
    const pending = {
      ...inService,
      detail: { ...(inService.detail as object), NotebookInstanceStatus: 'Pending' },
    };
    expect(routedTo(inService)).toEqual(['notebookInstances']);
    expect(routedTo(pending)).toEqual([]);
  });

  it('sends events EventBridge cannot deliver to the failed-events queue, which lets it', () => {
    for (const [id, r] of patternRules()) {
      const [target] = (r.Properties?.Targets ?? []) as { DeadLetterConfig?: { Arn: unknown } }[];
      expect(targetOf(target?.DeadLetterConfig?.Arn), id).toBe('FailedEventsQueue');
    }
    const policy = props(template, 'FailedEventsQueuePolicy');
    expect((policy.Queues as unknown[]).map(targetOf)).toEqual(['FailedEventsQueue']);
    const [statement] = (policy.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
    });
    expect(JSON.stringify(statement?.Condition)).toContain(':rule/sm-guardrails-dev-*');
  });
});

// ---- IAM --------------------------------------------------------------------------------------------------

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** A statement's resources as strings: Fn::Sub text, `Ref:X`, `GetAtt:X`. */
function resourceStrings(resource: unknown): string[] {
  return asList(resource).map((r) => {
    if (typeof r === 'string') return r;
    const sub = (r as { 'Fn::Sub'?: unknown })['Fn::Sub'];
    if (typeof sub === 'string') return sub;
    const target = targetOf(r);
    if (target && (r as { Ref?: unknown }).Ref !== undefined) return `Ref:${target}`;
    if (target) return `GetAtt:${target}`;
    throw new Error(`unexpected resource ${JSON.stringify(r)}`);
  });
}

function roleOf(fn: FunctionName): { id: string; props: Record<string, unknown>; statements: Statement[] } {
  const id = targetOf(props(template, FUNCTIONS[fn]).Role);
  if (!id) throw new Error(`${fn} has no role of its own`);
  const p = props(template, id);
  const policies = (p.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  // What the role grants. Its one Deny (sts:AssumeRole in a single-account stack) is tested on its own.
  const statements = policies.flatMap((policy) => policy.PolicyDocument.Statement);
  return { id, props: p, statements: statements.filter((s) => s.Effect !== 'Deny') };
}

/** `action resource` pairs a role grants. */
function grants(fn: FunctionName): { action: string; resource: string }[] {
  return roleOf(fn).statements.flatMap((s) =>
    asList(s.Action).flatMap((action) =>
      resourceStrings(s.Resource).map((resource) => ({ action, resource })),
    ),
  );
}
const actionsOf = (fn: FunctionName) => [...new Set(grants(fn).map((g) => g.action))].sort();
const resourcesFor = (fn: FunctionName, action: string) =>
  [
    ...new Set(
      grants(fn)
        .filter((g) => g.action === action)
        .map((g) => g.resource),
    ),
  ].sort();

/** A CloudFormation pseudo parameter as Fn::Sub writes it: `${AWS::Region}`. */
const sub = (name: string): string => `\${AWS::${name}}`;
const [PARTITION, REGION, ACCOUNT] = [sub('Partition'), sub('Region'), sub('AccountId')];

// Any region of the account: events forwarded from its other regions are acted on with the function's role.
const SAGEMAKER_ARN = /^arn:\$\{AWS::Partition\}:sagemaker:\*:\$\{AWS::AccountId\}:([a-z-]+)\/\*$/;
const READ_ONLY = /^[a-z0-9-]+:(Describe|List|Get)[A-Za-z]*$/;

const NOTEBOOK_ACTIONS = [
  'sagemaker:AddTags',
  'sagemaker:DeleteTags',
  'sagemaker:DescribeNotebookInstance',
  'sagemaker:ListTags',
  'sagemaker:StopNotebookInstance',
];
const STUDIO_ACTIONS = [
  'sagemaker:AddTags',
  'sagemaker:DeleteTags',
  'sagemaker:DescribeDomain',
  'sagemaker:DescribeUserProfile',
  'sagemaker:ListTags',
];
const NOTEBOOK_LIFECYCLE_ACTIONS = ['sagemaker:AddTags', 'sagemaker:DeleteTags', 'sagemaker:ListTags'];
const STUDIO_RESOURCE_ACTIONS = [
  'sagemaker:AddTags',
  'sagemaker:DeleteTags',
  'sagemaker:DescribeAppImageConfig',
  'sagemaker:ListTags',
];
const union = (...lists: string[][]) => [...new Set(lists.flat())].sort();
const READ_KEYS_AND_CALLERS = ['iam:ListRoleTags', 'iam:ListUserTags', 'kms:DescribeKey'];
const ALERTS = ['kms:Decrypt', 'kms:GenerateDataKey*', 'sns:Publish'];
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const TABLE = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

const EXPECTED: Record<
  FunctionName,
  { sagemaker: string[]; types: string[]; other: string[]; queues: string[] }
> = {
  notebookInstances: {
    sagemaker: union(NOTEBOOK_ACTIONS, NOTEBOOK_LIFECYCLE_ACTIONS),
    types: ['notebook-instance', 'notebook-instance-lifecycle-config'],
    other: [...READ_KEYS_AND_CALLERS, ...ALERTS, ...LOGS, ...TABLE, 'sqs:SendMessage'],
    // Lambda's destinations send with the function's role: on failure, and on success (Security Hub).
    queues: ['GetAtt:FailedEventsQueue', 'GetAtt:FindingsQueue', 'GetAtt:RecheckQueue'],
  },
  studio: {
    sagemaker: union(STUDIO_ACTIONS, STUDIO_RESOURCE_ACTIONS),
    types: ['app', 'app-image-config', 'domain', 'space', 'studio-lifecycle-config', 'user-profile'],
    other: [...READ_KEYS_AND_CALLERS, ...ALERTS, ...LOGS, ...TABLE, 'sqs:SendMessage'],
    queues: ['GetAtt:FailedEventsQueue', 'GetAtt:FindingsQueue'],
  },
  tags: {
    sagemaker: union(NOTEBOOK_ACTIONS, STUDIO_ACTIONS, NOTEBOOK_LIFECYCLE_ACTIONS, STUDIO_RESOURCE_ACTIONS),
    types: [
      'app',
      'app-image-config',
      'domain',
      'notebook-instance',
      'notebook-instance-lifecycle-config',
      'space',
      'studio-lifecycle-config',
      'user-profile',
    ],
    other: [...READ_KEYS_AND_CALLERS, ...ALERTS, ...LOGS, ...TABLE, 'sqs:SendMessage'],
    // Lambda's destinations send with the function's role: on failure, and on success (Security Hub).
    queues: ['GetAtt:FailedEventsQueue', 'GetAtt:FindingsQueue', 'GetAtt:RecheckQueue'],
  },
  stopRecheck: {
    sagemaker: NOTEBOOK_ACTIONS,
    types: ['notebook-instance'],
    other: [
      'kms:DescribeKey',
      ...ALERTS,
      ...LOGS,
      ...TABLE,
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ],
    queues: ['GetAtt:RecheckQueue'],
  },
};

describe('IAM: one least-privilege role per function', () => {
  it('gives each function its own role; a name pattern ignores none of them (their exact ARNs do)', () => {
    const roles = FUNCTION_NAMES.map((fn) => roleOf(fn));
    expect(new Set(roles.map((r) => r.id)).size).toBe(FUNCTION_NAMES.length);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    for (const role of roles) {
      const name = role.props.RoleName as string;
      expect(name.length, name).toBeLessThanOrEqual(64);
      expect(role.props.Path, name).toBeUndefined();
      expect(role.props.ManagedPolicyArns, name).toBeUndefined();
      const arn = `arn:aws:iam::123456789012:role/${name}`;
      expect(
        DEFAULT_POLICY.ignoredPrincipals.some((p) => matchesPrincipalPattern(p, arn)),
        name,
      ).toBe(false);
      expect(JSON.stringify(role.props.AssumeRolePolicyDocument)).toContain('lambda.amazonaws.com');
    }
  });

  it('grants no write action on "*" and no wildcard service actions', () => {
    for (const fn of FUNCTION_NAMES) {
      for (const s of roleOf(fn).statements) {
        expect(s.Effect).toBe('Allow');
        for (const action of asList(s.Action)) {
          expect(action, fn).toMatch(/^[a-z0-9-]+:[A-Za-z]+\*?$/);
          if (!READ_ONLY.test(action))
            expect(resourceStrings(s.Resource), `${fn} ${action}`).not.toContain('*');
        }
      }
    }
  });

  it.each(FUNCTION_NAMES)('%s: exactly the SageMaker actions it calls, on its resource types only', (fn) => {
    expect(actionsOf(fn).filter((a) => a.startsWith('sagemaker:'))).toEqual(EXPECTED[fn].sagemaker);
    const types = new Set<string>();
    for (const g of grants(fn).filter((g) => g.action.startsWith('sagemaker:'))) {
      const match = SAGEMAKER_ARN.exec(g.resource);
      expect(match, `${g.action} on ${g.resource}`).not.toBeNull();
      types.add(match?.[1] ?? '');
    }
    expect([...types].sort()).toEqual(EXPECTED[fn].types);
    const notebooks = `arn:${PARTITION}:sagemaker:*:${ACCOUNT}:notebook-instance/*`;
    const stops = EXPECTED[fn].types.includes('notebook-instance') ? [notebooks] : [];
    expect(resourcesFor(fn, 'sagemaker:StopNotebookInstance')).toEqual(stops);
  });

  it.each(FUNCTION_NAMES)('%s: exactly its other actions, on scoped resources', (fn) => {
    expect(actionsOf(fn).filter((a) => !a.startsWith('sagemaker:'))).toEqual([...EXPECTED[fn].other].sort());
    // The chat topic by name: it exists only with a chat channel (stage params chatSlack, chatTeams).
    expect(resourcesFor(fn, 'sns:Publish')).toEqual(
      [`arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:sm-guardrails-dev-chat`, 'Ref:AlertTopic'].sort(),
    );
    expect(resourcesFor(fn, 'kms:GenerateDataKey*')).toEqual(['GetAtt:AlertTopicKey']);
    expect(resourcesFor(fn, 'kms:Decrypt')).toEqual(['GetAtt:AlertTopicKey']);
    expect(resourcesFor(fn, 'sqs:SendMessage')).toEqual(EXPECTED[fn].queues);
    expect(resourcesFor(fn, 'kms:DescribeKey')).toEqual([`arn:${PARTITION}:kms:*:*:key/*`]);
    const functionName = props(template, FUNCTIONS[fn]).FunctionName;
    for (const action of LOGS) {
      expect(resourcesFor(fn, action)).toEqual([
        `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${functionName}:*`,
      ]);
    }
    if (actionsOf(fn).includes('iam:ListRoleTags')) {
      expect(resourcesFor(fn, 'iam:ListRoleTags')).toEqual([`arn:${PARTITION}:iam::${ACCOUNT}:role/*`]);
      expect(resourcesFor(fn, 'iam:ListUserTags')).toEqual([`arn:${PARTITION}:iam::${ACCOUNT}:user/*`]);
    }
  });

  it('stopRecheck consumes the re-check queue', () => {
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) {
      expect(resourcesFor('stopRecheck', action)).toEqual(['GetAtt:RecheckQueue']);
    }
  });

  it('covers every AWS call the code makes (awsCall names in shared/)', () => {
    const calls = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts')) {
          // awsCall('service:Action', ...), or the describe-plus-tags reader that passes the name on.
          const source = readFileSync(full, 'utf8');
          for (const m of source.matchAll(
            /(?:awsCall|describeWithTags)\(\s*(?:\w+,\s*)*'([a-z0-9-]+:[A-Za-z]+)'/g,
          ))
            calls.add(m[1] ?? '');
        }
      }
    };
    walk(path.join(ROOT, 'shared'));
    expect(calls.size).toBeGreaterThan(5);
    const granted = new Set(FUNCTION_NAMES.flatMap(actionsOf));
    expect([...calls].filter((c) => !granted.has(c))).toEqual([]);
    // And no SageMaker action the code never calls (least privilege).
    expect([...granted].filter((a) => a.startsWith('sagemaker:') && !calls.has(a))).toEqual([]);
  });
});

// ---- Resources, functions, environment --------------------------------------------------------------------

const FUNCTION_ENV = [
  'NODE_OPTIONS',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_SERVICE_NAME',
  'SM_GUARDRAILS_ACCOUNT_ID',
  'SM_GUARDRAILS_CHAT_TOPIC_ARN',
  'SM_GUARDRAILS_MEMBER_ROLE_NAME',
  'SM_GUARDRAILS_MODE',
  'SM_GUARDRAILS_OWN_ROLE_ARNS',
  'SM_GUARDRAILS_POLICY_FILE',
  'SM_GUARDRAILS_RECHECK_QUEUE_URL',
  'SM_GUARDRAILS_STAGE',
  'SM_GUARDRAILS_TABLE',
  'SM_GUARDRAILS_TOPIC_ARN',
];
const envOf = (fn: FunctionName) =>
  (props(template, FUNCTIONS[fn]).Environment as { Variables: Record<string, unknown> }).Variables;

describe('resources', () => {
  it('encrypts the alert topic with a rotating customer-managed key administered by the account', () => {
    const topic = props(template, 'AlertTopic');
    const keyId = targetOf(topic.KmsMasterKeyId);
    expect(keyId).toBe('AlertTopicKey');
    expect(template.Resources.AlertTopicKey?.Type).toBe('AWS::KMS::Key');
    const key = props(template, 'AlertTopicKey');
    expect(key.EnableKeyRotation).toBe(true);
    const statements = (key.KeyPolicy as { Statement: { Principal: unknown; Action: unknown }[] }).Statement;
    const root = statements.find((s) => JSON.stringify(s.Principal).includes(':root'));
    expect(root?.Action).toBe('kms:*');
    // No other AWS principal in the key policy: the function roles get the key through IAM.
    const awsPrincipals = statements.map((s) => (s.Principal as { AWS?: unknown }).AWS).filter(Boolean);
    expect(awsPrincipals).toHaveLength(1);
  });

  it("keeps the guardrails' records in one on-demand, encrypted table with TTL and point-in-time recovery", () => {
    const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');
    expect(tables.map(([id]) => id)).toEqual(['GuardrailsTable']);
    const table = props(template, 'GuardrailsTable');
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(table.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
    expect(table.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    // Every function reads and writes it (item operations only) and knows its name.
    for (const fn of FUNCTION_NAMES) expect(targetOf(envOf(fn).SM_GUARDRAILS_TABLE)).toBe('GuardrailsTable');
  });

  it('alarms to the alert topic on function errors, throttles, failed actions and both dead-letter queues', () => {
    const alarms = Object.fromEntries(
      resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties ?? {}]),
    );
    expect(Object.keys(alarms).sort()).toEqual([
      'FailedActionsAlarm',
      'FailedEventsAlarm',
      'FunctionErrorsAlarm',
      'FunctionThrottlesAlarm',
      'RecheckDeadLetterAlarm',
      'SecurityHubAlarm',
      'SweepAlarm',
    ]);
    for (const [id, alarm] of Object.entries(alarms)) {
      expect((alarm.AlarmActions as unknown[]).map(targetOf), id).toEqual(['AlertTopic']);
      expect(alarm.Threshold, id).toBe(0);
      expect(alarm.ComparisonOperator, id).toBe('GreaterThanThreshold');
      expect(alarm.TreatMissingData, id).toBe('notBreaching');
    }
    // The names docs/operate.md gives.
    const operate = readFileSync(path.join(ROOT, 'docs/operate.md'), 'utf8');
    for (const alarm of Object.values(alarms)) {
      const name = String(alarm.AlarmName).replace(/^sm-guardrails-dev-/, 'sm-guardrails-<stage>-');
      expect(operate).toContain(`\`${name}\``);
    }
    // Errors and throttles: the sum over the four functions, by their deployed names.
    for (const [id, metric] of [
      ['FunctionErrorsAlarm', 'Errors'],
      ['FunctionThrottlesAlarm', 'Throttles'],
    ] as const) {
      const metrics = alarms[id]?.Metrics as Array<{
        Expression?: string;
        MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Value: string }[] } };
      }>;
      expect(metrics.find((m) => m.Expression)?.Expression).toBe('SUM(METRICS())');
      const watched = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat?.Metric);
      expect(watched.every((m) => m?.Namespace === 'AWS/Lambda' && m.MetricName === metric)).toBe(true);
      expect(watched.map((m) => m?.Dimensions[0]?.Value).sort()).toEqual(
        Object.values(FUNCTIONS)
          .map((logicalId) => props(template, logicalId).FunctionName as string)
          .sort(),
      );
    }
    // The failed-actions metric the runtime emits (shared/lambda/runtime.ts), with its dimensions (service and
    // stage: a metric is its dimension set, an alarm on fewer dimensions would never see a datum).
    expect(alarms.FailedActionsAlarm).toMatchObject({
      Namespace: 'SmGuardrails',
      MetricName: 'ActionsFailed',
      Dimensions: [
        { Name: 'service', Value: 'sm-guardrails' },
        { Name: 'stage', Value: 'dev' },
      ],
      Statistic: 'Sum',
    });
  });

  it('subscribes no email address by default', () => {
    expect(resourcesOfType(template, 'AWS::SNS::Subscription')).toEqual([]);
  });

  it('encrypts every queue; dead-letter queues keep 14 days; the re-check queue redrives to its DLQ', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    expect(queues.map(([id]) => id).sort()).toEqual([
      'FailedEventsQueue',
      'FindingsDeadLetterQueue',
      'FindingsQueue',
      'RecheckDeadLetterQueue',
      'RecheckQueue',
      'SweepDeadLetterQueue',
      'SweepQueue',
    ]);
    for (const [id, q] of queues) {
      const p = q.Properties ?? {};
      expect(p.SqsManagedSseEnabled === true || p.KmsMasterKeyId !== undefined, id).toBe(true);
    }
    expect(props(template, 'FailedEventsQueue').MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(props(template, 'RecheckDeadLetterQueue').MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(props(template, 'FindingsDeadLetterQueue').MessageRetentionPeriod).toBe(14 * 24 * 3600);
    const recheck = props(template, 'RecheckQueue');
    const redrive = recheck.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
    expect(targetOf(redrive.deadLetterTargetArn)).toBe('RecheckDeadLetterQueue');
    expect(redrive.maxReceiveCount).toBeGreaterThan(1);
    // SQS event sources need a visibility timeout of at least the function timeout.
    expect(recheck.VisibilityTimeout as number).toBeGreaterThanOrEqual(
      props(template, FUNCTIONS.stopRecheck).Timeout as number,
    );
  });

  it('lets only the stack roles that send re-checks send to the re-check queue (a forged re-check is denied)', () => {
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').filter(([, r]) =>
      ((r.Properties?.Queues as unknown[]) ?? []).some((q) => targetOf(q) === 'RecheckQueue'),
    );
    expect(policies).toHaveLength(1);
    const doc = policies[0]?.[1].Properties?.PolicyDocument as { Statement: Record<string, unknown>[] };
    const deny = doc.Statement.find((st) => st.Effect === 'Deny');
    expect(deny).toMatchObject({ Principal: '*', Action: 'sqs:SendMessage' });
    expect(targetOf(deny?.Resource)).toBe('RecheckQueue');
    const condition = (deny?.Condition ?? {}) as { ArnNotEquals?: Record<string, unknown[]> };
    const allowed = condition.ArnNotEquals?.['aws:PrincipalArn']?.map(targetOf);
    // Exactly the roles whose own policy allows sqs:SendMessage on the queue.
    const senders = FUNCTION_NAMES.filter((fn) =>
      roleOf(fn).statements.some(
        (st) => asList(st.Action).includes('sqs:SendMessage') && targetOf(st.Resource) === 'RecheckQueue',
      ),
    ).map((fn) => roleOf(fn).id);
    expect(allowed?.sort()).toEqual(senders.sort());
  });

  it("gives every function the exact ARNs of the stack's roles as its own principals", () => {
    for (const fn of FUNCTION_NAMES) {
      const join = envOf(fn).SM_GUARDRAILS_OWN_ROLE_ARNS as { 'Fn::Join': [string, unknown[]] };
      expect(join['Fn::Join'][0]).toBe(',');
      expect(join['Fn::Join'][1].map(targetOf).sort()).toEqual(
        // Every role of the stack: the event functions' and the sweep's (their writes come back as events).
        resourcesOfType(template, 'AWS::IAM::Role')
          .map(([id]) => id)
          .sort(),
      );
    }
  });

  it('sends failed EventBridge invocations, after 2 retries, to the failed-events queue', () => {
    const configs = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').map(
      ([, r]) => r.Properties ?? {},
    );
    expect(configs.map((c) => functionOfLogicalId(targetOf(c.FunctionName) ?? '')).sort()).toEqual(
      [...EVENT_FUNCTIONS].sort(),
    );
    for (const c of configs) {
      expect(c.MaximumRetryAttempts).toBe(2);
      const destination = (c.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure
        .Destination;
      expect(targetOf(destination)).toBe('FailedEventsQueue');
      // Security Hub is off by default (stage param securityHub): no report leaves on success.
      expect(c.DestinationConfig).not.toHaveProperty('OnSuccess');
    }
  });

  it('Security Hub: a function fed by the findings queue, its own permissions, a DLQ and an alarm', () => {
    const fn = props(template, 'SecurityHubLambdaFunction');
    expect(targetOf(fn.Role)).toBe('SecurityHubRole');
    const mapping = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
      .map(([, r]) => r.Properties ?? {})
      .find((m) => targetOf(m.EventSourceArn) === 'FindingsQueue');
    expect(targetOf(mapping?.FunctionName)).toBe('SecurityHubLambdaFunction');
    expect(mapping?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping?.ScalingConfig).toEqual({ MaximumConcurrency: 2 });
    expect(props(template, 'FindingsQueue').RedrivePolicy).toMatchObject({
      deadLetterTargetArn: { 'Fn::GetAtt': ['FindingsDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    const statements = (
      (props(template, 'SecurityHubRole').Policies as Array<{ PolicyDocument: { Statement: unknown[] } }>)[0]
        ?.PolicyDocument.Statement ?? []
    ).map((st) => JSON.stringify(st));
    const grant = (action: string) => statements.filter((st) => st.includes(`"${action}"`));
    expect(grant('securityhub:BatchImportFindings')).toEqual([
      JSON.stringify({
        Effect: 'Allow',
        Action: 'securityhub:BatchImportFindings',
        Resource: {
          'Fn::Sub': `arn:${PARTITION}:securityhub:*:${ACCOUNT}:product/${ACCOUNT}/default`,
        },
      }),
    ]);
    expect(grant('securityhub:GetFindings')).toHaveLength(1);
    expect(grant('securityhub:GetFindings')[0]).toContain(':hub/default');
    // No other function may import findings.
    for (const [id, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
      if (id !== 'SecurityHubRole') expect(JSON.stringify(role), id).not.toContain('securityhub:');
    }
    const alarm = props(template, 'SecurityHubAlarm');
    expect(alarm.AlarmActions).toEqual([{ Ref: 'AlertTopic' }]);
    const watched = JSON.stringify(alarm.Metrics);
    expect(watched).toContain('"FindingsDeadLetterQueue","QueueName"');
    expect(watched).toContain('"Value":"sm-guardrails-dev-securityHub"');
  });

  it('feeds stopRecheck from the re-check queue with partial batch failures', () => {
    const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
      .map(([, r]) => r.Properties ?? {})
      .filter((m) => !['SweepQueue', 'FindingsQueue'].includes(targetOf(m.EventSourceArn) ?? ''));
    expect(mappings).toHaveLength(1);
    const [m] = mappings;
    expect(functionOfLogicalId(targetOf(m?.FunctionName) ?? '')).toBe('stopRecheck');
    expect(targetOf(m?.EventSourceArn)).toBe('RecheckQueue');
    expect(m?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(m?.BatchSize as number).toBeGreaterThanOrEqual(1);
    expect(m?.BatchSize as number).toBeLessThanOrEqual(10);
  });

  it.each(FUNCTION_NAMES)('%s: Node.js 22 on arm64, its handler, a log group with retention', (fn) => {
    const p = props(template, FUNCTIONS[fn]);
    expect(p.Runtime).toBe('nodejs22.x');
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.Handler).toBe(`functions/${SOURCE_DIRS[fn]}/handler.handler`);
    expect(p.FunctionName).toBe(`sm-guardrails-dev-${fn}`);
    const groups = resourcesOfType(template, 'AWS::Logs::LogGroup').map(([, r]) => r.Properties ?? {});
    const group = groups.find((g) => g.LogGroupName === `/aws/lambda/${p.FunctionName}`);
    expect(group?.RetentionInDays as number).toBeGreaterThan(0);
  });

  it.each(FUNCTION_NAMES)('%s: the environment contract of shared/lambda/runtime.ts', (fn) => {
    const env = envOf(fn);
    expect(Object.keys(env).sort()).toEqual(FUNCTION_ENV);
    expect((env.SM_GUARDRAILS_TOPIC_ARN as { Ref?: string }).Ref).toBe('AlertTopic');
    expect((env.SM_GUARDRAILS_RECHECK_QUEUE_URL as { Ref?: string }).Ref).toBe('RecheckQueue');
    expect((env.SM_GUARDRAILS_TABLE as { Ref?: string }).Ref).toBe('GuardrailsTable');
    expect((env.SM_GUARDRAILS_ACCOUNT_ID as { Ref?: string }).Ref).toBe('AWS::AccountId');
    expect(env.SM_GUARDRAILS_MODE).toBe('');
    expect(env.SM_GUARDRAILS_STAGE).toBe('dev');
    expect(env.SM_GUARDRAILS_CHAT_TOPIC_ARN).toBe('');
    expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe('SmGuardrails');
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('sm-guardrails');
    expect(env.POWERTOOLS_LOG_LEVEL).toBe('INFO');
    expect(env.NODE_OPTIONS).toContain('--enable-source-maps');
  });

  it('deploys guardrails.policy.yml, which is the default policy written out', () => {
    const text = readFileSync(path.join(ROOT, 'guardrails.policy.yml'), 'utf8');
    expect(parsePolicy(text, 'guardrails.policy.yml')).toEqual(DEFAULT_POLICY);
    for (const fn of FUNCTION_NAMES) {
      const { file, json } = packagedPolicy(packaged, fn);
      expect(file).toMatch(/^\.sm-guardrails\/policy\/[0-9a-f]{16}\/guardrails\.policy\.json$/);
      expect(json).not.toContain('\n');
      expect(parsePolicyJson(json, file)).toEqual(DEFAULT_POLICY);
    }
  });

  it('ships the policy in the code, in no environment variable (Lambda allows 4 KB for them all)', () => {
    for (const fn of FUNCTION_NAMES) {
      for (const [name, value] of Object.entries(envOf(fn))) {
        expect(name).not.toBe('SM_GUARDRAILS_POLICY');
        if (typeof value !== 'string') continue;
        expect(value, name).not.toMatch(/ignoredPrincipals|protectedTags|requiredTags/);
        expect(value.length, name).toBeLessThan(200);
      }
    }
  });

  it("fits Lambda's 4 KB environment limit with room for the deploy-time values", () => {
    // The Refs become an SNS topic ARN and an SQS queue URL, both under 150 bytes with the names set.
    const DEPLOY_TIME_VALUE_BYTES = 150;
    for (const fn of FUNCTION_NAMES) {
      const bytes = Object.entries(envOf(fn)).reduce(
        (sum, [k, v]) =>
          sum +
          Buffer.byteLength(k) +
          (typeof v === 'string'
            ? Buffer.byteLength(v)
            : // Four role ARNs of about 70 bytes, joined by commas.
              k === 'SM_GUARDRAILS_OWN_ROLE_ARNS'
              ? 4 * 100
              : DEPLOY_TIME_VALUE_BYTES),
        0,
      );
      expect(bytes, fn).toBeLessThan(4096);
    }
  });

  it('needs nothing from an AWS account at package time (no account id, no lookups)', () => {
    const text = JSON.stringify(template);
    expect(text).not.toMatch(/(?<!\d)\d{12}(?!\d)/);
    expect(text).toContain(ACCOUNT);
  });
});

// ---- Bundles ------------------------------------------------------------------------------------------------

const MAX_ZIP_BYTES = 400 * 1024;
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('function bundles', () => {
  it.each(FUNCTION_NAMES)('%s: one minified ES module + its source map, under 400 KB zipped', async (fn) => {
    const zipFile = path.join(packaged.dir, `${fn}.zip`);
    expect(statSync(zipFile).size).toBeLessThan(MAX_ZIP_BYTES);
    const entries = readZip(zipFile);
    const bundle = `functions/${SOURCE_DIRS[fn]}/handler.mjs`;
    expect(entries.map((e) => e.name).sort()).toEqual(
      [bundle, `${bundle}.map`, packagedPolicy(packaged, fn).file].sort(),
    );
    const code =
      entries
        .find((e) => e.name === bundle)
        ?.data()
        .toString('utf8') ?? '';
    // The ES module gives bundled CommonJS code a require().
    expect(code.slice(0, 200)).toMatch(
      /^import \{ createRequire as (\w+) \} from 'node:module'; const require = \1\(import\.meta\.url\);/,
    );
    expect(code.slice(-100)).toMatch(/\/\/# sourceMappingURL=handler\.mjs\.map\s*$/);
    // Everything is bundled, the AWS SDK too: the only imports left (static or dynamic) are Node built-ins.
    const { metafile } = await build({
      stdin: { contents: code, loader: 'js', sourcefile: 'handler.mjs' },
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    });
    const imports = Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    expect(imports).toContain('node:http');
    expect(imports.filter((s) => !builtins.has(s))).toEqual([]);
    // The SDK clients are in the bundle (each names its package for the user agent).
    for (const client of ['sagemaker', 'kms', 'iam', 'sns', 'sqs', 'dynamodb'])
      expect(code).toContain(`"@aws-sdk/client-${client}"`);
    // The map keeps the project's own sources, not node_modules (scripts/esbuild-plugins.cjs).
    const map = JSON.parse(
      entries
        .find((e) => e.name === `${bundle}.map`)
        ?.data()
        .toString('utf8') ?? '{}',
    );
    expect(map.sources.some((s: string) => s.endsWith(`functions/${SOURCE_DIRS[fn]}/handler.ts`))).toBe(true);
    expect(map.sources.filter((s: string) => s.includes('node_modules'))).toEqual([]);
    // The preventive-policy generator and the IAM simulator are CLI and test tools, never Lambda code.
    expect(map.sources.filter((s: string) => /(^|\/)prevention\//.test(s))).toEqual([]);
    expect(code).not.toContain('@cloud-copilot');
  });

  it('runs from the zip on plain Node, with the packaged environment, against the local emulator', async () => {
    const emulator = await startEmulator();
    try {
      emulator.seed.notebookInstance({ name: 'scratch-notebook', status: 'InService' });
      const topicArn = emulator.seed.topic('sm-guardrails-dev-alerts');
      const queueUrl = emulator.seed.queue('sm-guardrails-dev-recheck');
      await ensureTable(
        createStoreClient({ endpoint: emulator.endpoint, credentials: LOCAL }),
        'sm-guardrails-dev-records',
      );

      const dir = mkdtempSync(path.join(tmpdir(), 'sm-guardrails-bundle-'));
      for (const entry of readZip(path.join(packaged.dir, 'notebookInstances.zip'))) {
        mkdirSync(path.dirname(path.join(dir, entry.name)), { recursive: true });
        writeFileSync(path.join(dir, entry.name), entry.data());
      }
      const env = envOf('notebookInstances');
      const event = readFileSync(path.join(EVENTS_DIR, 'notebook-instance/create-all-defaults.json'), 'utf8');
      const script = `import { handler } from './functions/notebook-instances/handler.mjs';
        const report = await handler(JSON.parse(process.env.EVENT), { awsRequestId: 'template-test' });
        process.stdout.write('REPORT ' + JSON.stringify(report) + '\\n');`;
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--enable-source-maps', '--input-type=module', '-e', script],
          {
            cwd: dir,
            timeout: 60_000,
            env: {
              PATH: process.env.PATH,
              EVENT: event,
              AWS_ENDPOINT_URL: emulator.endpoint,
              AWS_REGION: 'us-east-1',
              AWS_ACCESS_KEY_ID: 'local',
              AWS_SECRET_ACCESS_KEY: 'local',
              AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
              LAMBDA_TASK_ROOT: dir,
              SM_GUARDRAILS_POLICY_FILE: env.SM_GUARDRAILS_POLICY_FILE as string,
              SM_GUARDRAILS_MODE: env.SM_GUARDRAILS_MODE as string,
              SM_GUARDRAILS_TOPIC_ARN: topicArn,
              SM_GUARDRAILS_RECHECK_QUEUE_URL: queueUrl,
              SM_GUARDRAILS_TABLE: 'sm-guardrails-dev-records',
              SM_GUARDRAILS_ACCOUNT_ID: emulator.accountId,
              POWERTOOLS_LOG_LEVEL: 'ERROR',
            },
          },
          (error, out, err) => (error ? reject(new Error(`${error.message}\n${out}\n${err}`)) : resolve(out)),
        );
      });
      const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
      const report = JSON.parse(line?.slice('REPORT '.length) ?? 'null');
      expect(report).toMatchObject({ verdict: 'noncompliant', eventName: 'CreateNotebookInstance' });
      expect(report.actions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'stop', status: 'done' }),
          expect.objectContaining({ type: 'notify', status: 'done' }),
        ]),
      );
      expect(emulator.published).toHaveLength(1);
      expect(emulator.inspect.notebookInstance('scratch-notebook')?.status).toMatch(/^Stop/);
    } finally {
      await emulator.close();
    }
  }, 90_000);
});

// ---- Monitoring --------------------------------------------------------------------------------------------

interface DashboardWidget {
  type: string;
  properties: { title?: string; metrics?: unknown[][]; query?: string; markdown?: string };
}

describe('monitoring', () => {
  const dashboard = () => props(template, 'Dashboard');
  const widgets = () =>
    (JSON.parse(dashboard().DashboardBody as string) as { widgets: DashboardWidget[] }).widgets;
  const widget = (title: string) => {
    const found = widgets().find((w) => w.properties.title === title);
    if (!found) throw new Error(`no widget "${title}"`);
    return found.properties;
  };
  const logGroups = () =>
    resourcesOfType(template, 'AWS::Logs::LogGroup')
      .map(([, r]) => r.Properties?.LogGroupName as string)
      .sort();

  it('a dashboard per stage: findings by rule and by account, actions by status, errors, duration', () => {
    expect(dashboard().DashboardName).toBe('sm-guardrails-dev');
    // Over the functions' finding lines, one record per rule of a noncompliant event.
    for (const [title, by] of [
      ['Findings by rule', 'rule'],
      ['Findings by account', 'account'],
    ] as const) {
      const query = widget(title).query ?? '';
      for (const group of logGroups()) expect(query).toContain(`SOURCE '${group}'`);
      expect(query).toContain('filter log.message = "finding" and log.finding.verdict = "noncompliant"');
      expect(query).toContain('unnest log.finding.rules into rule');
      expect(query).toContain(`stats count(*) as findings by ${by} `);
      // The account is the resource ARN's own (a member account in an organization).
      expect(query).toContain('parse resource /^arn:[^:]+:sagemaker:[^:]*:(?<account>[0-9]{12}):/');
    }
    expect(widget('Actions by status').query).toMatch(
      /unnest log\.finding\.actions into action \| stats count\(\*\) as actions by action\.type, action\.status/,
    );
    const errors = JSON.stringify(widget('Errors: function errors, failed AWS reads, failed events').metrics);
    const duration = JSON.stringify(widget('Duration (p50, p99, max)').metrics);
    // Every function the template deploys (the sweep's too), not only the event functions.
    const deployed = resourcesOfType(template, 'AWS::Lambda::Function').map(
      ([, r]) => r.Properties?.FunctionName as string,
    );
    expect(deployed).toEqual(
      expect.arrayContaining(['sm-guardrails-dev-sweepStart', 'sm-guardrails-dev-sweepWorker']),
    );
    for (const name of deployed) {
      expect(errors).toContain(`"AWS/Lambda","Errors","FunctionName","${name}"`);
      expect(duration).toContain(`"AWS/Lambda","Duration","FunctionName","${name}"`);
    }
    // The guardrails' own metrics carry the stage.
    expect(errors).toContain('"SmGuardrails","Events_error","service","sm-guardrails","stage","dev"');
    expect(errors).toContain(props(template, 'FailedEventsQueue').QueueName as string);
  });

  it('saved Logs Insights queries for findings by rule, actor, account and resource, over every function', () => {
    const queries = resourcesOfType(template, 'AWS::Logs::QueryDefinition');
    const byName = Object.fromEntries(queries.map(([, r]) => [r.Properties?.Name as string, r]));
    for (const by of ['rule', 'actor', 'account', 'resource']) {
      const query = byName[`sm-guardrails-dev/findings-by-${by}`];
      expect(query, by).toBeDefined();
      expect(query?.Properties?.QueryString).toMatch(
        new RegExp(
          `unnest log\\.finding\\.rules into rule \\| stats count\\(\\*\\) as findings.* by ${by}\\b`,
        ),
      );
      expect([...((query?.Properties?.LogGroupNames ?? []) as string[])].sort()).toEqual(logGroups());
      // Created after the log groups it names.
      for (const id of asList(query?.DependsOn ?? []))
        expect(template.Resources[id]?.Type).toBe('AWS::Logs::LogGroup');
    }
  });

  it('no chat topic or channel unless a chat stage param asks for one', () => {
    expect(template.Resources.ChatTopic).toBeUndefined();
    expect(resourcesOfType(template, 'AWS::Chatbot::SlackChannelConfiguration')).toEqual([]);
  });
});
