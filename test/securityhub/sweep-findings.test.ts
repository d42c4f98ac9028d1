// The sweep's results as Security Hub findings: the deployed worker sweeps a member account (organization mode),
// sends its reports to the findings queue, and the securityHub function imports them in that account through the
// member role; against the emulator with the real SDK clients. A sweep older than a finding's last update never
// overrides it; a message about another account or region is refused; a message SQS did not take fails the
// invocation (SQS retries the target, and the retry also resends what the first attempt's tag repairs hid).
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClientProvider } from '#core/aws/client-provider';
import { type Emulator, startEmulator } from '#emulator/index';
import { findingId, type ReportForFindings } from '#securityhub/asff';
import { handleFindingsMessage, parseSweepMessage, SecurityHubClients } from '#securityhub/lambda';
import { importFindings } from '#securityhub/sink';
import {
  MESSAGE_BYTES,
  REPORTS_PER_MESSAGE,
  type SweepFindingsMessage,
  sweepFindingsMessages,
} from '#securityhub/sweep-message';
import { createStoreClient, ensureTable } from '../../store/table.ts';
import { SweepWorker, sweepWorkerConfig } from '../../sweep/lambda.ts';
import { ROOT_ACCESS_VIOLATION } from '../support/findings.ts';
import { seedCompliantNotebook } from '../support/live.ts';

const HOME = '111122223333';
const MEMBER = '444455556666';
const REGION = 'us-east-1';
const MEMBER_ROLE = 'sm-guardrails-member';
const TABLE = 'sm-guardrails-dev-records';
const SWEPT_AT = new Date('2026-03-01T03:00:00.000Z');
const saved = { ...process.env };

let emulator: Emulator;
let findingsQueueUrl: string;
let hub: SecurityHubClients;
let sweepProvider: ReturnType<typeof createAwsClientProvider>;

beforeAll(async () => {
  emulator = await startEmulator({ describesPerTransition: 0, accountId: HOME });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: REGION,
    SM_GUARDRAILS_ACCOUNT_ID: HOME,
    SM_GUARDRAILS_MEMBER_ROLE_NAME: MEMBER_ROLE,
    SM_GUARDRAILS_TABLE: TABLE,
  });
  for (const key of ['SM_GUARDRAILS_TOPIC_ARN', 'SM_GUARDRAILS_RECHECK_QUEUE_URL']) delete process.env[key];
});
beforeEach(async () => {
  emulator.reset();
  emulator.seed.role({ account: MEMBER, name: MEMBER_ROLE });
  findingsQueueUrl = emulator.seed.queue('sm-guardrails-dev-findings', REGION);
  process.env.SM_GUARDRAILS_TOPIC_ARN = emulator.seed.topic('sm-guardrails-dev-alerts', REGION);
  await ensureTable(createStoreClient(), TABLE);
  hub?.destroy();
  sweepProvider?.destroy();
  const options = {
    home: { partition: 'aws', account: HOME, region: REGION },
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    memberRoleName: MEMBER_ROLE,
    maxAttempts: 3,
  };
  hub = new SecurityHubClients(createAwsClientProvider(options));
  // The deployed worker's provider, on the emulator's endpoint (its STS calls included).
  sweepProvider = createAwsClientProvider({ ...options, retryMode: 'adaptive' });
});
afterAll(async () => {
  hub?.destroy();
  sweepProvider?.destroy();
  process.env = saved;
  await emulator.close();
});

const arnOf = (name: string) => `arn:aws:sagemaker:${REGION}:${MEMBER}:notebook-instance/${name}`;
const sweepBody = (sweepId: string) =>
  JSON.stringify({ kind: 'sm-guardrails/sweep', sweepId, account: MEMBER, region: REGION });

function seedCompliant(name: string, tags: Array<{ Key: string; Value: string }> = [], account = MEMBER) {
  const kmsKeyId = emulator.seed.kmsKey({ region: REGION, accountId: account });
  return seedCompliantNotebook(emulator, name, {
    account,
    kmsKeyId,
    tags: [{ Key: 'project', Value: 'p' }, ...tags],
  });
}
const seedOpen = (name: string) =>
  emulator.seed.notebookInstance({ account: MEMBER, name, region: REGION, status: 'Stopped' });

