// No input escapes the CLI's error reporting: whatever a file holds, replay answers with reports and exit 0 or 2,
// never an internal error. In-process through main(), so hundreds of cases stay fast.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'sm-guardrails-fuzz-'));

async function replayText(text: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const file = join(dir, 'input.json');
  writeFileSync(file, text);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['replay', '--json', file], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out, err };
}

const sample = JSON.stringify(
  JSON.parse(
    '{"version":"0","id":"1","detail-type":"AWS API Call via CloudTrail","source":"aws.sagemaker","account":"111122223333","time":"t","region":"us-east-1","detail":{"userIdentity":{"type":"IAMUser"},"eventTime":"t","eventSource":"sagemaker.amazonaws.com","eventName":"AddTags","awsRegion":"us-east-1","eventID":"e","requestParameters":{"resourceArn":"arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb","tags":[{"key":"studiouserid","value":"x"}]}}}',
  ),
);

describe('sm-guardrails replay never escapes its error reporting', () => {
  const property = (arbitrary: fc.Arbitrary<string>) =>
    fc.assert(
      fc.asyncProperty(arbitrary, async (text) => {
        const { code, out, err } = await replayText(text);
        expect([0, 2]).toContain(code);
        const reports = out.map((line) => JSON.parse(line) as { verdict: string; reason: string | null });
        expect(reports.length).toBeGreaterThan(0);
        for (const r of reports) {
          expect(['compliant', 'noncompliant', 'skipped', 'invalid']).toContain(r.verdict);
          if (r.verdict === 'invalid') expect(r.reason).toMatch(/^\$/);
        }
        // Every stderr line names the file; none is a stack trace.
        for (const line of err) expect(line).toMatch(/input\.json: \$/);
        expect(code === 2).toBe(reports.some((r) => r.verdict === 'invalid'));
      }),
      { numRuns: 150 },
    );

  it('for arbitrary text', () => property(fc.string({ maxLength: 200 })));
  it('for arbitrary JSON', () => property(fc.json({ maxDepth: 4 })));
  it('for a real event cut at any point or with any character replaced', () =>
    property(
      fc
        .tuple(fc.nat(sample.length), fc.string({ minLength: 1, maxLength: 3 }), fc.boolean())
        .map(([at, replacement, cut]) =>
          cut ? sample.slice(0, at) : `${sample.slice(0, at)}${replacement}${sample.slice(at + 1)}`,
        ),
    ));
});
