// The human output an admin acts on, and the alerts as SNS delivers them (`--show-notifications`).
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './support/cli.ts';

/** The `--- alert ... --- end of alert` blocks of an output: subject and body. */
function alerts(stdout: string) {
  return [
    ...stdout.matchAll(/^--- alert (.*)\nSubject: (.*)\nAttributes: (.*)\n\n([\s\S]*?)\n--- end of alert$/gm),
  ].map(([, head, subject, attributes, body]) => ({ head, subject, attributes, body }));
}

describe('replay (human output)', () => {
  const run = runCli(['replay', '--exclude', 'events/malformed', 'events/']);
  const blocks = run.stdout.split(/\n(?=[A-Z]{4,} )/);
  const block = (file: string) => blocks.find((b) => b.split('\n')[0]?.endsWith(`(${file})`)) ?? '';

  it('says who did it, down to the Identity Center user', () => {
    expect(block('events/tags/add-tags-user-profile-change-studiouserid.json')).toMatch(
      /^ {4}by {5}arn:aws:sts::111122223333:assumed-role\/AmazonSageMaker-ExecutionRole-DataScience\/SageMaker \(AssumedRole\); role .*; Identity Center user c4a8f4e8-2051-70d9-4b7e-61f2a9d3e0b5 in arn:aws:identitystore::111122223333:identitystore\/d-9067c3a1f2; source identity maria-garcia/m,
    );
  });

  it('lists each violation with its severity and the fix', () => {
    const text = block('events/notebook-instance/create-all-defaults.json');
    expect(text).toMatch(/^ {4}by {5}arn:aws:iam::111122223333:user\/alice \(IAMUser\)$/m);
    expect(text.match(/^ {4}\[(high|medium)\] /gm)).toHaveLength(6);
    expect(text).toMatch(
      /^ {4}\[high\] notebook-root-access: root access enabled\n {8}fix: Stop the notebook, then UpdateNotebookInstance with RootAccess=Disabled/m,
    );
  });

  it('names the rules it could not evaluate, and why', () => {
    const text = block('events/notebook-instance/start-notebook-instance.json');
    expect(text).toContain('    not evaluated: notebook-root-access (RootAccess is not known)');
    expect(text.match(/^ {4}not evaluated: /gm)).toHaveLength(6);
  });

  it('keeps an attacker-chosen value on its line', () => {
    // Every line of the output is a verdict line, an indented detail line or the summary.
    for (const line of run.stdout.trim().split('\n'))
      expect(line).toMatch(/^(COMPLIANT|NONCOMPLIANT|SKIPPED|INVALID|ERROR) |^ {2,}\S|^\d+ events: /);
  });
});

describe('replay --show-notifications', () => {
  it('--simulate: every alert the emulated SNS received, subject and body, under the report that sent it', () => {
    const run = runCli([
      'replay',
      '--simulate',
      '--show-notifications',
      '--exclude',
      'events/malformed',
      'events/',
    ]);
    expect(run.status).toBe(0);
    const printed = alerts(run.stdout);
    const sent = [...run.stdout.matchAll(/^ {4}sns {4}sent: (.*)$/gm)].map((m) => m[1]);
    const summary = run.stdout.trim().split('\n').at(-1) ?? '';
    expect(Number(summary.match(/; (\d+) notifications sent$/)?.[1])).toBe(printed.length);
    expect(printed.length).toBeGreaterThan(10);
    expect(printed.map((a) => a.subject)).toEqual(sent);
    for (const alert of printed) {
      expect(alert.head).toMatch(
        /^[0-9a-f-]{36} to arn:aws:sns:us-east-1:111122223333:sm-guardrails-alerts \(published\)$/,
      );
      expect(alert.subject).toMatch(/^\[sm-guardrails\] [\x20-\x7e]{1,85}$/);
      expect(alert.attributes).toMatch(
        /^severity=\w+ rules=\[.*\] resourceType=[\w-]+ mode=enforce account=\d{12}$/,
      );
      expect(alert.body).toMatch(/^sm-guardrails found a noncompliant SageMaker /);
      expect(alert.body).toMatch(/\nViolations:\n {2}- \[\w+\] /);
      expect(alert.body).toMatch(/\n {6}fix: {6}\S/);
    }
    // Under the report that sent it: the message id of the `notify done` line above it.
    const first = run.stdout.indexOf('--- alert ');
    const id = printed[0]?.head?.split(' ')[0] ?? 'none';
    expect(run.stdout.lastIndexOf(`notify done: sns:Publish ${id}`, first)).toBeGreaterThan(-1);
  });

  it('offline: the alert that would be published', () => {
    const run = runCli(['replay', '--show-notifications', 'events/studio/create-domain-defaults.json']);
    expect(run.status).toBe(0);
    const [alert, ...more] = alerts(run.stdout);
    expect(more).toEqual([]);
    expect(alert?.head).toBe('(would be published)');
    expect(alert?.subject).toBe(
      '[sm-guardrails] NONCOMPLIANT domain sandbox-studio in 111122223333/us-east-1: 3 violations',
    );
    expect(alert?.body).toContain('Actor:     arn:aws:iam::111122223333:user/alice (IAMUser)');
    expect(alert?.body).toContain(
      '  - tag: planned (tag guardrails:status=noncompliant: domain-identity-attribution domain-kms-key domain-network-access)',
    );
  });

  it('is for the human output: with --json it is a usage error', () => {
    const run = runCli(['replay', '--json', '--show-notifications', 'events/studio']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^sm-guardrails: option '--show-notifications' cannot be used with option '--json'/,
    );
    expect(jsonLines(run.stdout)).toEqual([]);
  });
});
