// Findings -> planned actions. Pure: the same inputs always give the same evaluation.

import type { ExemptionGrant } from './exemption.ts';
import type { RuleId } from './policy.ts';
import { RULES, type RuleContext } from './rules/index.ts';
import { deriveTagValue, hasTag, requiredTagsFor, tagValue } from './tag-values.ts';
import type { PlannedAction, Tags, Unevaluated, Unverifiable, Violation } from './types.ts';

export interface Evaluation {
  verdict: 'compliant' | 'noncompliant' | 'unverifiable' | 'skipped';
  reason?: string;
  violations: Violation[];
  unevaluated: Unevaluated[];
  /** Rules whose live AWS read failed: never compliant, always told. */
  unverifiable: Unverifiable[];
  /** Rules checked and passed (their Security Hub findings are resolved: securityhub/). */
  passed: string[];
  actions: PlannedAction[];
  /** The exemption this change granted (the admins are told who, what, until when). */
  granted?: ExemptionGrant;
}

/** The status tag value: what state the guardrails left the resource in, and why. Tag values allow spaces and colons, not commas. */
export function statusTagValue(violations: readonly Violation[], stopping: boolean): string {
  const rules = [...new Set(violations.map((v) => v.rule))].sort();
  return `${stopping ? 'quarantined' : 'noncompliant'}: ${rules.join(' ')}`;
}

/** The grant that exempts the resource from remediation, if any: recorded by the guardrails, never the tag alone. */
function exemptionInForce(ctx: RuleContext): ExemptionGrant | undefined {
  // A resource is never exempt at its creation: the creator cannot exempt their own resource.
  if (ctx.change.operation === 'create') return undefined;
  return ctx.exemption?.granting ?? ctx.exemption?.grant;
}

export function evaluate(ctx: RuleContext): Evaluation {
  const exemption = exemptionInForce(ctx);
  const violations: Violation[] = [];
  const unevaluated: Unevaluated[] = [];
  const unverifiable: Unverifiable[] = [];
  const passed: string[] = [];
  let evaluated = 0;
  for (const rule of RULES) {
    if (!rule.meta.resourceTypes.includes(ctx.state.ref.type)) continue;
    // An exempt resource is still protected against tag tampering.
    if (exemption !== undefined && rule.meta.id !== 'protected-tag-change') continue;
    const outcome = rule.check(ctx);
    if (outcome.status === 'not-applicable') continue;
    if (outcome.status === 'unknown') {
      unevaluated.push({ rule: rule.meta.id, reason: outcome.reason });
      continue;
    }
    if (outcome.status === 'unverifiable') {
      unverifiable.push({ rule: rule.meta.id, reason: outcome.reason, error: outcome.error });
      continue;
    }
    evaluated++;
    if (outcome.status === 'pass') passed.push(rule.meta.id);
    if (outcome.status === 'fail') {
      for (const detail of outcome.violations) {
        violations.push({ rule: rule.meta.id, severity: rule.meta.severity, fix: rule.meta.fix, ...detail });
      }
    }
  }
  const grantActions = grantBookkeeping(ctx);
  const granted = ctx.exemption?.granting;
  const base = { violations, unevaluated, unverifiable, passed, ...(granted ? { granted } : {}) };
  if (violations.length > 0 || unverifiable.length > 0) {
    const actions = [...grantActions, ...planActions(ctx, violations, unverifiable.length > 0)];
    return { ...base, verdict: violations.length > 0 ? 'noncompliant' : 'unverifiable', actions };
  }
  if (exemption !== undefined) {
    // Exempt: any quarantine ends (the notebook is not stopped); a new grant is recorded and announced.
    const actions: PlannedAction[] = [...grantActions, ...clearStatusTag(ctx)];
    if (granted) actions.push({ type: 'notify' });
    return {
      ...base,
      verdict: 'skipped',
      reason: `exempt until ${exemption.expiresAt}: ${ctx.policy.exemption.tagKey}="${exemption.reason}" granted by ${exemption.grantedBy}`,
      actions,
    };
  }
  if (evaluated === 0) {
    const reason =
      ctx.state.source === 'event'
        ? `${ctx.change.eventName} does not carry what the rules check: evaluating it needs the live resource`
        : 'no rule could be evaluated';
    return { ...base, verdict: 'skipped', reason, actions: grantActions };
  }
  return { ...base, verdict: 'compliant', actions: [...grantActions, ...clearStatusTag(ctx)] };
}

