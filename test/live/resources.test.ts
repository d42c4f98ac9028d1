// Live evaluation of Studio resources and tags, principal-tag derivation and KMS allowlists, through the real SDK.
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '#core/aws/clients';
import { listAllTags } from '#core/aws/sagemaker';
import {
  ACCOUNT,
  createNotebookEvent,
  type LiveWorld,
  REGION,
  sampleEvent,
  seedCompliantNotebook,
  useFreshWorldPerTest,
} from '../support/live.ts';

const currentWorld = useFreshWorldPerTest();
let world: LiveWorld;
beforeEach(() => {
  world = currentWorld();
});

const tagsOf = (tags: Array<{ Key: string; Value: string }> | undefined) =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]));

describe('Studio user profiles and domains', () => {
  it('a user profile created without studiouserid gets it, derived from its name', async () => {
    world.emulator.seed.userProfile({ domainId: 'd-abc123def456', name: 'ravi-patel', region: REGION });
    const { report } = await world
      .guardrails()
      .handle(sampleEvent('studio/create-user-profile-missing-studiouserid.json'));
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual(['tag:done', 'notify:done']);
    expect(tagsOf(world.emulator.inspect.userProfile('d-abc123def456', 'ravi-patel', REGION)?.tags)).toEqual({
      studiouserid: 'ravi-patel',
    });
    expect(world.emulator.published[0]?.subject).toMatch(
      /^\[sm-guardrails\] TAGGED user profile ravi-patel in 111122223333\/us-east-1: tag studiouserid missing$/,
    );
  });

  it('a protected tag changed by an ordinary user is reverted, and the Identity Center user is named', async () => {
    world.emulator.seed.userProfile({
      domainId: 'd-abc123def456',
      name: 'maria-garcia',
      region: REGION,
      tags: [{ Key: 'studiouserid', Value: 'someone-else' }], // the state after the offending AddTags
    });
    const event = sampleEvent('tags/add-tags-user-profile-change-studiouserid.json');
    const { report } = await world.guardrails().handle(event);
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual(['revert:done', 'notify:done']);
    expect(
      tagsOf(world.emulator.inspect.userProfile('d-abc123def456', 'maria-garcia', REGION)?.tags),
    ).toEqual({
      studiouserid: 'maria-garcia',
    });
    const actor = (event.detail as { userIdentity: { onBehalfOf: { userId: string } } }).userIdentity
      .onBehalfOf;
    const body = world.emulator.published[0]?.message ?? '';
    expect(body).toContain(`Identity Center user ${actor.userId} in arn:aws:identitystore::`);
    expect(body).toMatch(
      /^Console: {3}https:\/\/us-east-1\.console\.aws\.amazon\.com\/sagemaker\/home\?region=us-east-1#\/studio\/d-abc123def456\/user\/maria-garcia$/m,
    );
  });

  it('a domain created with the defaults is tagged and reported, never stopped', async () => {
    world.emulator.seed.domain({ domainId: 'd-sandbox00000', name: 'sandbox-studio', region: REGION });
    const event = sampleEvent('studio/create-domain-defaults.json');
    const detail = event.detail as { responseElements: Record<string, string> };
    detail.responseElements.domainArn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:domain/d-sandbox00000`;
    const { report } = await world.guardrails().handle(event);
    expect(report.violations.map((v) => v.rule)).toEqual([
      'domain-network-access',
      'domain-kms-key',
      'domain-identity-attribution',
    ]);
    expect(report.actions.map((a) => a.type)).toEqual(['tag', 'notify']);
    expect(world.emulator.published[0]?.messageAttributes).toMatchObject({
      severity: { DataType: 'String', StringValue: 'high' },
      rules: {
        DataType: 'String.Array',
        StringValue: '["domain-network-access","domain-kms-key","domain-identity-attribution"]',
      },
      resourceType: { DataType: 'String', StringValue: 'domain' },
    });
  });
});

describe('derived tags and KMS', () => {
  it("a missing project tag is filled from the creator's role tag, read once per container", async () => {
    world.emulator.seed.role({ name: 'DataScientist', tags: [{ Key: 'project', Value: 'fraud' }] });
    seedCompliantNotebook(world.emulator, 'nb-untagged', { tags: [] });
    const guardrails = world.guardrails();
    const { report } = await guardrails.handle(createNotebookEvent('nb-untagged'));
    expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual(['tag:done', 'notify:done']);
    expect(tagsOf(world.emulator.inspect.notebookInstance('nb-untagged', REGION)?.tags)).toEqual({
      project: 'fraud',
    });
    expect(world.callNames().filter((c) => c.startsWith('iam:'))).toEqual(['iam:ListRoleTags']);
    seedCompliantNotebook(world.emulator, 'nb-untagged-2', { tags: [] });
    await guardrails.handle(createNotebookEvent('nb-untagged-2'));
    expect(world.callNames().filter((c) => c.startsWith('iam:'))).toEqual(['iam:ListRoleTags']);
  });

  it("a tag removed later is not re-derived from the remover's role tag (no IAM call)", async () => {
    world.emulator.seed.role({ name: 'DataScientist', tags: [{ Key: 'project', Value: 'fraud' }] });
    seedCompliantNotebook(world.emulator, 'churn-analysis', { tags: [] }); // the state after the DeleteTags
    const event = sampleEvent('tags/delete-tags-notebook-project.json');
    const { report } = await world.guardrails().handle(event);
    expect(report.violations.map((v) => v.message)).toEqual(['tag project missing']);
    expect(world.callNames().filter((c) => c.startsWith('iam:'))).toEqual([]);
    expect(tagsOf(world.emulator.inspect.notebookInstance('churn-analysis', REGION)?.tags)).toEqual({
      'guardrails:status': 'noncompliant: required-tags',
    });
  });

  it('an IAM user creator: the tag comes from ListUserTags', async () => {
    world.emulator.seed.user({ name: 'alice', tags: [{ Key: 'project', Value: 'churn' }] });
    seedCompliantNotebook(world.emulator, 'nb-by-user', { tags: [] });
    const identity = {
      type: 'IAMUser',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      userName: 'alice',
      sessionContext: undefined,
    };
    await world.guardrails().handle(createNotebookEvent('nb-by-user', {}, identity));
    expect(world.callNames()).toContain('iam:ListUserTags');
    expect(tagsOf(world.emulator.inspect.notebookInstance('nb-by-user', REGION)?.tags)).toEqual({
      project: 'churn',
    });
  });

  it('an allowlist of alias ARNs is resolved to keys live, once per container', async () => {
    const allowed = world.emulator.seed.kmsKey({ region: REGION, aliases: ['alias/ml-notebooks'] });
    const other = world.emulator.seed.kmsKey({ region: REGION });
    const policyText = { kms: { allowedKeys: [`arn:aws:kms:${REGION}:${ACCOUNT}:alias/ml-notebooks`] } };
    const guardrails = world.guardrails({ policyText });
    seedCompliantNotebook(world.emulator, 'nb-allowed', { kmsKeyId: allowed });
    seedCompliantNotebook(world.emulator, 'nb-other', { kmsKeyId: other });
    const ok = await guardrails.handle(createNotebookEvent('nb-allowed'));
    const bad = await guardrails.handle(createNotebookEvent('nb-other'));
    expect(ok.report.verdict).toBe('compliant');
    expect(bad.report.violations.map((v) => v.message)).toEqual(['volume KMS key not on the allowlist']);
    // The key of nb-allowed, the alias, and the key of nb-other: three lookups, the alias not repeated.
    expect(world.callNames().filter((c) => c === 'kms:DescribeKey')).toHaveLength(3);
  });

  it('ListTags is read to the last page', async () => {
    const arn = seedCompliantNotebook(world.emulator, 'nb-many-tags', {
      tags: Array.from({ length: 7 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` })),
    });
    const aws = createAwsClients({
      endpoint: world.emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    const tags = await listAllTags(aws.sagemaker, arn, 3);
    expect(Object.keys(tags)).toHaveLength(7);
    expect(world.callNames()).toEqual(['sagemaker:ListTags', 'sagemaker:ListTags', 'sagemaker:ListTags']);
  });
});

