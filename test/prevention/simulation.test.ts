// The proof that the two layers agree: every sample event (and single-setting variants of the compliant ones) is
// judged by the core, offline, and its API call is evaluated by a real IAM evaluator against the generated SCP
// and identity policy. A call is denied exactly when the core finds a violation the coverage says is preventable.
import { beforeAll, describe, expect, it } from 'vitest';
import { assessEvent, offlineStateSource } from '#core/pipeline';
import { type Policy, policySchema } from '#core/policy';
import { actorMatches } from '#core/tag-values';
import { isPrevented } from '../../prevention/coverage.ts';
import { mapRequest } from '../../prevention/request-context.ts';
import {
  actionsOf,
  denyStatements,
  type PolicyDocument,
  type Statement,
} from '../../prevention/statements.ts';
import { callDenied, type Layer } from '../support/iam-simulation.ts';
import { type Json, loadSample, sampleEventFiles } from '../support/sample-events.ts';

const load = loadSample;

interface Case {
  name: string;
  event: Json;
}

function variant(file: string, name: string, edit: (params: Json, detail: Json) => void): Case {
  const event = structuredClone(load(file));
  edit(event.detail.requestParameters, event.detail);
  return { name: `${file} [${name}]`, event };
}

const NOTEBOOK = 'notebook-instance/create-compliant.json';
const DOMAIN = 'studio/create-domain-compliant.json';
const PROFILE = 'studio/create-user-profile-compliant.json';
const tag = (key: string, value: string) => ({ key, value });
const OTHER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/00000000-1111-2222-3333-444444444444';
const BREAK_GLASS_ROLE = 'arn:aws:iam::111122223333:role/BreakGlass';

function asRole(detail: Json, roleArn: string) {
  const name = roleArn.split('/').pop();
  detail.userIdentity = {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLE:admin',
    arn: `arn:aws:sts::111122223333:assumed-role/${name}/admin`,
    accountId: '111122223333',
    sessionContext: {
      sessionIssuer: { type: 'Role', arn: roleArn, accountId: '111122223333', userName: name },
      attributes: { creationDate: '2026-05-04T09:00:00Z', mfaAuthenticated: 'true' },
    },
  };
}

/** One setting changed at a time, so that each generated statement is the only one to deny some call. */
const VARIANTS: Case[] = [
  variant(NOTEBOOK, 'directInternetAccess omitted', (p) => delete p.directInternetAccess),
  variant(NOTEBOOK, 'rootAccess Enabled', (p) => (p.rootAccess = 'Enabled')),
  variant(NOTEBOOK, 'rootAccess omitted', (p) => delete p.rootAccess),
  variant(NOTEBOOK, 'no subnet', (p) => delete p.subnetId),
  variant(NOTEBOOK, 'IMDSv1 allowed (setting omitted)', (p) => delete p.instanceMetadataServiceConfiguration),
  variant(NOTEBOOK, 'no KMS key', (p) => delete p.kmsKeyId),
  variant(NOTEBOOK, 'KMS key not on a custom allowlist', (p) => (p.kmsKeyId = OTHER_KEY)),
  variant(NOTEBOOK, 'project tag empty', (p) => (p.tags[0].value = '')),
  variant(NOTEBOOK, 'project tag written Project', (p) => (p.tags[0].key = 'Project')),
  variant(NOTEBOOK, 'project value not allowed', (p) => (p.tags[0].value = 'unlisted')),
  variant(NOTEBOOK, 'no tags', (p) => delete p.tags),
  variant(NOTEBOOK, 'exemption tag at creation', (p) => p.tags.push(tag('guardrails:exempt', 'true'))),
  variant(NOTEBOOK, 'by a break-glass role, all defaults', (p, d) => {
    for (const key of ['directInternetAccess', 'rootAccess', 'subnetId', 'kmsKeyId', 'tags']) delete p[key];
    asRole(d, BREAK_GLASS_ROLE);
  }),
  // The domain variants carry an owner tag, which the custom policy requires.
  ...(
    [
      ['owner tag', () => {}],
      ['appNetworkAccessType omitted', (p) => delete p.appNetworkAccessType],
      ['no KMS key', (p) => delete p.kmsKeyId],
      ['AWS managed key', (p) => (p.kmsKeyId = 'alias/aws/sagemaker')],
      ['KMS key not on a custom allowlist', (p) => (p.kmsKeyId = OTHER_KEY)],
      ['owner tag against the pattern', (p) => (p.tags.at(-1).value = 'Not-Lower1')],
      ['owner tag empty', (p) => (p.tags.at(-1).value = '')],
      ['owner tag written Owner', (p) => (p.tags.at(-1).key = 'Owner')],
      ['exemption tag at creation', (p) => p.tags.push(tag('guardrails:exempt', 'x'))],
    ] as [string, (p: Json) => void][]
  ).map(([name, edit]) =>
    variant(DOMAIN, name, (p) => {
      p.tags.push(tag('owner', 'ml'));
      edit(p);
    }),
  ),
  variant(PROFILE, 'studiouserid empty', (p) => (p.tags[0].value = '')),
  variant(PROFILE, 'studiouserid written StudioUserId', (p) => (p.tags[0].key = 'StudioUserId')),
  variant(PROFILE, 'team not allowed', (p) => (p.tags[1].value = 'unlisted')),
  variant(PROFILE, 'team written Team', (p) => (p.tags[1].key = 'Team')),
  variant(
    'studio/update-domain-public-internet.json',
    'to VpcOnly',
    (p) => (p.appNetworkAccessType = 'VpcOnly'),
  ),
  variant(
    'notebook-instance/update-root-access-enabled.json',
    'to Disabled',
    (p) => (p.rootAccess = 'Disabled'),
  ),
  variant('tags/add-tags-notebook-project.json', 'project empty', (p) => (p.tags[0].value = '')),
  variant('tags/add-tags-domain-ordinary.json', 'studiouserid on a domain', (p) =>
    p.tags.push(tag('studiouserid', 'x')),
  ),
  variant(
    'tags/add-tags-user-profile-change-studiouserid.json',
    'studiouserid empty',
    (p) => (p.tags[0].value = ''),
  ),
  variant(
    'tags/delete-tags-notebook-project.json',
    'exemption removed',
    (p) => (p.tagKeys = ['guardrails:exempt']),
  ),
  variant('tags/delete-tags-notebook-project.json', 'ordinary key removed', (p) => (p.tagKeys = ['owner'])),
  variant('tags/delete-tags-user-profile-studiouserid.json', 'team removed', (p) => (p.tagKeys = ['team'])),
  variant('tags/add-tags-user-profile-change-studiouserid.json', 'team not allowed', (p) => {
    p.tags = [tag('team', 'unlisted')];
  }),
  variant('tags/add-tags-domain-ordinary.json', 'owner empty', (p) => (p.tags = [tag('owner', '')])),
  ...['owner', 'studiouserid'].map((key) =>
    variant('tags/delete-tags-notebook-project.json', `${key} removed from a domain`, (p) => {
      p.resourceArn = 'arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456';
      p.tagKeys = [key];
    }),
  ),
];

