// `scan --html FILE`: one self-contained page (no network, no external script or style): totals, bar charts by
// rule, severity, account and region, and a filterable table of the resources with violations, their fix and
// their console link. Every value from AWS (names, tag values in messages) is HTML-escaped: a tag value is
// attacker input. CLI only: never in a Lambda bundle.
import { byWorst, resourceConsoleLink, worstSeverity } from './digest.ts';
import type { SweepSummary } from './run.ts';
import type { ResourceResult, TargetSweep } from './sweep.ts';

export interface HtmlReportInput {
  summary: SweepSummary & { calls?: number };
  sweeps: readonly TargetSweep[];
  generatedAt: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const SEVERITY_COLOR: Record<string, string> = {
  critical: '#7a1020',
  high: '#c0392b',
  medium: '#d68910',
  low: '#2e86c1',
  unverifiable: '#6c3483',
};

function barChart(title: string, entries: Array<[string, number, string?]>): string {
  const rows = entries.filter(([, n]) => n > 0);
  if (rows.length === 0)
    return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><p class="none">none</p></figure>`;
  const max = Math.max(...rows.map(([, n]) => n));
  const rowHeight = 22;
  const labelWidth = 230;
  const barWidth = 260;
  const bars = rows
    .map(([label, n, color], i) => {
      const y = i * rowHeight;
      const w = Math.max(2, Math.round((n / max) * barWidth));
      return (
        `<text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end">${escapeHtml(label.length > 34 ? `${label.slice(0, 33)}…` : label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 4}" width="${w}" height="${rowHeight - 8}" fill="${color ?? '#34495e'}"><title>${escapeHtml(label)}: ${n}</title></rect>` +
        `<text x="${labelWidth + w + 6}" y="${y + 15}">${n}</text>`
      );
    })
    .join('');
  const height = rows.length * rowHeight;
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" width="${labelWidth + barWidth + 50}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 50} ${height}">${bars}</svg></figure>`;
}

function count<T>(items: readonly T[], key: (item: T) => string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) for (const k of new Set(key(item))) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

function row(r: ResourceResult): string {
  const severity = r.verdict === 'error' ? 'unverifiable' : (worstSeverity(r) ?? 'low');
  const rules = [...new Set(r.violations.map((v) => v.rule))];
  const violations =
    r.verdict === 'error'
      ? `<li>could not be evaluated: ${escapeHtml(r.reason ?? '')}</li>`
      : r.violations
          .map(
            (v) =>
              `<li><span class="sev sev-${escapeHtml(v.severity)}">${escapeHtml(v.severity)}</span> <code>${escapeHtml(v.rule)}</code>: ${escapeHtml(v.message)}<div class="fix">Fix: ${escapeHtml(v.fix)}</div></li>`,
          )
          .join('');
  const actions = r.actions
    .map(
      (a) =>
        `<li>${escapeHtml(a.type)}: <span class="st-${escapeHtml(a.status)}">${escapeHtml(a.status)}</span></li>`,
    )
    .join('');
  const attrs = {
    'data-severity': severity,
    'data-rules': rules.join(' '),
    'data-account': r.resource.account,
    'data-region': r.resource.region,
    'data-text': `${r.resource.type} ${r.resource.name} ${r.resource.arn} ${rules.join(' ')}`.toLowerCase(),
  };
  const attrText = Object.entries(attrs)
    .map(([k, v]) => `${k}="${escapeHtml(v)}"`)
    .join(' ');
  return `<tr ${attrText}><td><span class="sev sev-${severity}">${severity}</span></td><td>${escapeHtml(r.resource.type)}</td><td><strong>${escapeHtml(r.resource.name)}</strong><div class="arn">${escapeHtml(r.resource.arn)}</div></td><td>${escapeHtml(r.resource.account)}<br>${escapeHtml(r.resource.region)}</td><td><ul>${violations}</ul></td><td><ul>${actions}</ul></td><td><a href="${escapeHtml(resourceConsoleLink(r.resource))}" target="_blank" rel="noopener noreferrer">console</a></td></tr>`;
}

function options(values: Iterable<string>): string {
  return [...new Set(values)]
    .sort()
    .map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`)
    .join('');
}

// Filters rows by text, severity, rule, account and region. Plain DOM, no framework: the page works offline.
const SCRIPT = `
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('#findings tbody tr'));
  var q = document.getElementById('q');
  var selects = ['severity', 'rule', 'account', 'region'].map(function (id) { return document.getElementById('f-' + id); });
  var shown = document.getElementById('shown');
  function apply() {
    var text = q.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (tr) {
      var ok = (!text || tr.getAttribute('data-text').indexOf(text) >= 0) &&
        (!selects[0].value || tr.getAttribute('data-severity') === selects[0].value) &&
        (!selects[1].value || (' ' + tr.getAttribute('data-rules') + ' ').indexOf(' ' + selects[1].value + ' ') >= 0) &&
        (!selects[2].value || tr.getAttribute('data-account') === selects[2].value) &&
        (!selects[3].value || tr.getAttribute('data-region') === selects[3].value);
      tr.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = String(n);
  }
  q.addEventListener('input', apply);
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  apply();
})();`;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1c2833;background:#f4f6f7}
header{background:#1c2833;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#aeb6bf}
main{padding:16px 24px}.totals{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:16px}
.total{background:#fff;border-radius:6px;padding:10px 16px;min-width:120px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.total b{display:block;font-size:24px}.total.bad b{color:#c0392b}.total.good b{color:#1e8449}.total.warn b{color:#6c3483}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fff;border-radius:6px;padding:10px 14px;margin:0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.chart figcaption{font-weight:600;margin-bottom:6px}.chart svg text{font-size:12px;fill:#1c2833}.none{color:#7f8c8d}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin:20px 0 8px;align-items:center}.filters input,.filters select{padding:5px 8px;font:inherit}
table{width:100%;border-collapse:collapse;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.08)}
th,td{text-align:left;vertical-align:top;padding:8px;border-bottom:1px solid #e5e8e8}th{background:#eaeded;position:sticky;top:0}
td ul{margin:0;padding-left:16px}.arn{color:#7f8c8d;font-size:12px;word-break:break-all}.fix{color:#566573;font-size:12px}
.sev{display:inline-block;color:#fff;border-radius:3px;padding:0 6px;font-size:12px;text-transform:uppercase}
${Object.entries(SEVERITY_COLOR)
  .map(([s, c]) => `.sev-${s}{background:${c}}`)
  .join('')}
.st-failed{color:#c0392b;font-weight:600}.st-done{color:#1e8449}`;

