// Item 9: policy names that clash with JavaScript object names are refused, at check-config and at cold start,
// and tag keys named like object properties are ordinary tags.
import { describe, expect, it } from 'vitest';
import { configFromEnvironment } from '#core/lambda/runtime';
import { runCli } from '../support/cli.ts';
import { addTags, useAttackWorld } from './support.ts';

const world = useAttackWorld();

describe('item 9: reserved names', () => {
  it.each([
    ['{"exemption":{"tagKey":"constructor"}}', 'exemption.tagKey: is a reserved name'],
    [
      '{"requiredTags":{"notebook-instance":{"__proto__":{}}}}',
      'requiredTags.notebook-instance.__proto__: "__proto__" is a reserved name',
    ],
    ['{"statusTagKey":"hasOwnProperty"}', 'statusTagKey: is a reserved name'],
  ])('the cold start refuses %s, naming the field', (json, problem) => {
    expect(() => configFromEnvironment({ SM_GUARDRAILS_POLICY: json })).toThrow(
      `SM_GUARDRAILS_POLICY: ${problem}`,
    );
  });

  it('check-config refuses them too, naming the file and field', () => {
    const run = runCli(['check-config', 'test/adversarial/fixtures/reserved-policy.yml']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('exemption.tagKey: is a reserved name');
  });

  it('a tag named "constructor" exempts nothing and a tag named "__proto__" is an ordinary tag', async () => {
    const w = world();
    const arn = w.compliantNotebook('nb-proto', { rootAccess: 'Enabled' });
    const report = await w.runtime().handleEvent(
      addTags(
        arn,
        Object.fromEntries([
          ['constructor', 'x'],
          ['__proto__', 'y'],
        ]),
      ),
    );
    expect(report.verdict).toBe('noncompliant');
    expect(report.violations.map((v) => v.rule)).toEqual(['notebook-root-access']);
    expect(w.emulator.inspect.notebookInstance('nb-proto', 'us-east-1')?.status).toBe('Stopping');
  });
});