const CASES: Case[] = [
  ...sampleEventFiles()
    .filter((file) => !file.startsWith('malformed/'))
    .map((file) => ({ name: file, event: load(file) })),
  ...VARIANTS,
];

/** A custom policy that uses every generator feature: allowlist, values, pattern, principals, break-glass. */
const CUSTOM: Policy = policySchema.parse({
  requiredTags: {
    'notebook-instance': { project: { values: ['churn', 'fraud'] } },
    'user-profile': { studiouserid: {}, team: { values: ['fraud', 'churn'] } },
    domain: { owner: { pattern: '^[a-z]+$' } },
  },
  protectedTags: {
    studiouserid: { allowedPrincipals: ['arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-*'] },
  },
  kms: {
    allowedKeys: [
      'arn:aws:kms:us-east-1:111122223333:key/7c1e4b2a-93d5-4f1e-8a6b-2d9f0c3e5a17',
      'arn:aws:kms:us-east-1:111122223333:alias/ml-notebooks',
      'arn:aws:kms:us-east-1:111122223333:key/3f8a2d6c-51b7-4e09-9c4d-8e7a1b2f6d30',
    ],
  },
  prevention: { breakGlassPrincipals: [BREAK_GLASS_ROLE] },
});
const DEFAULT: Policy = policySchema.parse({});

interface Judged {
  name: string;
  eventName: string;
  requests: NonNullable<Extract<ReturnType<typeof mapRequest>, { kind: 'requests' }>>['requests'];
  /** What the core's findings say the preventive layer must do. */
  expectDenied: boolean;
  why: string;
}

