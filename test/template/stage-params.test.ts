// The stage params of serverless.yml and the package-time checks of scripts/deploy-config.cjs: another stage
// with its own params packages to a template that uses them; bad inputs fail `serverless package`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicyJson } from '#core/policy';
import { runCli } from '../support/cli.ts';
import {
  FUNCTION_NAMES,
  FUNCTIONS,
  PACKAGE_TIMEOUT_MS,
  type Packaged,
  packagedPolicy,
  packageService,
  props,
  type RunResult,
  resourcesOfType,
  runServerless,
  targetOf,
} from './serverless.ts';

const deployConfig = createRequire(import.meta.url)('../../scripts/deploy-config.cjs') as {
  policyJsonFromFile(file: string): Promise<string>;
  subscriptionResources(list: string): {
    Resources?: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  isInvokeLocal(argv: string[]): boolean;
};

const scratch = mkdtempSync(path.join(tmpdir(), 'sm-guardrails-params-'));
const writeScratch = (name: string, text: string): string => {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
};

// A stricter prod policy of about 20 KB: far over Lambda's 4 KB of environment variables.
const TEAM_ROLES = Array.from({ length: 450 }, (_, i) => `arn:aws:iam::123456789012:role/team-${i}-studio`);
const PROD_POLICY = `# a stricter prod policy
mode: enforce
kms:
  allowedKeys:
    - arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
userProfile:
  allowedExecutionRoles:
    - 'arn:aws:iam::*:role/studio-*'
${TEAM_ROLES.map((role) => `    - ${role}`).join('\n')}
`;

describe('another stage with its own params', () => {
  let prod: Packaged;
  beforeAll(async () => {
    prod = await packageService([
      '--stage',
      'prod',
      '--region',
      'eu-west-1',
      '--param=alertEmails=secops@example.com, ml-admins@example.com,secops@example.com',
      '--param=mode=report',
      `--param=policyFile=${writeScratch('prod.policy.yml', PROD_POLICY)}`,
      '--param=chatSlack=T0123ABCD/C0456EFGH',
      '--param=chatTeams=tenant-1/team-2/channel-3',
      '--param=securityHub=true',
    ]);
  }, PACKAGE_TIMEOUT_MS);

  it('securityHub=true: every event function sends its report, on success, to the findings queue', () => {
    const configs = resourcesOfType(prod.template, 'AWS::Lambda::EventInvokeConfig').map(
      ([, r]) => r.Properties?.DestinationConfig as Record<string, { Destination: unknown }>,
    );
    expect(configs).toHaveLength(3);
    for (const c of configs) {
      expect(targetOf(c.OnSuccess?.Destination)).toBe('FindingsQueue');
      expect(targetOf(c.OnFailure?.Destination)).toBe('FailedEventsQueue');
    }
  });

  it('subscribes each alert email once to the alert topic', () => {
    const subscriptions = resourcesOfType(prod.template, 'AWS::SNS::Subscription').map(
      ([, r]) => r.Properties,
    );
    expect(subscriptions.map((s) => s?.Endpoint).sort()).toEqual([
      'ml-admins@example.com',
      'secops@example.com',
    ]);
    for (const s of subscriptions)
      expect(s).toMatchObject({ Protocol: 'email', TopicArn: { Ref: 'AlertTopic' } });
  });

  it('passes the mode and the chosen policy file, 20 KB of it, to every function', () => {
    for (const fn of FUNCTION_NAMES) {
      const env = (props(prod.template, FUNCTIONS[fn]).Environment as { Variables: Record<string, string> })
        .Variables;
      expect(env.SM_GUARDRAILS_MODE).toBe('report');
      const { file, json } = packagedPolicy(prod, fn);
      expect(Buffer.byteLength(json)).toBeGreaterThan(20_000);
      const policy = parsePolicyJson(json, file);
      expect(policy.kms.allowedKeys).toHaveLength(1);
      expect(policy.userProfile.allowedExecutionRoles).toEqual([
        'arn:aws:iam::*:role/studio-*',
        ...TEAM_ROLES,
      ]);
      expect(policy.notebook).toEqual(DEFAULT_POLICY.notebook);
      // Only what the file says travels: settings left at their defaults stay out.
      expect(JSON.parse(json)).not.toHaveProperty('notebook');
    }
  });

  it('the same 20 KB policy passes check-config', () => {
    const run = runCli(['check-config', writeScratch('prod-check.policy.yml', PROD_POLICY)]);
    expect(run).toMatchObject({ status: 0, stderr: '' });
  });

  it('sends alerts to the chat channels through AWS Chatbot, on an encrypted chat topic', () => {
    const chatbot = resourcesOfType(prod.template, 'AWS::Chatbot::SlackChannelConfiguration');
    expect(chatbot.map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({
        ConfigurationName: 'sm-guardrails-prod-slack',
        SlackWorkspaceId: 'T0123ABCD',
        SlackChannelId: 'C0456EFGH',
        SnsTopicArns: [{ Ref: 'ChatTopic' }],
        IamRoleArn: { 'Fn::GetAtt': ['ChatbotRole', 'Arn'] },
      }),
    ]);
    const teams = resourcesOfType(prod.template, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration');
    expect(teams.map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({ TeamsTenantId: 'tenant-1', TeamId: 'team-2', TeamsChannelId: 'channel-3' }),
    ]);
    expect(props(prod.template, 'ChatTopic')).toMatchObject({
      TopicName: 'sm-guardrails-prod-chat',
      KmsMasterKeyId: { Ref: 'AlertTopicKey' },
    });
    // Notifications only: the AWS Chatbot role has no permissions.
    expect(props(prod.template, 'ChatbotRole').Policies).toBeUndefined();
    expect(props(prod.template, 'ChatbotRole').ManagedPolicyArns).toBeUndefined();
    for (const fn of FUNCTION_NAMES) {
      const env = (props(prod.template, FUNCTIONS[fn]).Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(env.SM_GUARDRAILS_CHAT_TOPIC_ARN).toEqual({ Ref: 'ChatTopic' });
      expect(env.SM_GUARDRAILS_STAGE).toBe('prod');
    }
  });

  it('names the stage and region in functions, roles, queues and the topic', () => {
    expect(props(prod.template, FUNCTIONS.tags).FunctionName).toBe('sm-guardrails-prod-tags');
    const roles = resourcesOfType(prod.template, 'AWS::IAM::Role')
      .filter(([id]) => id !== 'ChatbotRole')
      .map(([, r]) => r.Properties?.RoleName);
    expect(roles.sort()).toEqual([
      'sm-guardrails-prod-eu-west-1-notebooks',
      'sm-guardrails-prod-eu-west-1-recheck',
      'sm-guardrails-prod-eu-west-1-security-hub',
      'sm-guardrails-prod-eu-west-1-studio',
      'sm-guardrails-prod-eu-west-1-sweep',
      'sm-guardrails-prod-eu-west-1-sweep-start',
      'sm-guardrails-prod-eu-west-1-tags',
    ]);
    expect(props(prod.template, 'AlertTopic').TopicName).toBe('sm-guardrails-prod-alerts');
    expect(props(prod.template, 'RecheckQueue').QueueName).toBe('sm-guardrails-prod-recheck');
    expect(props(prod.template, 'SweepQueue').QueueName).toBe('sm-guardrails-prod-sweep');
    expect(props(prod.template, 'FindingsQueue').QueueName).toBe('sm-guardrails-prod-findings');
    expect(props(prod.template, 'Dashboard').DashboardName).toBe('sm-guardrails-prod');
    expect(props(prod.template, 'Dashboard').DashboardBody).toContain('"stage","prod"');
  });
});

describe('package-time checks', () => {
  let failed: RunResult;
  let badPolicy: string;
  beforeAll(async () => {
    badPolicy = writeScratch(
      'bad.policy.yml',
      'mode: enforce\nnotebook:\n  requireSubnet: "yes"\n  requireVpc: true\n',
    );
    // serverless reports every variable it could not resolve, so one run checks the three inputs.
    failed = await runServerless([
      'package',
      '--package',
      path.join(scratch, 'never'),
      `--param=policyFile=${badPolicy}`,
      '--param=mode=strict',
      '--param=alertEmails=secops@example.com,not-an-email',
      '--param=chatSlack=only-a-workspace',
      '--param=securityHub=yes',
    ]);
  }, PACKAGE_TIMEOUT_MS);

  it('fails the package, naming the policy file, each bad field and why', () => {
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain(`invalid guardrails policy ${badPolicy} (2 problems)`);
    expect(failed.output).toMatch(/notebook\.requireSubnet: .*expected boolean/);
    expect(failed.output).toContain('notebook: unknown field "requireVpc"');
  });

  it('rejects an unknown mode and a malformed alert email', () => {
    expect(failed.output).toContain('stage param "mode": must be enforce, report or empty');
    expect(failed.output).toContain('"strict"');
    expect(failed.output).toContain('stage param "alertEmails": not an email address: "not-an-email"');
    expect(failed.output).not.toContain('"secops@example.com"');
    expect(failed.output).toContain(
      'stage param "chatSlack": "<workspace id>/<channel id>", not "only-a-workspace"',
    );
    expect(failed.output).toContain('stage param "securityHub": true or false, not "yes"');
  });

  it('reports a YAML syntax error with its line, and a missing file', async () => {
    await expect(
      deployConfig.policyJsonFromFile(writeScratch('broken.yml', 'mode: enforce\nnotebook: [\n')),
    ).rejects.toThrow(/broken\.yml \(1 problem\):\s+line \d+: /);
    await expect(deployConfig.policyJsonFromFile(path.join(scratch, 'missing.yml'))).rejects.toThrow(
      /missing\.yml: cannot read the policy file \(ENOENT\)/,
    );
  });

  it('check-config rejects what packaging rejects, with the same lines', async () => {
    const run = runCli(['check-config', badPolicy]);
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.startsWith(`${badPolicy}: `)).toBe(true);
      expect(failed.output).toContain(line.slice(`${badPolicy}: `.length));
    }
  });
});

