// Runs once before any test file.
// - The CLI tests spawn the built CLI, so build it once.
// - Every temporary file of the run (test folders, packaged templates, browser profiles, the CLI's and the
//   serverless framework's own) goes under one folder that is removed at the end, so a run leaves nothing in
//   the system's temp dir. Test workers inherit TMPDIR (os.tmpdir() reads it) from this process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
  const runDir = mkdtempSync(path.join(tmpdir(), 'sm-guardrails-test-run-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = runDir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(runDir, { recursive: true, force: true });
  };
}
