// Delivery guarantees: EventBridge delivers at least once, Lambda retries failed invocations, containers crash.
// The core defines these ports; store/ implements them on the guardrails' DynamoDB table (Powertools
// idempotency for the event, one completion record per action), and the composition root wires them in.
import type { Evaluation } from './evaluate.ts';
import type { NotificationReport } from './report.ts';
import type { ActionResult, Verdict } from './types.ts';

/** What one step of an event's work settled to: its action results and, for the alert, what was sent. */
export interface SettledStep {
  results: ActionResult[];
  notification?: NotificationReport;
}

/**
 * What the first attempt found, recorded before it acted: a retry finishes that plan even when the live
 * resource now looks compliant because of the first attempt's own writes (its tags), so no alert is lost.
 */
export interface RecordedPlan {
  verdict: Verdict;
  reason?: string;
  evaluation: Evaluation;
}

/** The records of an event's work: its plan, then each step on its own as it completes. */
export interface JournalEntries {
  plan?: RecordedPlan;
  exempt?: SettledStep;
  tags?: SettledStep;
  stop?: SettledStep;
  notify?: SettledStep;
}
export type StepName = Exclude<keyof JournalEntries, 'plan'>;

/**
 * Per-action completion records. A step is recorded once it succeeded or failed permanently, so a retry after
 * a partial failure (or a crash) redoes only the steps that are not recorded, and reports the others as they were.
 */
export interface ActionJournal {
  read(eventId: string): Promise<JournalEntries>;
  record<K extends keyof JournalEntries>(eventId: string, entry: K, value: JournalEntries[K]): Promise<void>;
}

/**
 * Once per event id, across containers. `work` throwing leaves no record (the event is retried); an
 * invocation that dies mid-work holds the event for `budgetMs` at most, then a retry may take it over.
 */
export interface DeliveryLedger {
  once<T extends object>(
    eventId: string,
    work: () => Promise<T>,
    budgetMs: number,
  ): Promise<{ value: T; repeat: boolean }>;
}

/** Another delivery of the same event is being handled right now: retry later (Lambda does). */
export class DeliveryInProgressError extends Error {
  constructor(readonly eventId: string) {
    super(`another delivery of event ${eventId} is being handled: retried later`);
    this.name = 'DeliveryInProgressError';
  }
}

export interface DeliveryStore {
  ledger: DeliveryLedger;
  journal: ActionJournal;
}

/**
 * One process's memory: for the CLI without a table and for unit tests. Across containers only the
 * DynamoDB store (store/delivery.ts) gives the guarantees.
 */
export function memoryDeliveryStore(now: () => number = Date.now): DeliveryStore {
  const events = new Map<string, { done: boolean; value?: object; heldUntil: number }>();
  const steps = new Map<string, JournalEntries>();
  return {
    ledger: {
      async once<T extends object>(eventId: string, work: () => Promise<T>, budgetMs: number) {
        const existing = events.get(eventId);
        if (existing?.done) return { value: existing.value as T, repeat: true };
        if (existing && existing.heldUntil > now()) throw new DeliveryInProgressError(eventId);
        events.set(eventId, { done: false, heldUntil: now() + budgetMs });
        try {
          const value = await work();
          events.set(eventId, { done: true, value: structuredClone(value), heldUntil: 0 });
          return { value, repeat: false };
        } catch (error) {
          events.delete(eventId);
          throw error;
        }
      },
    },
    journal: {
      read: async (eventId) => structuredClone(steps.get(eventId) ?? {}),
      async record(eventId, entry, value) {
        steps.set(eventId, { ...steps.get(eventId), [entry]: structuredClone(value) });
      },
    },
  };
}