/** The core's offline verdict, turned into what the preventive layer must decide; undefined when not comparable. */
async function judge(c: Case, policy: Policy): Promise<Judged | undefined> {
  const mapped = mapRequest(c.event);
  if (mapped.kind !== 'requests') return undefined;
  const assessment = await assessEvent(c.event, policy, offlineStateSource);
  const violations = assessment.evaluation?.violations ?? [];
  const unevaluated = assessment.evaluation?.unevaluated ?? [];
  // A preventable rule the core could not decide offline (e.g. an alias against a key-ARN allowlist) is no oracle;
  // other rules an update or a tag call leaves undecided are not this layer's to judge.
  const undecided = (rule: string) =>
    isPrevented(
      { rule, severity: 'low', message: '', seen: '', required: '', fix: '' },
      mapped.eventName,
      policy,
    );
  // An update that does not name a setting leaves its rule undecided offline, and the update statements (each
  // Null-guarded on its key) do not judge it either: both layers agree it is not this call's to deny.
  const isUpdate = mapped.eventName === 'UpdateNotebookInstance' || mapped.eventName === 'UpdateDomain';
  if (!isUpdate && unevaluated.some((u) => undecided(u.rule))) return undefined;
  const prevented = violations.filter((v) => isPrevented(v, mapped.eventName, policy));
  const breakGlass =
    assessment.actor !== undefined && actorMatches(assessment.actor, policy.prevention.breakGlassPrincipals);
  return {
    name: c.name,
    eventName: mapped.eventName,
    requests: mapped.requests,
    expectDenied: prevented.length > 0 && !breakGlass,
    why: `${assessment.verdict}: ${prevented.map((v) => `${v.rule} (${v.message})`).join(', ') || 'nothing preventable'}${breakGlass ? ', break-glass caller' : ''}`,
  };
}

const docOf = (statements: Statement[]): PolicyDocument[] => [
  { Version: '2012-10-17', Statement: statements },
];
/** Hundreds of simulations: generous under a loaded machine; this is no performance test. */
const SLOW = 180_000;
const generated = new Set<string>();
const needed = new Set<string>();

describe.each([
  ['default', DEFAULT],
  ['custom', CUSTOM],
] as const)('the %s policy: both layers agree on every sample call', (_name, policy) => {
  const statements = denyStatements(policy).map((p) => p.statement);
  let judged: Judged[] = [];

  beforeAll(async () => {
    judged = (await Promise.all(CASES.map((c) => judge(c, policy)))).filter(
      (j): j is Judged => j !== undefined,
    );
  });

  it('compares enough calls both ways', () => {
    expect(judged.filter((j) => j.expectDenied).length).toBeGreaterThanOrEqual(15);
    expect(judged.filter((j) => !j.expectDenied).length).toBeGreaterThanOrEqual(10);
  });

  it.each(['scp', 'identity'] as Layer[])(
    'the %s denies exactly the calls with a preventable violation',
    async (layer) => {
      const outcomes = [];
      for (const j of judged) {
        const { denied, ignoredContextKeys } = await callDenied(j.requests, docOf(statements), layer);
        outcomes.push({ name: j.name, denied, expected: j.expectDenied, why: j.why, ignoredContextKeys });
      }
      const disagreements = outcomes.filter((o) => o.denied !== o.expected);
      expect(disagreements).toEqual([]);
      // Every context key the mapping sets is one the action carries (the simulator drops the others).
      expect(outcomes.filter((o) => o.ignoredContextKeys.length > 0)).toEqual([]);
    },
    SLOW,
  );

  it(
    'records which statements alone stand between a preventable call and AWS',
    async () => {
      // Explicit denies combine by OR: a call denied by exactly one statement is allowed once that one is removed.
      for (const { statement } of denyStatements(policy)) generated.add(statement.Sid);
      for (const j of judged.filter((c) => c.expectDenied)) {
        const actions = new Set(j.requests.map((r) => r.action));
        const deniers: string[] = [];
        for (const statement of statements.filter((s) => actionsOf(s).some((a) => actions.has(a)))) {
          if ((await callDenied(j.requests, docOf([statement]), 'scp')).denied) deniers.push(statement.Sid);
        }
        expect(deniers.length, j.name).toBeGreaterThan(0);
        if (deniers.length === 1) needed.add(deniers[0] as string);
      }
    },
    SLOW,
  );
});

describe('removing any generated statement lets some call through that the core judges preventable', () => {
  it('every statement the policies above generate is the only one to deny some call under one of them', () => {
    expect(generated.size).toBeGreaterThan(30);
    expect([...generated].filter((sid) => !needed.has(sid))).toEqual([]);
  });
});

describe('fail closed where the core cannot decide offline', () => {
  it('a key named by an alias while the allowlist names only key ARNs: the SCP denies it', async () => {
    const policy = policySchema.parse({
      kms: { allowedKeys: ['arn:aws:kms:us-east-1:111122223333:key/7c1e4b2a-93d5-4f1e-8a6b-2d9f0c3e5a17'] },
    });
    const event = load('notebook-instance/create-kms-alias-name.json');
    const assessment = await assessEvent(event, policy, offlineStateSource);
    expect(assessment.evaluation?.unevaluated.map((u) => u.rule)).toEqual(['notebook-kms-key']);
    const mapped = mapRequest(event);
    if (mapped.kind !== 'requests') throw new Error(mapped.reason);
    const statements = denyStatements(policy).map((p) => p.statement);
    expect((await callDenied(mapped.requests, docOf(statements), 'scp')).denied).toBe(true);
  });
});
