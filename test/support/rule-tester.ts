// ESLint-style rule tables: valid and invalid cases side by side, each a test of its own.
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Policy, policySchema } from '#core/policy';
import type { Rule, RuleContext } from '#core/rules/index';
import type { ExemptionState } from '#core/rules/rule';
import type {
  KmsKeyInfo,
  NormalizedChange,
  ResourceRef,
  ResourceState,
  ResourceType,
  Tags,
} from '#core/types';

export interface CaseInput {
  name: string;
  type?: ResourceType;
  state?: Partial<Omit<ResourceState, 'ref'>>;
  change?: Partial<NormalizedChange>;
  /** Policy overrides, in policy-file form (defaults fill the rest). */
  policy?: Record<string, unknown>;
  kmsKey?: KmsKeyInfo;
  /** Key ARNs the allowlist's aliases point to (live only). */
  allowedKmsKeyArns?: string[];
  principalTags?: Tags;
  exemption?: ExemptionState;
}
export interface InvalidCase extends CaseInput {
  /** Expected violation messages (in order); `seen` values when given. */
  messages: string[];
  seen?: string[];
  recreateRequired?: boolean;
  /** Expected `required` texts, in order. */
  required?: string[];
  /** Expected `fix` texts of the violations (a RegExp matches part of it), in order. */
  fix?: Array<string | RegExp>;
  /** Expected `tagKeys` of each violation, in order. */
  tagKeys?: string[][];
  /** Expected `revertTo` of each violation, in order; `undefined` means the field is absent. */
  revertTo?: Array<string | null | undefined>;
}
export interface UnknownCase extends CaseInput {
  reason: RegExp;
}
export interface UnverifiableCase extends CaseInput {
  reason: RegExp;
  error: string;
}

const REFS = {
  'notebook-instance': {
    type: 'notebook-instance',
    name: 'nb-1',
    arn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-1',
  },
  'user-profile': {
    type: 'user-profile',
    name: 'alice',
    domainId: 'd-abc123def456',
    arn: 'arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc123def456/alice',
  },
  domain: {
    type: 'domain',
    name: 'ml',
    domainId: 'd-abc123def456',
    arn: 'arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456',
  },
  space: {
    type: 'space',
    name: 'team-space',
    domainId: 'd-abc123def456',
    arn: 'arn:aws:sagemaker:us-east-1:111122223333:space/d-abc123def456/team-space',
  },
  app: {
    type: 'app',
    name: 'default',
    domainId: 'd-abc123def456',
    owner: 'alice',
    appType: 'JupyterLab',
    arn: 'arn:aws:sagemaker:us-east-1:111122223333:app/d-abc123def456/alice/jupyterlab/default',
  },
  'app-image-config': {
    type: 'app-image-config',
    name: 'custom-kernel',
    arn: 'arn:aws:sagemaker:us-east-1:111122223333:app-image-config/custom-kernel',
  },
  'notebook-instance-lifecycle-config': {
    type: 'notebook-instance-lifecycle-config',
    name: 'install-deps',
    arn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance-lifecycle-config/install-deps',
  },
  'studio-lifecycle-config': {
    type: 'studio-lifecycle-config',
    name: 'auto-shutdown',
    arn: 'arn:aws:sagemaker:us-east-1:111122223333:studio-lifecycle-config/auto-shutdown',
  },
} as const satisfies Record<ResourceType, ResourceRef>;

