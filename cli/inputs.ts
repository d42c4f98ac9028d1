// Reads replay inputs: files holding one event or an array of events, and directories searched for *.json.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

export type InputItem =
  | { file: string; index?: number; event: unknown }
  | { file: string; index?: number; error: string };

async function listJsonFiles(path: string, excluded: readonly string[]): Promise<string[]> {
  if (excluded.some((ex) => resolve(path) === ex || resolve(path).startsWith(`${ex}/`))) return [];
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

/** Every event of every path, in order. Unreadable paths and bad JSON become items with an error, never exceptions. */
export async function readInputs(
  paths: readonly string[],
  exclude: readonly string[] = [],
): Promise<InputItem[]> {
  const excluded = exclude.map((p) => resolve(p));
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
