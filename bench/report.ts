// Targets, results.json and results.md (a table for the README), and the console summary.

import type { BundleResult } from './bundle.ts';
import type { CallsResult } from './calls.ts';
import type { ColdStartResult } from './cold-start.ts';
import { round } from './common.ts';
import type { EventTypeName, LatencyResult } from './latency.ts';
import type { OrganizationResult } from './organization.ts';
import { type SweepBenchResult, sweepRows } from './sweep.ts';
import type { ThroughputResult } from './throughput.ts';
import type { WarmResult } from './warm.ts';

export const BUNDLE_LIMIT_KIB = 400;
export const COLD_IMPORT_RATIO_LIMIT = 0.2;
export const THROUGHPUT_TARGET = 100_000;

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
  date: string;
}

export interface BenchResults {
  machine: Machine;
  config: Record<string, number | string>;
  durationSeconds: number;
  bundles: BundleResult[];
  coldStart: ColdStartResult;
  warm: WarmResult;
  calls: CallsResult;
  throughput: ThroughputResult;
  latency: LatencyResult;
  sweep?: SweepBenchResult;
  /** Step 7 (bench/organization.ts); absent in results from before it existed. */
  organization?: OrganizationResult;
}

export interface Row {
  metric: string;
  result: string;
  target: string;
  /** null: informational, no target. */
  met: boolean | null;
}

const ms = (x: number) => `${round(x, x < 10 ? 3 : 1)} ms`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

export function rows(r: BenchResults): Row[] {
  const out: Row[] = [];
  for (const b of r.bundles) {
    out.push({
      metric: `Bundle size: ${b.fn}`,
      result: `${round(b.kib, 1)} KiB (${int(b.bytes)} bytes)`,
      target: `≤ ${BUNDLE_LIMIT_KIB} KiB`,
      met: b.kib <= BUNDLE_LIMIT_KIB,
    });
  }
  const c = r.coldStart;
  out.push(
    {
      metric: `Cold start, import (median of ${c.runsPerVariant}): bundled / unbundled`,
      result: `${ms(c.bundled.importMs)} / ${ms(c.unbundled.importMs)} = ${round(c.ratio.importMs, 2)}`,
      target: `≤ ${COLD_IMPORT_RATIO_LIMIT}`,
      met: c.ratio.importMs <= COLD_IMPORT_RATIO_LIMIT,
    },
    {
      metric: 'Cold start, import + first event: bundled / unbundled',
      result: `${ms(c.bundled.importPlusFirstEventMs)} / ${ms(c.unbundled.importPlusFirstEventMs)} = ${round(c.ratio.importPlusFirstEventMs, 2)}`,
      target: '—',
      met: null,
    },
    {
      metric: 'Cold start, whole process (spawn to exit): bundled / unbundled',
      result: `${ms(c.bundled.processWallMs)} / ${ms(c.unbundled.processWallMs)} = ${round(c.ratio.processWallMs, 2)}`,
      target: '—',
      met: null,
    },
  );
  const w = r.warm;
  out.push(
    {
      metric: `Warm, compliant notebook event, our time p50 / p99 (${int(w.compliant.events)} events)`,
      result: `${ms(w.compliant.ownP50)} / ${ms(w.compliant.ownP99)}`,
      target: '—',
      met: null,
    },
    {
      metric: `Warm, noncompliant notebook event, our time p50 / p99 (${int(w.noncompliant.events)} events)`,
      result: `${ms(w.noncompliant.ownP50)} / ${ms(w.noncompliant.ownP99)}`,
      target: '—',
      met: null,
    },
  );
  const nb = r.calls.compliantNotebook;
  out.push({
    metric: 'AWS calls, compliant notebook event (warm)',
    result: `${nb.warmReads} reads, ${nb.warmWrites} writes`,
    target: '≤ 2 reads, 0 writes',
    met: nb.met,
  });
  out.push(...latencyRows(r.latency));
  const t = r.throughput;
  out.push(
    {
      // The evaluator as the core issue defines it: a normalized change in, violations and planned actions out.
      metric: `Evaluator (evaluate(): normalized change -> violations + plan), ${t.evaluate.inputs} sample changes, one core`,
      result: `${int(t.evaluate.perSecond)} events/s`,
      target: `≥ ${int(THROUGHPUT_TARGET)} events/s`,
      met: t.evaluate.perSecond >= THROUGHPUT_TARGET,
    },
    {
      metric: `Whole offline path from raw JSON (assessEvent: schema validation + normalization + evaluation), ${t.assessEvent.inputs} sample events`,
      result: `${int(t.assessEvent.perSecond)} events/s`,
      target: '—',
      met: null,
    },
    {
      metric: `of which schema validation and normalization (normalizeEvent()), ${t.normalizeEvent.inputs} sample events`,
      result: `${int(t.normalizeEvent.perSecond)} events/s`,
      target: '—',
      met: null,
    },
  );
  if (r.sweep) out.push(...sweepRows(r.sweep));
  if (r.organization) out.push(...organizationRows(r.organization));
  return out;
}