describe('deploy-config resolvers', () => {
  it('makes no subscription for an empty list and one per distinct address otherwise', () => {
    expect(deployConfig.subscriptionResources('')).toEqual({});
    expect(deployConfig.subscriptionResources(' , ')).toEqual({});
    const { Resources = {} } = deployConfig.subscriptionResources(
      'a@example.com,b@example.org, a@example.com',
    );
    expect(Object.keys(Resources)).toHaveLength(2);
    for (const id of Object.keys(Resources)) expect(id).toMatch(/^AlertEmailSubscription[0-9a-f]{12}$/);
    // Ids depend on the address only, so editing the list does not replace the other subscriptions.
    const alone = deployConfig.subscriptionResources('b@example.org').Resources ?? {};
    expect(Object.keys(Resources)).toContain(Object.keys(alone)[0]);
  });

  it('recognises `serverless invoke local` only', () => {
    expect(deployConfig.isInvokeLocal(['node', 'sls', 'invoke', 'local', '-f', 'tags'])).toBe(true);
    expect(deployConfig.isInvokeLocal(['node', 'sls', '--stage', 'x', 'invoke', 'local'])).toBe(true);
    expect(deployConfig.isInvokeLocal(['node', 'sls', 'invoke', '-f', 'local'])).toBe(false);
    expect(deployConfig.isInvokeLocal(['node', 'sls', 'invoke', '-f', 'tags'])).toBe(false);
    expect(deployConfig.isInvokeLocal(['node', 'sls', 'package'])).toBe(false);
  });
});
