import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './support/cli.ts';

describe('sm-guardrails replay --simulate (what `npm run replay` runs)', () => {
  const run = runCli(['replay', '--simulate', '--json', '--exclude', 'events/malformed', 'events/']);
  const reports = jsonLines(run.stdout);
  const byFile = (rel: string) => reports.filter((r) => r.file === `events/${rel}`);

  it('evaluates every sample event without an error, and exits 0', () => {
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(reports.filter((r) => r.verdict === 'error' || r.verdict === 'invalid')).toEqual([]);
  });

  it('replays in the order the events happened', () => {
    const times = reports.map((r) => {
      const event = JSON.parse(readFileSync(r.file ?? '', 'utf8'));
      return event.detail?.eventTime ?? event.time; // state-change events carry only the envelope time
    });
    expect(times).toEqual([...times].sort());
  });

  it('stops a noncompliant notebook once it reaches InService, with a notification each time', () => {
    const [created, inService] = byFile('notebook-instance/create-all-defaults.json');
    expect(created?.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
      'tag:done',
      'stop:deferred',
      'notify:done',
    ]);
    expect(inService?.simulated).toBe('minutes later the notebook is InService');
    expect(inService?.actions.map((a) => `${a.type}:${a.status}`)).toEqual([
      'tag:skipped',
      'stop:done',
      'notify:done',
    ]);
    expect(inService?.notifications?.[0]?.subject).toMatch(
      /^\[sm-guardrails\] STOPPED notebook scratch-notebook /,
    );
  });

  it('restores a protected tag and fills a derived one', () => {
    const [revert] = byFile('tags/add-tags-user-profile-change-studiouserid.json');
    expect(revert?.actions.map((a) => `${a.type}:${a.status}`)).toEqual(['revert:done', 'notify:done']);
    const [tagged] = byFile('studio/create-user-profile-missing-studiouserid.json');
    expect(tagged?.actions[0]).toMatchObject({
      type: 'tag',
      status: 'done',
      detail: 'tag studiouserid=ravi-patel',
    });
  });

  it('agrees with the offline verdicts where the event tells everything', () => {
    const expected = JSON.parse(readFileSync('test/expected-verdicts.json', 'utf8')) as Record<
      string,
      { verdict: string }
    >;
    for (const rel of [
      'notebook-instance/create-compliant.json',
      'studio/create-domain-compliant.json',
      'not-for-guardrails/elb-add-tags.json',
    ]) {
      expect({ rel, verdict: byFile(rel)[0]?.verdict }).toEqual({ rel, verdict: expected[rel]?.verdict });
    }
  });

  it('prints a summary with notifications in human mode', () => {
    const human = runCli(['replay', '--simulate', 'events/notebook-instance/create-all-defaults.json']);
    expect(human.status).toBe(0);
    expect(human.stdout.trim().split('\n').at(-1)).toMatch(
      /^2 events: 0 compliant, 2 noncompliant, 0 skipped, 0 invalid; actions: \d+ done, 1 deferred, 1 skipped; 2 notifications sent$/,
    );
  });
});

describe('replaying dead letters', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sm-guardrails-dlq-'));
  const event = JSON.parse(readFileSync('events/studio/create-domain-defaults.json', 'utf8'));
  const destinationRecord = {
    version: '1.0',
    timestamp: '2026-05-04T10:00:00.000Z',
    requestContext: {
      requestId: 'r-1',
      functionArn: 'arn:aws:lambda:us-east-1:111122223333:function:sm-guardrails-dev-studio:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: {
      errorType: 'AwsCallError',
      errorMessage: 'sagemaker:DescribeDomain failed: ThrottlingException: Rate exceeded',
    },
  };

  it('accepts a Lambda on-failure destination record', () => {
    const file = join(tmp, 'record.json');
    writeFileSync(file, JSON.stringify(destinationRecord));
    const run = runCli(['replay', '--json', file]);
    expect(run.status).toBe(0);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ verdict: 'noncompliant', eventName: 'CreateDomain' });
  });

  it('accepts `aws sqs receive-message` output holding such records', () => {
    const file = join(tmp, 'receive.json');
    const message = (body: unknown) => ({
      MessageId: crypto.randomUUID(),
      ReceiptHandle: 'h',
      Body: JSON.stringify(body),
    });
    writeFileSync(file, JSON.stringify({ Messages: [message(destinationRecord), message(event)] }));
    const reports = jsonLines(runCli(['replay', '--json', file]).stdout);
    expect(reports.map((r) => [r.index, r.verdict])).toEqual([
      [0, 'noncompliant'],
      [1, 'noncompliant'],
    ]);
  });
});
