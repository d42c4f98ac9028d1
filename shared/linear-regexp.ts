// Tag-value patterns run on V8's own linear-time RegExp engine (the `l` flag): a tag value is attacker input, and
// no value may cost more than linear time. The engine ships in Node 20 and 22 behind a V8 flag; it replaced the
// re2js library (147 KiB of every Lambda bundle). What it cannot run in linear time it refuses at compile time,
// and it never falls back to the backtracking engine. Without it, no pattern compiles: the policy fails to load.
//
// Accepted syntax: JavaScript RegExp syntax in its strict (unicode) form, no flags, without lookarounds,
// backreferences, \p{...} and \u{...} escapes, surrogate escapes or characters outside the BMP (their meaning
// differs without the unicode flag, which the linear engine does not take), and with each counted repetition,
// nested ones multiplied, at most 16 (V8's limit: `{1,63}` is refused; `+` with AWS's 256-character tag values
// bounds a value anyway). A character is a UTF-16 code unit, so `.` matches half of an emoji.
import { setFlagsFromString } from 'node:v8';

export const LINEAR_ENGINE_FLAG = '--enable-experimental-regexp-engine';

let flagSet = false;

function enableLinearEngine(): void {
  if (flagSet) return;
  flagSet = true;
  try {
    // Read when a RegExp with the `l` flag is parsed, so setting it after startup is enough; a Node whose V8
    // dropped the flag throws or ignores it, and the probe below then fails every compile.
    setFlagsFromString(LINEAR_ENGINE_FLAG);
  } catch {
    // the probe reports it
  }
}

/** Why this Node cannot run linear-time patterns, or undefined when it can. */
export function linearEngineProblem(): string | undefined {
  enableLinearEngine();
  try {
    // biome-ignore lint/complexity/useRegexLiterals: a literal with the l flag is a syntax error where V8 lacks the engine
    new RegExp('', 'l');
    return undefined;
  } catch {
    return `this Node.js (${process.version}) has no linear-time RegExp engine (V8 flag ${LINEAR_ENGINE_FLAG}), so no pattern can be matched safely`;
  }
}

/** V8's reason without the pattern it quotes ("Invalid regular expression: /x/u: Unterminated group"). */
function v8Reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.match(/: ([^:]+)$/)?.[1] ?? message;
}

const UNICODE_ONLY = 'needs the unicode flag, which the linear-time engine does not take';

/** Why a pattern the strict syntax allows must not reach the linear engine, or undefined. */
function unsupportedConstruct(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if ((source.codePointAt(i) ?? 0) > 0xffff)
      return `${UNICODE_ONLY}: a character outside the Basic Multilingual Plane`;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (next === 'p' || next === 'P') return `${UNICODE_ONLY}: a property escape (\\${next}{...})`;
      if (next === 'u' && source[i + 2] === '{') return `${UNICODE_ONLY}: a code point escape (\\u{...})`;
      const unit = next === 'u' ? source.slice(i + 2, i + 6) : '';
      if (/^[dD][89abAB][0-9a-fA-F]{2}$/.test(unit)) return `${UNICODE_ONLY}: a surrogate escape`;
      if (!inClass && (/[1-9]/.test(next) || next === 'k'))
        return 'a backreference cannot be matched in linear time';
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(' && source[i + 1] === '?') {
      const kind = source.slice(i + 2, i + 4);
      if (kind.startsWith('=') || kind.startsWith('!') || kind === '<=' || kind === '<!')
        return 'a lookaround cannot be matched in linear time';
    }
  }
  return undefined;
}

export type LinearRegExpResult = { ok: true; regexp: RegExp } | { ok: false; reason: string };

/** Compiles a pattern for the linear-time engine, or says why it cannot run there. Never backtracks. */
export function compileLinearRegExp(source: string): LinearRegExpResult {
  const engine = linearEngineProblem();
  if (engine) return { ok: false, reason: engine };
  try {
    // Syntax check only (never executed): the strict grammar refuses what the lenient one reads as literals,
    // such as RE2's \z or (?i), instead of silently matching something else.
    new RegExp(source, 'u');
  } catch (error) {
    return { ok: false, reason: v8Reason(error) };
  }
  const construct = unsupportedConstruct(source);
  if (construct) return { ok: false, reason: construct };
  try {
    return { ok: true, regexp: new RegExp(source, 'l') };
  } catch (error) {
    const reason = v8Reason(error);
    return {
      ok: false,
      reason: /linear time/i.test(reason)
        ? 'a counted repetition may be at most 16 (nested ones multiplied)'
        : reason,
    };
  }
}
