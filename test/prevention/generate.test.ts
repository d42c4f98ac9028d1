import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, policySchema, RULE_IDS } from '#core/policy';
import {
  GenerationError,
  generatePolicies,
  MANAGED_POLICY_MAX_SIZE,
  SCP_MAX_SIZE,
  scpSize,
  splitStatements,
} from '../../prevention/generate.ts';
import type { AuthorizationRequest } from '../../prevention/request-context.ts';
import {
  denyStatements,
  type PolicyDocument,
  ruleOfSid,
  type Statement,
  studioAccessPolicy,
} from '../../prevention/statements.ts';
import { validatePolicyDocument } from '../../prevention/validate.ts';
import { runCli } from '../support/cli.ts';
import { decide } from '../support/iam-simulation.ts';

const doc = (...statements: Statement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});
const statement = (action: string, condition: Statement['Condition']): Statement => ({
  Sid: 'Probe',
  Effect: 'Deny',
  Action: action,
  Resource: '*',
  Condition: condition,
});

describe('validatePolicyDocument: actions and keys as AWS publishes them', () => {
  it('accepts every generated statement, for the default policy', async () => {
    expect(
      await validatePolicyDocument(doc(...denyStatements(DEFAULT_POLICY).map((p) => p.statement))),
    ).toEqual([]);
    expect(await validatePolicyDocument(studioAccessPolicy(DEFAULT_POLICY))).toEqual([]);
  });

  it('catches a misspelled key, a key the action does not carry, a deprecated key and an unknown action', async () => {
    const problems = await validatePolicyDocument(
      doc(
        statement('sagemaker:CreateNotebookInstance', {
          StringNotEquals: { 'sagemaker:DirectInternetAcces': 'Disabled' },
        }),
        {
          ...statement('sagemaker:UpdateNotebookInstance', { Null: { 'sagemaker:VpcSubnets': 'true' } }),
          Sid: 'B',
        },
        { ...statement('sagemaker:CreateDomain', { Null: { 'sagemaker:VolumeKmsKey': 'true' } }), Sid: 'C' },
        { ...statement('sagemaker:CreateNotebookInstanc', {}), Sid: 'D' },
        { ...statement('sagemaker:DeleteTags', { Null: { 'aws:RequestTag/x': 'true' } }), Sid: 'E' },
        { ...statement('sagemaker:AddTags', {}), Sid: 'Not-Alnum' },
      ),
    );
    expect(problems).toEqual([
      'statement Probe: sagemaker:CreateNotebookInstance has no condition key sagemaker:DirectInternetAcces',
      'statement B: sagemaker:UpdateNotebookInstance has no condition key sagemaker:VpcSubnets',
      'statement C: sagemaker:VolumeKmsKey is deprecated (use the ...KmsKeyArn key)',
      'statement C: sagemaker:CreateDomain has no condition key sagemaker:VolumeKmsKey',
      'statement D: unknown action sagemaker:CreateNotebookInstanc',
      'statement E: sagemaker:DeleteTags has no condition key aws:RequestTag/x',
      'statement Not-Alnum: a Sid takes only letters and digits',
    ]);
  });

  it('accepts global keys and tag keys where the action lists them', async () => {
    expect(
      await validatePolicyDocument(
        doc(
          statement('sagemaker:AddTags', {
            ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/x' },
            'ForAnyValue:StringEquals': { 'aws:TagKeys': 'k' },
            StringEquals: { 'aws:RequestTag/k': 'v' },
          }),
        ),
      ),
    ).toEqual([]);
  });
});

