// A local file shared among several workers in Chromium: with 2, 3 and 7
// workers (forced by `?workers=N`) the page shows what one worker gives:
// the same figures, problems, damage and flows in the same order, for
// whole, truncated and gzip-compressed captures. That the merged
// columns equal one worker's in full is held on the corpus in Node
// (test/src/corpus/partition.test.ts); this checks the browser's path.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { StaticServer } from '../../../scripts/static-server.mjs';
import { CAPTURES_DIR } from './corpus-truth.js';
import { launchBrowser, openPage, serveApp } from './harness.js';
import { fileURLToPath } from 'node:url';
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
/** Made from tls2 in a temporary folder: damaged and compressed copies. */
const MADE = ['cut-mid-record.pcap', 'compressed.pcap.gz'];
const WORKER_COUNTS = [1, 2, 3, 7];
/** Generous for a few MB and seven workers on a two-core machine. */
const TIMEOUT_MS = 30_000;

/** What the page shows of one import. */
interface Shown {
  totals: unknown;
  problems: string[];
  damage: string[];
  rows: string[];
}

async function shown(page: Page): Promise<Shown> {
  const rows = page.locator(byTestId('flow-row'));
  await rows.first().waitFor({ timeout: TIMEOUT_MS });
  return {
    totals: await shownTotals(page),
    problems: await page.locator(byTestId('problem-item')).allTextContents(),
    damage: await page.locator(byTestId('error-message')).allTextContents(),
    rows: await rows.allTextContents(),
  };
}

describe('a file shared among workers shows what one worker gives', () => {
  let server: StaticServer;
  let browser: Browser;
  let made: string;

  before(async () => {
    server = await serveApp();
    browser = await launchBrowser();
    made = await mkdtemp(path.join(tmpdir(), 'capscope-workers-'));
    const tls2 = await readFile(path.join(CAPTURES_DIR, CAPTURES[0]));
    // Cut 7 bytes into a record near the middle: a truncated capture.
    await writeFile(path.join(made, MADE[0]),
      tls2.subarray(0, Math.floor(tls2.length / 2)));
    await writeFile(path.join(made, MADE[1]), gzipSync(tls2));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (made) await rm(made, { recursive: true, force: true });
  });

  for (const name of [...CAPTURES, ...MADE]) {
    test(name, async () => {
      const file = MADE.includes(name)
        ? path.join(made, name)
        : path.join(CAPTURES_DIR, name);
      const { size } = await stat(file);
      let alone: Shown | null = null;
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
          if (name === MADE[0]) {
            assert.ok(seen.problems.length + seen.damage.length > 0,
              'the cut capture is reported as damaged');
          }
        } finally {
          await context.close();
        }
      }
    });
  }

  test('either header kernel shows what the decoder shows, alone and in ' +
    'shares', async () => {
    const files = [
      path.join(CAPTURES_DIR, CAPTURES[0]),
      path.join(CAPTURES_DIR, CAPTURES[1]),
      path.join(made, MADE[0]),
      path.join(CAPTURES_DIR, 'gopacket__test901.pcapng'),
    ];
    for (const file of files) {
      const { size } = await stat(file);
      let decoder: Shown | null = null;
      for (const kernel of ['decoder', 'ts', 'wasm']) {
        for (const workers of [1, 2]) {
          const { context, page, log } = await openPage(browser);
          const label = `${path.basename(file)}, ${kernel}, ${workers}`;
          try {
            const query = kernel === 'decoder' ? '' : `&kernel=${kernel}`;
            await page.goto(`${server.url}?workers=${workers}${query}`);
            await pickFile(page, file);
            await waitForImport(page, 'done', size, TIMEOUT_MS);
            // The kernel asked for was loaded, not quietly replaced.
            assert.equal(await page.locator(byTestId('import-kernel'))
              .getAttribute('data-value'), kernel, label);
            const seen = await shown(page);
            if (decoder === null) decoder = seen;
            else assert.deepEqual(seen, decoder, label);
            assert.deepEqual(log.problems(), [], label);
          } finally {
            await context.close();
          }
        }
      }
    }
  });

  test('a file that changes during the import keeps what came before, ' +
    'says so, and throws nothing', async () => {
    const file = path.join(made, 'changing.pcap');
    // Big enough that many reads are still to come when it changes.
    const generator = fileURLToPath(
      new URL('../generator/cli.js', import.meta.url));
    const run = spawnSync(process.execPath, [generator, 'bench', '150M', file],
      { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const { size } = await stat(file);
    const { context, page, log } = await openPage(browser);
    try {
      await page.goto(`${server.url}?workers=3`);
      await pickFile(page, file);
      await page.locator(
        `${byTestId('import-progress')}[data-state="running"]`,
      ).waitFor({ timeout: TIMEOUT_MS });
      // A new modification time: Chromium refuses the reads still to come.
      const later = new Date(Date.now() + 60_000);
      await utimes(file, later, later);
      await waitForImport(page, 'done', size, TIMEOUT_MS);
      const message = page.locator(byTestId('error-message'));
      assert.equal(await message.getAttribute('data-kind'), 'unreadable');
      assert.match(await message.innerText(), /packets before byte \d+/);
      assert.ok(await numberAttribute(page, 'packet-count') > 0);
      // The read stopped; the file does not end inside a record.
      const problems = page.locator(byTestId('problem-item'));
      assert.deepEqual(await problems.evaluateAll((items) =>
        items.map((item) => item.getAttribute('data-kind'))), []);
      assert.deepEqual(log.problems().filter((p) => p.startsWith('uncaught')),
        []);
    } finally {
      await context.close();
    }
  });
});
