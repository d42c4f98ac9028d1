// Reads replay inputs: files holding one event or an array of events, and directories searched for *.json.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { UsageError } from './context.ts';

export type InputItem =
  | { file: string; index?: number; event: unknown }
  | { file: string; index?: number; error: string };

/** One --exclude: a path (that file or directory, and all under it) or a glob. */
interface Exclusion {
  pattern: string;
  matches(path: string): boolean;
  /** Whether it left anything out: one that never does is a typo, reported. */
  used: boolean;
}

const posix = (path: string) => path.split(sep).join('/');

function exclusion(pattern: string): Exclusion {
  if (!picomatch.scan(pattern).isGlob) {
    const target = resolve(pattern);
    return {
      pattern,
      used: false,
      matches: (path) => resolve(path) === target || resolve(path).startsWith(`${target}${sep}`),
    };
  }
  // Matched against the path relative to the working directory and the absolute path; a pattern without a
  // slash (`*-compliant.json`) against the file or directory name.
  const glob = pattern.replace(/^\.\//, '');
  const isMatch = picomatch(glob, { dot: true, basename: !glob.includes('/') });
  return {
    pattern,
    used: false,
    matches: (path) =>
      isMatch(posix(relative(process.cwd(), resolve(path)))) || isMatch(posix(resolve(path))),
  };
}

async function listJsonFiles(path: string, excluded: readonly Exclusion[]): Promise<string[]> {
  const exclusions = excluded.filter((ex) => ex.matches(path));
  for (const ex of exclusions) ex.used = true;
  if (exclusions.length > 0) return [];
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const nested = await Promise.all(
    entries
      .filter((e) => e.isDirectory() || (e.isFile() && e.name.endsWith('.json')))
      .map((e) => listJsonFiles(join(path, e.name), excluded)),
  );
  return nested.flat();
}

function describeJsonError(error: unknown): string {
  return `not valid JSON (${error instanceof Error ? error.message : String(error)})`;
}

/**
 * Every event of every path, in order. Unreadable paths and bad JSON become items with an error, never
 * exceptions. `exclude`: paths or globs (picomatch); one that matches no file or directory under the paths
 * throws a UsageError (a typo must not silently replay what was meant to be left out).
 */
export async function readInputs(
  paths: readonly string[],
  exclude: readonly string[] = [],
): Promise<InputItem[]> {
  const excluded = exclude.map(exclusion);
  const items: InputItem[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = await listJsonFiles(path, excluded);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      items.push({
        file: path,
        error: code === 'ENOENT' ? 'no such file or directory' : `cannot read (${code})`,
      });
      continue;
    }
    for (const file of files) {
      const shown = relative(process.cwd(), file) || file;
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        items.push({ file: shown, error: code ? `cannot read (${code})` : describeJsonError(error) });
        continue;
      }
      const events = unwrapDeadLetters(parsed);
      if (Array.isArray(events) && events.length === 0) {
        items.push({ file: shown, error: 'the file holds no events (an empty list)' });
      } else if (Array.isArray(events)) {
        for (const [index, event] of events.entries()) items.push({ file: shown, index, event });
      } else items.push({ file: shown, event: events });
    }
  }
  const unused = excluded.filter((ex) => !ex.used).map((ex) => `"${ex.pattern}"`);
  if (unused.length > 0) {
    throw new UsageError(`--exclude ${unused.join(', ')} matches no file or directory in ${paths.join(' ')}`);
  }
  return items;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Dead letters replay as the events they carry: a Lambda on-failure destination record (`requestPayload`), an SQS
 * message (`Body` holding JSON) and `aws sqs receive-message` output (`Messages`). Anything else is left as is.
 */
export function unwrapDeadLetters(value: unknown): unknown {
  if (Array.isArray(value)) return value.flatMap((v) => [unwrapDeadLetters(v)].flat());
  if (!isObject(value)) return value;
  if (Array.isArray(value.Messages)) return unwrapDeadLetters(value.Messages);
  if ('requestPayload' in value && isObject(value.requestContext)) return value.requestPayload;
  if (typeof value.Body === 'string' && typeof value.MessageId === 'string') {
    try {
      return unwrapDeadLetters(JSON.parse(value.Body));
    } catch {
      return value;
    }
  }
  return value;
}
