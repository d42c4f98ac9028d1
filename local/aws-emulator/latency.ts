// Real-world latency for the in-process emulator, and the measure of what latency costs a caller: the number of
// sequential round trips on its critical path.
//
// The measure. Every call has the interval [startedMs, endedMs] during which the emulator held it (request
// arrived .. response written; performance.now()). Call B can depend on call A only if B started after A ended;
// if B started while A was in flight, B is on a parallel branch. The round trips of a set of calls are the length
// of the longest chain A1, A2, ... Ak in which each call started after the previous one ended: the least number of
// sequential AWS latencies the caller waited through. It never undercounts a truly sequential chain (a caller
// that awaits A's response cannot send B before A ended). Concurrent calls count as parallel only if they
// overlap at the emulator, which injected latency (a few ms and more) ensures; with no latency, two concurrent
// calls handled back to back may count as two, so without latency it is an upper bound.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceName } from './types.ts';

export interface TimedCall {
  startedMs: number;
  endedMs: number;
}

/** The longest chain of calls each started after the previous one ended (see above). 0 for no calls. */
export function sequentialRoundTrips(calls: readonly TimedCall[]): number {
  const byStart = [...calls].sort((a, b) => a.startedMs - b.startedMs);
  const depth: number[] = [];
  let longest = 0;
  for (let i = 0; i < byStart.length; i++) {
    const call = byStart[i] as TimedCall;
    let before = 0;
    for (let j = 0; j < i; j++) {
      if ((byStart[j] as TimedCall).endedMs <= call.startedMs) before = Math.max(before, depth[j] as number);
    }
    depth[i] = before + 1;
    longest = Math.max(longest, before + 1);
  }
  return longest;
}

export interface HoldSpec {
  service?: ServiceName;
  /**
   * Operations that must all have arrived (since the hold was set) before any of them is answered: a barrier.
   * Once all have arrived the barrier is open for good.
   */
  together: string[];
  /** Each held call is answered anyway after this long, so a sequential caller is slow, not stuck. Default 2 s. */
  timeoutMs?: number;
}

interface Barrier {
  spec: HoldSpec;
  waiting: Set<string>;
  release: Array<() => void>;
}

/**
 * Deterministic concurrency pins for tests: calls held together are answered only once all of them have arrived.
 * A caller that sends them concurrently is answered at once, and they overlap; one that awaits one before sending
 * the next is answered only after the timeout, and its calls come out sequential in `sequentialRoundTrips`.
 */
export class ArrivalGate {
  private barriers: Barrier[] = [];

  hold(spec: HoldSpec): void {
    this.barriers.push({ spec, waiting: new Set(spec.together), release: [] });
  }

  clear(): void {
    for (const b of this.barriers) for (const release of b.release.splice(0)) release();
    this.barriers = [];
  }

  /** Called when a request arrives: counts it as arrived for every barrier waiting for it. */
  arrived(service: ServiceName, operation: string): void {
    for (const b of this.barriers) {
      if (b.spec.service && b.spec.service !== service) continue;
      if (!b.waiting.delete(operation) || b.waiting.size > 0) continue;
      for (const release of b.release.splice(0)) release();
    }
  }

  /** Resolves when the call may be answered. */
  async wait(service: ServiceName, operation: string): Promise<void> {
    const b = this.barriers.find(
      (x) =>
        x.waiting.size > 0 &&
        x.spec.together.includes(operation) &&
        (!x.spec.service || x.spec.service === service),
    );
    if (!b) return;
    const controller = new AbortController();
    const released = new Promise<void>((resolve) => b.release.push(resolve));
    await Promise.race([
      released,
      sleep(b.spec.timeoutMs ?? 2_000, undefined, { signal: controller.signal }).catch(() => undefined),
    ]);
    controller.abort();
  }
}

/** A fixed delay added to every request: an AWS round trip as seen from Lambda (about 10-30 ms). */
export class InjectedLatency {
  constructor(public latencyMs = 0) {}

  async apply(): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
  }
}
