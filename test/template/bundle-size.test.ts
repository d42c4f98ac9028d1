// Every deployed function's bundle, built as the deployment builds it (bench/bundle.ts reads serverless.yml's
// esbuild options and plugins), under the standard's 400 KB (decimal bytes, so the KiB reading holds too); and
// the SDK's adaptive retry left out only of bundles whose clients never ask for it.
// The zips and their contents are checked where serverless packages them (sweep.test.ts, template.test.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY_OPTIONS, FUNCTIONS, type FunctionName } from '../../bench/bundle.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUNDLE_LIMIT = 400_000;

const sizes = new Map<FunctionName, number>();
const codes = new Map<FunctionName, string>();
/** The project's own source files in each bundle, and whether the SDK's adaptive retry strategy is in it. */
const projectFiles = new Map<FunctionName, string[]>();
const adaptiveRetry = new Map<FunctionName, boolean>();
/** The functions whose bundles leave adaptive retry out (scripts/esbuild-plugins.cjs, standard-retry-only). */
const STANDARD_RETRY: FunctionName[] = ['notebook-instances', 'studio', 'tags', 'stop-recheck'];
beforeAll(async () => {
  // One build per function, in parallel, as deployed (the source map too: the bundle names it).
  const dir = mkdtempSync(path.join(tmpdir(), 'bundle-size-'));
  await Promise.all(
    FUNCTIONS.map(async (fn) => {
      const outfile = path.join(dir, fn, 'handler.mjs');
      const result = await build({
        ...DEPLOY_OPTIONS,
        absWorkingDir: ROOT,
        entryPoints: [`functions/${fn}/handler.ts`],
        outfile,
        metafile: true,
        logLevel: 'error',
      });
      sizes.set(fn, statSync(outfile).size);
      codes.set(fn, readFileSync(outfile, 'utf8'));
      const inputs = Object.values(result.metafile?.outputs ?? {}).flatMap((o) =>
        Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0),
      );
      projectFiles.set(
        fn,
        inputs.map(([f]) => f).filter((f) => !f.includes('node_modules') && /\.ts$/.test(f)),
      );
      adaptiveRetry.set(
        fn,
        inputs.some(([f]) => f.endsWith('util-retry/AdaptiveRetryStrategy.js')),
      );
    }),
  );
  rmSync(dir, { recursive: true });
  // Seven builds: a few seconds alone, far more on a loaded machine.
}, 180_000);

describe('bundle sizes', () => {
  it('every function under functions/ is measured', () => {
    const handlers = readdirSync(path.join(ROOT, 'functions'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect([...FUNCTIONS].sort()).toEqual(handlers);
  });

  it.each(FUNCTIONS)('%s: adaptive retry bundled exactly where a client may ask for it', (fn) => {
    // A client asks for it with retryMode 'adaptive' in the project's code (shared/aws/clients.ts only passes
    // the mode on, and AWS_RETRY_MODE is never read: the mode is always given).
    const askers = (projectFiles.get(fn) ?? []).filter((f) =>
      /retryMode:\s*['"]adaptive['"]/.test(readFileSync(path.join(ROOT, f), 'utf8')),
    );
    const stubbed = STANDARD_RETRY.includes(fn);
    expect(askers.length > 0, `${fn}: ${askers.join(', ')}`).toBe(!stubbed);
    expect(adaptiveRetry.get(fn), fn).toBe(!stubbed);
    expect(codes.get(fn)?.includes('Adaptive retry is not bundled in this function'), fn).toBe(stubbed);
  });

  it.each(FUNCTIONS)('%s: under 400,000 bytes', (fn) => {
    const bytes = sizes.get(fn) ?? 0;
    expect(bytes).toBeGreaterThan(100_000);
    expect(bytes).toBeLessThan(BUNDLE_LIMIT);
  });
});
