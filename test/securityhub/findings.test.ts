// Security Hub findings (securityhub/): every violation of every sample event becomes a well-formed ASFF finding
// that the (emulated) Security Hub accepts through the real SDK client; a finding is resolved when its resource
// is compliant again; findings of a member account are imported in that account; an import that fails is retried
// by SQS (the message reported failed), never dropped.
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { createAwsClientProvider } from '#core/aws/client-provider';
import { assessEvent, offlineStateSource } from '#core/pipeline';
import { DEFAULT_POLICY } from '#core/policy';
import { buildReport, type EventReport } from '#core/report';
import { RULES } from '#core/rules/index';
import { type Emulator, startEmulator } from '#emulator/index';
import { ASFF_REQUIRED } from '#emulator/securityhub';
import { FINDING_TYPE, findingId, type ReportForFindings } from '#securityhub/asff';
import { handleFindingsMessage, parseDestinationRecord, SecurityHubClients } from '#securityhub/lambda';
import { FindingsImportError, importFindings } from '#securityhub/sink';
import { ROOT_ACCESS_VIOLATION } from '../support/findings.ts';
import { sampleEvents } from '../support/sample-events.ts';

const HOME = '111122223333';
const MEMBER = '444455556666';
const REGION = 'us-east-1';
const MEMBER_ROLE = 'sm-guardrails-member';
const CREDENTIALS = { accessKeyId: 'home', secretAccessKey: 'home' };

let emulator: Emulator;
let clients: SecurityHubClients;
beforeAll(async () => {
  emulator = await startEmulator();
});
beforeEach(() => {
  emulator.reset();
  emulator.seed.role({ account: MEMBER, name: MEMBER_ROLE });
  clients?.destroy();
  clients = new SecurityHubClients(
    createAwsClientProvider({
      home: { partition: 'aws', account: HOME, region: REGION },
      endpoint: emulator.endpoint,
      credentials: CREDENTIALS,
      memberRoleName: MEMBER_ROLE,
      maxAttempts: 3,
    }),
  );
});
afterAll(async () => {
  clients?.destroy();
  await emulator.close();
});

/** The offline report of every sample event that breaks a rule (files may hold one event or an array). */
async function sampleReports(): Promise<Array<{ file: string; report: EventReport }>> {
  const out: Array<{ file: string; report: EventReport }> = [];
  for (const { file, event } of sampleEvents()) {
    const assessment = await assessEvent(event, DEFAULT_POLICY, offlineStateSource);
    const report = buildReport(assessment, []);
    if (report.violations.length > 0) out.push({ file, report });
  }
  return out;
}

/** A Lambda on-success destination record, as the findings queue receives it. */
function destinationRecord(report: ReportForFindings, time: string): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: time,
    requestContext: {
      requestId: 'r-1',
      functionArn: `arn:aws:lambda:${REGION}:${HOME}:function:sm-guardrails-dev-notebookInstances:$LATEST`,
      condition: 'Success',
      approximateInvokeCount: 1,
    },
    requestPayload: { version: '0', id: 'e-1', time, detail: { eventTime: time } },
    responseContext: { statusCode: 200, executedVersion: '$LATEST' },
    responsePayload: report,
  });
}

const notebookArn = (account: string, name: string) =>
  `arn:aws:sagemaker:${REGION}:${account}:notebook-instance/${name}`;

