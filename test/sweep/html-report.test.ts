// The HTML report in a real headless Chromium (installed by `npm test`'s pretest, scripts/ensure-chromium.mjs):
// it renders, logs no error, and its filters work.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../sweep/html.ts';
import { emptySummary } from '../../sweep/run.ts';
import { target } from '../../sweep/target.ts';
import { runCli } from '../support/cli.ts';

const CHROMIUM = process.env.SM_GUARDRAILS_CHROMIUM ?? '/usr/bin/chromium';

let browser: BrowserContext;
const dir = mkdtempSync(join(tmpdir(), 'scan-html-'));

beforeAll(async () => {
  // A fresh profile each run (the persistent-context API is how Playwright takes --user-data-dir).
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** Opens a file; collects console errors, page errors, dialogs and any request leaving the file. */
async function open(file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  return { page, problems };
}

const visibleRows = (page: Page) => page.locator('#findings tbody tr:visible').count();

describe('scan --html', () => {
  it('renders totals, charts and the table, with no console error, and filters', async () => {
    const file = join(dir, 'report.html');
    const run = runCli(['scan', '--simulate', 'sweep/samples', '--html', file]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`HTML report: ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i); // self-contained

    const { page, problems } = await open(file);
    expect(await page.title()).toMatch(/^sm-guardrails sweep /);
    expect(await page.locator('[data-total="resources"] b').textContent()).toBe('15');
    // vendor-appliance's exemption tag has no grant the guardrails saw: it is judged (docs/security.md).
    expect(await page.locator('[data-total="noncompliant"] b').textContent()).toBe('8');
    expect(await page.locator('figure.chart svg').count()).toBe(4);
    expect(await page.locator('figure.chart').first().locator('rect').count()).toBe(10); // one bar per rule
    expect(await visibleRows(page)).toBe(8);
    expect(await page.locator('#findings tbody tr').first().locator('a').getAttribute('href')).toMatch(
      /^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/sagemaker\//,
    );

    await page.fill('#q', 'bob');
    expect(await visibleRows(page)).toBe(1);
    expect(await page.locator('#shown').textContent()).toBe('1');
    await page.fill('#q', '');
    await page.selectOption('#f-rule', 'notebook-root-access');
    expect(await visibleRows(page)).toBe(4);
    await page.selectOption('#f-account', '444455556666');
    expect(await visibleRows(page)).toBe(2);
    expect(await page.locator('#findings tbody tr:visible strong').allTextContents()).toEqual(
      expect.arrayContaining(['eu-analytics', 'vendor-appliance']),
    );
    await page.selectOption('#f-rule', '');
    await page.selectOption('#f-account', '');
    await page.selectOption('#f-severity', 'high');
    // vendor-appliance's worst is critical (protected-tag-change); custom-r-image runs as root (high).
    expect(await visibleRows(page)).toBe(6);
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows attacker-controlled text as text', async () => {
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const where = target('111122223333', 'us-east-1');
    const summary = { ...emptySummary('s'), resources: 1, noncompliant: 1, targets: 1 };
    const html = renderHtmlReport({
      summary,
      generatedAt: '2026-12-01T00:00:00Z',
      sweeps: [
        {
          target: where,
          news: [],
          listErrors: [],
          deferredStops: [],
          checks: [],
          results: [
            {
              resource: {
                type: 'notebook-instance',
                arn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/x',
                name: 'x',
                ...where,
              },
              verdict: 'noncompliant',
              violations: [
                {
                  rule: 'required-tags',
                  severity: 'medium',
                  message: `tag project ${hostile}`,
                  seen: hostile,
                  required: 'r',
                  fix: 'f',
                },
              ],
              unevaluated: [],
              actions: [],
            },
          ],
        },
      ],
    });
    const file = join(dir, 'hostile.html');
    writeFileSync(file, html);
    const { page, problems } = await open(file);
    expect(await page.locator('#findings tbody li').first().textContent()).toContain(hostile);
    expect(await page.locator('#findings img').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);
});
