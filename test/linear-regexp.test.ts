// The linear-time engine (V8's `l` flag, experimental in V8) must answer exactly as JavaScript's own RegExp does:
// random patterns of the accepted syntax against random short values (short enough for the backtracking
// engine, which is the reference here and never runs on tag values). A group takes no unbounded quantifier:
// nested unbounded ones make the reference backtrack for minutes even on 10 characters (a CI run hung 143 s).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLinearRegExp } from '#core/linear-regexp';

const atom = fc.constantFrom(
  'a',
  'b',
  '-',
  '1',
  '.',
  '[ab]',
  '[^a]',
  '[a-z]',
  '\\d',
  '\\w',
  '\\s',
  '\\b',
  '\\-',
);
const quantifier = fc.constantFrom('', '', '*', '+', '?', '{2}', '{0,3}', '{1,}', '*?', '+?');
const groupQuantifier = fc.constantFrom('', '', '?', '{2}', '{0,2}', '??');

const pattern: fc.Arbitrary<string> = fc
  .letrec<{ expr: string; term: string }>((tie) => ({
    term: fc.oneof(
      { maxDepth: 3, withCrossShrink: true },
      fc.tuple(atom, quantifier).map(([a, q]) => a + q),
      fc
        .tuple(fc.constantFrom('(', '(?:'), tie('expr'), groupQuantifier)
        .map(([open, e, q]) => `${open}${e})${q}`),
    ),
    expr: fc
      .array(
        fc.array(tie('term'), { minLength: 1, maxLength: 3 }).map((terms) => terms.join('')),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map((alternatives) => alternatives.join('|')),
  }))
  .expr.chain((body) =>
    fc
      .tuple(fc.constantFrom('', '^'), fc.constantFrom('', '$'))
      .map(([start, end]) => `${start}${body}${end}`),
  );

describe('the linear-time engine', () => {
  it('matches exactly as the backtracking engine on the accepted syntax', () => {
    fc.assert(
      fc.property(
        pattern,
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '-', '1', ' ', 'é'), maxLength: 10 })),
        (source, values) => {
          const linear = compileLinearRegExp(source);
          // A named group used twice, or repetitions multiplying over 16, are refused: nothing to compare.
          fc.pre(linear.ok);
          if (!linear.ok) return;
          const reference = new RegExp(source);
          for (const value of values)
            expect(linear.regexp.test(value), `${source} on "${value}"`).toBe(reference.test(value));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('has no state between calls (no g or y flag)', () => {
    const compiled = compileLinearRegExp('a');
    if (!compiled.ok) throw new Error(compiled.reason);
    expect(compiled.regexp.flags).toBe('l');
    expect([compiled.regexp.test('a'), compiled.regexp.test('a')]).toEqual([true, true]);
  });
});