function worker(
  env: NodeJS.ProcessEnv = { ...process.env, SM_GUARDRAILS_FINDINGS_QUEUE_URL: findingsQueueUrl },
) {
  const w = new SweepWorker(
    sweepWorkerConfig(env),
    (target) => sweepProvider.for(target),
    () => SWEPT_AT,
  );
  const errors: unknown[] = [];
  w.logger.error = ((...args: unknown[]) => errors.push(args)) as typeof w.logger.error;
  w.logger.info = (() => {}) as typeof w.logger.info;
  return { worker: w, errors };
}

const sent = (): string[] =>
  emulator.sqsMessages.filter((m) => m.queueUrl === findingsQueueUrl).map((m) => m.body);
const findingsOf = (name: string) =>
  emulator.securityHub.findings(MEMBER, REGION).filter((f) => String(f.Id).startsWith(`${arnOf(name)}/`));

/** The finding an earlier event left open on `fixed` (its root access was enabled then). */
async function earlierEventFinding(name: string, at: string): Promise<void> {
  const report: ReportForFindings = {
    eventId: 'e-0',
    eventName: 'UpdateNotebookInstance',
    verdict: 'noncompliant',
    resource: { type: 'notebook-instance', arn: arnOf(name), name },
    actor: { type: 'IAMUser', arn: `arn:aws:iam::${MEMBER}:user/alice` },
    violations: [ROOT_ACCESS_VIOLATION],
  };
  await importFindings(report, at, (l) => hub.for(l));
}

