// The CLI as an operator meets it: help, version, suggestions, pipes, --exclude, empty inputs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './support/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sm-guardrails-program-'));
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('help and version', () => {
  it('--help lists every command, exit 0', () => {
    const run = runCli(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: sm-guardrails \[options\] \[command\]/);
    for (const command of ['replay', 'check-config', 'rules', 'generate-policies', 'help'])
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(run.stdout).toContain('Exit status:');
    expect(run.stderr).toBe('');
  });

  it('--version and -V print the package version', () => {
    for (const flag of ['--version', '-V'])
      expect(runCli([flag])).toMatchObject({ status: 0, stdout: `${version}\n` });
  });

  it.each([
    ['replay', /--simulate[\s\S]*--exclude <path-or-glob>[\s\S]*Examples:/],
    ['check-config', /<FILE>/],
    ['rules', /list the rules/],
    ['generate-policies', /--out <DIR>[\s\S]*5,120-character SCP limit/],
  ])('%s --help and help %s: its usage, exit 0', (command, text) => {
    for (const args of [
      [command, '--help'],
      ['help', command],
    ]) {
      const run = runCli(args);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: sm-guardrails ${command} `));
      expect(run.stdout).toMatch(text);
    }
  });

  it('no command: the help on stderr, exit 2', () => {
    const run = runCli([]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Usage: sm-guardrails/);
  });
});

describe('mistakes get a suggestion and exit 2', () => {
  it('an unknown command', () => {
    const run = runCli(['repaly', 'events/']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      "sm-guardrails: unknown command 'repaly'\n(Did you mean replay?)\n(run with --help for usage)\n",
    );
  });

  it('an unknown option', () => {
    const run = runCli(['replay', '--simulat', 'events/']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^sm-guardrails: unknown option '--simulat'\n\(Did you mean --simulate\?\)/);
    expect(run.stdout).toBe('');
  });

  it('options that exclude each other', () => {
    const run = runCli(['replay', '--simulate', '--live', 'events/']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^sm-guardrails: option '--simulate' cannot be used with option '--live'/);
  });

  it('--dry-run without --live', () => {
    const run = runCli(['replay', '--dry-run', 'events/']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^sm-guardrails: --dry-run goes with --live/);
  });
});

describe('a reader that stops early', () => {
  // Far more output than a pipe buffers (64 KiB), so the CLI is still writing when `head` has gone.
  const event = JSON.parse(readFileSync('events/studio/create-domain-defaults.json', 'utf8'));
  const many = join(tmp, 'many.json');
  writeFileSync(many, JSON.stringify(Array.from({ length: 1500 }, () => event)));

  it.each([[[]], [['--json']]])('replay %j | head -1: one line, no stack trace', (flags) => {
    const run = spawnSync(
      'sh',
      ['-c', `node bin/sm-guardrails.mjs replay ${flags.join(' ')} "${many}" | head -1`],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/NONCOMPLIANT|"verdict":"noncompliant"/);
    expect(run.stderr).toBe('');
  });
});

describe('--exclude', () => {
  const files = (args: string[]) =>
    jsonLines(runCli(['replay', '--json', ...args]).stdout).map((r) => r.file);

  it('takes globs: relative to the working directory, or a name pattern without a slash', () => {
    const all = files(['--exclude', 'events/malformed', 'events/']);
    const byGlob = files(['--exclude', 'events/malformed', '--exclude', 'events/**/create-*', 'events/']);
    expect(byGlob.length).toBeGreaterThan(0);
    expect(byGlob).toEqual(all.filter((f) => !/\/create-[^/]*$/.test(f ?? '')));
    const byName = files(['--exclude', '**/malformed', '--exclude', '*-compliant.json', 'events/']);
    expect(byName).toEqual(all.filter((f) => !f?.endsWith('-compliant.json')));
  });

  it('a path or glob that matches nothing is an error, exit 2, nothing replayed', () => {
    for (const typo of ['events/malformd', 'events/**/*.jsn']) {
      const run = runCli(['replay', '--exclude', 'events/malformed', '--exclude', typo, 'events/']);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        new RegExp(
          `^sm-guardrails: --exclude "${typo.replace(/\*/g, '\\*')}" matches no file or directory in events/`,
        ),
      );
    }
  });
});

describe('inputs that hold no event', () => {
  it('an empty directory: a warning, exit 2', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    writeFileSync(join(empty, 'notes.txt'), 'not an event');
    for (const json of [[], ['--json']]) {
      const run = runCli(['replay', ...json, empty]);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`sm-guardrails: warning: no event to replay: no *.json file in ${empty}\n`);
    }
  });

  it('everything excluded: the same warning', () => {
    const run = runCli(['replay', '--exclude', 'events/studio', 'events/studio']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^sm-guardrails: warning: no event to replay: .* \(after --exclude\)/);
  });
});
