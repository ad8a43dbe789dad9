// Drives headless Chromium (playwright-core, no bundled browser) to the
// Temporal Web UI: opens the workflow list filtered by the booking's Pnr
// search attribute, waits for the `booking-<PNR>` row, and saves a full-page
// screenshot. Optionally it also opens the workflow's page on the "User
// Metadata" tab (static summary and details, current details) and saves that.
//
// Selectors rely on what a person sees (the workflow ID as link text, tab and
// heading names), not on CSS classes, which change between UI versions.
// Checked against Temporal UI 2.42.1 (the one in CLI v1.5.1's dev server).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Flags that work on a bare server: no GPU, no sandbox as root, and no calls to Google's hosts. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ScreenshotBookingOptions {
  /** e.g. http://127.0.0.1:8233 (no trailing path) */
  uiUrl: string;
  namespace: string;
  pnr: string;
  /** PNG of the filtered workflow list. */
  outFile: string;
  chromiumPath: string;
  /** When set, also open the workflow page (User Metadata tab) and save it here. */
  workflowOutFile?: string;
  /** How long to keep reloading the list until the row appears. Default 30 s. */
  timeoutMs?: number;
}

export interface ScreenshotBookingResult {
  foundRow: boolean;
  /** The list URL that was opened (with the visibility query in it). */
  url: string;
  /** The workflow page's URL, when it was opened. */
  workflowUrl?: string;
  /** Whether the User Metadata tab showed "PNR <pnr>" (the static summary; the current details name it too). */
  foundSummary?: boolean;
}

/** The visibility query support staff type in the list view (see docs/support-runbook.md). */
export function pnrQuery(pnr: string): string {
  return `Pnr = '${pnr}'`;
}

/** The workflow list URL with the visibility query in it. */
export function workflowListUrl(uiUrl: string, namespace: string, query: string): string {
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

export async function launchChromium(chromiumPath: string): Promise<Browser> {
  // playwright gives Chromium a fresh temporary profile (--user-data-dir) and removes it on close.
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** Waits for the row's link, reloading the list until the deadline (visibility can lag a moment). */
async function waitForRow(page: Page, workflowId: string, deadline: number): Promise<boolean> {
  const link = page.getByRole('link', { name: workflowId, exact: true });
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    try {
      await link.first().waitFor({ state: 'visible', timeout: Math.min(5_000, left) });
      return true;
    } catch {
      if (Date.now() >= deadline) return false;
      await page.reload({ waitUntil: 'domcontentloaded' }).catch(() => undefined);
    }
  }
}

/** The UI renders summary and details (markdown) in sandboxed iframes: look in every frame. */
async function textInAnyFrame(page: Page, text: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const body = await frame
        .locator('body')
        .innerText({ timeout: 1_000 })
        .catch(() => '');
      if (body.includes(text)) return true;
    }
    if (Date.now() >= deadline) return false;
    await page.waitForTimeout(250);
  }
}

export async function screenshotBookingInUi(opts: ScreenshotBookingOptions): Promise<ScreenshotBookingResult> {
  // The PNR goes into a query string: accept only what a PNR can be.
  if (!/^[A-Za-z0-9]{1,32}$/.test(opts.pnr)) throw new Error(`not a PNR: ${JSON.stringify(opts.pnr)}`);
  const workflowId = `booking-${opts.pnr}`;
  const url = workflowListUrl(opts.uiUrl, opts.namespace, pnrQuery(opts.pnr));
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);

  await mkdir(path.dirname(path.resolve(opts.outFile)), { recursive: true });
  if (opts.workflowOutFile) await mkdir(path.dirname(path.resolve(opts.workflowOutFile)), { recursive: true });

  const browser = await launchChromium(opts.chromiumPath);
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Not 'networkidle': the UI keeps polling, so the network is never idle.
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    const foundRow = await waitForRow(page, workflowId, deadline);
    if (foundRow) await page.waitForLoadState('load').catch(() => undefined);
    await page.screenshot({ path: opts.outFile, fullPage: true });
    const result: ScreenshotBookingResult = { foundRow, url };
    if (!foundRow || !opts.workflowOutFile) return result;

    await page.getByRole('link', { name: workflowId, exact: true }).first().click();
    await page.getByRole('heading', { name: workflowId }).first().waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await page.waitForURL(/\/user-metadata(\?|$)/, { timeout: 10_000 });
    await page.getByRole('heading', { name: 'Current Details' }).first().waitFor({ timeout: 10_000 });
    // The static summary set at start: "PNR <pnr> · <train> <from>→<to> · …".
    result.foundSummary = await textInAnyFrame(page, `PNR ${opts.pnr}`, 10_000);
    result.workflowUrl = page.url();
    await page.screenshot({ path: opts.workflowOutFile, fullPage: true });
    return result;
  } finally {
    await browser.close();
  }
}