describe('generated statements', () => {
  it('every Sid names the rule it comes from', () => {
    for (const { rule, statement } of denyStatements(DEFAULT_POLICY)) {
      expect(ruleOfSid(statement.Sid, RULE_IDS), statement.Sid).toBe(rule);
    }
  });

  it('update statements never deny a call that leaves the setting alone (absent on update = unchanged)', () => {
    for (const { statement } of denyStatements(DEFAULT_POLICY).filter((p) =>
      /Update/.test(String(p.statement.Action)),
    )) {
      const keys = Object.keys(statement.Condition?.StringNotEquals ?? {});
      expect(keys.length, statement.Sid).toBeGreaterThan(0);
      for (const key of keys) expect(statement.Condition?.Null?.[key], statement.Sid).toBe('false');
    }
  });

  it('switching a requirement off removes its statements', () => {
    const off = policySchema.parse({
      notebook: { requireRootAccessDisabled: false },
      domain: { requireVpcOnly: false },
    });
    const sids = denyStatements(off).map((p) => p.statement.Sid);
    expect(sids.filter((sid) => /^(NotebookRootAccess|DomainNetworkAccess)/.test(sid))).toEqual([]);
    expect(sids).toContain('NotebookDirectInternetAccessCreate');
  });

  it("generates issue 12's IMDSv2 statements: the core has the notebook-imdsv2 rule", async () => {
    const withRule = {
      ...DEFAULT_POLICY,
      actions: { ...DEFAULT_POLICY.actions, 'notebook-imdsv2': ['notify'] },
    };
    const imds = denyStatements(withRule as typeof DEFAULT_POLICY).filter(
      (p) => p.rule === 'notebook-imdsv2',
    );
    expect(imds.map((p) => p.statement.Sid)).toEqual(['NotebookImdsv2Create', 'NotebookImdsv2Update']);
    expect(await validatePolicyDocument(doc(...imds.map((p) => p.statement)))).toEqual([]);
    expect(denyStatements(DEFAULT_POLICY).some((p) => p.rule === 'notebook-imdsv2')).toBe(true);
  });

  it('the break-glass exclusion is on every Deny, merged with the principals a statement already excepts', () => {
    const policy = policySchema.parse({
      prevention: { breakGlassPrincipals: ['arn:aws:iam::*:role/BreakGlass'] },
    });
    for (const { statement } of denyStatements(policy)) {
      expect(statement.Condition?.ArnNotLike?.['aws:PrincipalArn'], statement.Sid).toContain(
        'arn:aws:iam::*:role/BreakGlass',
      );
    }
    const addTags = denyStatements(policy).find((p) => p.statement.Sid === 'ProtectedTagChangeAddTags');
    expect(addTags?.statement.Condition?.ArnNotLike?.['aws:PrincipalArn']).toEqual([
      'arn:*:iam::*:role/sm-guardrails-*',
      'arn:aws:iam::*:role/BreakGlass',
    ]);
  });
});

describe('sizes as AWS measures them', () => {
  it('the default policy fits two SCPs (one until issue 12 added the IMDSv2 and Studio tag statements)', async () => {
    const { files } = await generatePolicies(DEFAULT_POLICY);
    const scps = files.filter((f) => f.name.startsWith('scp'));
    expect(scps.map((f) => f.name)).toEqual(['scp-1.json', 'scp-2.json']);
    for (const scp of scps) {
      // Written minified and without a trailing newline: what the CLI sends is what is measured.
      expect(scp.content).toBe(JSON.stringify(JSON.parse(scp.content)));
      expect(Buffer.byteLength(scp.content)).toBeLessThanOrEqual(SCP_MAX_SIZE);
    }
  });

  it('a large policy splits into scp-1.json, scp-2.json..., each within 5,120 characters, no statement lost', async () => {
    const keys = Array.from(
      { length: 40 },
      (_, i) =>
        `arn:aws:kms:us-east-1:111122223333:key/${String(i).padStart(8, '0')}-1111-2222-3333-444444444444`,
    );
    const policy = policySchema.parse({
      kms: { allowedKeys: keys.slice(0, 30) },
      requiredTags: { domain: { owner: {}, 'cost-center': { values: ['a', 'b', 'c'] } } },
    });
    const { files } = await generatePolicies(policy);
    const scps = files.filter((f) => f.name.startsWith('scp'));
    expect(scps.length).toBeGreaterThan(1);
    expect(scps.map((f) => f.name)).toEqual(scps.map((_, i) => `scp-${i + 1}.json`));
    for (const file of scps)
      expect(Buffer.byteLength(file.content), file.name).toBeLessThanOrEqual(SCP_MAX_SIZE);
    const sids = scps.flatMap((f) => (JSON.parse(f.content) as PolicyDocument).Statement.map((s) => s.Sid));
    expect(sids).toEqual(denyStatements(policy).map((p) => p.statement.Sid));
    const identity = files.filter((f) => f.name.startsWith('identity-policy'));
    for (const file of identity) {
      expect(JSON.stringify(JSON.parse(file.content)).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_SIZE);
    }
  });

  it('a single statement over the limit is an error naming it, not a silently invalid SCP', () => {
    const huge = statement('sagemaker:CreateNotebookInstance', {
      ArnNotLike: {
        'sagemaker:VolumeKmsKeyArn': Array.from({ length: 100 }, (_, i) =>
          `arn:aws:kms:*:*:key/${i}`.padEnd(80, 'x'),
        ),
      },
    });
    expect(() => splitStatements([huge], SCP_MAX_SIZE, scpSize)).toThrow(GenerationError);
    expect(() => splitStatements([huge], SCP_MAX_SIZE, scpSize)).toThrow(
      /statement Probe alone is \d+ characters/,
    );
  });

  it('counts bytes, not UTF-16 units: a non-ASCII tag value cannot slip past the limit', () => {
    const value = 'é'.repeat(3000);
    const s = statement('sagemaker:CreateNotebookInstance', {
      StringNotEquals: { 'aws:RequestTag/k': value },
    });
    expect(JSON.stringify(doc(s)).length).toBeLessThan(SCP_MAX_SIZE);
    expect(() => splitStatements([s], SCP_MAX_SIZE, scpSize)).toThrow(GenerationError);
  });

  it('the prevention section chooses the parts written', async () => {
    const policy = policySchema.parse({ prevention: { generate: ['studio-access-policy'] } });
    const { files } = await generatePolicies(policy);
    expect(files.map((f) => f.name)).toEqual(['studio-access-policy.json', 'coverage.md']);
  });
});