export function organizationRows(o: OrganizationResult): Row[] {
  const c = o.callsPerEvent;
  return [
    {
      metric: `Organization, ${o.accounts} accounts x ${o.regions} regions, one container (${int(o.events)} events): AWS calls per event`,
      result: `${c.organization} = ${c.organizationWithoutAssumeRole} + ${o.assumeRole.perEvent} AssumeRole (single account: ${c.singleAccount})`,
      target: 'single-account calls + amortised AssumeRole',
      met: c.organizationWithoutAssumeRole === c.singleAccount,
    },
    {
      metric: 'Organization: sts:AssumeRole calls',
      result: `${o.assumeRole.calls} for ${o.assumeRole.memberAccounts} member accounts over ${o.rounds} rounds`,
      target: '≤ 1 per member account while credentials last',
      met: o.assumeRole.calls <= o.assumeRole.memberAccounts,
    },
    {
      metric: 'Organization: memory (client sets held; heap after round 1 / at end)',
      result: `${o.memory.clientSetsHeld} of ${o.memory.clientSetCapacity}; ${o.memory.heapMbAfterFirstRound} / ${o.memory.heapMbAtEnd} MB`,
      target: `≤ ${o.memory.clientSetCapacity} client sets`,
      met: o.memory.clientSetsHeld <= o.memory.clientSetCapacity,
    },
    {
      metric: 'Organization: our time per event, single account / organization (no injected latency)',
      result: `${ms(o.msPerEvent.singleAccount)} / ${ms(o.msPerEvent.organization)}`,
      target: '—',
      met: null,
    },
  ];
}

const LATENCY_LABELS: Record<EventTypeName, string> = {
  compliantNotebook: 'compliant notebook',
  noncompliantNotebookPending: 'noncompliant notebook, Pending',
  noncompliantNotebookInService: 'noncompliant notebook, InService',
  userProfile: 'noncompliant user profile',
  addTagsRevert: 'AddTags revert',
};
/** A noncompliant event writes one finding line and one metrics document. */
const LOG_BYTES_LIMIT = 2048;

function latencyRows(l: LatencyResult): Row[] {
  const out: Row[] = [];
  for (const [name, label] of Object.entries(LATENCY_LABELS) as Array<[EventTypeName, string]>) {
    const e = l[name];
    const s = l.sequential[name];
    const limit = name === 'compliantNotebook' ? 1 : 3;
    out.push(
      {
        metric: `Latency at ${l.latencyMs} ms per AWS call, ${label}: p50 / p99 (${l.eventsPerType} events); vs the same code sequential; p50 to the last user-visible effect`,
        result: `${ms(e.p50Ms)} / ${ms(e.p99Ms)}; sequential ${ms(s.p50Ms)} / ${ms(s.p99Ms)}: ${round(l.speedup[name], 2)}× faster; ${ms(e.p50MsToLastEffect)}`,
        target: '—',
        met: null,
      },
      {
        metric: `Round trips, ${label}: to the last user-visible effect; whole invocation, with the delivery record after the alert, warm (fresh container) [AWS services alone]; calls`,
        result: `${e.roundTripsToLastEffect}; ${e.roundTrips} (${e.freshRoundTrips}) [${e.roundTripsWithoutDeliveryRecords}]; ${e.calls} calls; sequential ${s.roundTrips}`,
        target: `≤ ${limit} to the last effect`,
        met: e.roundTripsToLastEffect <= limit,
      },
    );
  }
  const logs = Math.max(
    ...(Object.keys(LATENCY_LABELS) as EventTypeName[])
      .filter((n) => n !== 'compliantNotebook')
      .map((n) => l[n].logBytes),
  );
  out.push({
    metric: 'Log volume, a noncompliant event (the most of the 4 types)',
    result: `${int(logs)} bytes`,
    target: `≤ ${int(LOG_BYTES_LIMIT)} bytes`,
    met: logs <= LOG_BYTES_LIMIT,
  });
  return out;
}

