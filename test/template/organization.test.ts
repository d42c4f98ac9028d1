// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub text, not JavaScript templates
// Organization deployment: the central stack (organizationId set) and the member template (StackSet), both
// produced offline. The bus admits the organization only; its rules are the functions' own; members forward what
// those rules match, through a role; the member role trusts only the central functions' roles, with only the calls
// they make.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLED_EVENT_NAMES } from '#core/events/normalize';
import { DEFAULT_LISTERS } from '../../sweep/listers.ts';
import {
  type CfnTemplate,
  FUNCTION_NAMES,
  FUNCTIONS,
  PACKAGE_TIMEOUT_MS,
  type Packaged,
  packageService,
  props,
  ROOT,
  resourcesOfType,
  runServerless,
  targetOf,
} from './serverless.ts';

const ORG = 'o-a1b2c3d4e5';
type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Sid?: string;
};
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const statementsOf = (template: CfnTemplate, roleId: string): Statement[] =>
  (props(template, roleId).Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
const envOf = (template: CfnTemplate, fn: (typeof FUNCTION_NAMES)[number]) =>
  (props(template, FUNCTIONS[fn]).Environment as { Variables: Record<string, unknown> }).Variables;
const roleOf = (template: CfnTemplate, fn: (typeof FUNCTION_NAMES)[number]) =>
  targetOf(props(template, FUNCTIONS[fn]).Role) ?? '';

let single: Packaged;
let central: Packaged;
let member: CfnTemplate;
beforeAll(async () => {
  [single, central] = await Promise.all([
    packageService(),
    packageService([`--param=organizationId=${ORG}`, '--stage', 'prod', '--region', 'eu-west-1']),
  ]);
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'sm-guardrails-member-')), 'member.json');
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/member-template.ts', out], { cwd: ROOT });
  member = JSON.parse(readFileSync(out, 'utf8')) as CfnTemplate;
}, PACKAGE_TIMEOUT_MS);

/** The rules on a bus (undefined: the default bus) and the function each targets. */
function rules(template: CfnTemplate, bus: string | undefined) {
  return (
    resourcesOfType(template, 'AWS::Events::Rule')
      .map(([, r]) => r.Properties ?? {})
      // Event-pattern rules: the sweep's schedule is a rule too, of the central stack only.
      .filter((p) => p.EventPattern !== undefined)
      .filter((p) => targetOf(p.EventBusName) === bus && (bus !== undefined || p.EventBusName === undefined))
      .map((p) => ({
        pattern: p.EventPattern,
        target: targetOf((p.Targets as Array<{ Arn: unknown }>)[0]?.Arn),
      }))
  );
}

describe('single-account default', () => {
  it('has no organization bus, denies AssumeRole and names no member role', () => {
    expect(resourcesOfType(single.template, 'AWS::Events::EventBus')).toEqual([]);
    for (const fn of FUNCTION_NAMES) {
      expect(envOf(single.template, fn).SM_GUARDRAILS_MEMBER_ROLE_NAME).toBe('');
      const assume = statementsOf(single.template, roleOf(single.template, fn)).filter((s) =>
        actions(s).includes('sts:AssumeRole'),
      );
      expect(assume).toEqual([{ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }]);
    }
  });
});

describe('central stack', () => {
  it('has a bus whose policy admits the organization only', () => {
    const [[busId] = []] = resourcesOfType(central.template, 'AWS::Events::EventBus');
    expect(busId).toBeDefined();
    const policies = resourcesOfType(central.template, 'AWS::Events::EventBusPolicy').map(
      ([, r]) => r.Properties,
    );
    expect(policies).toHaveLength(1);
    expect(targetOf(policies[0]?.EventBusName)).toBe(busId);
    expect(policies[0]?.Statement).toEqual({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    });
    expect(central.template.Outputs?.OrganizationEventBusArn).toEqual({
      Description: expect.any(String),
      Value: { 'Fn::GetAtt': [busId, 'Arn'] },
    });
  });

  it('has on the bus the same rules, to the same functions, as on the default bus, each allowed to invoke', () => {
    const [[busId = ''] = []] = resourcesOfType(central.template, 'AWS::Events::EventBus');
    const onDefault = rules(central.template, undefined);
    const onBus = rules(central.template, busId);
    expect(onDefault.length).toBe(4);
    expect(onBus).toEqual(onDefault);
    const permitted = resourcesOfType(central.template, 'AWS::Lambda::Permission')
      .map(([, r]) => targetOf(r.Properties?.SourceArn))
      .filter(
        (id) => id && (central.template.Resources[id]?.Properties?.EventBusName as unknown) !== undefined,
      );
    expect(permitted).toHaveLength(onBus.length);
  });

  it('lets the functions assume the member role in the organization only, and tells them its name', () => {
    for (const fn of FUNCTION_NAMES) {
      expect(envOf(central.template, fn).SM_GUARDRAILS_MEMBER_ROLE_NAME).toBe('sm-guardrails-member');
      const assume = statementsOf(central.template, roleOf(central.template, fn)).filter((s) =>
        actions(s).includes('sts:AssumeRole'),
      );
      expect(assume).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/sm-guardrails-member' },
          Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
        },
      ]);
    }
  });

  it(
    'refuses an organizationId that is not one, and a member role the default policy would not ignore',
    async () => {
      const bad = await runServerless([
        'package',
        '--package',
        mkdtempSync(path.join(tmpdir(), 'x-')),
        '--param=organizationId=acme',
      ]);
      expect(bad.code).not.toBe(0);
      expect(bad.output).toContain(
        'stage param "organizationId": not an AWS Organizations id (o-...): "acme"',
      );
      const role = await runServerless([
        'package',
        '--package',
        mkdtempSync(path.join(tmpdir(), 'x-')),
        `--param=organizationId=${ORG}`,
        '--param=memberRoleName=auditor',
      ]);
      expect(role.code).not.toBe(0);
      expect(role.output).toContain('stage param "memberRoleName": must start with sm-guardrails-');
    },
    PACKAGE_TIMEOUT_MS,
  );
});