export function buildContext(c: CaseInput, defaultType: ResourceType): RuleContext {
  const ref = { ...REFS[c.type ?? defaultType] };
  const policy: Policy = c.policy ? policySchema.parse(c.policy) : DEFAULT_POLICY;
  const change: NormalizedChange = {
    eventId: 'e-1',
    eventTime: '2026-05-04T10:00:00Z',
    eventName: 'CreateNotebookInstance',
    partition: 'aws',
    account: '111122223333',
    region: 'us-east-1',
    operation: 'create',
    actor: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice' },
    resource: ref,
    settings: {},
    ...c.change,
  };
  const state: ResourceState = { source: 'live', ref, ...c.state };
  return {
    change,
    state,
    policy,
    ...(c.kmsKey ? { kmsKey: c.kmsKey } : {}),
    ...(c.allowedKmsKeyArns ? { allowedKmsKeyArns: c.allowedKmsKeyArns } : {}),
    ...(c.principalTags ? { principalTags: c.principalTags } : {}),
    ...(c.exemption ? { exemption: c.exemption } : {}),
  };
}

export function testRule(
  rule: Rule,
  defaultType: ResourceType,
  cases: {
    valid: CaseInput[];
    invalid: InvalidCase[];
    /** Undecidable from the event alone (offline: the state comes from the event). */
    unknown?: UnknownCase[];
    /** A live read failed: not a pass. */
    unverifiable?: UnverifiableCase[];
    notApplicable?: CaseInput[];
  },
): void {
  describe(rule.meta.id, () => {
    it('has complete metadata', () => {
      expect(rule.meta.description.length).toBeGreaterThan(20);
      expect(rule.meta.fix.length).toBeGreaterThan(10);
      expect(rule.meta.resourceTypes).toContain(defaultType);
    });
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        expect(rule.check(buildContext(c, defaultType))).toEqual({ status: 'pass' });
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        const outcome = rule.check(buildContext(c, defaultType));
        expect(outcome.status).toBe('fail');
        if (outcome.status !== 'fail') return;
        expect(outcome.violations.map((v) => v.message)).toEqual(c.messages);
        if (c.seen) expect(outcome.violations.map((v) => v.seen)).toEqual(c.seen);
        if (c.recreateRequired !== undefined) {
          expect(outcome.violations.every((v) => Boolean(v.recreateRequired) === c.recreateRequired)).toBe(
            true,
          );
        }
        if (c.required) expect(outcome.violations.map((v) => v.required)).toEqual(c.required);
        if (c.fix) {
          expect(outcome.violations).toHaveLength(c.fix.length);
          outcome.violations.forEach((v, i) => {
            const want = c.fix?.[i];
            if (typeof want === 'string') expect(v.fix).toBe(want);
            else expect(v.fix).toMatch(want as RegExp);
          });
        }
        if (c.tagKeys) expect(outcome.violations.map((v) => v.tagKeys)).toEqual(c.tagKeys);
        if (c.revertTo) {
          // toStrictEqual tells an absent revertTo (previous value unknown) from an explicit one.
          expect(
            outcome.violations.map((v) => ('revertTo' in v ? { revertTo: v.revertTo } : {})),
          ).toStrictEqual(c.revertTo.map((r) => (r === undefined ? {} : { revertTo: r })));
        }
        for (const v of outcome.violations) expect(v.required.length).toBeGreaterThan(0);
      });
    }
    for (const c of cases.unknown ?? []) {
      it(`undecidable: ${c.name}`, () => {
        const outcome = rule.check(
          buildContext({ ...c, state: { source: 'event', ...c.state } }, defaultType),
        );
        expect(outcome.status).toBe('unknown');
        if (outcome.status === 'unknown') expect(outcome.reason).toMatch(c.reason);
      });
    }
    for (const c of cases.unverifiable ?? []) {
      it(`unverifiable: ${c.name}`, () => {
        const outcome = rule.check(buildContext(c, defaultType));
        expect(outcome.status).toBe('unverifiable');
        if (outcome.status !== 'unverifiable') return;
        expect(outcome.reason).toMatch(c.reason);
        expect(outcome.error).toBe(c.error);
      });
    }
    for (const c of cases.notApplicable ?? []) {
      it(`not applicable: ${c.name}`, () => {
        expect(rule.check(buildContext(c, defaultType))).toEqual({ status: 'not-applicable' });
      });
    }
  });
}