export function renderHtmlReport({ summary, sweeps, generatedAt }: HtmlReportInput): string {
  const results = sweeps.flatMap((s) => s.results);
  const flagged = results.filter((r) => r.verdict === 'noncompliant' || r.verdict === 'error').sort(byWorst);
  const bySeverity = count(flagged, (r) =>
    r.verdict === 'error' ? ['unverifiable'] : [worstSeverity(r) ?? 'low'],
  );
  const byRule = count(flagged, (r) => r.violations.map((v) => v.rule));
  const byAccount = count(flagged, (r) => [r.resource.account]);
  const byRegion = count(flagged, (r) => [r.resource.region]);
  const sorted = (m: Map<string, number>) => [...m].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const unverifiable = summary.error + summary.listErrors.length;
  const totals = [
    ['resources', summary.resources, ''],
    ['compliant', summary.compliant, 'good'],
    ['noncompliant', summary.noncompliant, 'bad'],
    ['skipped (exempt, deleted)', summary.skipped, ''],
    ['unverifiable', unverifiable, unverifiable ? 'warn' : ''],
    ['accounts × regions', summary.targets, ''],
  ] as const;
  const listErrors = summary.listErrors.length
    ? `<p class="warn"><strong>Listing failed</strong> (these types are unverified): ${summary.listErrors
        .map(
          (e) =>
            `${escapeHtml(e.account)}/${escapeHtml(e.region)} ${escapeHtml(e.type)}: ${escapeHtml(e.error)}`,
        )
        .join('; ')}</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>sm-guardrails sweep ${escapeHtml(generatedAt)}</title><style>${STYLE}</style></head>
<body><header><h1>SageMaker guardrails sweep</h1><p>${escapeHtml(summary.sweepId)} · ${escapeHtml(generatedAt)} · ${summary.calls ?? 0} AWS calls in ${(summary.durationMs / 1000).toFixed(1)} s</p></header>
<main>
<section class="totals">${totals.map(([label, n, cls]) => `<div class="total ${cls}" data-total="${escapeHtml(label)}"><b>${n}</b>${escapeHtml(label)}</div>`).join('')}</section>
${listErrors}
<section class="charts">
${barChart('Noncompliant resources by rule', sorted(byRule))}
${barChart(
  'By severity (worst per resource)',
  [...SEVERITIES, 'unverifiable' as const].map((s) => [s, bySeverity.get(s) ?? 0, SEVERITY_COLOR[s]]),
)}
${barChart('By account', sorted(byAccount))}
${barChart('By region', sorted(byRegion))}
</section>
<section class="filters">
<input id="q" type="search" placeholder="Filter by name, ARN or rule" aria-label="Filter">
<select id="f-severity" aria-label="Severity"><option value="">all severities</option>${options([...SEVERITIES, 'unverifiable'].filter((s) => bySeverity.has(s)))}</select>
<select id="f-rule" aria-label="Rule"><option value="">all rules</option>${options(byRule.keys())}</select>
<select id="f-account" aria-label="Account"><option value="">all accounts</option>${options(byAccount.keys())}</select>
<select id="f-region" aria-label="Region"><option value="">all regions</option>${options(byRegion.keys())}</select>
<span><span id="shown">${flagged.length}</span> of ${flagged.length} resources with findings</span>
</section>
<table id="findings"><thead><tr><th>Severity</th><th>Type</th><th>Resource</th><th>Account / region</th><th>Violations and fix</th><th>Actions</th><th>Console</th></tr></thead>
<tbody>${flagged.map(row).join('\n')}</tbody></table>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
