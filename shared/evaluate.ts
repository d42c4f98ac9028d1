// Findings -> planned actions. Pure: the same inputs always give the same evaluation.
import type { RuleId } from './policy.ts';
import { RULES, type RuleContext } from './rules/index.ts';
import { deriveTagValue, requiredTagsFor } from './tag-values.ts';
import type { PlannedAction, Tags, Unevaluated, Violation } from './types.ts';

export interface Evaluation {
  verdict: 'compliant' | 'noncompliant' | 'skipped';
  reason?: string;
  violations: Violation[];
  unevaluated: Unevaluated[];
  actions: PlannedAction[];
}

/** The status tag value: what state the guardrails left the resource in, and why. Tag values allow spaces and colons, not commas. */
export function statusTagValue(violations: readonly Violation[], stopping: boolean): string {
  const rules = [...new Set(violations.map((v) => v.rule))].sort();
  return `${stopping ? 'quarantined' : 'noncompliant'}: ${rules.join(' ')}`;
}

function exemptionInForce(ctx: RuleContext): string | undefined {
  const key = ctx.policy.exemption.tagKey;
  const value = ctx.state.tags?.[key];
  if (value === undefined) return undefined;
  // An exemption that arrives with this very change is judged, not honoured: the creator cannot exempt
  // their own resource, and an AddTags of it is honoured only from an allowed principal (checked by the rule).
  if (ctx.change.operation === 'create') return undefined;
  if (ctx.change.operation === 'add-tags' && key in (ctx.change.tagsSet ?? {})) return undefined;
  return value;
}

export function evaluate(ctx: RuleContext): Evaluation {
  const exemption = exemptionInForce(ctx);
  const violations: Violation[] = [];
  const unevaluated: Unevaluated[] = [];
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
    evaluated++;
    if (outcome.status === 'fail') {
      for (const detail of outcome.violations) {
        violations.push({ rule: rule.meta.id, severity: rule.meta.severity, fix: rule.meta.fix, ...detail });
      }
    }
  }
  if (violations.length > 0) {
    return { verdict: 'noncompliant', violations, unevaluated, actions: planActions(ctx, violations) };
  }
  if (exemption !== undefined) {
    const key = ctx.policy.exemption.tagKey;
    return {
      verdict: 'skipped',
      reason: `exempt: ${key}="${exemption}"`,
      violations,
      unevaluated,
      actions: [],
    };
  }
  if (evaluated === 0) {
    const reason =
      ctx.state.source === 'event'
        ? `${ctx.change.eventName} does not carry what the rules check: evaluating it needs the live resource`
        : 'no rule could be evaluated';
    return { verdict: 'skipped', reason, violations, unevaluated, actions: [] };
  }
  return { verdict: 'compliant', violations, unevaluated, actions: clearStatusTag(ctx) };
}

/** A resource that was flagged and is now compliant loses its status tag. */
function clearStatusTag(ctx: RuleContext): PlannedAction[] {
  const key = ctx.policy.statusTagKey;
  if (ctx.state.tags && key in ctx.state.tags && ctx.state.source === 'live') {
    return [{ type: 'tag', tags: {}, untag: [key] }];
  }
  return [];
}

function planActions(ctx: RuleContext, violations: readonly Violation[]): PlannedAction[] {
  const wanted = new Set(violations.flatMap((v) => ctx.policy.actions[v.rule as RuleId] ?? []));
  const actions: PlannedAction[] = [];
  // "quarantined" is a state the guardrails keep: a stopped notebook that is started again is stopped again.
  const quarantine = wanted.has('stop') && ctx.state.ref.type === 'notebook-instance';

  if (wanted.has('tag')) {
    const derived = deriveMissingTags(ctx, violations);
    // A violation the tag action repairs by itself leaves nothing to flag on the resource.
    const repaired = (v: Violation) =>
      v.rule === 'required-tags' && (v.tagKeys ?? []).every((key) => key in derived);
    const flagged = violations.filter(
      (v) => ctx.policy.actions[v.rule as RuleId]?.includes('tag') && !repaired(v),
    );
    const statusKey = ctx.policy.statusTagKey;
    const tags: Tags = { ...derived };
    const untag: string[] = [];
    if (flagged.length > 0) tags[statusKey] = statusTagValue(flagged, quarantine);
    else if (ctx.state.tags && statusKey in ctx.state.tags) untag.push(statusKey);
    if (Object.keys(tags).length > 0 || untag.length > 0) actions.push({ type: 'tag', tags, untag });
  }
  if (quarantine && !INACTIVE_NOTEBOOK.has(ctx.state.status ?? '')) actions.push({ type: 'stop' });
  if (wanted.has('revert')) {
    for (const v of violations) {
      if (v.rule !== 'protected-tag-change' || v.revertTo === undefined) continue;
      for (const key of v.tagKeys ?? []) actions.push({ type: 'revert', key, restoreValue: v.revertTo });
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
      const present = ctx.state.tags?.[key];
      const removedByChange = ctx.change.tagsRemoved?.includes(key) ?? false;
      // A wrong value is the owner's to fix: only a missing or empty tag is filled in.
      if (present !== undefined && present !== '' && !removedByChange) continue;
      const value = deriveTagValue(key, required[key], ctx.state.ref, ctx.principalTags);
      if (value !== undefined) tags[key] = value;
    }
  }
  return tags;
}
