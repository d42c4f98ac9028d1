// The rule contract, ESLint-style: metadata plus a pure check over what is known of a resource.
import type { ExemptionGrant } from '../exemption.ts';
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
  /** What the guardrails' own records say of an exemption for this resource (never the tag alone). */
  exemption?: ExemptionState;
}

export interface ExemptionState {
  /** The recorded grant, unexpired. */
  grant?: ExemptionGrant;
  /** The grant this very change makes: an allowed principal set the exemption tag. */
  granting?: ExemptionGrant;
  /** A recorded grant that has expired. */
  expired?: ExemptionGrant;
  /** An allowed principal removed the exemption tag: the grant ends. */
  ended?: boolean;
}

export type ViolationDetail = Omit<Violation, 'rule' | 'severity' | 'fix'> & { fix?: string };

export type RuleOutcome =
  | { status: 'pass' }
  | { status: 'fail'; violations: ViolationDetail[] }
  /** Not decidable from what is known (offline, a field the event does not carry). */
  | { status: 'unknown'; reason: string }
  /** A live AWS read the rule needs failed: not compliant, the admins are told. */
  | { status: 'unverifiable'; reason: string; error: string }
  /** The policy switches the rule off, or it does not concern this change. */
  | { status: 'not-applicable' };

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): RuleOutcome;
}

export const PASS: RuleOutcome = { status: 'pass' };
export const NOT_APPLICABLE: RuleOutcome = { status: 'not-applicable' };
export const unknown = (reason: string): RuleOutcome => ({ status: 'unknown', reason });
export const unverifiable = (reason: string, error: string): RuleOutcome => ({
  status: 'unverifiable',
  reason,
  error,
});
export const fail = (...violations: ViolationDetail[]): RuleOutcome => ({ status: 'fail', violations });

export const RECREATE_FIX =
  'AWS cannot change this setting in place: stop the notebook, delete it and recreate it with';
