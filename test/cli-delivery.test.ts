// replay --simulate under redelivery and faults: the "Done when" of the delivery-guarantees issue, through the
// built CLI as a user runs it.
import { describe, expect, it } from 'vitest';
import type { EventReport } from '#core/report';
import { jsonLines, runCli } from './support/cli.ts';

const EVENTS = ['--exclude', 'events/malformed', 'events/'];
const replay = (...args: string[]) => runCli(['replay', '--simulate', '--json', ...args, ...EVENTS]);

/** What the guardrails did to AWS and told the admins: the actions done and the alerts sent, per event. */
function effects(reports: EventReport[]) {
  const done = reports
    .flatMap((r) =>
      r.actions
        .filter((a) => a.status !== 'skipped')
        .map((a) => `${r.eventName} ${r.resource?.name} ${a.type}:${a.status}`),
    )
    .sort();
  const alerts = reports
    .flatMap((r) => (r.notifications ?? []).filter((n) => n.status === 'sent').map((n) => n.subject))
    .sort();
  return { done, alerts };
}

// One plain simulation, the baseline of every comparison below.
const single = replay();
const baseline = effects(jsonLines(single.stdout));

describe('replay --simulate --redeliver', () => {
  const twice = replay('--redeliver');

  it('delivers every event twice, concurrently, to two containers: a line per delivery', () => {
    expect(twice.status).toBe(0);
    const once = jsonLines(single.stdout);
    const both = jsonLines(twice.stdout);
    expect(both).toHaveLength(once.length * 2);
    expect(both.map((r) => r.delivery)).toEqual(both.map((_, i) => (i % 2) + 1));
    // The second delivery of an event that was acted on repeats nothing.
    expect(both.some((r) => r.reason?.startsWith('duplicate delivery'))).toBe(true);
  });

  it('gives the same AWS effects and notifications as a single delivery', () => {
    expect(single.status).toBe(0);
    expect(baseline.alerts.length).toBeGreaterThan(10);
    expect(effects(jsonLines(twice.stdout))).toEqual(baseline);
  });
});

describe('replay --simulate --fault', () => {
  it('sns:Publish=ThrottlingException@2: every alert still sent, and the retries reported', () => {
    const result = replay('--fault', 'sns:Publish=ThrottlingException@2');
    expect(result.status).toBe(0);
    const reports = jsonLines(result.stdout);
    expect(effects(reports)).toEqual(baseline);
    const retried = reports
      .flatMap((r) => r.actions)
      .filter((a) => /after 2 SDK retries/.test(a.detail ?? ''));
    expect(retried).toHaveLength(1);
  });

  it('more failures than the SDK absorbs: Lambda retries the invocation, and the report says so', () => {
    const result = replay('--fault', 'sns:Publish=ThrottlingException@4');
    const reports = jsonLines(result.stdout);
    expect(effects(reports)).toEqual(baseline);
    const retried = reports.filter((r) => r.attempts === 2);
    expect(retried).toHaveLength(1);
    expect(retried[0]?.retried).toEqual(['sns:Publish failed: ThrottlingException: Rate exceeded']);
  });

  it('a fault that never ends: dead-lettered after 2 retries, said in the human output', () => {
    const result = runCli([
      'replay',
      '--simulate',
      '--fault',
      'sagemaker:StopNotebookInstance=ServiceUnavailable',
      'events/notebook-instance/create-all-defaults.json',
    ]);
    expect(result.stdout).toContain('retry  invocation 2 did not settle');
    expect(result.stdout).toContain('dlq    still not settled after 2 retries');
    expect(result.status).toBe(1);
  });

  it.each([
    ['sns:Publish', 'not a fault SPEC'],
    ['snx:Publish=ThrottlingException', 'unknown service "snx"'],
    ['sns:Publish=Throttled', 'unknown error "Throttled"'],
    ['sns:Publish=ThrottlingException@0', '@N must be at least 1'],
  ])('a bad SPEC is a usage error naming it: %s', (spec, why) => {
    const result = runCli(['replay', '--simulate', '--fault', spec, 'events/']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--fault ${JSON.stringify(spec)}: ${why}`);
  });

  it('--fault and --redeliver go with --simulate', () => {
    expect(runCli(['replay', '--fault', 'sns:Publish=ThrottlingException', 'events/']).stderr).toContain(
      '--fault goes with --simulate',
    );
    expect(runCli(['replay', '--redeliver', 'events/']).stderr).toContain('--redeliver goes with --simulate');
  });
});
