// The scheduled sweep in the packaged stack: the schedule, the fan-out queue, the worker, their roles and alarm.

import { statSync } from 'node:fs';
import path from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '#core/types';
import { DEFAULT_LISTERS } from '../../sweep/listers.ts';
import {
  type CfnTemplate,
  PACKAGE_TIMEOUT_MS,
  type Packaged,
  packageService,
  props,
  resourcesOfType,
  targetOf,
} from './serverless.ts';
import { readZip } from './zip.ts';

let packaged: Packaged;
let template: CfnTemplate;
let custom: CfnTemplate;
const ORG = 'o-a1b2c3d4e5';

beforeAll(async () => {
  // One after the other: concurrent packagings of one checkout share serverless-esbuild's .serverless copy.
  packaged = await packageService();
  template = packaged.template;
  ({ template: custom } = await packageService([
    '--param=sweepSchedule=cron(0 3 * * ? *)',
    '--param=sweepRegions=us-east-1,eu-west-1',
    '--param=sweepConcurrency=3',
    '--param=sweepAccounts=111122223333,444455556666',
    `--param=organizationId=${ORG}`,
    '--param=securityHub=true',
  ]));
}, 2 * PACKAGE_TIMEOUT_MS);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
/** A CloudFormation pseudo parameter as Fn::Sub writes it: `${AWS::Region}`. */
const pseudo = (name: string): string => `\${AWS::${name}}`;
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const text = (r: unknown): string => {
  if (typeof r === 'string') return r;
  const sub = (r as { 'Fn::Sub'?: unknown })['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  const target = targetOf(r);
  return (r as { Ref?: unknown }).Ref !== undefined ? `Ref:${target}` : `GetAtt:${target}`;
};

function grants(fnLogicalId: string): Map<string, string[]> {
  const roleId = targetOf(props(template, fnLogicalId).Role);
  if (!roleId) throw new Error(`${fnLogicalId}: no role`);
  const role = props(template, roleId);
  const name = role.RoleName as string;
  // The functions skip the sweep's own writes when their events come back: by the role's exact ARN.
  const own = (props(template, 'TagsLambdaFunction').Environment as { Variables: Record<string, unknown> })
    .Variables.SM_GUARDRAILS_OWN_ROLE_ARNS as { 'Fn::Join': [string, unknown[]] };
  expect(own['Fn::Join'][1].map(targetOf)).toContain(roleId);
  expect(name.length).toBeLessThanOrEqual(64);
  const statements = (role.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  const out = new Map<string, string[]>();
  for (const s of statements) {
    // Single-account stacks deny assuming any role (see organization/central.ts), and without the stage param
    // securityHub the worker is denied the findings queue; the rest are allows.
    if (s.Effect === 'Deny') {
      expect([
        { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' },
        { Effect: 'Deny', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['FindingsQueue', 'Arn'] } },
      ]).toContainEqual(s);
      continue;
    }
    expect(s.Effect).toBe('Allow');
    for (const action of asList(s.Action))
      out.set(action, [...(out.get(action) ?? []), ...asList(s.Resource).map(text)]);
  }
  return out;
}

const env = (t: CfnTemplate, id: string) =>
  (props(t, id).Environment as { Variables: Record<string, unknown> }).Variables;

describe('scheduled sweep', () => {
  it('starts once a day by default, on the sweepSchedule stage param otherwise', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(
      ([, r]) => r.Properties?.ScheduleExpression,
    );
    expect(rules).toHaveLength(1);
    const rule = rules[0]?.[1].Properties ?? {};
    expect(rule.ScheduleExpression).toBe('rate(1 day)');
    expect(rule.State).toBe('ENABLED');
    expect(targetOf((rule.Targets as { Arn: unknown }[])[0]?.Arn)).toBe('SweepStartLambdaFunction');
    const customRule = resourcesOfType(custom, 'AWS::Events::Rule').find(
      ([, r]) => r.Properties?.ScheduleExpression,
    );
    expect(customRule?.[1].Properties?.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(env(custom, 'SweepStartLambdaFunction').SM_GUARDRAILS_SWEEP_REGIONS).toBe('us-east-1,eu-west-1');
    expect(env(custom, 'SweepWorkerLambdaFunction').SM_GUARDRAILS_SWEEP_CONCURRENCY).toBe('3');
    expect(env(custom, 'SweepStartLambdaFunction').SM_GUARDRAILS_SWEEP_ACCOUNTS).toBe(
      '111122223333,444455556666',
    );
    expect(env(template, 'SweepStartLambdaFunction').SM_GUARDRAILS_SWEEP_ACCOUNTS).toBe('');
  });

  it('fans out through an encrypted queue with a dead-letter queue to the worker, one target per invocation', () => {
    expect(targetOf(env(template, 'SweepStartLambdaFunction').SM_GUARDRAILS_SWEEP_QUEUE_URL)).toBe(
      'SweepQueue',
    );
    expect(env(template, 'SweepStartLambdaFunction').SM_GUARDRAILS_SWEEP_REGIONS).toBe('');
    expect(env(template, 'SweepWorkerLambdaFunction').SM_GUARDRAILS_SWEEP_CONCURRENCY).toBe('5');
    const queue = props(template, 'SweepQueue');
    expect(queue.SqsManagedSseEnabled).toBe(true);
    const worker = props(template, 'SweepWorkerLambdaFunction');
    expect(worker.Timeout).toBe(900);
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * 900);
    const redrive = queue.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
    expect(targetOf(redrive.deadLetterTargetArn)).toBe('SweepDeadLetterQueue');
    expect(props(template, 'SweepDeadLetterQueue')).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m.Properties ?? {})
      .filter((m) => targetOf(m.EventSourceArn) === 'SweepQueue');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(targetOf(mappings[0]?.FunctionName)).toBe('SweepWorkerLambdaFunction');
  });

  it('gives the start function only the queue, and the worker only what a sweep calls', () => {
    const start = grants('SweepStartLambdaFunction');
    expect([...start.keys()].filter((a) => !a.startsWith('logs:') && !a.startsWith('dynamodb:'))).toEqual([
      'sqs:SendMessage',
    ]);
    expect(start.get('sqs:SendMessage')).toEqual(['GetAtt:SweepQueue']);

    const worker = grants('SweepWorkerLambdaFunction');
    // Every type the sweep lists (one lister per type the core evaluates), and no other List call.
    expect(DEFAULT_LISTERS.map((l) => l.type).sort()).toEqual([...RESOURCE_TYPES].sort());
    for (const lister of DEFAULT_LISTERS) expect(worker.get(lister.action)).toEqual(['*']);
    expect([...worker.keys()].filter((a) => /^sagemaker:List(?!Tags$)/.test(a)).sort()).toEqual(
      DEFAULT_LISTERS.map((l) => l.action).sort(),
    );
    const sagemakerWrites = [...worker.keys()].filter(
      (a) => a.startsWith('sagemaker:') && !/^sagemaker:(List|Describe)/.test(a),
    );
    expect(sagemakerWrites.sort()).toEqual([
      'sagemaker:AddTags',
      'sagemaker:DeleteTags',
      'sagemaker:StopNotebookInstance',
    ]);
    for (const write of sagemakerWrites) {
      for (const r of worker.get(write) ?? [])
        expect(r).toMatch(
          new RegExp(
            `^arn:\\$\\{AWS::Partition\\}:sagemaker:\\*:\\$\\{AWS::AccountId\\}:(${RESOURCE_TYPES.join('|')})/\\*$`,
          ),
        );
    }
    const stops = worker.get('sagemaker:StopNotebookInstance') ?? [];
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatch(/:sagemaker:\*:\$\{AWS::AccountId\}:notebook-instance\/\*$/);
    // The alert topic, and the chat topic by name (it exists only with a chat channel: docs/operate.md).
    expect(worker.get('sns:Publish')).toEqual([
      'Ref:AlertTopic',
      `arn:${pseudo('Partition')}:sns:${pseudo('Region')}:${pseudo('AccountId')}:sm-guardrails-dev-chat`,
    ]);
    expect(worker.get('sqs:SendMessage')).toEqual(['GetAtt:RecheckQueue']);
    for (const consume of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'])
      expect(worker.get(consume)).toEqual(['GetAtt:SweepQueue']);
    // Member accounts: only through the member role, only in the organization (organization mode).
    expect(worker.has('sts:AssumeRole')).toBe(false);
    const roleId = targetOf(props(custom, 'SweepWorkerLambdaFunction').Role) ?? '';
    const assume = (props(custom, roleId).Policies as { PolicyDocument: { Statement: Statement[] } }[])
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((st) => asList(st.Action).includes('sts:AssumeRole'));
    expect(assume).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: { 'Fn::Sub': 'arn:$' + '{AWS::Partition}:iam::*:role/sm-guardrails-member' },
        Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
      },
    ]);
    expect(env(custom, 'SweepWorkerLambdaFunction').SM_GUARDRAILS_MEMBER_ROLE_NAME).toBe(
      'sm-guardrails-member',
    );
    // No IAM reads: a sweep never derives a tag from a caller.
    expect([...worker.keys()].some((a) => a.startsWith('iam:'))).toBe(false);
  });

  it('alarms to the alert topic when a target lands in the dead-letter queue or a sweep function fails', () => {
    const alarm = props(template, 'SweepAlarm');
    expect((alarm.AlarmActions as unknown[]).map(targetOf)).toEqual(['AlertTopic']);
    const watched = (
      alarm.Metrics as Array<{
        MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: unknown }[] } };
      }>
    )
      .filter((m) => m.MetricStat)
      .map(
        (m) =>
          `${m.MetricStat?.Metric.MetricName} ${JSON.stringify(m.MetricStat?.Metric.Dimensions[0]?.Value)}`,
      );
    expect(watched).toEqual([
      'ApproximateNumberOfMessagesVisible {"Fn::GetAtt":["SweepDeadLetterQueue","QueueName"]}',
      'Errors "sm-guardrails-dev-sweepStart"',
      'Errors "sm-guardrails-dev-sweepWorker"',
    ]);
  });

  it('securityHub: the worker sends its results to the findings queue only with the stage param', () => {
    const statementsOf = (t: CfnTemplate) =>
      (
        props(t, targetOf(props(t, 'SweepWorkerLambdaFunction').Role) ?? '').Policies as {
          PolicyDocument: { Statement: Statement[] };
        }[]
      )
        .flatMap((p) => p.PolicyDocument.Statement)
        .filter((st) => targetOf(st.Resource) === 'FindingsQueue');
    // Off (the default): no queue URL, and SendMessage on the findings queue denied.
    expect(
      env(template, 'SweepWorkerLambdaFunction').SM_GUARDRAILS_FINDINGS_QUEUE_URL || undefined,
    ).toBeUndefined();
    expect(statementsOf(template)).toEqual([
      { Effect: 'Deny', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['FindingsQueue', 'Arn'] } },
    ]);
    // On: the queue's URL and SendMessage on it, nothing more.
    expect(env(custom, 'SweepWorkerLambdaFunction').SM_GUARDRAILS_FINDINGS_QUEUE_URL).toEqual({
      Ref: 'FindingsQueue',
    });
    expect(statementsOf(custom)).toEqual([
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['FindingsQueue', 'Arn'] } },
    ]);
    // The queue takes messages from the guardrails' roles only (a forged message could archive findings),
    // in both stacks: the event functions' destinations and the sweep worker.
    for (const t of [template, custom]) {
      const [policy] = resourcesOfType(t, 'AWS::SQS::QueuePolicy')
        .map(([, r]) => r.Properties as { Queues: unknown[]; PolicyDocument: { Statement: unknown[] } })
        .filter((p) => p.Queues.map(targetOf).includes('FindingsQueue'));
      expect(policy?.PolicyDocument.Statement).toEqual([
        {
          Sid: 'OnlyTheGuardrailsSendFindings',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': ['FindingsQueue', 'Arn'] },
          Condition: {
            ArnNotEquals: {
              'aws:PrincipalArn': ['NotebookInstancesRole', 'StudioRole', 'TagsRole', 'SweepWorkerRole'].map(
                (role) => ({ 'Fn::GetAtt': [role, 'Arn'] }),
              ),
            },
          },
        },
      ]);
      // Every role that sends there is in it.
      const senders = resourcesOfType(t, 'AWS::IAM::Role')
        .filter(([, r]) =>
          ((r.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).some((p) =>
            p.PolicyDocument.Statement.some(
              (st) =>
                st.Effect === 'Allow' &&
                asList(st.Action).includes('sqs:SendMessage') &&
                asList(st.Resource).some((r) => targetOf(r) === 'FindingsQueue'),
            ),
          ),
        )
        .map(([id]) => id)
        .sort();
      expect(senders).toEqual(
        t === custom
          ? ['NotebookInstancesRole', 'StudioRole', 'SweepWorkerRole', 'TagsRole']
          : ['NotebookInstancesRole', 'StudioRole', 'TagsRole'],
      );
    }
  });

  it('the findings queue policy, as IAM evaluates it: the guardrails roles may send, a user with sqs:* may not', async () => {
    const ACCOUNT = '111122223333';
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:sm-guardrails-dev-findings`;
    const roleArn = (id: string) => `arn:aws:iam::${ACCOUNT}:role/${props(custom, id).RoleName as string}`;
    // The template's references, resolved as CloudFormation would.
    const resolve = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(resolve);
      if (v && typeof v === 'object') {
        const att = (v as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
        if (att) return att[0] === 'FindingsQueue' ? queueArn : roleArn(att[0]);
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
      }
      return v;
    };
    const [queuePolicy] = resourcesOfType(custom, 'AWS::SQS::QueuePolicy')
      .map(([, r]) => r.Properties as { Queues: unknown[]; PolicyDocument: unknown })
      .filter((p) => p.Queues.map(targetOf).includes('FindingsQueue'));
    // A role's session: IAM sets aws:PrincipalArn to the role's ARN (the simulator takes it as given).
    const sendAllowed = async (principalArn: string) => {
      const role = /^arn:aws:iam::\d{12}:role\/(.+)$/.exec(principalArn)?.[1];
      const response = await runSimulation(
        {
          request: {
            principal: role ? `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session` : principalArn,
            action: 'sqs:SendMessage',
            resource: { resource: queueArn, accountId: ACCOUNT },
            contextVariables: { 'aws:PrincipalArn': principalArn },
          },
          // The caller's own policies allow it: only the queue policy can stop it.
          identityPolicies: [
            {
              name: 'sqs',
              policy: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }],
              },
            },
          ],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: resolve(queuePolicy?.PolicyDocument),
        },
        {},
      );
      if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
      return response.overallResult;
    };
    for (const role of ['NotebookInstancesRole', 'StudioRole', 'TagsRole', 'SweepWorkerRole'])
      expect(await sendAllowed(roleArn(role)), role).toBe('Allowed');
    for (const forger of [
      `arn:aws:iam::${ACCOUNT}:role/DataScientist`,
      `arn:aws:iam::${ACCOUNT}:user/alice`,
      roleArn('SecurityHubRole'),
    ])
      expect(await sendAllowed(forger), forger).toBe('ExplicitlyDenied');
  });

  it.each(['sweepStart', 'sweepWorker'])(
    '%s: under 400 KB, zipped and unzipped, the HTML report and the progress bar left out',
    (fn) => {
      const zip = path.join(packaged.dir, `${fn}.zip`);
      expect(statSync(zip).size).toBeLessThan(400 * 1024);
      // The bundle itself, under the standard's 400 KB (decimal, so the KiB reading holds too).
      const BUNDLE_LIMIT = 400_000;
      const dir = fn === 'sweepStart' ? 'sweep-start' : 'sweep-worker';
      const entries = readZip(zip);
      const code =
        entries
          .find((e) => e.name === `functions/${dir}/handler.mjs`)
          ?.data()
          .toString('utf8') ?? '';
      expect(code.length).toBeGreaterThan(1000);
      expect(Buffer.byteLength(code)).toBeLessThan(BUNDLE_LIMIT);
      const map = JSON.parse(
        entries
          .find((e) => e.name === `functions/${dir}/handler.mjs.map`)
          ?.data()
          .toString('utf8') ?? '{}',
      );
      const sources: string[] = map.sources ?? [];
      expect(
        sources.some(
          (s) =>
            s.endsWith('sweep/html.ts') ||
            s.endsWith('sweep/simulate.ts') ||
            s.includes('local/aws-emulator'),
        ),
      ).toBe(false);
      expect(code).not.toContain('cli-progress');
      if (fn === 'sweepWorker') expect(sources.some((s) => s.endsWith('sweep/sweep.ts'))).toBe(true);
    },
  );
});