const metText = (met: boolean | null) => (met === null ? '—' : met ? 'yes' : '**MISSED**');

export function markdownTable(list: Row[]): string {
  const lines = ['| Metric | Result | Target | Met? |', '| --- | --- | --- | --- |'];
  for (const row of list)
    lines.push(`| ${row.metric} | ${row.result} | ${row.target} | ${metText(row.met)} |`);
  return lines.join('\n');
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}; ${m.date}`;
}

function callsTable(r: BenchResults): string {
  const lines = ['| Event | Verdict | Warm calls | Fresh container calls |', '| --- | --- | --- | --- |'];
  const fmt = (byOp: Record<string, number>) =>
    Object.entries(byOp)
      .map(([op, n]) => (n > 1 ? `${op} ×${n}` : op))
      .join(', ') || 'none';
  for (const e of r.calls.events) {
    lines.push(`| ${e.file} | ${e.verdict} | ${fmt(e.warm.byOperation)} | ${fmt(e.fresh.byOperation)} |`);
  }
  return lines.join('\n');
}

export function markdown(r: BenchResults): string {
  const list = rows(r);
  return [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${machineLine(r.machine)}. Ratios compare runs of the same bench run.`,
    '',
    markdownTable(list),
    '',
    'Cold start: a fresh `node` process imports the handler and handles one compliant CreateNotebookInstance ' +
      'against the local emulator; bundled = the deployment bundle, unbundled = the same code with its ' +
      'dependencies loaded from node_modules; runs interleaved, medians. ' +
      'Warm "our time" = wall time per event minus the emulator-recorded time of its AWS calls: the SDK client ' +
      'and the loopback HTTP round trip stay in it (emulator time has 1 ms resolution).',
    '',
    '## AWS calls per sample event',
    '',
    'Each event handled against a freshly seeded emulator where its own call has been acted out; "warm" is ' +
      'the second such event in the same container (KMS and IAM lookups cached).',
    '',
    callsTable(r),
    '',
  ].join('\n');
}

/** Plain-text summary for the console. */
export function consoleSummary(r: BenchResults): string {
  const list = rows(r);
  const lines: string[] = ['', `Machine: ${machineLine(r.machine)}`, ''];
  lines.push(markdownTable(list), '');
  const trips = r.warm.sdkRoundTrips.map((t) => `${t.operation} ${ms(t.wallP50)}`).join(', ');
  lines.push(
    'Warm "our time" = wall time per event minus the emulator-recorded durationMs of its calls (1 ms resolution).',
    `The SDK client, HTTP handling and loopback round trip stay in our time: a bare SDK call costs p50 ${trips}.`,
    '',
  );
  const b = r.bundles.filter((x) => x.kib > BUNDLE_LIMIT_KIB);
  if (b.length > 0) {
    const first = b[0] as BundleResult;
    lines.push(
      `What dominates the ${first.fn} bundle (${round(first.kib, 1)} KiB; our own code ${round(first.ourCodeBytes / 1024, 1)} KiB):`,
    );
    for (const p of first.topPackages) {
      lines.push(
        `  ${p.name.padEnd(36)} ${String(round(p.bytes / 1024, 1)).padStart(7)} KiB ${String(round(p.share * 100, 1)).padStart(5)}%  via ${p.importedBy.join(', ')}`,
      );
    }
    lines.push('');
  }
  lines.push('AWS calls per sample event (warm container; fresh container in brackets when different):');
  for (const e of r.calls.events) {
    const warm =
      Object.entries(e.warm.byOperation)
        .map(([op, n]) => (n > 1 ? `${op}×${n}` : op))
        .join(' ') || '-';
    const freshOps =
      Object.entries(e.fresh.byOperation)
        .map(([op, n]) => (n > 1 ? `${op}×${n}` : op))
        .join(' ') || '-';
    lines.push(
      `  ${e.file.padEnd(68)} ${e.verdict.padEnd(12)} ${warm}${freshOps !== warm ? `  [${freshOps}]` : ''}`,
    );
  }
  lines.push('');
  const missed = list.filter((row) => row.met === false);
  for (const row of missed) lines.push(`MISSED: ${row.metric}: ${row.result} (target ${row.target})`);
  if (missed.length === 0) lines.push('All targets met.');
  return lines.join('\n');
}
