// Runs `serverless package` (osls) into a temporary directory and reads what it wrote. Each test file that
// needs a template packages once in its beforeAll; packagings run without AWS credentials or network, each in
// its own esbuild work folder so that test files can package at the same time.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readZip } from './zip.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVERLESS_BIN = path.join(ROOT, 'node_modules/osls/bin/serverless.js');

/** One `serverless` run: a cold `serverless package` takes about 5 s here, far more on a loaded CI machine. */
const RUN_TIMEOUT_MS = 175_000;
/** A test that packages: its own run plus the wait for the runs of other test files (one at a time, below). */
export const PACKAGE_TIMEOUT_MS = 600_000;

export interface RunResult {
  code: number;
  output: string;
}

/**
 * serverless-esbuild stages every packaging in the service's own `.serverless/` folder, whatever `--package`
 * says: two runs of one checkout at once (test files run in parallel) can delete each other's files
 * (ENOENT .serverless/serverless-state.json). A lock directory shared by all test processes runs them one at a
 * time; a lock older than a run's timeout was left by a killed process and is taken over.
 */
const LOCK_DIR = path.join(ROOT, '.esbuild-package.lock');

async function withPackagingLock<T>(run: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(LOCK_DIR).mtimeMs > RUN_TIMEOUT_MS + 5_000) rmdirSync(LOCK_DIR);
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await run();
  } finally {
    try {
      rmdirSync(LOCK_DIR);
    } catch {}
  }
}

/** `serverless <args>` from the repository root, with no AWS credentials of any kind in reach. */
export function runServerless(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return withPackagingLock(() => runServerlessNow(args, env));
}

function runServerlessNow(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(childEnv)) {
    if (/^AWS_/.test(name) && name !== 'AWS_CA_BUNDLE') delete childEnv[name];
  }
  Object.assign(childEnv, {
    AWS_CONFIG_FILE: path.join(tmpdir(), 'sm-guardrails-no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmpdir(), 'sm-guardrails-no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    SM_GUARDRAILS_ESBUILD_WORK_FOLDER: `.esbuild/test-${randomUUID()}`,
    ...env,
  });
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SERVERLESS_BIN, ...args],
      { cwd: ROOT, env: childEnv, timeout: RUN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // Remove .esbuild/ again if this run left it empty (it is shared with a developer's own runs).
        try {
          rmdirSync(path.join(ROOT, '.esbuild'));
        } catch {}
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

// ---- CloudFormation template ----------------------------------------------------------------------------

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
}

export interface Packaged {
  dir: string;
  template: CfnTemplate;
  output: string;
  seconds: number;
}

/** `serverless package --package <tmp> <args>`; throws with serverless's output when it fails. */
export async function packageService(args: string[] = []): Promise<Packaged> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-guardrails-package-'));
  const started = Date.now();
  const { code, output } = await runServerless(['package', '--package', dir, ...args]);
  if (code !== 0) throw new Error(`serverless package failed (exit ${code}):\n${output}`);
  const template = JSON.parse(
    readFileSync(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
  return { dir, template, output, seconds: (Date.now() - started) / 1000 };
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export function props(template: CfnTemplate, logicalId: string): Record<string, unknown> {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId} in the template`);
  return resource.Properties ?? {};
}

/** The logical id a `{Ref: X}` or `{Fn::GetAtt: [X, attr]}` points to. */
export function targetOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/** The functions as `serverless.yml` names them, with their Lambda resource. */
export const FUNCTIONS = {
  notebookInstances: 'NotebookInstancesLambdaFunction',
  studio: 'StudioLambdaFunction',
  tags: 'TagsLambdaFunction',
  stopRecheck: 'StopRecheckLambdaFunction',
} as const;
export type FunctionName = keyof typeof FUNCTIONS;
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

export function functionOfLogicalId(logicalId: string): FunctionName {
  const name = FUNCTION_NAMES.find((f) => FUNCTIONS[f] === logicalId);
  if (!name) throw new Error(`${logicalId} is not one of the guardrails functions`);
  return name;
}

/** The policy a function reads at cold start: the file SM_GUARDRAILS_POLICY_FILE names, from its zip. */
export function packagedPolicy(packaged: Packaged, fn: FunctionName): { file: string; json: string } {
  const env = (props(packaged.template, FUNCTIONS[fn]).Environment as { Variables: Record<string, unknown> })
    .Variables;
  const file = env.SM_GUARDRAILS_POLICY_FILE;
  if (typeof file !== 'string') throw new Error(`${fn}: no SM_GUARDRAILS_POLICY_FILE`);
  const entry = readZip(path.join(packaged.dir, `${fn}.zip`)).find((e) => e.name === file);
  if (!entry) throw new Error(`${fn}: ${file} is not in the zip`);
  return { file, json: entry.data().toString('utf8') };
}
