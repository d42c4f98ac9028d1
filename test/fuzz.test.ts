// Property tests: no input makes normalization throw or the offline pipeline reject.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HANDLED_EVENT_NAMES, type NormalizeResult, normalizeEvent } from '#core/events/normalize';
import { assessEvent, offlineStateSource } from '#core/pipeline';
import { DEFAULT_POLICY, policySchema } from '#core/policy';
import { RESOURCE_TYPES } from '#core/types';

const EVENTS = join(import.meta.dirname, '..', 'events');
// FUZZ_RUNS=20000 npx vitest run test/fuzz.test.ts for a longer search.
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.json') ? [path] : [];
  });
}

/** Every sample event that parses (the truncated one does not). */
const SAMPLES: unknown[] = walk(EVENTS).flatMap((path) => {
  try {
    return [JSON.parse(readFileSync(path, 'utf8'))];
  } catch {
    return [];
  }
});

type Path = (string | number)[];

/** Every path to a value inside a JSON value (the root excluded). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => [[...prefix, i], ...pathsOf(item, [...prefix, i])]);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [
      [...prefix, key],
      ...pathsOf(item, [...prefix, key]),
    ]);
  }
  return [];
}

type Container = Record<string | number, unknown>;
function applyMutation(
  root: unknown,
  path: Path,
  mutation: { kind: 'delete' } | { kind: 'replace'; value: unknown },
) {
  let parent = root as Container;
  for (const key of path.slice(0, -1)) parent = parent[key] as Container;
  const last = path[path.length - 1] as string | number;
  if (mutation.kind === 'replace') parent[last] = mutation.value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
}

/** Values that steer the normalizer into its branches, besides arbitrary ones. */
const interesting = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    null,
    '',
    'AWS API Call via CloudTrail',
    'SageMaker Notebook Instance State Change',
    'sagemaker.amazonaws.com',
    ...HANDLED_EVENT_NAMES,
    'AssumedRole',
    'Enabled',
    'Disabled',
    'VpcOnly',
    'alias/aws/sagemaker',
    'guardrails:exempt',
    'studiouserid',
    'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/x',
    'arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-1/x',
    'arn:aws:sagemaker:us-east-1:111122223333:domain/d-1',
    'arn:aws:iam::111122223333:role/sm-guardrails-x',
    [{ key: 'guardrails:exempt', value: 'true' }],
    [{ Key: 'studiouserid' }],
    {},
    [],
  ),
);

const mutationArb = fc.record({
  kind: fc.constantFrom('delete' as const, 'replace' as const),
  pick: fc.nat(),
  value: interesting,
});

/** A sample event with 1 to 4 random deletions or replacements at random paths. */
const mutatedSample = fc
  .record({
    sample: fc.constantFrom(...SAMPLES),
    mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
  })
  .map(({ sample, mutations }) => {
    const event = structuredClone(sample);
    for (const m of mutations) {
      const paths = pathsOf(event);
      if (paths.length === 0) break;
      const path = paths[m.pick % paths.length] as Path;
      applyMutation(
        event,
        path,
        m.kind === 'delete' ? { kind: 'delete' } : { kind: 'replace', value: m.value },
      );
    }
    return event;
  });

const inputs = {
  'fc.anything()': fc.anything({ withNullPrototype: true, withObjectString: true }),
  'parsed fc.json()': fc.json().map((text) => JSON.parse(text) as unknown),
  'mutated sample events': mutatedSample,
};

function expectWellFormed(result: NormalizeResult): void {
  expect(['change', 'skipped', 'invalid']).toContain(result.kind);
  if (result.kind === 'invalid') {
    expect(result.path.startsWith('$')).toBe(true);
    expect(result.reason.length).toBeGreaterThan(0);
  }
  if (result.kind === 'skipped') expect(result.reason.length).toBeGreaterThan(0);
  if (result.kind === 'change') {
    expect(result.change.resource.arn.length).toBeGreaterThan(0);
    expect(RESOURCE_TYPES).toContain(result.change.resource.type);
  }
}

