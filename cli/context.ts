// What every command module gets from main.ts: where to write, how to report its exit status, the shared errors.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DEFAULT_POLICY, type Policy, PolicyError } from '#core/policy';
import { deployablePolicy } from '#core/policy-file';

type Write = (text: string) => void;
/** Output of the CLI, one call per line (the newline is added). Tests pass their own. */
export interface Io {
  out: Write;
  err: Write;
}

/** A mistake in how the CLI was called: one line on stderr, a pointer to --help, exit 2. */
export class UsageError extends Error {}

export interface Cli {
  readonly io: Io;
  /**
   * Wraps a command's action: the number it returns becomes the exit status; a UsageError is reported like
   * commander's own parse errors (exit 2). Other errors go up to main (PolicyError: exit 2; anything else: 1).
   */
  action<A extends unknown[]>(run: (...args: A) => Promise<number> | number): (...args: A) => Promise<void>;
}

/** A command module's entry point: adds its command (options, help, action) to the program. */
export type RegisterCommand = (program: Command, cli: Cli) => void;

/**
 * The policy in FILE, or the default policy when there is none. A bad file throws a PolicyError: the same
 * checks as packaging, so a policy the CLI accepts is one the deployment ships.
 */
export async function loadPolicy(file: string | undefined): Promise<Policy> {
  if (!file) return DEFAULT_POLICY;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolicyError(file, [code === 'ENOENT' ? 'no such file' : `cannot read (${code})`]);
  }
  return deployablePolicy(text, file).policy;
}

/** Collects a repeatable option's values (`--exclude a --exclude b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
