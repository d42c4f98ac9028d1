// One cold start, run by bench/cold-start.ts in a fresh `node` process (no tsx, no loader): import a handler,
// handle one event, then a second one (the warm invocation of the same container). Timings go to fd 3 as JSON;
// stdout carries the handler's own logs and is discarded by the parent.
import { readFileSync, writeSync } from 'node:fs';

// Each process handles fresh deliveries (new event and request ids): the emulator's delivery records outlive a
// process, and a reused id would be a redelivery or a Lambda retry, not a first delivery.
const sample = JSON.parse(readFileSync(process.env.BENCH_EVENT_FILE ?? '', 'utf8'));
const fresh = () => {
  const copy = structuredClone(sample);
  copy.id = crypto.randomUUID();
  if (copy.detail?.eventID) copy.detail.eventID = crypto.randomUUID();
  return copy;
};
const event = fresh();
const second = fresh();

const t0 = performance.now();
const { handler } = await import(process.env.BENCH_HANDLER_URL ?? '');
const t1 = performance.now();
const first = await handler(event, { awsRequestId: crypto.randomUUID() });
const t2 = performance.now();
const next = await handler(second, { awsRequestId: crypto.randomUUID() });
const t3 = performance.now();

writeSync(
  3,
  JSON.stringify({
    // performance.now() counts from the process's time origin: t0 is Node's own bootstrap.
    bootMs: t0,
    importMs: t1 - t0,
    firstEventMs: t2 - t1,
    importPlusFirstEventMs: t2 - t0,
    secondEventMs: t3 - t2,
    verdict: first.verdict,
    secondVerdict: next.verdict,
  }),
);
process.exit(0);
