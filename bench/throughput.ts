// 5. Evaluator throughput on one core: assessEvent with the offline state source over pre-parsed sample events,
// evaluate() alone over pre-normalized rule contexts, and normalizeEvent() alone (where the rest goes).
import { evaluate } from '#core/evaluate';
import { normalizeEvent } from '#core/events/normalize';
import { resolveKmsKeyFromForm } from '#core/kms';
import { assessEvent, offlineStateSource } from '#core/pipeline';
import { DEFAULT_POLICY, type Policy } from '#core/policy';
import type { RuleContext } from '#core/rules/index';
import { stateFromChange } from '#core/state';
import { actorMatches } from '#core/tag-values';
import type { JsonEvent, SampleEvent } from './common.ts';

export interface Rate {
  inputs: number;
  iterations: number;
  seconds: number;
  perSecond: number;
  /** Mean time per call (µs). */
  microsPerCall: number;
}

export interface ThroughputResult {
  assessEvent: Rate;
  evaluate: Rate;
  /** normalizeEvent alone (schema validation and normalization), over the same events as assessEvent. */
  normalizeEvent: Rate;
  /** Sample events per offline verdict, to show the mix. */
  verdictMix: Record<string, number>;
}

/** The rule context assessEvent builds offline, for the events it evaluates (same steps as pipeline.ts). */
function contextFor(event: JsonEvent, policy: Policy): RuleContext | undefined {
  const normalized = normalizeEvent(event);
  if (normalized.kind !== 'change') return undefined;
  const { change } = normalized;
  if (actorMatches(change.actor, policy.ignoredPrincipals) || change.parametersOmitted) return undefined;
  const state = stateFromChange(change);
  const needsKey =
    typeof state.kmsKeyId === 'string' &&
    ((state.ref.type === 'notebook-instance' && policy.notebook.requireKmsKey) ||
      (state.ref.type === 'domain' && policy.domain.requireKmsKey));
  const kmsKey =
    needsKey && typeof state.kmsKeyId === 'string'
      ? resolveKmsKeyFromForm(state.kmsKeyId, change)
      : undefined;
  return { change, state, policy, ...(kmsKey ? { kmsKey } : {}) };
}

async function timed(
  inputs: number,
  batch: (iterations: number) => Promise<number> | number,
  seconds: number,
): Promise<Rate> {
  // Warm-up: let the JIT settle before the clock runs.
  const warmupEnd = performance.now() + 500;
  while (performance.now() < warmupEnd) await batch(inputs * 10);
  let iterations = 0;
  let sink = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  let now = started;
  while (now < end) {
    sink += await batch(inputs * 20);
    iterations += inputs * 20;
    now = performance.now();
  }
  const elapsed = (now - started) / 1000;
  if (sink < 0) throw new Error('unreachable: keeps the results alive');
  return {
    inputs,
    iterations,
    seconds: elapsed,
    perSecond: iterations / elapsed,
    microsPerCall: (elapsed * 1e6) / iterations,
  };
}

export async function measureThroughput(samples: SampleEvent[], seconds = 2): Promise<ThroughputResult> {
  const policy = DEFAULT_POLICY;
  const events = samples.map((s) => s.event);
  const verdictMix: Record<string, number> = {};
  for (const event of events) {
    const { verdict } = await assessEvent(event, policy, offlineStateSource);
    verdictMix[verdict] = (verdictMix[verdict] ?? 0) + 1;
  }
  const assess = await timed(
    events.length,
    async (n) => {
      let violations = 0;
      for (let i = 0; i < n; i++) {
        const a = await assessEvent(events[i % events.length], policy, offlineStateSource);
        violations += a.evaluation?.violations.length ?? 0;
      }
      return violations;
    },
    seconds,
  );
  const contexts = events.map((e) => contextFor(e, policy)).filter((c): c is RuleContext => c !== undefined);
  const pure = await timed(
    contexts.length,
    (n) => {
      let violations = 0;
      for (let i = 0; i < n; i++)
        violations += evaluate(contexts[i % contexts.length] as RuleContext).violations.length;
      return violations;
    },
    seconds,
  );
  const normalize = await timed(
    events.length,
    (n) => {
      let changes = 0;
      for (let i = 0; i < n; i++) if (normalizeEvent(events[i % events.length]).kind === 'change') changes++;
      return changes;
    },
    seconds,
  );
  return { assessEvent: assess, evaluate: pure, normalizeEvent: normalize, verdictMix };
}
