// One container, many accounts, regions and partitions: every event is read and acted on in its own account and
// region (members through the member role, assumed once per account while its credentials last), never elsewhere.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsClientProvider, createAwsClientProvider } from '#core/aws/client-provider';
import { MemberCredentials } from '#core/aws/member-credentials';
import { Guardrails } from '#core/guardrails';
import { assessEvent, offlineStateSource } from '#core/pipeline';
import { DEFAULT_POLICY } from '#core/policy';
import { type Emulator, startEmulator } from '#emulator/index';
import { ACCOUNT, createNotebookEvent, REGION } from '../support/live.ts';

const MEMBER_ROLE = 'sm-guardrails-member';
const MEMBER_A = '444455556666';
const MEMBER_B = '777788889999';
const GOV = '222233334444';
const CREDENTIALS = { accessKeyId: 'home', secretAccessKey: 'home' };

interface Where {
  account: string;
  region: string;
}

/** The CreateNotebookInstance event of `createNotebookEvent`, recorded in another account, region and partition. */
function eventIn(where: Where, name: string, params: Record<string, unknown> = {}): Record<string, unknown> {
  const partition = where.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const text = JSON.stringify(createNotebookEvent(name, params))
    .replaceAll(ACCOUNT, where.account)
    .replaceAll(REGION, where.region)
    .replaceAll('arn:aws:', `arn:${partition}:`);
  return JSON.parse(text) as Record<string, unknown>;
}

let emulator: Emulator;
let topicArn: string;
beforeAll(async () => {
  emulator = await startEmulator({ describesPerTransition: 0 });
});
beforeEach(() => {
  emulator.reset();
  topicArn = emulator.seed.topic('sm-guardrails-alerts', REGION);
  for (const account of [MEMBER_A, MEMBER_B, GOV]) emulator.seed.role({ account, name: MEMBER_ROLE });
});
afterAll(async () => emulator.close());

function provider(options: { memberRoleName?: string; anyPartition?: boolean; now?: () => number } = {}) {
  return createAwsClientProvider({
    home: { partition: 'aws', account: ACCOUNT, region: REGION },
    endpoint: emulator.endpoint,
    credentials: CREDENTIALS,
    memberRoleName: MEMBER_ROLE,
    anyPartition: true,
    ...options,
  });
}

const guardrailsWith = (clients: AwsClientProvider) =>
  new Guardrails({ policy: DEFAULT_POLICY, clients, topicArn });

/** An InService notebook of the same name in every place of `places`. */
function seedEverywhere(name: string, places: Where[]): void {
  for (const { account, region } of places) {
    emulator.seed.notebookInstance({
      account,
      region,
      name,
      status: 'InService',
      tags: [{ Key: 'project', Value: 'p' }],
    });
  }
}

const statusIn = (name: string, { account, region }: Where) =>
  emulator.inspect.notebookInstance(name, region, account)?.status;