describe('normalizeEvent never throws', () => {
  it('the samples are there to mutate', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(30);
  });

  for (const [name, arb] of Object.entries(inputs)) {
    it(`for ${name}`, () => {
      fc.assert(
        fc.property(arb, (input) => {
          expectWellFormed(normalizeEvent(input));
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }

  it('mutations reach every kind of result', () => {
    const kinds = new Set(
      fc.sample(mutatedSample, { numRuns: 300, seed: 42 }).map((e) => normalizeEvent(e).kind),
    );
    expect([...kinds].sort()).toEqual(['change', 'invalid', 'skipped']);
  });
});

/** Tag keys: arbitrary strings and the names of Object.prototype members (user-controlled keys used as map keys). */
const tagKeyArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.constantFrom(
    ...Object.getOwnPropertyNames(Object.prototype),
    'project',
    'studiouserid',
    'guardrails:exempt',
  ),
);
const tagEvents = fc.oneof(
  fc
    .record({
      file: fc.constantFrom(
        'tags/add-tags-notebook-project.json',
        'tags/add-tags-user-profile-change-studiouserid.json',
      ),
      tags: fc.array(fc.record({ key: tagKeyArb, value: fc.string({ maxLength: 5 }) }), { maxLength: 4 }),
    })
    .map(({ file, tags }) => {
      const event = JSON.parse(readFileSync(join(EVENTS, file), 'utf8'));
      event.detail.requestParameters.tags = tags;
      return event as unknown;
    }),
  fc
    .record({
      file: fc.constantFrom(
        'tags/delete-tags-notebook-project.json',
        'tags/delete-tags-user-profile-studiouserid.json',
      ),
      keys: fc.array(tagKeyArb, { maxLength: 4 }),
    })
    .map(({ file, keys }) => {
      const event = JSON.parse(readFileSync(join(EVENTS, file), 'utf8'));
      event.detail.requestParameters.tagKeys = keys;
      return event as unknown;
    }),
  fc
    .record({
      file: fc.constantFrom(
        'notebook-instance/create-all-defaults.json',
        'studio/create-user-profile-compliant.json',
      ),
      tags: fc.array(fc.record({ key: tagKeyArb, value: fc.string({ maxLength: 5 }) }), { maxLength: 4 }),
    })
    .map(({ file, tags }) => {
      const event = JSON.parse(readFileSync(join(EVENTS, file), 'utf8'));
      event.detail.requestParameters.tags = tags;
      return event as unknown;
    }),
);

describe('assessEvent with the offline source never rejects', () => {
  const policies = [
    DEFAULT_POLICY,
    policySchema.parse({
      mode: 'report',
      kms: { allowedKeys: ['arn:aws:kms:us-east-1:111122223333:alias/ml-notebooks'] },
      userProfile: { allowedExecutionRoles: ['arn:aws:iam::*:role/service-role/*'] },
      requiredTags: {
        domain: { owner: { values: ['a', ''] } },
        'notebook-instance': { project: { pattern: '^[a-z]+$' } },
      },
      exemption: { allowedPrincipals: ['arn:aws:iam::*:role/*'] },
    }),
  ];

  for (const [name, arb] of Object.entries({ ...inputs, 'tag events with arbitrary tag keys': tagEvents })) {
    it(`for ${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(arb, fc.constantFrom(...policies), async (input, policy) => {
          const assessment = await assessEvent(input, policy, offlineStateSource);
          expect(['compliant', 'noncompliant', 'skipped', 'invalid']).toContain(assessment.verdict);
          if (assessment.verdict === 'invalid') expect(assessment.path?.startsWith('$')).toBe(true);
          if (assessment.verdict === 'noncompliant') {
            expect(assessment.evaluation?.violations.length).toBeGreaterThan(0);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }
});