describe('studio-access-policy.json: a user opens only the Studio profile tagged with their own id', () => {
  const profile = 'arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc123def456/maria-garcia';
  const request = (context: Record<string, string>): AuthorizationRequest => ({
    action: 'sagemaker:CreatePresignedDomainUrl',
    resource: profile,
    principal: 'arn:aws:sts::111122223333:assumed-role/DataScientist/maria',
    account: '111122223333',
    context: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/DataScientist', ...context },
  });
  const tagged = (resource: string | undefined, principal: string | undefined) => ({
    ...(resource === undefined
      ? {}
      : { 'sagemaker:ResourceTag/studiouserid': resource, 'aws:ResourceTag/studiouserid': resource }),
    ...(principal === undefined ? {} : { 'aws:PrincipalTag/studiouserid': principal }),
  });
  // Attached as an identity policy: it both grants the caller's own profile and denies every other.
  const identityOnly = async (policy: PolicyDocument, context: Record<string, string>) => {
    const { runSimulation } = await import('@cloud-copilot/iam-simulate');
    const response = await runSimulation(
      {
        request: {
          principal: request(context).principal,
          action: 'sagemaker:CreatePresignedDomainUrl',
          resource: { resource: profile, accountId: '111122223333' },
          contextVariables: request(context).context,
        },
        identityPolicies: [{ name: 'studio', policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
    return response.overallResult;
  };

  it('allows the own profile, denies another, denies a caller without the principal tag and an untagged profile', async () => {
    const policy = studioAccessPolicy(DEFAULT_POLICY);
    expect(await identityOnly(policy, tagged('maria.garcia', 'maria.garcia'))).toBe('Allowed');
    expect(await identityOnly(policy, tagged('maria.garcia', 'chen.wei'))).toBe('ExplicitlyDenied');
    expect(await identityOnly(policy, tagged('maria.garcia', undefined))).toBe('ExplicitlyDenied');
    expect(await identityOnly(policy, tagged(undefined, 'maria.garcia'))).toBe('ExplicitlyDenied');
  });

  it('the Denies stand also next to a broader grant (e.g. AmazonSageMakerFullAccess)', async () => {
    const policy = studioAccessPolicy(DEFAULT_POLICY);
    const result = await decide(request(tagged('maria.garcia', 'chen.wei')), [policy], 'identity');
    expect(result.result).toBe('ExplicitlyDenied');
  });

  it('with requireMfa: no MFA or a stale one is denied; a fresh one passes', async () => {
    const policy = studioAccessPolicy(
      policySchema.parse({ prevention: { requireMfa: true, mfaMaxAgeSeconds: 900 } }),
    );
    const own = tagged('maria.garcia', 'maria.garcia');
    expect(await identityOnly(policy, own)).toBe('ExplicitlyDenied');
    expect(await identityOnly(policy, { ...own, 'aws:MultiFactorAuthAge': '1200' })).toBe('ExplicitlyDenied');
    expect(await identityOnly(policy, { ...own, 'aws:MultiFactorAuthAge': '60' })).toBe('Allowed');
    expect(await validatePolicyDocument(policy)).toEqual([]);
  });

  it('uses the tag key the policy names', () => {
    const policy = studioAccessPolicy(policySchema.parse({ prevention: { studioUserTagKey: 'owner-id' } }));
    expect(JSON.stringify(policy)).toContain('sagemaker:ResourceTag/owner-id');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template.
    expect(JSON.stringify(policy)).toContain('${aws:PrincipalTag/owner-id}');
    expect(JSON.stringify(policy)).not.toContain('studiouserid');
  });
});

describe('sm-guardrails generate-policies', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sm-guardrails-prevention-'));

  it("writes the default policy's documents, each valid JSON within its limit", () => {
    const out = join(tmp, 'default');
    const run = runCli(['generate-policies', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'coverage.md',
      'identity-policy.json',
      'scp-1.json',
      'scp-2.json',
      'studio-access-policy.json',
    ]);
    for (const name of ['scp-1.json', 'scp-2.json']) {
      const scp = readFileSync(join(out, name), 'utf8');
      expect(Buffer.byteLength(scp)).toBeLessThanOrEqual(SCP_MAX_SIZE);
      expect((JSON.parse(scp) as PolicyDocument).Statement.every((s) => s.Effect === 'Deny')).toBe(true);
    }
    const coverage = readFileSync(join(out, 'coverage.md'), 'utf8');
    expect(coverage).toContain('`user-profile-execution-role`');
    expect(coverage).toContain('`NotebookDirectInternetAccessCreate`');
  });

  it("writes a custom policy's documents, and removes SCP parts a previous run left", () => {
    const out = join(tmp, 'custom');
    const config = join(tmp, 'custom.yml');
    const keys = Array.from(
      { length: 30 },
      (_, i) =>
        `    - arn:aws:kms:us-east-1:111122223333:key/${String(i).padStart(8, '0')}-1111-2222-3333-444444444444`,
    );
    writeFileSync(
      config,
      [
        'requiredTags:',
        '  domain:',
        "    owner: { pattern: '^[a-z]+$' }",
        'kms:',
        '  allowedKeys:',
        ...keys,
        'prevention:',
        '  breakGlassPrincipals: [arn:aws:iam::111122223333:role/BreakGlass]',
        '  requireMfa: true',
      ].join('\n'),
    );
    const first = runCli(['generate-policies', '--config', config, '--out', out]);
    expect(first.status).toBe(0);
    const parts = readdirSync(out).filter((f) => f.startsWith('scp-'));
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts)
      expect(Buffer.byteLength(readFileSync(join(out, part)))).toBeLessThanOrEqual(SCP_MAX_SIZE);
    expect(readFileSync(join(out, 'studio-access-policy.json'), 'utf8')).toContain('aws:MultiFactorAuthAge');
    expect(readFileSync(join(out, 'coverage.md'), 'utf8')).toContain('/^[a-z]+$/');

    const second = runCli(['generate-policies', '--out', out]);
    expect(second.status).toBe(0);
    // The default policy takes two parts: the third and later parts of the first run are gone.
    expect(
      readdirSync(out)
        .filter((f) => f.startsWith('scp'))
        .sort(),
    ).toEqual(['scp-1.json', 'scp-2.json']);
  });

  it('a bad policy file: one line per problem, exit 2, nothing written', () => {
    const config = join(tmp, 'bad.yml');
    writeFileSync(config, 'prevention:\n  requireMfa: sometimes\n  breakGlass: []\n');
    const out = join(tmp, 'bad');
    const run = runCli(['generate-policies', '--config', config, '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${config}: prevention: unknown field "breakGlass"`);
    expect(run.stderr).toContain(`${config}: prevention.requireMfa:`);
    expect(existsSync(out)).toBe(false);
  });
});
