// A local file shared among several workers in Chromium: with 2, 3 and 7
// workers (forced by `?workers=N`) the page shows what one worker gives:
// the same figures, problems and flows in the same order. That the merged
// columns equal one worker's in full is held on the corpus in Node
// (test/src/corpus/partition.test.ts); this checks the browser's path.

import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { StaticServer } from '../../../scripts/static-server.mjs';
import { CAPTURES_DIR } from './corpus-truth.js';
import { launchBrowser, openPage, serveApp } from './harness.js';
import {
  byTestId,
  numberAttribute,
  pickFile,
  shownTotals,
  waitForImport,
} from './page-helpers.js';

const CAPTURES = [
  'pcapplusplus__tls2.pcap',
  'pcapplusplus__ip4_fragments.pcap',
  'pcapplusplus__IcmpPackets.pcap',
];
const WORKER_COUNTS = [1, 2, 3, 7];
/** Generous for a few MB and seven workers on a two-core machine. */
const TIMEOUT_MS = 30_000;

/** What the page shows of one import. */
async function shown(page: Page): Promise<unknown> {
  const rows = page.locator(byTestId('flow-row'));
  await rows.first().waitFor({ timeout: TIMEOUT_MS });
  return {
    totals: await shownTotals(page),
    problems: await page.locator(byTestId('problem-item')).allTextContents(),
    rows: await rows.allTextContents(),
  };
}

describe('a file shared among workers shows what one worker gives', () => {
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    server = await serveApp();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const name of CAPTURES) {
    test(name, async () => {
      const file = path.join(CAPTURES_DIR, name);
      const { size } = await stat(file);
      let alone: unknown = null;
      for (const workers of WORKER_COUNTS) {
        const { context, page } = await openPage(browser);
        try {
          await page.goto(`${server.url}?workers=${workers}`);
          await pickFile(page, file);
          await waitForImport(page, 'done', size, TIMEOUT_MS);
          assert.equal(await numberAttribute(page, 'import-workers'), workers);
          const seen = await shown(page);
          if (alone === null) alone = seen;
          else assert.deepEqual(seen, alone, `${workers} workers`);
        } finally {
          await context.close();
        }
      }
    });
  }
});