describe('notification safety', () => {
  it('a tag value cannot forge lines of the message', async () => {
    // AWS tag values allow Unicode separators (\p{Z}), including U+2028 LINE SEPARATOR.
    const forged = 'dev\u2028Actor:     arn:aws:iam::999999999999:root\nfix: nothing';
    seedCompliantNotebook(world.emulator, 'nb-forged', { tags: [{ Key: 'project', Value: forged }] });
    const { report } = await world
      .guardrails({
        policyText: { requiredTags: { 'notebook-instance': { project: { values: ['dev', 'prod'] } } } },
      })
      .handle(createNotebookEvent('nb-forged'));
    expect(report.verdict).toBe('noncompliant');
    const body = world.emulator.published[0]?.message ?? '';
    const lines = body.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/);
    expect(lines.filter((l) => l.startsWith('Actor:'))).toHaveLength(1);
    expect(lines.filter((l) => l.trimStart().startsWith('fix:'))).toHaveLength(1);
  });
});

describe('convergence', () => {
  it('a flagged resource that is compliant again loses its status tag (DeleteTags), once', async () => {
    seedCompliantNotebook(world.emulator, 'nb-fixed', {
      tags: [
        { Key: 'project', Value: 'churn' },
        { Key: 'guardrails:status', Value: 'noncompliant: required-tags' },
      ],
    });
    const guardrails = world.guardrails();
    const first = await guardrails.handle(createNotebookEvent('nb-fixed'));
    expect(first.report.verdict).toBe('compliant');
    expect(first.report.actions).toEqual([{ type: 'tag', status: 'done', detail: 'tag -guardrails:status' }]);
    expect(world.callNames()).toContain('sagemaker:DeleteTags');
    expect(tagsOf(world.emulator.inspect.notebookInstance('nb-fixed', REGION)?.tags)).toEqual({
      project: 'churn',
    });
    world.emulator.clearCalls();
    const second = await guardrails.handle(createNotebookEvent('nb-fixed'));
    expect(second.report.actions).toEqual([]);
    expect(world.callNames().filter((c) => /AddTags|DeleteTags/.test(c))).toEqual([]);
  });
});
