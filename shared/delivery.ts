// Delivery guarantees: EventBridge delivers at least once, Lambda retries failed invocations, containers crash.
// The core defines this port; store/ implements it on the guardrails' DynamoDB table (one item per event: its
// lease, its plan, what each step settled, whether it completed), and the composition root wires it in.
import type { Evaluation } from './evaluate.ts';
import type { NotificationReport } from './report.ts';
import type { ActionResult, Verdict } from './types.ts';

/** What one step of an event's work settled to: its action results and, for the alert, what was sent. */
export interface SettledStep {
  results: ActionResult[];
  notification?: NotificationReport;
}

/**
 * What an attempt found, recorded with what settled (the completion record, or the release of a failed attempt):
 * a retry finishes that plan even when the live resource now looks compliant because of the earlier attempt's
 * own writes (a derived tag, a grant), so no alert is lost.
 */
export interface RecordedPlan {
  verdict: Verdict;
  reason?: string;
  evaluation: Evaluation;
}

/** The records of an event's work: its plan, and what each step settled. */
export interface JournalEntries {
  plan?: RecordedPlan;
  exempt?: SettledStep;
  tags?: SettledStep;
  stop?: SettledStep;
  notify?: SettledStep;
}
export type StepName = Exclude<keyof JournalEntries, 'plan'>;

/**
 * Where an event stands, as one write found it. `claimed`: this invocation holds the event until its lease ends;
 * `recorded` is what an earlier attempt of it left (its plan, the steps it settled); `unrecorded`: the owners
 * (request ids) of earlier claims that recorded nothing: found, nothing to do, or died, maybe after a write
 * that hides its finding (Lambda's retries keep the invocation's request id, so a retry finds its own there).
 * `held`: another delivery of the event holds an unexpired lease right now. `completed`: the event was recorded handled to the end, by `owner`; the completion
 * record is written alongside the alert, so `recorded.notify` is absent unless the alert settled before it.
 */
export type DeliveryClaim =
  | { state: 'claimed'; recorded: JournalEntries; unrecorded?: string[] }
  | { state: 'held'; recorded: JournalEntries; unrecorded?: string[] }
  | { state: 'completed'; recorded: JournalEntries; owner?: string };

/**
 * How the event stands after a record: `completed` (a redelivery does nothing), `released` (a retry may take it
 * at once: this attempt failed and recorded what it settled) or `held` (still this invocation's: more follows).
 */
export type Standing = 'completed' | 'released' | 'held';

/**
 * The delivery records of events, across containers. One write takes the event and returns what earlier
 * attempts recorded (it runs alongside the resource reads, so it costs no round trip of its own); one write
 * records what settled. A lease ends with the invocation's time: a crashed attempt is taken over after it.
 */
export interface DeliveryStore {
  /** `owner`: the invocation's id (Lambda's awsRequestId), kept with the lease and the completion. */
  claim(eventId: string, leaseMs: number, owner?: string): Promise<DeliveryClaim>;
  /**
   * Adds `entries` (each entry replaces its own, others are kept) and sets how the event stands: `released`
   * also undoes an earlier completion (its alert failed). `owner`'s claim is settled (no longer interrupted).
   */
  record(eventId: string, entries: JournalEntries, standing: Standing, owner?: string): Promise<void>;
}

/** Another delivery of the same event is being handled right now: retry later (Lambda does). */
export class DeliveryInProgressError extends Error {
  constructor(readonly eventId: string) {
    super(`another delivery of event ${eventId} is being handled: retried later`);
    this.name = 'DeliveryInProgressError';
  }
}

/**
 * One process's memory: for the CLI without a table and for unit tests. Across containers only the
 * DynamoDB store (store/delivery.ts) gives the guarantees.
 */
export function memoryDeliveryStore(now: () => number = Date.now): DeliveryStore {
  const events = new Map<
    string,
    {
      entries: JournalEntries;
      completed: boolean;
      leaseUntil: number;
      owner?: string | undefined;
      claimants: Set<string>;
    }
  >();
  return {
    async claim(eventId, leaseMs, owner) {
      const existing = events.get(eventId);
      const recorded = structuredClone(existing?.entries ?? {});
      if (existing?.completed) {
        return { state: 'completed', recorded, ...(existing.owner ? { owner: existing.owner } : {}) };
      }
      const claimants = existing?.claimants ?? new Set<string>();
      const unrecorded = claimants.size > 0 ? { unrecorded: [...claimants] } : {};
      if (existing && existing.leaseUntil > now()) return { state: 'held', recorded, ...unrecorded };
      if (owner) claimants.add(owner);
      events.set(eventId, {
        entries: existing?.entries ?? {},
        completed: false,
        leaseUntil: now() + leaseMs,
        owner,
        claimants,
      });
      return { state: 'claimed', recorded, ...unrecorded };
    },
    async record(eventId, entries, standing, owner) {
      const existing = events.get(eventId);
      const claimants = existing?.claimants ?? new Set<string>();
      if (owner && standing !== 'held') claimants.delete(owner);
      events.set(eventId, {
        entries: { ...existing?.entries, ...structuredClone(entries) },
        completed: standing === 'completed',
        leaseUntil: standing === 'held' ? (existing?.leaseUntil ?? 0) : 0,
        owner: standing === 'completed' ? (owner ?? existing?.owner) : existing?.owner,
        claimants,
      });
    },
  };
}