describe('one container for an organization', () => {
  const places: Where[] = [
    { account: ACCOUNT, region: REGION },
    { account: ACCOUNT, region: 'eu-west-1' },
    { account: MEMBER_A, region: REGION },
    { account: MEMBER_A, region: 'eu-west-1' },
    { account: MEMBER_B, region: 'eu-west-1' },
    { account: GOV, region: 'us-gov-west-1' },
  ];

  it('acts on each event in its own account, region and partition, with the same verdict as offline', async () => {
    const clients = provider();
    const guardrails = guardrailsWith(clients);
    for (const [i, where] of places.entries()) {
      const name = `nb-${i}`;
      // The same name everywhere: only the event's own place may be touched.
      seedEverywhere(name, places);
      const event = eventIn(where, name);
      const offline = await assessEvent(event, DEFAULT_POLICY, offlineStateSource);
      const { report } = await guardrails.handle(event);
      expect(report.verdict, `${where.account}/${where.region}`).toBe(offline.verdict);
      expect(report.verdict).toBe('noncompliant');
      expect(report.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
        'tag:done',
        'stop:done',
        'notify:done',
      ]);
      for (const other of places) {
        const mine = other.account === where.account && other.region === where.region;
        expect(statusIn(name, other), `${name} in ${other.account}/${other.region}`).toBe(
          mine ? 'Stopping' : 'InService',
        );
      }
    }
    const gov = emulator.inspect.notebookInstance('nb-5', 'us-gov-west-1', GOV);
    expect(gov?.NotebookInstanceArn).toMatch(/^arn:aws-us-gov:sagemaker:us-gov-west-1:222233334444:/);
    // Three member accounts, one AssumeRole each, however many events and regions.
    const assumed = emulator.calls.filter((c) => c.operation === 'AssumeRole');
    expect(assumed.map((c) => c.params.RoleArn).sort()).toEqual(
      [
        `arn:aws-us-gov:iam::${GOV}:role/${MEMBER_ROLE}`,
        `arn:aws:iam::${MEMBER_A}:role/${MEMBER_ROLE}`,
        `arn:aws:iam::${MEMBER_B}:role/${MEMBER_ROLE}`,
      ].sort(),
    );
    expect(clients.assumeRoleCalls).toBe(3);
    // Every SageMaker call went to the account and region of its event; SNS stayed home.
    for (const call of emulator.calls.filter((c) => c.service === 'sagemaker')) {
      const arn = String(call.params.ResourceArn ?? '');
      if (arn) expect(arn).toContain(`:${call.region}:${call.account}:`);
    }
    expect(
      emulator.calls
        .filter((c) => c.service === 'sns')
        .every((c) => c.account === ACCOUNT && c.region === REGION),
    ).toBe(true);
  });

  it('names the account and region in the notification of a member account', async () => {
    const guardrails = guardrailsWith(provider());
    seedEverywhere('nb-mail', [{ account: MEMBER_B, region: 'eu-west-1' }]);
    await guardrails.handle(eventIn({ account: MEMBER_B, region: 'eu-west-1' }, 'nb-mail'));
    const message = emulator.published.at(-1);
    expect(message?.subject).toContain(`in ${MEMBER_B}/eu-west-1`);
    expect(message?.message).toContain(`Account:   ${MEMBER_B}    Region: eu-west-1`);
    expect(message?.messageAttributes.account?.StringValue).toBe(MEMBER_B);
  });

  it('a resource missing in the event account is reported missing, not found in another account', async () => {
    const guardrails = guardrailsWith(provider());
    // nb-x exists in the home account only; the event says member A created it.
    seedEverywhere('nb-x', [{ account: ACCOUNT, region: REGION }]);
    const { report } = await guardrails.handle(eventIn({ account: MEMBER_A, region: REGION }, 'nb-x'));
    expect(report.verdict).toBe('skipped');
    expect(report.reason).toBe('resource no longer exists');
    expect(statusIn('nb-x', { account: ACCOUNT, region: REGION })).toBe('InService');
    expect(emulator.inspect.notebookInstance('nb-x', REGION)?.tags).toEqual([{ Key: 'project', Value: 'p' }]);
  });

  it('a resource missing in the event region is reported missing, not found in another region', async () => {
    const guardrails = guardrailsWith(provider());
    seedEverywhere('nb-r', [{ account: MEMBER_A, region: REGION }]);
    const { report } = await guardrails.handle(eventIn({ account: MEMBER_A, region: 'eu-west-1' }, 'nb-r'));
    expect(report.verdict).toBe('skipped');
    expect(report.reason).toBe('resource no longer exists');
    expect(statusIn('nb-r', { account: MEMBER_A, region: REGION })).toBe('InService');
  });

  it('an event whose resource ARN names another account is invalid, and nothing is read anywhere', async () => {
    const guardrails = guardrailsWith(provider());
    seedEverywhere('nb-m', [{ account: ACCOUNT, region: REGION }]);
    const event = eventIn({ account: MEMBER_A, region: REGION }, 'nb-m');
    const detail = event.detail as { responseElements: { notebookInstanceArn: string } };
    detail.responseElements.notebookInstanceArn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/nb-m`;
    emulator.clearCalls();
    const { report } = await guardrails.handle(event);
    expect(report.verdict).toBe('invalid');
    expect(report.reason).toContain(`not in the event's own aws account ${MEMBER_A}`);
    expect(emulator.calls.filter((c) => c.service !== 'iam')).toEqual([]); // an earlier test's early IAM read may land
    expect((await assessEvent(event, DEFAULT_POLICY, offlineStateSource)).verdict).toBe('invalid');
  });

  it('without a member role, an event of another account is an error and nothing of it is touched', async () => {
    const guardrails = guardrailsWith(provider({ memberRoleName: '' }));
    seedEverywhere('nb-s', [
      { account: ACCOUNT, region: REGION },
      { account: MEMBER_A, region: REGION },
    ]);
    emulator.clearCalls();
    const { report, error } = await guardrails.handle(eventIn({ account: MEMBER_A, region: REGION }, 'nb-s'));
    expect(report.verdict).toBe('error');
    expect(error?.errorName).toBe('NotGuardedAccount');
    // Fail closed: the admins are told the notebook could not be checked; nothing is read or written anywhere.
    // (Calls are filtered: an earlier test's early IAM read may still land.)
    expect(
      emulator.calls
        .filter((c) => c.service !== 'iam')
        .map((c) => `${c.account}:${c.service}:${c.operation}`),
    ).toEqual([`${ACCOUNT}:sns:Publish`]);
    expect(emulator.published.at(-1)?.message).toContain(`the event is from account ${MEMBER_A}`);
    expect(statusIn('nb-s', { account: ACCOUNT, region: REGION })).toBe('InService');
    expect(statusIn('nb-s', { account: MEMBER_A, region: REGION })).toBe('InService');
  });

  it('a member account without the member role is an AccessDenied error; once it exists, the next event works', async () => {
    const guardrails = guardrailsWith(provider());
    const stray = '999988887777';
    seedEverywhere('nb-d', [{ account: stray, region: REGION }]);
    const first = await guardrails.handle(eventIn({ account: stray, region: REGION }, 'nb-d'));
    expect(first.report.verdict).toBe('error');
    expect(first.error?.call).toBe('sts:AssumeRole');
    expect(first.error?.errorName).toBe('AccessDenied');
    expect(statusIn('nb-d', { account: stray, region: REGION })).toBe('InService');
    emulator.seed.role({ account: stray, name: MEMBER_ROLE });
    const second = await guardrails.handle(eventIn({ account: stray, region: REGION }, 'nb-d'));
    expect(second.report.verdict).toBe('noncompliant');
    expect(statusIn('nb-d', { account: stray, region: REGION })).toBe('Stopping');
  });

  it('refuses another partition than its own outside the emulator', async () => {
    const guardrails = guardrailsWith(provider({ anyPartition: false }));
    seedEverywhere('nb-p', [{ account: GOV, region: 'us-gov-west-1' }]);
    const { report, error } = await guardrails.handle(
      eventIn({ account: GOV, region: 'us-gov-west-1' }, 'nb-p'),
    );
    expect(report.verdict).toBe('error');
    expect(error?.errorName).toBe('CrossPartition');
    expect(statusIn('nb-p', { account: GOV, region: 'us-gov-west-1' })).toBe('InService');
  });
});