describe('member template', () => {
  const resource = (id: string) =>
    member.Resources[id] as { Properties: Record<string, unknown>; Condition?: string };

  it('forwards exactly what the central rules match, to the central bus, through a role', () => {
    const forwardApi = resource('ForwardApiCalls').Properties;
    const forwardState = resource('ForwardStateChanges').Properties;
    const centralNames = rules(central.template, undefined)
      .map((r) => r.pattern as { 'detail-type': string[]; detail?: { eventName?: string[] } })
      .filter((p) => p['detail-type'].includes('AWS API Call via CloudTrail'))
      .flatMap((p) => p.detail?.eventName ?? []);
    const pattern = forwardApi.EventPattern as { detail: { eventName: string[] } };
    expect([...pattern.detail.eventName].sort()).toEqual([...new Set(centralNames)].sort());
    expect([...pattern.detail.eventName].sort()).toEqual([...HANDLED_EVENT_NAMES].sort());
    expect(forwardApi.EventPattern).toMatchObject({
      source: ['aws.sagemaker'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['sagemaker.amazonaws.com'], errorCode: [{ exists: false }] },
    });
    expect(forwardState.EventPattern).toEqual({
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Notebook Instance State Change'],
    });
    for (const rule of [forwardApi, forwardState]) {
      expect(rule.Targets).toEqual([
        {
          Id: 'central-bus',
          Arn: { Ref: 'CentralEventBusArn' },
          RoleArn: { 'Fn::GetAtt': ['ForwardingRole', 'Arn'] },
        },
      ]);
    }
    const role = resource('ForwardingRole').Properties;
    expect(role.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    const statements = (role.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap(
      (p) => p.PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'CentralEventBusArn' } },
    ]);
  });

  it('creates the member role in one region per account, trusted only by the central functions’ roles', () => {
    const role = resource('MemberRole');
    expect(role.Condition).toBe('CreateMemberRole');
    expect(member).toMatchObject({
      Conditions: {
        CreateMemberRole: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'MemberRoleRegion' }] },
      },
    });
    expect(role.Properties.RoleName).toEqual({ Ref: 'MemberRoleName' });
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${CentralAccountId}:root' } },
          Action: 'sts:AssumeRole',
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': {
                'Fn::Sub':
                  'arn:${AWS::Partition}:iam::${CentralAccountId}:role/sm-guardrails-${Stage}-${CentralRegion}-*',
              },
            },
          },
        },
      ],
    });
    // The central roles the trust names: the pattern matches each of them, with the central stage and region.
    for (const fn of FUNCTION_NAMES) {
      const name = props(central.template, roleOf(central.template, fn)).RoleName as string;
      expect(name).toMatch(/^sm-guardrails-prod-eu-west-1-/);
    }
  });

  it('grants the member role exactly the SageMaker, KMS and IAM calls the central functions make', () => {
    const role = resource('MemberRole').Properties;
    const granted = (role.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>)
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((s) => s.Effect === 'Allow')
      .flatMap(actions);
    // The event functions, the sweep worker and the Security Hub importer act through the member role.
    const centralRoles = [
      ...FUNCTION_NAMES.map((fn) => roleOf(central.template, fn)),
      'SweepWorkerRole',
      'SecurityHubRole',
    ];
    const centralActions = centralRoles
      .flatMap((role) => statementsOf(central.template, role))
      .filter((s) => s.Effect === 'Allow')
      .flatMap(actions)
      .filter((a) => /^(sagemaker|iam|securityhub):/.test(a) || a === 'kms:DescribeKey');
    expect([...new Set(granted)].sort()).toEqual([...new Set(centralActions)].sort());
    expect(granted.some((a) => a.includes('*'))).toBe(false);
    for (const lister of DEFAULT_LISTERS) expect(granted).toContain(lister.action);
    expect(granted).toEqual(
      expect.arrayContaining(['securityhub:BatchImportFindings', 'securityhub:GetFindings']),
    );
  });
});
