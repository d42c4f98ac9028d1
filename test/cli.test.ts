import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './support/cli.ts';

const expected = JSON.parse(readFileSync('test/expected-verdicts.json', 'utf8')) as Record<
  string,
  { verdict: string; rules?: string[] }
>;
const tmp = mkdtempSync(join(tmpdir(), 'sm-guardrails-cli-'));
const write = (name: string, content: string) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};
const sample = (rel: string) => readFileSync(join('events', rel), 'utf8');

describe('sm-guardrails replay --json (offline)', () => {
  const run = runCli(['replay', '--json', 'events/']);
  const reports = jsonLines(run.stdout);

  it('gives every sample event its recorded verdict and rules', () => {
    expect(reports).toHaveLength(Object.keys(expected).length);
    for (const report of reports) {
      const rel = report.file?.replace(/^events\//, '') ?? '';
      const want = expected[rel];
      expect(want, `no expected verdict for ${rel}`).toBeDefined();
      expect({ rel, verdict: report.verdict }).toEqual({ rel, verdict: want?.verdict });
      const rules = [...new Set(report.violations.map((v) => v.rule))].sort();
      expect({ rel, rules }).toEqual({ rel, rules: want?.rules ?? [] });
    }
  });

  it('exits 2 because events/malformed holds invalid inputs, and says so on stderr', () => {
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines).toContain(
      'events/malformed/envelope-missing-event-name.json: $.detail.eventName: required field is missing',
    );
  });

  it('reports the JSON Lines contract fields, with planned actions offline', () => {
    const report = reports.find((r) => r.file === 'events/notebook-instance/create-all-defaults.json');
    expect(report).toMatchObject({
      eventName: 'CreateNotebookInstance',
      verdict: 'noncompliant',
      resource: { type: 'notebook-instance' },
      actor: { type: expect.any(String) },
    });
    expect(report?.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(report?.actions.map((a) => [a.type, a.status])).toEqual([
      ['tag', 'planned'],
      ['stop', 'planned'],
      ['notify', 'planned'],
    ]);
    for (const v of report?.violations ?? [])
      expect(Object.keys(v)).toEqual(expect.arrayContaining(['rule', 'message']));
  });

  it('carries the Identity Center user behind a propagated identity', () => {
    const identityCenter = reports.filter((r) => r.actor?.identityCenterUserId);
    expect(identityCenter.length).toBeGreaterThanOrEqual(2);
    for (const r of identityCenter) {
      expect(r.actor?.identityCenterUserId).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.actor?.identityStoreArn).toMatch(/^arn:aws:identitystore::\d{12}:identitystore\/d-/);
    }
    // An IdentityCenterUser identity has no ARN at all.
    expect(
      identityCenter.some((r) => r.actor?.type === 'IdentityCenterUser' && r.actor.arn === undefined),
    ).toBe(true);
  });

  it('exits 0 when every input is valid', () => {
    const clean = runCli(['replay', '--json', '--exclude', 'events/malformed', 'events/']);
    expect(clean.status).toBe(0);
    expect(clean.stderr).toBe('');
    expect(jsonLines(clean.stdout).every((r) => r.verdict !== 'invalid')).toBe(true);
  });
});

describe('sm-guardrails replay (human output)', () => {
  it('prints one line per event and a summary', () => {
    const run = runCli(['replay', 'events/notebook-instance/create-all-defaults.json', 'events/studio']);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^NONCOMPLIANT notebook-instance\/\S+ +notebook-direct-internet-access, notebook-root-access/,
    );
    expect(lines.at(-1)).toMatch(
      /^21 events: \d+ compliant, \d+ noncompliant, \d+ skipped, 0 invalid; actions: \d+ planned$/,
    );
  });

  it('reads a file holding an array of events and names each by index', () => {
    const file = write('two.json', `[${sample('studio/create-domain-defaults.json')}, {"not": "an event"}]`);
    const run = runCli(['replay', '--json', file]);
    expect(run.status).toBe(2);
    const [first, second] = jsonLines(run.stdout);
    expect(first).toMatchObject({ index: 0, verdict: 'noncompliant' });
    expect(second).toMatchObject({ index: 1, verdict: 'invalid', reason: '$.id: required field is missing' });
  });
});

describe('invalid input and policy: one clear line, exit 2', () => {
  it('names the file, the JSON path and the reason for an invalid event', () => {
    const run = runCli(['replay', 'events/malformed/request-tags-is-string.json']);
    expect(run.status).toBe(2);
    expect(run.stdout).toContain(
      'INVALID      CreateNotebookInstance  $.detail.requestParameters.tags: Invalid input: expected array, received string  (events/malformed/request-tags-is-string.json)',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('reports text that is not JSON', () => {
    const run = runCli(['replay', '--json', write('broken.json', '{"id": ')]);
    expect(run.status).toBe(2);
    expect(jsonLines(run.stdout)[0]).toMatchObject({
      verdict: 'invalid',
      reason: expect.stringMatching(/^\$: not valid JSON/),
    });
  });

  it('reports a path that does not exist', () => {
    const run = runCli(['replay', '--json', join(tmp, 'nope')]);
    expect(run.status).toBe(2);
    expect(jsonLines(run.stdout)[0]).toMatchObject({
      verdict: 'invalid',
      reason: '$: no such file or directory',
    });
  });

  it('rejects a bad policy with one line per problem naming file and field', () => {
    const policy = write('bad-policy.yml', 'mode: enforce\nnotebook:\n  requireSubnet: "yes"\n');
    const run = runCli(['replay', '--config', policy, 'events/studio']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(
      `${policy}: notebook.requireSubnet: Invalid input: expected boolean, received string`,
    );
  });

  it('rejects a usage error', () => {
    const run = runCli(['replay']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^sm-guardrails: replay needs at least one PATH/);
  });
});

describe('sm-guardrails check-config', () => {
  it('accepts a valid policy', () => {
    const policy = write(
      'good.yml',
      'mode: report\nkms:\n  allowedKeys: [arn:aws:kms:us-east-1:111122223333:alias/ml]\n',
    );
    const run = runCli(['check-config', policy]);
    expect(run).toMatchObject({ status: 0, stdout: `${policy}: valid policy\n` });
  });

  it('rejects an unknown field', () => {
    const policy = write('typo.yml', 'mod: report\n');
    const run = runCli(['check-config', policy]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`${policy}: unknown field "mod"`);
  });

  it('changes verdicts: a policy that turns a rule off', () => {
    const policy = write('no-root.yml', 'notebook:\n  requireRootAccessDisabled: false\n');
    const run = runCli([
      'replay',
      '--json',
      '--config',
      policy,
      'events/notebook-instance/update-root-access-enabled.json',
    ]);
    expect(run.status).toBe(0);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ verdict: 'skipped' });
  });
});