/** Grants recorded or ended by this change: a new grant, an allowed removal, a stale grant at a (re)creation. */
function grantBookkeeping(ctx: RuleContext): PlannedAction[] {
  const resourceArn = ctx.state.ref.arn;
  const { granting, ended, grant, expired } = ctx.exemption ?? {};
  if (granting) return [{ type: 'exempt', resourceArn, grant: granting }];
  if (ended || expired || (grant && ctx.change.operation === 'create')) {
    return [{ type: 'exempt', resourceArn, grant: null }];
  }
  return [];
}

/** A resource that was flagged and is now compliant loses its status tag. */
function clearStatusTag(ctx: RuleContext): PlannedAction[] {
  const key = ctx.policy.statusTagKey;
  if (hasTag(ctx.state.tags, key) && ctx.state.source === 'live') {
    return [{ type: 'tag', tags: {}, untag: [key] }];
  }
  return [];
}

function planActions(
  ctx: RuleContext,
  violations: readonly Violation[],
  unverifiable: boolean,
): PlannedAction[] {
  const wanted = new Set(violations.flatMap((v) => ctx.policy.actions[v.rule as RuleId] ?? []));
  // A rule that could not be verified is always told: it is not compliant, and no tag on the resource says so.
  if (unverifiable) wanted.add('notify');
  const actions: PlannedAction[] = [];
  // "quarantined" is a state the guardrails keep: a stopped notebook that is started again is stopped again.
  const quarantine = wanted.has('stop') && ctx.state.ref.type === 'notebook-instance';
  const statusKey = ctx.policy.statusTagKey;
  // The status tag is the guardrails' own: what it should say now, whoever wrote it last.
  let statusValue: string | null = null;

  if (wanted.has('tag')) {
    const derived = deriveMissingTags(ctx, violations);
    // A violation the tag action repairs by itself leaves nothing to flag on the resource.
    const repaired = (v: Violation) =>
      v.rule === 'required-tags' && (v.tagKeys ?? []).every((key) => Object.hasOwn(derived, key));
    const flagged = violations.filter(
      (v) => ctx.policy.actions[v.rule as RuleId]?.includes('tag') && !repaired(v),
    );
    const tags: Tags = { ...derived };
    const untag: string[] = [];
    if (flagged.length > 0) statusValue = statusTagValue(flagged, quarantine);
    const statusReverted = violations.some(
      (v) => v.rule === 'protected-tag-change' && v.tagKeys?.includes(statusKey),
    );
    if (!statusReverted) {
      if (statusValue !== null) tags[statusKey] = statusValue;
      else if (hasTag(ctx.state.tags, statusKey)) untag.push(statusKey);
    }
    if (Object.keys(tags).length > 0 || untag.length > 0) actions.push({ type: 'tag', tags, untag });
  }
  if (quarantine && !INACTIVE_NOTEBOOK.has(ctx.state.status ?? '')) actions.push({ type: 'stop' });
  if (wanted.has('revert')) {
    for (const v of violations) {
      if (v.rule !== 'protected-tag-change' || v.revertTo === undefined) continue;
      for (const key of v.tagKeys ?? []) {
        // A written status tag goes back to what the guardrails say of the resource now.
        const restoreValue = key === statusKey ? statusValue : v.revertTo;
        actions.push({ type: 'revert', key, restoreValue });
      }
    }
  }
  if (wanted.has('notify')) actions.push({ type: 'notify' });
  return actions;
}

const INACTIVE_NOTEBOOK = new Set(['Stopped', 'Stopping', 'Deleting']);

/** Values for missing required tags that the policy can derive (a default, the principal's tag, the profile name). */
function deriveMissingTags(ctx: RuleContext, violations: readonly Violation[]): Tags {
  const tags: Tags = {};
  if (!ctx.policy.actions['required-tags'].includes('tag')) return tags;
  const required = requiredTagsFor(ctx.policy, ctx.state.ref);
  for (const v of violations) {
    if (v.rule !== 'required-tags') continue;
    for (const key of v.tagKeys ?? []) {
      const present = tagValue(ctx.state.tags, key);
      const removedByChange = ctx.change.tagsRemoved?.includes(key) ?? false;
      // A wrong value is the owner's to fix: only a missing or empty tag is filled in.
      if (present !== undefined && present !== '' && !removedByChange) continue;
      const value = deriveTagValue(key, required[key], ctx.state.ref, ctx.principalTags);
      if (value !== undefined) tags[key] = value;
    }
  }
  return tags;
}
