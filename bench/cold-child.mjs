// One cold start, run by bench/cold-start.ts in a fresh `node` process (no tsx, no loader): import a handler,
// handle one event, then a second one (the warm invocation of the same container). Timings go to fd 3 as JSON;
// stdout carries the handler's own logs and is discarded by the parent.
import { readFileSync, writeSync } from 'node:fs';

const event = JSON.parse(readFileSync(process.env.BENCH_EVENT_FILE ?? '', 'utf8'));
const second = structuredClone(event);
second.id = crypto.randomUUID();
if (second.detail?.eventID) second.detail.eventID = crypto.randomUUID();

const t0 = performance.now();
const { handler } = await import(process.env.BENCH_HANDLER_URL ?? '');
const t1 = performance.now();
const first = await handler(event, { awsRequestId: 'bench-cold-1' });
const t2 = performance.now();
const next = await handler(second, { awsRequestId: 'bench-cold-2' });
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