function notebookReport(account: string, overrides: Partial<ReportForFindings> = {}): ReportForFindings {
  return {
    eventId: 'e-1',
    eventName: 'CreateNotebookInstance',
    verdict: 'noncompliant',
    resource: { type: 'notebook-instance', arn: notebookArn(account, 'nb'), name: 'nb' },
    actor: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${account}:assumed-role/DataScientist/SageMaker`,
      roleArn: `arn:aws:iam::${account}:role/DataScientist`,
      identityCenterUserId: '94482488-3041-7026-18f3-be45837cd0e4',
      identityStoreArn: `arn:aws:identitystore::${HOME}:identitystore/d-1234567890`,
    },
    violations: [ROOT_ACCESS_VIOLATION],
    passed: ['notebook-direct-internet-access'],
    ...overrides,
  };
}

describe('ASFF findings of the sample events', () => {
  it('every violation of every sample event: one finding per resource and rule, every required field, accepted', async () => {
    const reports = await sampleReports();
    expect(reports.length).toBeGreaterThan(10);
    const meta = new Map(RULES.map((r) => [r.meta.id as string, r.meta]));
    let findings = 0;
    for (const [i, { file, report }] of reports.entries()) {
      const time = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
      const outcome = await handleFindingsMessage(destinationRecord(report, time), clients);
      expect('skip' in outcome, file).toBe(false);
      const arn = report.resource?.arn as string;
      const [, partition, , region, account] = arn.split(':');
      const stored = emulator.securityHub
        .findings(account, region)
        .filter((f) => (f.Resources as Array<{ Id: string }>)[0]?.Id === arn && f.UpdatedAt === time)
        // The event's rules that passed resolve the resource's earlier findings (PASSED) at the same time.
        .filter((f) => (f.Compliance as { Status: string }).Status === 'FAILED');
      const rules = [...new Set(report.violations.map((v) => v.rule))];
      expect(stored.map((f) => f.Id).sort(), file).toEqual(rules.map((r) => findingId(arn, r)).sort());
      for (const finding of stored) {
        findings++;
        const rule = (finding.ProductFields as Record<string, string>)['sm-guardrails/Rule'] as string;
        for (const field of ASFF_REQUIRED) expect(finding[field], `${file} ${rule} ${field}`).toBeTruthy();
        expect(finding).toMatchObject({
          SchemaVersion: '2018-10-08',
          ProductArn: `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`,
          GeneratorId: `sm-guardrails/${rule}`,
          AwsAccountId: account,
          Types: [FINDING_TYPE],
          UpdatedAt: time,
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
          Compliance: { Status: 'FAILED' },
        });
        // Sample events share resources: a later event updates the finding and keeps its creation time.
        expect(Date.parse(String(finding.CreatedAt))).toBeLessThanOrEqual(Date.parse(time));
        // namespace/category[/classifier]; limits of the API reference.
        for (const type of finding.Types as string[])
          expect(type.split('/').length).toBeGreaterThanOrEqual(2);
        expect(String(finding.Id).length).toBeLessThanOrEqual(512);
        expect(String(finding.Title).length).toBeLessThanOrEqual(256);
        expect(String(finding.Description).length).toBeLessThanOrEqual(1024);
        const severity = report.violations.find((v) => v.rule === rule)?.severity as string;
        expect((finding.Severity as { Label: string }).Label).toBe(severity.toUpperCase());
        expect(finding.FindingProviderFields).toMatchObject({ Severity: { Label: severity.toUpperCase() } });
        // The resource: ASFF's notebook-instance type where it has one, else Other.
        const resource = (finding.Resources as Array<Record<string, unknown>>)[0];
        expect(resource).toMatchObject({
          Id: arn,
          Region: region,
          Partition: partition,
          Type: report.resource?.type === 'notebook-instance' ? 'AwsSageMakerNotebookInstance' : 'Other',
        });
        // The fix, and the matching AWS managed check.
        const fix = (finding.Remediation as { Recommendation: { Text: string } }).Recommendation.Text;
        expect(fix.length).toBeGreaterThan(0);
        expect(fix.length).toBeLessThanOrEqual(512);
        const ruleMeta = meta.get(rule);
        const fields = finding.ProductFields as Record<string, string>;
        expect(fields['sm-guardrails/SecurityHubControl']).toBe(ruleMeta?.securityHubControl);
        expect(fields['sm-guardrails/AwsConfigRule']).toBe(ruleMeta?.awsConfigRule);
        expect((finding.Compliance as { SecurityControlId?: string }).SecurityControlId).toBe(
          ruleMeta?.securityHubControl,
        );
        // Who did it.
        if (report.actor?.arn) expect(fields['sm-guardrails/ActorArn']).toBe(report.actor.arn);
        if (report.actor?.identityCenterUserId) {
          expect(fields['sm-guardrails/ActorIdentityCenterUserId']).toBe(report.actor.identityCenterUserId);
        }
        for (const [k, v] of Object.entries(fields)) {
          expect(k.length).toBeLessThanOrEqual(128);
          expect(v.length).toBeLessThanOrEqual(2048);
        }
        expect(Object.keys(fields).length).toBeLessThanOrEqual(50);
      }
    }
    expect(findings).toBeGreaterThanOrEqual(reports.length);
    // Rules with an AWS managed counterpart name it (SageMaker.1 ... in the sample events).
    const controls = emulator.calls
      .filter((c) => c.operation === 'BatchImportFindings')
      .flatMap((c) => c.params.Findings as Array<{ Compliance?: { SecurityControlId?: string } }>)
      .map((f) => f.Compliance?.SecurityControlId)
      .filter(Boolean);
    expect(controls).toEqual(expect.arrayContaining(['SageMaker.1', 'SageMaker.3']));
  });

  it('an Identity Center user is named on the finding', async () => {
    await importFindings(notebookReport(HOME), '2026-01-01T00:00:00.000Z', (l) => clients.for(l));
    const [finding] = emulator.securityHub.findings(HOME, REGION);
    expect(finding?.ProductFields).toMatchObject({
      'sm-guardrails/ActorArn': `arn:aws:sts::${HOME}:assumed-role/DataScientist/SageMaker`,
      'sm-guardrails/ActorRoleArn': `arn:aws:iam::${HOME}:role/DataScientist`,
      'sm-guardrails/ActorIdentityCenterUserId': '94482488-3041-7026-18f3-be45837cd0e4',
    });
    expect(finding?.Description).toContain('Identity Center user 94482488-3041-7026-18f3-be45837cd0e4');
  });
});

describe('resolution', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
  const id = findingId(notebookArn(HOME, 'nb'), 'notebook-root-access');
  const only = () => emulator.securityHub.findings(HOME, REGION).filter((f) => f.Id === id);

  it('resolved (compliance PASSED, archived) when the rule passes again; created time kept', async () => {
    await importFindings(notebookReport(HOME), at(0), (l) => clients.for(l));
    expect(only()).toMatchObject([
      { Compliance: { Status: 'FAILED' }, RecordState: 'ACTIVE', CreatedAt: at(0) },
    ]);
    const compliant = notebookReport(HOME, {
      eventName: 'UpdateNotebookInstance',
      verdict: 'compliant',
      violations: [],
      passed: ['notebook-root-access', 'notebook-direct-internet-access'],
    });
    const outcome = await importFindings(compliant, at(5), (l) => clients.for(l));
    expect(outcome).toMatchObject({ failed: [], resolved: [id] });
    expect(only()).toMatchObject([
      { Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED', CreatedAt: at(0), UpdatedAt: at(5) },
    ]);
    // A rule that always passed has no finding: nothing is created for it.
    expect(emulator.securityHub.findings(HOME, REGION)).toHaveLength(1);
    // Broken again: the same finding is active and failed again, and Security Hub reopens its workflow.
    await importFindings(notebookReport(HOME), at(9), (l) => clients.for(l));
    expect(only()).toMatchObject([
      {
        Compliance: { Status: 'FAILED' },
        RecordState: 'ACTIVE',
        CreatedAt: at(0),
        Workflow: { Status: 'NEW' },
      },
    ]);
  });

  it('a late copy of an older event changes nothing', async () => {
    await importFindings(notebookReport(HOME), at(10), (l) => clients.for(l));
    const compliant = notebookReport(HOME, { violations: [], passed: ['notebook-root-access'] });
    const outcome = await importFindings(compliant, at(3), (l) => clients.for(l));
    expect(outcome?.resolved).toEqual([]);
    expect(outcome?.skipped).toHaveLength(1);
    expect(only()).toMatchObject([{ Compliance: { Status: 'FAILED' }, RecordState: 'ACTIVE' }]);
  });

  it('an unverifiable or unevaluated rule resolves nothing (only passed rules do)', async () => {
    await importFindings(notebookReport(HOME), at(0), (l) => clients.for(l));
    const unverifiable = notebookReport(HOME, { verdict: 'unverifiable', violations: [], passed: [] });
    expect(await importFindings(unverifiable, at(5), (l) => clients.for(l))).toBeUndefined();
    expect(only()).toMatchObject([{ Compliance: { Status: 'FAILED' }, RecordState: 'ACTIVE' }]);
  });
});

describe('organization', () => {
  it("a member account's findings are imported in that account, through the member role", async () => {
    await importFindings(notebookReport(MEMBER), '2026-01-01T00:00:00.000Z', (l) => clients.for(l));
    expect(emulator.securityHub.findings(HOME, REGION)).toEqual([]);
    const [finding] = emulator.securityHub.findings(MEMBER, REGION);
    expect(finding).toMatchObject({
      AwsAccountId: MEMBER,
      ProductArn: `arn:aws:securityhub:${REGION}:${MEMBER}:product/${MEMBER}/default`,
    });
    expect(emulator.calls.filter((c) => c.operation === 'AssumeRole')).toHaveLength(1);
    expect(emulator.calls.find((c) => c.operation === 'BatchImportFindings')?.account).toBe(MEMBER);
  });

  it('Security Hub refuses a finding about another account (the emulator holds to the API rule)', async () => {
    const hub = new SecurityHubClient({
      endpoint: emulator.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
    });
    const { BatchImportFindingsCommand } = await import('@aws-sdk/client-securityhub');
    const answer = await hub.send(
      new BatchImportFindingsCommand({
        Findings: [
          {
            SchemaVersion: '2018-10-08',
            Id: 'x',
            ProductArn: `arn:aws:securityhub:${REGION}:${MEMBER}:product/${MEMBER}/default`,
            GeneratorId: 'g',
            AwsAccountId: MEMBER,
            Types: [FINDING_TYPE],
            CreatedAt: '2026-01-01T00:00:00Z',
            UpdatedAt: '2026-01-01T00:00:00Z',
            Severity: { Label: 'LOW' },
            Title: 't',
            Description: 'd',
            Resources: [{ Type: 'Other', Id: 'r' }],
          },
        ],
      }),
    );
    hub.destroy();
    expect(answer.FailedCount).toBe(1);
    expect(answer.FailedFindings?.[0]?.ErrorCode).toBe('AccessDeniedException');
  });
});

describe('failures are retried, never silent', () => {
  it('Security Hub not enabled: the import throws, naming the findings', async () => {
    emulator.securityHub.disable(HOME, REGION);
    await expect(
      importFindings(notebookReport(HOME), '2026-01-01T00:00:00.000Z', (l) => clients.for(l)),
    ).rejects.toThrow(FindingsImportError);
  });

  it('the SQS handler reports the failed message alone, so SQS retries it (then its DLQ, alarmed)', async () => {
    const env = {
      AWS_REGION: REGION,
      SM_GUARDRAILS_ACCOUNT_ID: HOME,
      AWS_ENDPOINT_URL: emulator.endpoint,
      AWS_ACCESS_KEY_ID: 'home',
      AWS_SECRET_ACCESS_KEY: 'home',
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    onTestFinished(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    const { handler } = await import('../../functions/security-hub/handler.ts');
    emulator.injectFault({
      service: 'securityhub',
      operation: 'BatchImportFindings',
      kind: 'internal',
      times: 99,
    });
    const records = [
      {
        messageId: 'ok',
        body: destinationRecord(notebookReport(HOME, { violations: [], passed: [] }), '2026-01-01T00:00:00Z'),
      },
      { messageId: 'fails', body: destinationRecord(notebookReport(HOME), '2026-01-01T00:00:00Z') },
      { messageId: 'garbled', body: '{"requestContext":' },
    ];
    const event = {
      Records: records.map((r) => ({ ...r, attributes: {}, eventSource: 'aws:sqs' })),
    } as unknown as SQSEvent;
    const answer = await handler(event);
    expect(answer.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['fails', 'garbled']);
    // The SDK retried the 5xx before giving up (standard retries).
    expect(emulator.calls.filter((c) => c.operation === 'BatchImportFindings').length).toBeGreaterThan(1);
    emulator.clearFaults();
    const retried = await handler({ Records: [event.Records[1]] } as unknown as SQSEvent);
    expect(retried.batchItemFailures).toEqual([]);
    expect(emulator.securityHub.findings(HOME, REGION)).toHaveLength(1);
  });

  it('a throttled read is retried by the SDK and the import goes through', async () => {
    emulator.injectFault({ service: 'securityhub', operation: 'GetFindings', kind: 'throttle', times: 1 });
    const outcome = await importFindings(notebookReport(HOME), '2026-01-01T00:00:00.000Z', (l) =>
      clients.for(l),
    );
    expect(outcome?.failed).toHaveLength(1);
  });

  it('destination records: a failure record or an empty report is skipped; no event time is an error', () => {
    const ok = JSON.parse(destinationRecord(notebookReport(HOME), '2026-01-01T00:00:00Z'));
    expect(
      parseDestinationRecord(JSON.stringify({ ...ok, requestContext: { condition: 'RetriesExhausted' } })),
    ).toEqual({
      skip: 'condition RetriesExhausted',
    });
    expect(parseDestinationRecord(JSON.stringify({ ...ok, responsePayload: null }))).toEqual({
      skip: 'no report',
    });
    const { timestamp: _t, ...noTimestamp } = ok;
    expect(() =>
      parseDestinationRecord(JSON.stringify({ ...noTimestamp, requestPayload: { detail: {} } })),
    ).toThrow(/no event time/);
    expect(() => parseDestinationRecord(JSON.stringify({ ...ok, responsePayload: { verdict: 1 } }))).toThrow(
      /responsePayload/,
    );
  });
});

describe('GetFindings limits (20 values a filter field, 10 fields, 100 a page)', () => {
  const hub = () =>
    new SecurityHubClient({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });

  it('the emulator refuses what Security Hub refuses: 21 values in a field, 11 fields, MaxResults over 100', async () => {
    const client = hub();
    onTestFinished(() => client.destroy());
    const values = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ Value: `v${i}`, Comparison: 'EQUALS' as const }));
    await expect(client.send(new GetFindingsCommand({ Filters: { Id: values(20) } }))).resolves.toMatchObject(
      {
        Findings: [],
      },
    );
    await expect(client.send(new GetFindingsCommand({ Filters: { Id: values(21) } }))).rejects.toMatchObject({
      name: 'InvalidInputException',
      message: expect.stringContaining('Filters.Id'),
    });
    const fields = ['Id', 'ProductArn', 'AwsAccountId', 'GeneratorId', 'ResourceId', 'RecordState'] as const;
    const eleven = Object.fromEntries(
      [...fields, 'ComplianceStatus', 'WorkflowStatus', 'SeverityLabel', 'Title', 'Description'].map((f) => [
        f,
        values(1),
      ]),
    );
    await expect(client.send(new GetFindingsCommand({ Filters: eleven }))).rejects.toMatchObject({
      name: 'InvalidInputException',
    });
    await expect(client.send(new GetFindingsCommand({ MaxResults: 101 }))).rejects.toMatchObject({
      name: 'InvalidInputException',
    });
  });

  it('a report of more than 20 rules is imported (one lookup by resource, not one value per finding id)', async () => {
    const many = Array.from({ length: 30 }, (_, i) => `rule-${i}`);
    const outcome = await importFindings(
      notebookReport(HOME, { passed: many }),
      '2026-01-01T00:00:00.000Z',
      (l) => clients.for(l),
    );
    expect(outcome?.failed).toEqual([findingId(notebookArn(HOME, 'nb'), 'notebook-root-access')]);
    const lookups = emulator.calls.filter((c) => c.operation === 'GetFindings');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]?.params.Filters).toMatchObject({
      ResourceId: [{ Value: notebookArn(HOME, 'nb'), Comparison: 'EQUALS' }],
      ProductArn: [{ Comparison: 'EQUALS' }],
    });
  });

  it('pages through a resource with more than 100 findings (NextToken), and resolves the one it passed', async () => {
    const arn = notebookArn(HOME, 'nb');
    const rules = Array.from({ length: 120 }, (_, i) => `rule-${i}`);
    const violations = rules.map((rule) => ({
      ...notebookReport(HOME).violations[0],
      rule,
    })) as ReportForFindings['violations'];
    await importFindings(notebookReport(HOME, { violations }), '2026-01-01T00:00:00.000Z', (l) =>
      clients.for(l),
    );
    expect(emulator.securityHub.findings(HOME, REGION)).toHaveLength(120);
    const before = emulator.calls.length;
    const outcome = await importFindings(
      notebookReport(HOME, { violations: violations.slice(1), passed: ['rule-0'] }),
      '2026-01-02T00:00:00.000Z',
      (l) => clients.for(l),
    );
    expect(outcome?.resolved).toEqual([findingId(arn, 'rule-0')]);
    const calls = emulator.calls.slice(before).map((c) => c.operation);
    expect(calls.filter((c) => c === 'GetFindings')).toHaveLength(2);
    expect(calls.filter((c) => c === 'BatchImportFindings')).toHaveLength(2);
  });
});
