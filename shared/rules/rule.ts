// The rule contract, ESLint-style: metadata plus a pure check over what is known of a resource.
import type { Policy, RuleId } from '../policy.ts';
import type {
  KmsKeyInfo,
  NormalizedChange,
  ResourceState,
  ResourceType,
  Severity,
  Tags,
  Violation,
} from '../types.ts';

export interface RuleMeta {
  id: RuleId;
  description: string;
  resourceTypes: readonly ResourceType[];
  severity: Severity;
  /** The AWS Config managed rule that checks the same thing, if any. */
  awsConfigRule?: string;
  /** The Security Hub control, if any. */
  securityHubControl?: string;
  fix: string;
}

export interface RuleContext {
  change: NormalizedChange;
  state: ResourceState;
  policy: Policy;
  /** The resource's KMS key, resolved; undefined when the state does not name one or it is unknown. */
  kmsKey?: KmsKeyInfo;
  /** Key ARNs that the allowlist's alias ARNs point to (live only: resolved with kms:DescribeKey). */
  allowedKmsKeyArns?: string[];
  /** IAM tags of the principal behind the call, when they were read (live only). */
  principalTags?: Tags;
}

export type ViolationDetail = Omit<Violation, 'rule' | 'severity' | 'fix'> & { fix?: string };

export type RuleOutcome =
  | { status: 'pass' }
  | { status: 'fail'; violations: ViolationDetail[] }
  /** Not decidable from what is known (offline, a field the event does not carry). */
  | { status: 'unknown'; reason: string }
  /** The policy switches the rule off, or it does not concern this change. */
  | { status: 'not-applicable' };

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): RuleOutcome;
}

export const PASS: RuleOutcome = { status: 'pass' };
export const NOT_APPLICABLE: RuleOutcome = { status: 'not-applicable' };
export const unknown = (reason: string): RuleOutcome => ({ status: 'unknown', reason });
export const fail = (...violations: ViolationDetail[]): RuleOutcome => ({ status: 'fail', violations });

export const RECREATE_FIX =
  'AWS cannot change this setting in place: stop the notebook, delete it and recreate it with';