describe('member credentials', () => {
  it('assume the member role once per account while the credentials last, again shortly before they expire', async () => {
    let now = Date.now();
    const home = createAwsClientProvider({
      home: { partition: 'aws', account: ACCOUNT, region: REGION },
      endpoint: emulator.endpoint,
      credentials: CREDENTIALS,
    });
    const member = new MemberCredentials({
      home: home.home,
      homeCredentials: async () => CREDENTIALS,
      roleName: MEMBER_ROLE,
      endpoint: emulator.endpoint,
      now: () => now,
    });
    const a = { partition: 'aws', account: MEMBER_A, region: REGION };
    const first = await member.get(a);
    expect(await member.get({ ...a, region: 'eu-west-1' })).toBe(first); // per account, not per region
    now += 50 * 60_000;
    expect(await member.get(a)).toBe(first);
    expect(member.assumeRoleCalls).toBe(1);
    now += 6 * 60_000; // 56 minutes: within 5 minutes of the hour's expiry
    const renewed = await member.get(a);
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
    expect(member.assumeRoleCalls).toBe(2);
    now = Date.now(); // the emulator's expirations follow the real clock
    await Promise.all([member.get({ ...a, account: MEMBER_B }), member.get({ ...a, account: MEMBER_B })]);
    expect(member.assumeRoleCalls).toBe(3); // concurrent callers share one AssumeRole
    home.destroy();
  });

  it('keeps a bounded number of client sets, the home set always', () => {
    const clients = createAwsClientProvider({
      home: { partition: 'aws', account: ACCOUNT, region: REGION },
      endpoint: emulator.endpoint,
      credentials: CREDENTIALS,
      memberRoleName: MEMBER_ROLE,
      capacity: 3,
    });
    const home = clients.for({ partition: 'aws', account: ACCOUNT, region: REGION });
    const regions = ['us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1'];
    const first = clients.for({ partition: 'aws', account: MEMBER_A, region: regions[0] ?? '' });
    expect(clients.for({ partition: 'aws', account: MEMBER_A, region: regions[0] ?? '' })).toBe(first);
    for (const region of regions) clients.for({ partition: 'aws', account: MEMBER_A, region });
    expect(clients.size).toBe(3);
    expect(clients.for({ partition: 'aws', account: ACCOUNT, region: REGION })).toBe(home);
    expect(clients.for({ partition: 'aws', account: MEMBER_A, region: regions[0] ?? '' })).not.toBe(first);
    expect(() => clients.for({ partition: 'aws', account: 'not-an-account', region: REGION })).toThrow(
      /not an AWS location/,
    );
    clients.destroy();
  });
});
