// The closing line CI reads must count every failure: a hook that threw or a file that did not load too, whose
// tests vitest then skips (CI once printed "0 failed" over a file whose beforeAll had timed out).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'plain-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The reporter's line for one fixture file run by vitest (globals: the fixture imports nothing). */
function closingLine(source: string): string {
  const file = path.join(dir, `case-${Math.random().toString(36).slice(2)}.test.js`);
  writeFileSync(file, source);
  const run = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/vitest/vitest.mjs'),
      'run',
      file,
      '--root',
      dir,
      '--globals',
      '--reporter',
      path.join(ROOT, 'test/plain-summary-reporter.ts'),
    ],
    { encoding: 'utf8', cwd: dir },
  );
  const lines = run.stdout.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

describe('plain summary reporter', () => {
  it.each([
    ['passing tests', "it('a', () => {}); it('b', () => {});", '2 passed, 0 failed'],
    ['a failing test', "it('a', () => {}); it('b', () => { throw new Error('no'); });", '1 passed, 1 failed'],
    [
      "a file's beforeAll that throws",
      "beforeAll(() => { throw new Error('hook'); }); it('a', () => {}); it('b', () => {});",
      '0 passed, 1 failed, 2 skipped',
    ],
    [
      "a suite's beforeAll that throws",
      "it('a', () => {}); describe('s', () => { beforeAll(() => { throw new Error('hook'); }); it('b', () => {}); });",
      '1 passed, 1 failed, 1 skipped',
    ],
    ['a file that does not load', "throw new Error('load');", '0 passed, 1 failed'],
  ])('%s', (_name, source, line) => {
    expect(closingLine(source)).toBe(line);
  });
});
