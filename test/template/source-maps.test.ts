// scripts/esbuild-plugins.cjs: the bundles' source maps keep the project's mappings and drop node_modules'.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

interface RawSourceMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  sourcesContent?: (string | null)[];
}
const plugins = createRequire(import.meta.url)('../../scripts/esbuild-plugins.cjs') as {
  filterSourceMap(map: RawSourceMap, drop: (source: string) => boolean): RawSourceMap;
  decodeSegment(text: string): number[];
};

interface Mapping {
  line: number;
  column: number;
  source?: string;
  sourceLine?: number;
  sourceColumn?: number;
  name?: string;
}

/** Every segment with absolute positions (an independent reading of the v3 format). */
function decode(map: RawSourceMap): Mapping[] {
  const out: Mapping[] = [];
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  let name = 0;
  map.mappings.split(';').forEach((line, lineIndex) => {
    let column = 0;
    for (const text of line.split(',')) {
      if (!text) continue;
      const f = plugins.decodeSegment(text);
      column += f[0] ?? 0;
      if (f.length === 1) {
        out.push({ line: lineIndex, column });
        continue;
      }
      source += f[1] ?? 0;
      sourceLine += f[2] ?? 0;
      sourceColumn += f[3] ?? 0;
      const m: Mapping = { line: lineIndex, column, source: map.sources[source], sourceLine, sourceColumn };
      if (f.length >= 5) {
        name += f[4] ?? 0;
        m.name = map.names[name];
      }
      out.push(m);
    }
  });
  return out;
}

const isDependency = (s: string) => s.includes('node_modules');

let original: RawSourceMap;
let filtered: RawSourceMap;

beforeAll(async () => {
  // A tiny project: two source files and a dependency in node_modules, bundled and minified like the Lambdas.
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-guardrails-maps-'));
  mkdirSync(path.join(dir, 'node_modules/dep'), { recursive: true });
  writeFileSync(
    path.join(dir, 'node_modules/dep/index.js'),
    'export function shout(text) {\n  const loud = String(text).toUpperCase();\n  return loud + "!";\n}\n' +
      'export function whisper(text) {\n  return String(text).toLowerCase();\n}\n',
  );
  writeFileSync(path.join(dir, 'util.ts'), "export const greet = (who: string): string => 'hello ' + who;\n");
  writeFileSync(
    path.join(dir, 'main.ts'),
    "import { shout, whisper } from 'dep';\nimport { greet } from './util.ts';\n" +
      'export function handler(name: string): string {\n  const message = greet(name);\n' +
      '  return shout(message) + whisper(message);\n}\n',
  );
  await build({
    entryPoints: [path.join(dir, 'main.ts')],
    outfile: path.join(dir, 'out/main.mjs'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
  original = JSON.parse(readFileSync(path.join(dir, 'out/main.mjs.map'), 'utf8'));
  filtered = plugins.filterSourceMap(original, isDependency);
});

describe('filterSourceMap', () => {
  it('drops the node_modules sources and keeps the project ones', () => {
    expect(original.sources.some(isDependency)).toBe(true);
    expect(filtered.sources).toEqual(original.sources.filter((s) => !isDependency(s)));
    expect(filtered.sources.length).toBe(2);
    expect(filtered.sourcesContent).toHaveLength(2);
  });

  it('keeps every project mapping exactly, names included', () => {
    const kept = decode(original).filter((m) => m.source !== undefined && !isDependency(m.source));
    const after = decode(filtered).filter((m) => m.source !== undefined);
    expect(kept.length).toBeGreaterThan(3);
    expect(after).toEqual(kept);
    expect(filtered.names.length).toBeLessThanOrEqual(original.names.length);
  });

  it('leaves dependency code unmapped instead of attributing it to the project code before it', () => {
    const dependencyStarts = decode(original).filter((m) => m.source !== undefined && isDependency(m.source));
    expect(dependencyStarts.length).toBeGreaterThan(0);
    const after = decode(filtered);
    for (const dep of dependencyStarts) {
      // The segment in force at that generated position is an unmapped one.
      const inForce = after.filter((m) => m.line === dep.line && m.column <= dep.column).at(-1);
      if (inForce) expect(inForce.source, `${dep.line}:${dep.column}`).toBeUndefined();
    }
    expect(filtered.mappings.length).toBeLessThan(original.mappings.length);
  });
});