describe('the sweep sends its results to Security Hub (organization mode)', () => {
  it('imports the noncompliant resources and resolves a reported one that is compliant now, in the member account', async () => {
    seedOpen('open');
    seedCompliant('fixed', [{ Key: 'guardrails:status', Value: 'noncompliant: notebook-root-access' }]);
    seedCompliant('quiet');
    await earlierEventFinding('fixed', '2026-02-01T00:00:00.000Z');
    expect(findingsOf('fixed')).toMatchObject([{ Compliance: { Status: 'FAILED' }, RecordState: 'ACTIVE' }]);

    const { worker: w } = worker();
    await w.handle(sweepBody('s-1'));
    const bodies = sent();
    expect(bodies).toHaveLength(1);
    const message = JSON.parse(bodies[0] as string) as SweepFindingsMessage;
    expect(message).toMatchObject({
      kind: 'sm-guardrails/sweep-findings',
      version: 1,
      sweepId: 's-1',
      partition: 'aws',
      account: MEMBER,
      region: REGION,
      observedAt: SWEPT_AT.toISOString(),
    });
    // The noncompliant one and the one whose status tag named rules; not the compliant one nobody was told about.
    expect(message.reports.map((r) => r.resource.name).sort()).toEqual(['fixed', 'open']);

    const before = emulator.calls.length;
    const outcome = await handleFindingsMessage(bodies[0] as string, hub);
    const calls = emulator.calls.slice(before);
    // One lookup and one import, in the member account (the member role).
    expect(calls.filter((c) => c.operation === 'GetFindings').map((c) => c.account)).toEqual([MEMBER]);
    expect(calls.filter((c) => c.operation === 'BatchImportFindings').map((c) => c.account)).toEqual([
      MEMBER,
    ]);
    expect(emulator.securityHub.findings(HOME, REGION)).toEqual([]);

    const open = findingsOf('open');
    const rules =
      message.reports.find((r) => r.resource.name === 'open')?.violations.map((v) => v.rule) ?? [];
    expect(rules.length).toBeGreaterThan(1);
    expect(open.map((f) => f.Id).sort()).toEqual(
      [...new Set(rules)].map((r) => findingId(arnOf('open'), r)).sort(),
    );
    for (const f of open) {
      expect(f).toMatchObject({
        AwsAccountId: MEMBER,
        Compliance: { Status: 'FAILED' },
        RecordState: 'ACTIVE',
        UpdatedAt: SWEPT_AT.toISOString(),
        ProductFields: {
          'sm-guardrails/EventName': 'Sweep',
          'sm-guardrails/ActorInvokedBy': 'sm-guardrails.sweep',
        },
      });
    }
    expect(findingsOf('fixed')).toMatchObject([
      {
        Id: findingId(arnOf('fixed'), 'notebook-root-access'),
        Compliance: { Status: 'PASSED' },
        RecordState: 'ARCHIVED',
        CreatedAt: '2026-02-01T00:00:00.000Z',
        UpdatedAt: SWEPT_AT.toISOString(),
      },
    ]);
    expect(findingsOf('quiet')).toEqual([]);
    expect(outcome).toMatchObject({
      resolved: [findingId(arnOf('fixed'), 'notebook-root-access')],
      skipped: [],
    });

    // The same message again (SQS redelivers): the same findings, nothing new.
    await handleFindingsMessage(bodies[0] as string, hub);
    expect(emulator.securityHub.findings(MEMBER, REGION)).toHaveLength(open.length + 1);
  });

  it('sends nothing without the findings queue (stage param securityHub off)', async () => {
    seedOpen('open');
    const { worker: w } = worker({ ...process.env, SM_GUARDRAILS_FINDINGS_QUEUE_URL: '' });
    await w.handle(sweepBody('s-off'));
    expect(sent()).toEqual([]);
  });

  it('25 resources: 2 messages (20 + 5), each one GetFindings and one import per 100 findings', async () => {
    for (let i = 0; i < 25; i++) seedOpen(`open-${String(i).padStart(2, '0')}`);
    const { worker: w } = worker();
    await w.handle(sweepBody('s-many'));
    const bodies = sent();
    expect(bodies.map((b) => (JSON.parse(b) as SweepFindingsMessage).reports.length)).toEqual([20, 5]);
    for (const body of bodies) {
      const before = emulator.calls.length;
      const outcome = await handleFindingsMessage(body, hub);
      const calls = emulator.calls.slice(before).map((c) => c.operation);
      const failed = 'failed' in outcome ? outcome.failed.length : 0;
      expect(failed).toBeGreaterThan(0);
      expect(calls.filter((c) => c === 'GetFindings')).toHaveLength(1);
      expect(calls.filter((c) => c === 'BatchImportFindings')).toHaveLength(Math.ceil(failed / 100));
    }
    const resources = new Set(
      emulator.securityHub.findings(MEMBER, REGION).map((f) => (f.Resources as Array<{ Id: string }>)[0]?.Id),
    );
    expect(resources.size).toBe(25);
  });

  it("a sweep older than a finding's last update (an event after the sweep read it) does not override it", async () => {
    seedCompliant('fixed', [{ Key: 'guardrails:status', Value: 'noncompliant: notebook-root-access' }]);
    // The event came after the sweep read the notebook: root access enabled again.
    await earlierEventFinding('fixed', '2026-03-01T03:05:00.000Z');
    const { worker: w } = worker();
    await w.handle(sweepBody('s-late'));
    const outcome = await handleFindingsMessage(sent()[0] as string, hub);
    expect(outcome).toMatchObject({
      resolved: [],
      skipped: [expect.stringContaining('older than its last update')],
    });
    expect(findingsOf('fixed')).toMatchObject([
      { Compliance: { Status: 'FAILED' }, RecordState: 'ACTIVE', UpdatedAt: '2026-03-01T03:05:00.000Z' },
    ]);
  });

  it('a failed read resolves nothing: an unverifiable resource is not sent as compliant', async () => {
    seedCompliant('fixed', [{ Key: 'guardrails:status', Value: 'noncompliant: notebook-root-access' }]);
    emulator.injectFault({
      service: 'sagemaker',
      operation: 'DescribeNotebookInstance',
      kind: 'accessDenied',
    });
    const { worker: w } = worker();
    await w.handle(sweepBody('s-denied')).catch(() => undefined);
    emulator.clearFaults();
    expect(sent().flatMap((b) => (JSON.parse(b) as SweepFindingsMessage).reports)).toEqual([]);
  });
});

