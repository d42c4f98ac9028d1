// Done when: `replay --simulate --config FILE PATH` on the attack events shows every attack fail and an alert
// sent; and docs/security.md points at tests that exist.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../support/cli.ts';

describe('the attack events, acted out against the simulated account', () => {
  const run = runCli([
    'replay',
    '--simulate',
    '--json',
    '--config',
    'events/attacks/policy.yml',
    'events/attacks/',
  ]);
  const reports = jsonLines(run.stdout);
  const first = (rel: string) => reports.find((r) => r.file === `events/attacks/${rel}`);

  it('replays every attack, each ending in an alert that was sent', () => {
    expect(run.status).toBe(0);
    const files = new Set(reports.map((r) => r.file));
    expect(files.size).toBe(12);
    for (const file of files) {
      const sent = reports.filter((r) => r.file === file).flatMap((r) => r.notifications ?? []);
      expect({ file, sent: sent.some((n) => n.status === 'sent') }).toEqual({ file, sent: true });
    }
  });

  it('no attack leaves the resource as the attacker wanted', () => {
    for (const r of reports) {
      if (r.file === 'events/attacks/04-exemption/b-admin-grants-exemption.json') continue;
      expect({ file: r.file, verdict: r.verdict }).not.toEqual({ file: r.file, verdict: 'compliant' });
      expect({ file: r.file, verdict: r.verdict }).not.toEqual({ file: r.file, verdict: 'skipped' });
    }
    // The admin's grant is honoured and announced; the user's overwrite and removal restore it.
    expect(first('04-exemption/b-admin-grants-exemption.json')?.notifications?.[0]?.subject).toMatch(
      /EXEMPTED/,
    );
    for (const rel of [
      '04-exemption/c-user-overwrites-exemption.json',
      '04-exemption/d-user-removes-exemption.json',
    ]) {
      expect(first(rel)?.actions).toContainEqual(
        expect.objectContaining({
          type: 'revert',
          status: 'done',
          detail: 'restore tag guardrails:exempt=CAB-1234 approved by secops',
        }),
      );
    }
    // The key in another account is ruled out by the allowlist without a KMS read; the notebook is stopped.
    expect(reports.filter((r) => r.file?.includes('03-kms')).flatMap((r) => r.actions)).toContainEqual(
      expect.objectContaining({ type: 'stop', status: 'done' }),
    );
  });
});

describe('docs/security.md', () => {
  it('names only test files that exist', () => {
    const doc = readFileSync('docs/security.md', 'utf8');
    const named = [...doc.matchAll(/`((?:test\/[\w/-]+\/)?[\w-]+\.test\.ts)`/g)].map((m) => m[1] ?? '');
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) {
      const path = name.startsWith('test/') ? name : `test/adversarial/${name}`;
      expect({ name, exists: existsSync(path) }).toEqual({ name, exists: true });
    }
  });
});
