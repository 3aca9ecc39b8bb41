/**
 * The HTML report in a real browser: Debian's Chromium (installed by .ci/run; this test installs
 * nothing) driven by playwright-core. It opens the report from a file: URL with a fresh profile,
 * checks that nothing is fetched, that the charts render, that the search and filters narrow the
 * table, that a file's evidence opens, and saves screenshots to a temporary folder (kept, and its
 * path printed, so a person can look at them).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '@clearance/core';
import { demoScan, render, tempDir } from './helpers.js';
import { SummaryOf, syntheticRecord } from './records.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];

let dir: string;
let remove: () => Promise<void>;
let profile: string;
let context: BrowserContext;
let shots: string;
let reportFile: string;
let records: ScanRecord[];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium), as .ci/run does`);
  ({ dir, remove } = await tempDir());
  profile = await mkdtemp(path.join(tmpdir(), 'clearance-chromium-profile-'));
  shots = process.env['CLEARANCE_SCREENSHOT_DIR'] ?? (await mkdtemp(path.join(tmpdir(), 'clearance-html-screenshots-')));
  // A real scan of the demo dataset, with synthetic opt-outs, TPMs and errors beside it.
  const demo = await demoScan();
  const hostile = syntheticRecord(14);
  hostile.path = 'code/mit/</script><img src=x onerror="window.pwned=1">.py';
  records = [...demo.records, ...Array.from({ length: 300 }, (_, i) => syntheticRecord(i)), hostile];
  const sum = new SummaryOf();
  for (const r of records) sum.add(r);
  const summary = { ...sum.build(demo.summary.source.location), rulesets: demo.summary.rulesets, policy: demo.summary.policy };
  reportFile = path.join(dir, 'report.html');
  await render('html', records, summary, reportFile);
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1360, height: 900 } });
});

afterAll(async () => {
  await context?.close();
  await rm(profile, { recursive: true, force: true });
  await remove?.();
});

async function open(file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(pathToFileURL(file).href);
  return { page, requests, errors };
}

// The page's DOM, as far as these tests touch it (the project compiles without the DOM library).
type Box = { getBoundingClientRect(): { width: number; height: number } };
type Attributes = { getAttribute(name: string): string | null };

const rowPaths = (page: Page) => page.locator('#files-body tr.row').evaluateAll((rows: Attributes[]) => rows.map((r) => r.getAttribute('data-path') ?? ''));

describe('HTML report in Chromium', () => {
  it('renders its charts, filters its table, shows evidence, and fetches nothing', async () => {
    const { page, requests, errors } = await open(reportFile);
    await page.screenshot({ path: path.join(shots, 'report.png'), fullPage: true });
    console.info(`HTML report screenshots: ${shots}`);

    // Charts: inline SVG with a real size, and bars with width.
    const charts = await page.locator('svg.chart').evaluateAll((svgs: Box[]) => svgs.map((s) => s.getBoundingClientRect()).map((b) => [b.width, b.height]));
    expect(charts.length).toBeGreaterThanOrEqual(6);
    for (const [w, h] of charts) {
      expect(w).toBeGreaterThan(100);
      expect(h).toBeGreaterThan(20);
    }
    const bars = await page.locator('svg.chart g.bar rect[class^="s-"]').evaluateAll((rects: Box[]) => rects.map((r) => r.getBoundingClientRect().width));
    expect(bars.length).toBeGreaterThan(20);
    expect(bars.every((w) => w > 0)).toBe(true);
    expect(await page.locator('svg.donut circle.arc').count()).toBe(3);
    await expect.poll(() => page.locator('svg.chart text').filter({ hasText: 'robots' }).count()).toBeGreaterThan(0);

    // The totals count files, not findings: a file reserved by two protocols counts once.
    const reserved = records.filter((r) => r.optOuts.some((o) => o.reserved === 'yes')).length;
    expect(await page.locator('.kpi', { hasText: 'Opt-outs' }).locator('.v').textContent()).toBe(reserved.toLocaleString('en-US'));
    expect(await page.locator('.kpi', { hasText: 'Excluded' }).locator('.v').textContent()).toBe(records.filter((r) => r.verdict.decision === 'exclude').length.toLocaleString('en-US'));

    // Every file is embedded, so the page does not say it lists only some.
    expect(await page.locator('#cap-note').isHidden()).toBe(true);

    // The table: 50 rows a page, the most serious first.
    expect(await page.locator('#files-body tr.row').count()).toBe(50);
    expect(await page.locator('#files-count').textContent()).toBe(`Showing 1–50 of ${records.length} matching files`);
    expect(await page.locator('#files-body tr.row .badge').first().textContent()).toBe('Excluded');

    // Typing in the search box narrows the table to what matches.
    await page.locator('#q').fill('book-0000008');
    await expect.poll(() => rowPaths(page)).toEqual(['books/locked/book-0000008.pdf']);
    expect(await page.locator('#files-count').textContent()).toBe('Showing 1–1 of 1 matching file');
    // A click opens the file's evidence.
    await page.locator('#files-body tr.row').first().click();
    const detail = page.locator('#files-body tr.detail');
    await expect.poll(() => detail.textContent()).toContain('tpm.pdf.encrypted');
    expect(await detail.textContent()).toContain('/Filter /Standard /V 5 /R 6');
    await page.locator('#files').screenshot({ path: path.join(shots, 'files-filtered.png') });

    // Words match anywhere (path, licence, reason), all of them.
    await page.locator('#q').fill('tdmrep pages');
    await expect.poll(async () => (await rowPaths(page)).length).toBe(45);
    expect((await rowPaths(page)).every((p) => p.startsWith('web/pages/'))).toBe(true);

    // The verdict, licence and folder filters.
    await page.locator('#reset').click();
    await page.locator('#verdict-filter button[data-value="exclude"]').click();
    await expect.poll(() => page.locator('#files-body tr.row .badge').allTextContents()).toEqual(Array(50).fill('Excluded'));
    await page.locator('#reset').click();
    await page.locator('#f-folder').selectOption('audio');
    await expect.poll(async () => (await rowPaths(page)).every((p) => p.startsWith('audio/'))).toBe(true);
    expect(await page.locator('#files-count').textContent()).toBe('Showing 1–15 of 15 matching files');

    // A click on a chart bar filters the table to what the bar counts.
    await page.locator('svg.chart g.clickable[data-licence="MIT"]').click();
    await expect.poll(() => page.locator('#f-licence').inputValue()).toBe('MIT');
    const mit = records.filter((r) => r.licence.expression === 'MIT').length;
    expect(await page.locator('#files-count').textContent()).toBe(`Showing 1–${Math.min(50, mit)} of ${mit} matching file${mit === 1 ? '' : 's'}`);

    // A hostile file name is shown as text, never run.
    await page.locator('#reset').click();
    await page.locator('#q').fill('onerror');
    await expect.poll(() => rowPaths(page)).toEqual(['code/mit/</script><img src=x onerror="window.pwned=1">.py']);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('#files-body img').count()).toBe(0);

    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
  });

  it('says how many files it embeds when the scan has more than the page holds', async () => {
    const { summary } = (() => {
      const s = new SummaryOf();
      for (const r of records) s.add(r);
      return { summary: s.build() };
    })();
    const capped = path.join(dir, 'capped.html');
    await render('html', records, summary, capped, { htmlMaxRows: 40 });
    const html = await readFile(capped, 'utf8');
    expect(html).not.toMatch(/<(?:script|link|img|iframe)[^>]+(?:src|href)=["']?(?:https?:)?\/\//i);
    const { page, errors } = await open(capped);
    expect(await page.locator('#embedded-count').textContent()).toBe('40');
    expect(await page.locator('#cap-note').isVisible()).toBe(true);
    expect(await page.locator('#cap-note').textContent()).toContain(`of the scan's ${records.length.toLocaleString('en-US')} files: every excluded file first`);
    // The first 40 embedded are excluded files: there are more than 40 of them.
    await page.locator('#verdict-filter button[data-value="exclude"]').click();
    expect(await page.locator('#files-count').textContent()).toBe('Showing 1–40 of 40 matching files');
    // The overview still counts every file.
    expect(await page.locator('.donut .centre').textContent()).toBe(records.length.toLocaleString('en-US'));
    expect(errors).toEqual([]);
  });
});
