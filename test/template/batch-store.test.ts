// powertools-batch-store-compact (scripts/esbuild-plugins.cjs): Powertools batch's BatchProcessingStore written as
// one class over two private helpers. One script of calls runs through the store built as deployed and as
// published: state in the instance (no AWS_LAMBDA_MAX_CONCURRENCY), in Lambda's InvokeStore (set), and with the
// InvokeStore missing (records throw, the rest answer defaults). Every answer must be the same.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleDeployedProbe } from '../support/deployed-probe.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const STORE = path.join(ROOT, 'node_modules/@aws-lambda-powertools/batch/lib/esm/BatchProcessingStore.js');

const PROBE = `
import { BatchProcessingStore } from ${JSON.stringify(STORE)};
const METHODS = ['Records', 'Handler', 'Options', 'FailureMessages', 'SuccessMessages', 'BatchResponse', 'Errors'];
const show = (v) => (typeof v === 'function' ? 'function: ' + String(v()) : JSON.stringify(v) ?? 'undefined');

export function transcript() {
  const out = [];
  const run = (mode) => {
    const store = new BatchProcessingStore();
    const other = new BatchProcessingStore();
    for (const m of METHODS) {
      const steps = [
        ['initial', () => show(store['get' + m]())],
        ['set', () => store['set' + m]({ value: m })],
        ['after set', () => show(store['get' + m]())],
        ['another store', () => show(other['get' + m]())],
        ['set null', () => store['set' + m](null)],
        ['after null', () => show(store['get' + m]())],
      ];
      for (const [step, call] of steps) {
        try {
          out.push([mode, m, step, call() ?? 'returns nothing']);
        } catch (error) {
          out.push([mode, m, step, 'throws ' + error.message]);
        }
      }
    }
  };
  const savedEnv = process.env.AWS_LAMBDA_MAX_CONCURRENCY;
  const savedLambda = globalThis.awslambda;
  try {
    delete process.env.AWS_LAMBDA_MAX_CONCURRENCY;
    run('instance');
    process.env.AWS_LAMBDA_MAX_CONCURRENCY = '4';
    const values = new Map();
    globalThis.awslambda = { InvokeStore: { get: (k) => values.get(k), set: (k, v) => void values.set(k, v) } };
    run('invoke store');
    out.push(['invoke store keys', [...values.keys()].map(String)]);
    globalThis.awslambda = {};
    run('no invoke store');
  } finally {
    if (savedEnv === undefined) delete process.env.AWS_LAMBDA_MAX_CONCURRENCY;
    else process.env.AWS_LAMBDA_MAX_CONCURRENCY = savedEnv;
    globalThis.awslambda = savedLambda;
  }
  return out;
}
`;

type Probe = { transcript(): unknown[][] };
let deployed: unknown[][];
let published: unknown[][];
let deployedText: string;
beforeAll(async () => {
  const built = await bundleDeployedProbe(PROBE, 'batch-store');
  const unmodified = await bundleDeployedProbe(PROBE, 'batch-store', { unmodified: true });
  const { readFileSync } = await import('node:fs');
  deployedText = readFileSync(built.file, 'utf8');
  deployed = ((await import(pathToFileURL(built.file).href)) as Probe).transcript();
  published = ((await import(pathToFileURL(unmodified.file).href)) as Probe).transcript();
  // Two builds: seconds, more on a loaded machine.
}, 60_000);

describe('Powertools batch store compact (powertools-batch-store-compact)', () => {
  it('is the compact class in the deployed bundle', () => {
    // The published class names each key whole; the compact one builds the names from a list.
    expect(deployedText).not.toContain('powertools.batch.failureMessages');
    expect(deployedText).toContain('"failureMessages"');
  });

  it('answers every call as the published store, in each mode', () => {
    expect(deployed).toEqual(published);
    // The script reaches each mode's own behaviour (so a store that ignored the mode would differ).
    expect(published).toContainEqual([
      'no invoke store',
      'Records',
      'initial',
      'throws InvokeStore is not available',
    ]);
    expect(published).toContainEqual(['no invoke store', 'Errors', 'after set', '[]']);
    expect(published).toContainEqual(['invoke store', 'Options', 'after null', 'null']);
    expect(published).toContainEqual(['instance', 'Handler', 'initial', 'function: undefined']);
    expect(published.find((row) => row[0] === 'invoke store keys')?.[1]).toHaveLength(7);
  });
});
