// 1. Bundle size per function, built with esbuild exactly as the deployment does, plus the same code with its
// dependencies left in node_modules (the "unbundled" variant the cold-start comparison runs).
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { parse } from 'yaml';
import { ROOT } from './common.ts';

export const FUNCTIONS = [
  'notebook-instances',
  'studio',
  'tags',
  'stop-recheck',
  'sweep-start',
  'sweep-worker',
  'security-hub',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/**
 * The deployment's esbuild options, read from serverless.yml (custom.esbuild) so the benchmark measures exactly
 * what is deployed, source map included (the functions run with --enable-source-maps, so the cold start loads
 * it); the size measured is the JS file's.
 */
const deployPlugins = createRequire(import.meta.url)('../scripts/esbuild-plugins.cjs') as NonNullable<
  BuildOptions['plugins']
>;

function deployOptions(): BuildOptions {
  const config = parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8'), { logLevel: 'error' }) as {
    custom: { esbuild: Record<string, unknown> };
  };
  const e = config.custom.esbuild;
  const pick = <K extends keyof BuildOptions>(key: K) =>
    e[key] === undefined ? {} : { [key]: e[key] as BuildOptions[K] };
  return {
    bundle: true,
    ...pick('platform'),
    ...pick('target'),
    ...pick('format'),
    ...pick('mainFields'),
    ...pick('minify'),
    ...pick('legalComments'),
    ...pick('alias'),
    ...pick('banner'),
    ...pick('sourcemap'),
    ...pick('sourcesContent'),
    // All the deployment's plugins, the source-map one too: the cold start parses the map on the first stack
    // trace, and the deployed one keeps the project's mappings only (60 KB against 700 KB).
    plugins: [...deployPlugins],
  };
}

export const DEPLOY_OPTIONS: BuildOptions = deployOptions();

export interface PackageShare {
  name: string;
  bytes: number;
  /** Share of the output. */
  share: number;
  /** Who pulls it in: our files, or the packages that import it. */
  importedBy: string[];
}

export interface BundleResult {
  fn: FunctionName;
  bundledPath: string;
  unbundledPath: string;
  bytes: number;
  kib: number;
  unbundledBytes: number;
  inputFiles: number;
  ourCodeBytes: number;
  buildMs: number;
  topPackages: PackageShare[];
}

const OUR_CODE = '(our code)';

function packageOf(input: string): string {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  return m ? (m[1] as string) : OUR_CODE;
}

/** Output bytes per package, and who imports each package (from the metafile). */
export function analyseMetafile(
  metafile: Metafile,
  top = 8,
): { ourCodeBytes: number; packages: PackageShare[] } {
  const output = Object.entries(metafile.outputs).find(([file]) => !file.endsWith('.map'))?.[1];
  if (!output) return { ourCodeBytes: 0, packages: [] };
  const bytes = new Map<string, number>();
  for (const [input, info] of Object.entries(output.inputs)) {
    const pkg = packageOf(input);
    bytes.set(pkg, (bytes.get(pkg) ?? 0) + info.bytesInOutput);
  }
  const importers = new Map<string, Set<string>>();
  for (const [input, info] of Object.entries(metafile.inputs)) {
    const from = packageOf(input);
    for (const imp of info.imports) {
      const to = packageOf(imp.path);
      if (to === OUR_CODE || to === from) continue;
      const set = importers.get(to) ?? new Set<string>();
      set.add(from === OUR_CODE ? input : from);
      importers.set(to, set);
    }
  }
  const total = output.bytes;
  const packages = [...bytes.entries()]
    .filter(([name]) => name !== OUR_CODE)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, b]) => ({
      name,
      bytes: b,
      share: b / total,
      importedBy: [...(importers.get(name) ?? [])].sort().slice(0, 4),
    }));
  return { ourCodeBytes: bytes.get(OUR_CODE) ?? 0, packages };
}

async function buildOne(fn: FunctionName, bundledDir: string, unbundledDir: string): Promise<BundleResult> {
  const entry = path.join(ROOT, 'functions', fn, 'handler.ts');
  const bundledPath = path.join(bundledDir, fn, 'index.mjs');
  const unbundledPath = path.join(unbundledDir, fn, 'index.mjs');
  const started = performance.now();
  const bundled = await build({
    ...DEPLOY_OPTIONS,
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: bundledPath,
    metafile: true,
    logLevel: 'error',
  });
  const buildMs = performance.now() - started;
  await build({
    ...DEPLOY_OPTIONS,
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: unbundledPath,
    packages: 'external',
    logLevel: 'error',
  });
  const bytes = statSync(bundledPath).size;
  const { ourCodeBytes, packages } = analyseMetafile(bundled.metafile);
  return {
    fn,
    bundledPath,
    unbundledPath,
    bytes,
    kib: bytes / 1024,
    unbundledBytes: statSync(unbundledPath).size,
    inputFiles: Object.keys(bundled.metafile.inputs).length,
    ourCodeBytes,
    buildMs,
    topPackages: packages,
  };
}

export async function buildBundles(bundledDir: string, unbundledDir: string): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  // One at a time: esbuild already uses both cores, and the build times stay comparable.
  for (const fn of FUNCTIONS) results.push(await buildOne(fn, bundledDir, unbundledDir));
  return results;
}
