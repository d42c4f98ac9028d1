// 2. Cold start: a fresh `node` process imports the handler and handles one event against the emulator.
// Bundled (the deployment artifact, outside the project tree) vs unbundled (same code, dependencies resolved from
// node_modules), interleaved ABBA so both variants share the machine's noise.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deployablePolicy } from '#core/policy-file';
import type { Emulator } from '#emulator/index';
import { BENCH_DIR, CREDENTIALS, type JsonEvent, median, REGION, ROOT } from './common.ts';

const CHILD_SCRIPT = path.join(BENCH_DIR, 'cold-child.mjs');
/** The policy file the deployment ships (serverless.yml's default policyFile), as it ships it. */
const POLICY_FILE = 'guardrails.policy.yml';
const DEPLOYED_POLICY_JSON = deployablePolicy(
  readFileSync(path.join(ROOT, POLICY_FILE), 'utf8'),
  POLICY_FILE,
).json;

/** The Lambda runtime's Node major (serverless.yml: nodejs22.x). */
const LAMBDA_NODE = 'node@22';

/**
 * The Node binary of the Lambda runtime's major version: npm's `node` package ships it (`npx -y node@22`, cached
 * after the first run). Never a dependency of the project. Without it (offline, no cache), this process's Node.
 */
function lambdaNode(): { execPath: string; version: string } {
  try {
    const out = execFileSync('npx', ['-y', LAMBDA_NODE, '-p', 'process.execPath + " " + process.version'], {
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const [execPath = '', version = ''] = out.split('\n').pop()?.split(' ') ?? [];
    if (execPath && version) return { execPath, version };
  } catch {
    // fall through
  }
  return { execPath: process.execPath, version: process.version };
}
const CHILD_TIMEOUT_MS = 30_000;

/** Children still running, so that an interrupted bench can end them (by pid, one by one). */
const running = new Set<ChildProcess>();
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export type Variant = 'bundled' | 'unbundled';

export interface ColdRun {
  variant: Variant;
  /** Node bootstrap, before our script's first line (performance.now() at the import). */
  bootMs: number;
  importMs: number;
  firstEventMs: number;
  importPlusFirstEventMs: number;
  /** The container's second invocation (a warm event, same process). */
  secondEventMs: number;
  /** Spawn to exit, seen by the parent. */
  processWallMs: number;
  /** AWS calls the emulator saw from this process (both events). */
  awsCalls: number;
  verdict: string;
  secondVerdict: string;
}

export interface VariantSummary {
  runs: number;
  bootMs: number;
  importMs: number;
  firstEventMs: number;
  importPlusFirstEventMs: number;
  secondEventMs: number;
  processWallMs: number;
}

export interface ColdStartResult {
  /** The Node the children ran on: the Lambda runtime's major version when available. */
  node: string;
  fn: string;
  event: string;
  runsPerVariant: number;
  /** Medians. */
  bundled: VariantSummary;
  unbundled: VariantSummary;
  /** bundled / unbundled, of the medians. */
  ratio: { importMs: number; importPlusFirstEventMs: number; processWallMs: number; firstEventMs: number };
  /** Distinct values of AWS calls per child process (first + second event). */
  awsCallsPerProcess: number[];
  verdicts: string[];
  runs: ColdRun[];
}

interface ChildEnvironment {
  endpoint: string;
  topicArn: string;
  queueUrl: string;
  tableName: string;
}

/**
 * What the function's configuration (serverless.yml provider.environment) and Lambda put in its environment,
 * with the emulator's values; nothing of ours (no tsx). The policy file sits next to the handler, as in the zip.
 */
function childEnv(env: ChildEnvironment, handlerPath: string, eventFile: string): NodeJS.ProcessEnv {
  const taskRoot = path.dirname(handlerPath);
  writeFileSync(path.join(taskRoot, 'policy.json'), DEPLOYED_POLICY_JSON);
  return {
    LAMBDA_TASK_ROOT: taskRoot,
    NODE_OPTIONS: '--enable-source-maps',
    SM_GUARDRAILS_POLICY_FILE: 'policy.json',
    SM_GUARDRAILS_TABLE: env.tableName,
    POWERTOOLS_SERVICE_NAME: 'sm-guardrails',
    POWERTOOLS_METRICS_NAMESPACE: 'SmGuardrails',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    AWS_ENDPOINT_URL: env.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    // No shared config files to find, as in Lambda.
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SM_GUARDRAILS_TOPIC_ARN: env.topicArn,
    SM_GUARDRAILS_RECHECK_QUEUE_URL: env.queueUrl,
    SM_GUARDRAILS_ACCOUNT_ID: '111122223333',
    BENCH_HANDLER_URL: pathToFileURL(handlerPath).href,
    BENCH_EVENT_FILE: eventFile,
  };
}

function runChild(
  variant: Variant,
  env: NodeJS.ProcessEnv,
  emulator: Emulator,
  node: string,
): Promise<ColdRun> {
  return new Promise((resolve, reject) => {
    const callsBefore = emulator.calls.length;
    const started = process.hrtime.bigint();
    const child = spawn(node, [CHILD_SCRIPT], {
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let result = '';
    let stderr = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      result += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const processWallMs = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      running.delete(child);
      if (code !== 0 || !result) {
        reject(new Error(`cold-start child (${variant}) exited with ${code ?? signal}: ${stderr.trim()}`));
        return;
      }
      const timings = JSON.parse(result) as Omit<ColdRun, 'variant' | 'processWallMs' | 'awsCalls'>;
      resolve({ variant, ...timings, processWallMs, awsCalls: emulator.calls.length - callsBefore });
    });
  });
}

function summarize(runs: ColdRun[]): VariantSummary {
  const m = (pick: (r: ColdRun) => number) => median(runs.map(pick));
  return {
    runs: runs.length,
    bootMs: m((r) => r.bootMs),
    importMs: m((r) => r.importMs),
    firstEventMs: m((r) => r.firstEventMs),
    importPlusFirstEventMs: m((r) => r.importPlusFirstEventMs),
    secondEventMs: m((r) => r.secondEventMs),
    processWallMs: m((r) => r.processWallMs),
  };
}

export async function measureColdStart(options: {
  emulator: Emulator;
  env: ChildEnvironment;
  fn: string;
  bundledPath: string;
  unbundledPath: string;
  eventName: string;
  event: JsonEvent;
  eventFile: string;
  runsPerVariant: number;
}): Promise<ColdStartResult> {
  const { emulator } = options;
  const node = lambdaNode();
  writeFileSync(options.eventFile, JSON.stringify(options.event));
  const envOf = (variant: Variant) =>
    childEnv(
      options.env,
      variant === 'bundled' ? options.bundledPath : options.unbundledPath,
      options.eventFile,
    );
  // One discarded run each: the first reads the files from disk, the rest find them in the page cache.
  await runChild('bundled', envOf('bundled'), emulator, node.execPath);
  await runChild('unbundled', envOf('unbundled'), emulator, node.execPath);
  const runs: ColdRun[] = [];
  for (let i = 0; i < options.runsPerVariant; i++) {
    const order: Variant[] = i % 2 === 0 ? ['bundled', 'unbundled'] : ['unbundled', 'bundled'];
    for (const variant of order) runs.push(await runChild(variant, envOf(variant), emulator, node.execPath));
  }
  const bundled = summarize(runs.filter((r) => r.variant === 'bundled'));
  const unbundled = summarize(runs.filter((r) => r.variant === 'unbundled'));
  return {
    node: node.version,
    fn: options.fn,
    event: options.eventName,
    runsPerVariant: options.runsPerVariant,
    bundled,
    unbundled,
    ratio: {
      importMs: bundled.importMs / unbundled.importMs,
      importPlusFirstEventMs: bundled.importPlusFirstEventMs / unbundled.importPlusFirstEventMs,
      processWallMs: bundled.processWallMs / unbundled.processWallMs,
      firstEventMs: bundled.firstEventMs / unbundled.firstEventMs,
    },
    awsCallsPerProcess: [...new Set(runs.map((r) => r.awsCalls))].sort((a, b) => a - b),
    verdicts: [...new Set(runs.flatMap((r) => [r.verdict, r.secondVerdict]))].sort(),
    runs,
  };
}
