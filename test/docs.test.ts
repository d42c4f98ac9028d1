import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '#core/policy';
import { RULES } from '#core/rules/index';
import { readmeWithRules, rulesReference } from '../scripts/generate-docs.ts';

describe('generated documentation', () => {
  it('docs/rules.md is what the rule metadata generates (run `npm run docs`)', () => {
    expect(readFileSync('docs/rules.md', 'utf8')).toBe(rulesReference());
  });

  it("README.md's rules table is what the rule metadata generates (run `npm run docs`)", () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(readmeWithRules(readme));
  });

  it('every public rule id has exactly one rule module', () => {
    expect(RULES.map((r) => r.meta.id).sort()).toEqual([...RULE_IDS].sort());
  });
});
