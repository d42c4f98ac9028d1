// Shared helpers of the benchmark: paths, statistics, sample events, and silencing the Lambda logs.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH_DIR, '..');
/** Inside the project so that node_modules resolves for the unbundled build (gitignored by bench/.gitignore). */
export const LOCAL_TMP = path.join(BENCH_DIR, '.tmp');
export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };
/** The guardrails' table (store/table.ts) in the emulator's DynamoDB. */
export const BENCH_TABLE = 'sm-guardrails-bench';

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export type JsonEvent = Record<string, unknown>;

export interface SampleEvent {
  /** Relative to events/. */
  file: string;
  event: JsonEvent;
}

/** Every parseable sample event outside events/malformed, sorted by path. */
export function loadSampleEvents(): SampleEvent[] {
  const dir = path.join(ROOT, 'events');
  const files = (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.json') && !f.startsWith('malformed'))
    .sort();
  return files.map((file) => ({
    file,
    event: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as JsonEvent,
  }));
}

export function loadEvent(rel: string): JsonEvent {
  return JSON.parse(readFileSync(path.join(ROOT, 'events', rel), 'utf8')) as JsonEvent;
}

/** A redelivery-proof copy: new envelope id and CloudTrail eventID/requestID (when the event has them). */
export function withFreshIds(event: JsonEvent): JsonEvent {
  const copy = structuredClone(event);
  copy.id = crypto.randomUUID();
  const detail = copy.detail as Record<string, unknown> | undefined;
  if (detail && typeof detail === 'object') {
    if ('eventID' in detail) detail.eventID = crypto.randomUUID();
    if ('requestID' in detail) detail.requestID = crypto.randomUUID();
  }
  return copy;
}

export interface Silenced<T> {
  value: T;
  stdoutBytes: number;
  stderrBytes: number;
  /** The start of what was written to stderr (warnings and errors of the handlers), for diagnosis. */
  stderrHead: string;
}

/**
 * Runs fn with process.stdout/stderr writes swallowed: the Powertools logger and metrics still build and
 * serialize every line (that cost stays in the measurement), only the terminal write is skipped.
 */
export async function silenced<T>(fn: () => Promise<T>): Promise<Silenced<T>> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  let stdoutBytes = 0;
  let stderrBytes = 0;
  let stderrHead = '';
  const size = (chunk: unknown) =>
    typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).length;
  process.stdout.write = ((chunk: unknown) => {
    stdoutBytes += size(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => {
    stderrBytes += size(chunk);
    if (stderrHead.length < 2000) stderrHead += String(chunk).slice(0, 2000 - stderrHead.length);
    return true;
  }) as typeof process.stderr.write;
  try {
    const value = await fn();
    return { value, stdoutBytes, stderrBytes, stderrHead };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

export const isReadOperation = (operation: string): boolean => /^(Describe|List|Get)/.test(operation);

export function log(message: string): void {
  process.stdout.write(`[bench] ${message}\n`);
}

/** The Lambda context a handler receives, as far as the runtime reads it. */
export function lambdaContext(awsRequestId: string): Context {
  return {
    awsRequestId,
    functionName: 'sm-guardrails-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:sm-guardrails-bench',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/sm-guardrails-bench',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
