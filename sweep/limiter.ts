// Bounded concurrency per account, enforced where calls leave: a middleware on the SDK clients holds one slot
// of the account's semaphore for each HTTP attempt (retries included, their back-off excluded). It also counts
// the calls, which is how a sweep reports what it cost.
import type { DeserializeMiddleware, HandlerExecutionContext, MiddlewareStack } from '@smithy/types';

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`concurrency must be a positive integer, not ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter: `active` stays the same.
      if (next) next();
      else this.active--;
    }
  }
}

/** Calls made, by operation (`ListNotebookInstances`...), attempts included. */
export class CallCounter {
  readonly byOperation = new Map<string, number>();
  add(operation: string): void {
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const v of this.byOperation.values()) n += v;
    return n;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.byOperation].sort(([a], [b]) => a.localeCompare(b)));
  }
}

// Any SDK v3 client: only its middleware stack is touched, with a middleware that does not look at the payload.
// biome-ignore lint/suspicious/noExplicitAny: the input and output types differ per client and do not matter here.
type AnyClient = { middlewareStack: MiddlewareStack<any, any> };

/** Every HTTP attempt of `client` takes a slot of `semaphore` and is counted. */
export function boundClient(client: AnyClient, semaphore: Semaphore, counter?: CallCounter): void {
  // biome-ignore lint/suspicious/noExplicitAny: see AnyClient.
  const bound: DeserializeMiddleware<any, any> = (next, context: HandlerExecutionContext) => (args) =>
    semaphore.run(() => {
      counter?.add(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
      return next(args);
    });
  client.middlewareStack.add(
    bound,
    // The deserialize step wraps the HTTP send itself, inside the retry loop.
    { step: 'deserialize', priority: 'low', name: 'smGuardrailsSweepBound' },
  );
}

/** Runs `task` over `items` with at most `width` in flight, in order of start. */
export async function forEachBounded<T>(
  items: readonly T[],
  width: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
