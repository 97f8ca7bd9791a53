// The Findings view end to end in Chromium, on a capture built here with
// one scan, one run of refused connections, one NXDOMAIN and one outsized
// flow among ordinary traffic: one finding of each kind and no other; a
// click on a finding filters every view to exactly its flows; and the
// filter `finding == "scan"` works, after a reload too. A screenshot of
// the view goes to /tmp for a person to look at.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { StaticServer } from '../../../scripts/static-server.mjs';
import { buildCapture } from '../findings/incident-capture.js';
import { launchBrowser, openPage, serveApp, type PageLog } from './harness.js';
import {
  byTestId,
  numberAttribute,
  pickFile,
  waitForImport,
} from './page-helpers.js';

const SCREENSHOT = path.join(tmpdir(), 'capscope-findings.png');
/** A shared two-core machine may be busy with a build meanwhile. */
const TIMEOUT_MS = 30_000;

/** Clicks a finding and waits for the figures of its flows. */
async function applyFinding(page: Page, kind: string): Promise<number> {
  const item = page.locator(`${byTestId('finding-item')}[data-kind="${kind}"]`);
  // The list may still be coming back from the worker after a tab switch.
  await item.first().waitFor({ timeout: TIMEOUT_MS });
  assert.equal(await item.count(), 1, `one ${kind} finding`);
  const flows = Number(await item.getAttribute('data-value'));
  await item.click();
  await page.locator(`${byTestId('flow-count')}[data-value="${flows}"]`)
    .waitFor({ timeout: TIMEOUT_MS });
  return flows;
}

describe('the Findings view', () => {
  let browser: Browser;
  let server: StaticServer;
  let page: Page;
  let log: PageLog;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'capscope-findings-'));
    const file = path.join(dir, 'incident.pcap');
    const bytes = buildCapture();
    await writeFile(file, bytes);
    server = await serveApp();
    browser = await launchBrowser();
    ({ page, log } = await openPage(browser));
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(server.url);
    await pickFile(page, file);
    await waitForImport(page, 'done', bytes.length, TIMEOUT_MS);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('lists one finding of each kind the capture holds, and no other',
    async () => {
      await page.locator(`${byTestId('view-tab')}[data-view="findings"]`)
        .click();
      const items = page.locator(byTestId('finding-item'));
      await items.first().waitFor({ timeout: TIMEOUT_MS });
      const kinds = await items.evaluateAll((elements) =>
        elements.map((element) => element.getAttribute('data-kind')));
      assert.deepEqual([...kinds].sort(), [
        'dns-failure', 'failed-connections', 'outsized-flow', 'scan',
      ]);
      // Ranked: the scan first.
      assert.equal(kinds[0], 'scan');
      const reasons = await items.locator('.finding__reason').allInnerTexts();
      assert.ok(reasons.some((r) => /reached 40 ports of 10\.0\.0\.5/.test(r)),
        reasons.join('\n'));
      assert.match(await page.locator('.findings__thresholds').innerText(),
        /20 ports or hosts within 60 s/);
    });

  test('a click on a finding filters to exactly its flows', async () => {
    assert.equal(await applyFinding(page, 'failed-connections'), 3);
    assert.equal(await numberAttribute(page, 'flow-count', 'data-tcp'), 3);
    const active = page.locator(
      `${byTestId('finding-item')}[aria-pressed="true"]`);
    assert.equal(await active.getAttribute('data-kind'), 'failed-connections');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The flows table shows the refused attempts' state.
    await page.getByRole('button', { name: 'Show its flows' }).click();
    const states = page.locator(
      `${byTestId('flow-row')} [data-column="state"]`);
    await states.first().waitFor({ timeout: TIMEOUT_MS });
    assert.deepEqual(await states.allInnerTexts(), ['REJ', 'REJ', 'REJ']);

    await page.locator(`${byTestId('view-tab')}[data-view="findings"]`)
      .click();
    assert.equal(await applyFinding(page, 'scan'), 40);
  });

  test('finding == "scan" keeps the scan, also in a dataset reopened ' +
    'from IndexedDB', async () => {
    const input = page.locator(byTestId('filter-input'));
    await input.fill('finding == "scan"');
    await input.press('Enter');
    await page.locator(`${byTestId('flow-count')}[data-value="40"]`)
      .waitFor({ timeout: TIMEOUT_MS });

    // The URL names the dataset and the filter: the reloaded page reopens
    // the flows from IndexedDB (without the import's DNS statistics), and
    // the filter runs the rules before any Findings tab asked for them.
    await page.reload();
    await page.locator(`${byTestId('import-progress')}[data-state="done"]`)
      .waitFor({ timeout: TIMEOUT_MS });
    await page.locator(`${byTestId('flow-count')}[data-value="40"]`)
      .waitFor({ timeout: TIMEOUT_MS });
    await page.locator(`${byTestId('view-tab')}[data-view="findings"]`)
      .click();
    const items = page.locator(byTestId('finding-item'));
    await items.first().waitFor({ timeout: TIMEOUT_MS });
    const kinds = await items.evaluateAll((elements) =>
      elements.map((element) => element.getAttribute('data-kind')));
    assert.deepEqual(kinds.sort(), [
      'dns-failure', 'failed-connections', 'outsized-flow', 'scan',
    ]);
  });

  test('the page said nothing wrong on the console', () => {
    assert.deepEqual(log.problems(), []);
  });
});