describe('messages are checked where they are imported', () => {
  const report = (name: string, account = MEMBER, region = REGION) => ({
    resource: {
      type: 'notebook-instance',
      arn: `arn:aws:sagemaker:${region}:${account}:notebook-instance/${name}`,
      name,
    },
    verdict: 'compliant',
    violations: [],
    passed: ['notebook-root-access'],
  });
  const message = (over: Record<string, unknown> = {}) =>
    JSON.stringify({
      kind: 'sm-guardrails/sweep-findings',
      version: 1,
      sweepId: 's',
      partition: 'aws',
      account: MEMBER,
      region: REGION,
      observedAt: SWEPT_AT.toISOString(),
      reports: [report('nb')],
      ...over,
    });

  it('refuses a report about a resource of another account, region or partition, naming the field', async () => {
    await expect(
      handleFindingsMessage(message({ reports: [report('a'), report('b', HOME)] }), hub),
    ).rejects.toThrow(/reports\.1\.resource\.arn: not a resource of aws account 444455556666 in us-east-1/);
    await expect(
      handleFindingsMessage(message({ reports: [report('a', MEMBER, 'eu-west-1')] }), hub),
    ).rejects.toThrow(/reports\.0\.resource\.arn/);
    await expect(handleFindingsMessage(message({ partition: 'aws-cn' }), hub)).rejects.toThrow(
      /reports\.0\.resource\.arn/,
    );
    // Nothing was looked up or imported.
    expect(emulator.calls.filter((c) => c.service === 'securityhub')).toEqual([]);
  });

  it('refuses a malformed message with the field and the reason', () => {
    expect(() => parseSweepMessage(message({ version: 2 }))).toThrow(/Security Hub message: version: /);
    expect(() => parseSweepMessage(message({ account: '12' }))).toThrow(/account: not an account id/);
    expect(() => parseSweepMessage(message({ observedAt: 'yesterday' }))).toThrow(/observedAt: not a time/);
    expect(() =>
      parseSweepMessage(message({ reports: Array.from({ length: 21 }, (_, i) => report(`n${i}`)) })),
    ).toThrow(/reports: /);
    expect(() => parseSweepMessage(message({ reports: [{ ...report('x'), passed: 'all' }] }))).toThrow(
      /reports\.0\.passed/,
    );
  });

  it('chunks by count and by size, well under SQS 256 KiB', () => {
    const big = {
      ...report('big'),
      violations: [] as never[],
      passed: Array.from({ length: 500 }, (_, i) => `rule-${i}-${'x'.repeat(200)}`),
    };
    const head = {
      sweepId: 's',
      partition: 'aws',
      account: MEMBER,
      region: REGION,
      observedAt: SWEPT_AT.toISOString(),
    };
    const messages = sweepFindingsMessages(head, [big, big, big, report('small')]);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThanOrEqual(MESSAGE_BYTES);
    expect(messages.flatMap((m) => m.reports)).toHaveLength(4);
    const many = sweepFindingsMessages(
      head,
      Array.from({ length: 41 }, (_, i) => report(`n${i}`)),
    );
    expect(many.map((m) => m.reports.length)).toEqual([REPORTS_PER_MESSAGE, REPORTS_PER_MESSAGE, 1]);
    expect(sweepFindingsMessages(head, [])).toEqual([]);
  });
});

describe('a message SQS did not take fails the invocation', () => {
  it('the other messages still go, the error is logged, SQS retries the target, and the retry resends the resolution', async () => {
    // The stack's own account: the deployed handler's provider below reaches it without STS.
    for (let i = 0; i < 25; i++) {
      emulator.seed.notebookInstance({
        name: `open-${String(i).padStart(2, '0')}`,
        region: REGION,
        status: 'Stopped',
      });
    }
    seedCompliant('fixed', [{ Key: 'guardrails:status', Value: 'noncompliant: notebook-root-access' }], HOME);
    emulator.injectFault({ service: 'sqs', operation: 'SendMessage', kind: 'accessDenied', after: 1 });
    const { worker: w, errors } = worker();
    const body = JSON.stringify({
      kind: 'sm-guardrails/sweep',
      sweepId: 's-fail',
      account: HOME,
      region: REGION,
    });
    await expect(w.handle(body)).rejects.toThrow(
      /1 of 2 Security Hub messages for 111122223333\/us-east-1 could not be sent: message 2 of 2/,
    );
    expect(JSON.stringify(errors)).toContain('sweep findings could not be sent to Security Hub');
    expect(sent()).toHaveLength(1);
    emulator.clearFaults();
    // The first attempt removed the status tag of `fixed`: a plain next sweep would not send it again.
    const tags = emulator.inspect.notebookInstance('fixed', REGION)?.tags ?? [];
    expect(tags.some((t) => t.Key === 'guardrails:status')).toBe(false);
    // SQS's retry (receive count 2) sends every compliant resource, so the resolution is not lost.
    const { handler } = await import('../../functions/sweep-worker/handler.ts');
    process.env.SM_GUARDRAILS_FINDINGS_QUEUE_URL = findingsQueueUrl;
    try {
      const retry = {
        Records: [{ messageId: 'm-1', body, attributes: { ApproximateReceiveCount: '2' } }],
      } as unknown as SQSEvent;
      expect(await handler(retry)).toEqual({ batchItemFailures: [] });
    } finally {
      delete process.env.SM_GUARDRAILS_FINDINGS_QUEUE_URL;
    }
    const reports = sent()
      .slice(1)
      .flatMap((b) => (JSON.parse(b) as SweepFindingsMessage).reports.map((r) => r.resource.name));
    expect(reports).toHaveLength(26);
    expect(reports).toContain('fixed');
  });
});
