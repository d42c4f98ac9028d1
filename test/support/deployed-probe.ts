// A probe module bundled as the deployment bundles its functions (bench/bundle.ts reads serverless.yml's esbuild
// options and plugins), to run the deployed SDK code in a test and see which modules it kept.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { DEPLOY_OPTIONS } from '../../bench/bundle.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface DeployedProbe {
  /** The bundle, to import. */
  file: string;
  /** The input files with bytes in the bundle (relative to the repository). */
  inOutput: string[];
}

/** `unmodified`: the same options with the SDK as published (no plugin, no alias), to compare with. */
export async function bundleDeployedProbe(
  source: string,
  name: string,
  { unmodified = false } = {},
): Promise<DeployedProbe> {
  const dir = path.join(tmpdir(), `${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, unmodified ? 'probe-unmodified.mjs' : 'probe.mjs');
  const result = await build({
    ...DEPLOY_OPTIONS,
    ...(unmodified ? { plugins: [], alias: {} } : {}),
    sourcemap: false,
    metafile: true,
    absWorkingDir: ROOT,
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'probe.mjs', loader: 'js' },
    outfile: file,
    logLevel: 'error',
  });
  const inOutput = Object.values(result.metafile?.outputs ?? {}).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([f]) => f),
  );
  return { file, inOutput };
}
