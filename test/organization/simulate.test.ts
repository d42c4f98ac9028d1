// `replay --simulate` of any user's events: the sample events recorded in other accounts, another region and the
// aws-us-gov partition come out exactly as in the emulator's own account, each acted out (and acted on) in its own
// account and region, never in another.
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventReport } from '#core/report';
import { jsonLines, runCli } from '../support/cli.ts';

const HOME = { account: '111122223333', region: 'us-east-1', partition: 'aws' };
const PLACES = [
  { account: '444455556666', region: 'eu-west-1', partition: 'aws' },
  { account: '777788889999', region: 'us-east-1', partition: 'aws' },
  { account: '222233334444', region: 'us-gov-west-1', partition: 'aws-us-gov' },
];

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json') && !f.startsWith('malformed'))
    .sort();
}

/** The sample events as recorded in `place`: its account, region and partition, with event ids of their own. */
function copyEventsTo(dir: string, place: (typeof PLACES)[number]): void {
  for (const rel of jsonFiles('events')) {
    const text = readFileSync(join('events', rel), 'utf8')
      .replaceAll(HOME.account, place.account)
      .replaceAll(HOME.region, place.region)
      .replaceAll('arn:aws:', `arn:${place.partition}:`);
    const event = JSON.parse(text) as { id?: string; detail?: { eventID?: string } };
    event.id = randomUUID();
    if (event.detail?.eventID) event.detail.eventID = randomUUID();
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), JSON.stringify(event));
  }
}

describe('replay --simulate of events from any account, region and partition', () => {
  const root = mkdtempSync(join(tmpdir(), 'sm-guardrails-org-'));
  const home = join(root, 'home');
  cpSync('events', home, { recursive: true, filter: (src) => !src.includes('malformed') });
  const dirs = PLACES.map((place, i) => {
    const dir = join(root, `place-${i}`);
    copyEventsTo(dir, place);
    return { place, dir };
  });
  // The default policy ignores the guardrails' own roles in the aws partition only (the partition-bound own-role
  // injection is the fail-closed issue's): name them in aws-us-gov too.
  const policy = join(root, 'policy.yml');
  writeFileSync(
    policy,
    readFileSync('guardrails.policy.yml', 'utf8').replace(
      '  - arn:aws:iam::*:role/sm-guardrails-*\n',
      '  - arn:aws:iam::*:role/sm-guardrails-*\n  - arn:aws-us-gov:iam::*:role/sm-guardrails-*\n',
    ),
  );
  // One run, one simulated organization: every place's events through the same container.
  const run = runCli(['replay', '--simulate', '--json', '--config', policy, home, ...dirs.map((d) => d.dir)]);
  const reports = jsonLines(run.stdout);
  const outcome = (r: EventReport) => ({
    verdict: r.verdict,
    reason: r.reason,
    actions: r.actions.map((a) => `${a.type}:${a.status}`),
    violations: r.violations.map((v) => v.rule),
    notifications: (r.notifications ?? []).map((n) => n.status),
  });
  // The CLI names files relative to the working directory.
  const inDir = (dir: string) => (r: EventReport) => r.file?.startsWith(`${relative(process.cwd(), dir)}/`);
  const byFile = (dir: string) => {
    const map = new Map<string, ReturnType<typeof outcome>[]>();
    for (const r of reports.filter(inDir(dir))) {
      const rel = relative(relative(process.cwd(), dir), r.file ?? '');
      map.set(rel, [...(map.get(rel) ?? []), outcome(r)]);
    }
    return map;
  };

  it('runs every event without an error', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(reports.filter((r) => r.verdict === 'error' || r.verdict === 'invalid')).toEqual([]);
    expect(reports.length).toBeGreaterThanOrEqual(4 * jsonFiles('events').length);
  });

  it('gives every place the verdicts, violations and actions of the home account', () => {
    const expected = byFile(home);
    expect(expected.size).toBe(jsonFiles('events').length);
    for (const { place, dir } of dirs) {
      const got = byFile(dir);
      for (const [rel, outcomes] of expected) {
        const fix = (o: ReturnType<typeof outcome>) => ({
          ...o,
          reason:
            o.reason
              ?.replaceAll(place.account, HOME.account)
              .replaceAll(place.region, HOME.region)
              .replaceAll(`arn:${place.partition}:`, 'arn:aws:') ?? null,
        });
        expect({ place: place.account, rel, outcomes: got.get(rel)?.map(fix) }).toEqual({
          place: place.account,
          rel,
          outcomes,
        });
      }
    }
  });

  it('reads and acts in the event’s own account and region: resources and alerts name them', () => {
    for (const { place, dir } of dirs) {
      const mine = reports.filter(inDir(dir));
      const located = mine.filter((r) => r.resource);
      expect(located.length).toBeGreaterThan(20);
      for (const r of located) {
        expect(r.resource?.arn, r.file).toMatch(
          new RegExp(`^arn:${place.partition}:sagemaker:${place.region}:${place.account}:`),
        );
      }
      const subjects = mine.flatMap((r) => r.notifications ?? []).map((n) => n.subject);
      expect(subjects.length).toBeGreaterThan(5);
      for (const subject of subjects) expect(subject).toContain(` in ${place.account}/${place.region}`);
    }
  });
});
