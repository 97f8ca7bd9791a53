// A capture larger than 4 GiB, written by the test to a temporary file and
// removed after: read from a File in Chromium with offsets past 2^32, the
// right totals, and memory that stays far below the file's size.

import assert from 'node:assert/strict';
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { StaticServer } from '../../../scripts/static-server.mjs';
import { writeBigCapture, type BigCaptureFacts } from './big-capture.js';
import { launchBrowser, openPage, serveApp } from './harness.js';
import {
  byTestId,
  numberAttribute,
  pickFile,
  shownTotals,
  waitForExpression,
  waitForImport,
} from './page-helpers.js';
import { PeakMemory } from './process-memory.js';

/**
 * Past 4 GiB by a quarter GiB, so that the bytes on the wire (without the
 * record headers) pass 2^32 as well as the file's offsets.
 */
const FILE_MIN_BYTES = 2 ** 32 + 256 * 1024 * 1024;
/** Room for the file and a margin, checked before writing it. */
const SPACE_NEEDED_BYTES = FILE_MIN_BYTES + 2 * 1024 ** 3;
const SHARED_MEMORY_DIR = '/dev/shm';
/**
 * About 12 s here, alone on two cores; CI runs two test files at once. A
 * generous bound, so that only a stall fails.
 */
const IMPORT_TIMEOUT_MS = 300_000;
/**
 * The browser may grow by this much while it reads the file: a few reads
 * in flight and the flow table, a small fraction of the file. Holding the
 * file, or a copy of it, would need 4.3 GiB.
 */
const MEMORY_GROWTH_LIMIT_BYTES = 1024 * 1024 * 1024;
const MEMORY_SAMPLE_MS = 200;
/** The crash comes once this much is read: seconds into the import. */
const CRASH_AFTER_BYTES = 1024 ** 3;
const CRASH_MESSAGE = 'simulated crash for a test';

const GiB = 1024 ** 3;

/**
 * Where to write the file: /dev/shm (memory) when it has room, since the
 * file would sit in the page cache anyway and writing it there takes a few
 * seconds instead of half a minute of disk; else the temporary folder.
 */
async function tempParent(): Promise<string> {
  for (const dir of [SHARED_MEMORY_DIR, tmpdir()]) {
    try {
      const disk = await statfs(dir);
      if (disk.bavail * disk.bsize > SPACE_NEEDED_BYTES) return dir;
    } catch {
      // no such folder here
    }
  }
  throw new Error(`neither ${SHARED_MEMORY_DIR} nor ${tmpdir()} has ` +
    `${(SPACE_NEEDED_BYTES / GiB).toFixed(1)} GiB free for the huge capture`);
}

describe('a capture larger than 4 GiB', () => {
  let browser: Browser;
  let server: StaticServer;
  let tempDir: string;
  let filePath: string;
  let facts: BigCaptureFacts;

  before(async () => {
    const parent = await tempParent();
    tempDir = await mkdtemp(path.join(parent, 'capscope-huge-'));

    filePath = path.join(tempDir, 'huge.pcap');
    const startMs = Date.now();
    facts = writeBigCapture(filePath, {
      minBytes: FILE_MIN_BYTES,
      cutLastRecord: true,
    });
    console.log(`huge: wrote ${(facts.fileBytes / GiB).toFixed(2)} GiB ` +
      `in ${Date.now() - startMs} ms`);

    server = await serveApp();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  test('reads it whole from a File, with offsets past 2^32', async () => {
    assert.ok(facts.fileBytes > 2 ** 32 && facts.bytes > 2 ** 32);
    assert.ok(facts.tailOffset > 2 ** 32, 'the last flows start past 4 GiB');
    const cutAt = facts.cutRecordOffset as number;

    const { context, page, log } = await openPage(browser);
    try {
      await page.goto(server.url);
      await page.locator(byTestId('file-input')).waitFor();
      const memory = new PeakMemory(MEMORY_SAMPLE_MS);
      const baselineBytes = memory.peakBytes;

      const startMs = Date.now();
      // playwright-core hands a local browser the path, not the bytes.
      await pickFile(page, filePath);
      await waitForImport(page, 'done', facts.fileBytes, IMPORT_TIMEOUT_MS);
      const importMs = Date.now() - startMs;
      const peakBytes = memory.stop();
      console.log(`huge: imported in ${importMs} ms ` +
        `(${(facts.fileBytes / 1e6 / (importMs / 1000)).toFixed(0)} MB/s); ` +
        `browser memory ${(baselineBytes / 2 ** 20).toFixed(0)} MiB before, ` +
        `${(peakBytes / 2 ** 20).toFixed(0)} MiB at most`);

      assert.equal(
        await numberAttribute(page, 'import-progress'), facts.fileBytes,
        'every byte read');
      assert.deepEqual(await shownTotals(page), {
        packets: facts.packets,
        bytes: facts.bytes,
        flows: facts.flows,
        tcpFlows: facts.tcpFlows,
        udpFlows: facts.udpFlows,
      });

      // The cut record lies past 2^32: its offset must survive as is.
      const problem = page.locator(byTestId('problem-item')).first();
      assert.equal(await problem.getAttribute('data-kind'), 'truncated-record');
      const where = (await problem.textContent()) ?? '';
      assert.match(where, new RegExp(`\\bbyte ${cutAt}\\b`), where);
      assert.match(where, new RegExp(`\\bPacket ${facts.packets + 1}\\b`));
      const error = page.locator(byTestId('error-message'));
      assert.equal(await error.getAttribute('data-kind'), 'corrupt');
      assert.match((await error.textContent()) ?? '', new RegExp(`${cutAt}`));

      assert.ok(peakBytes - baselineBytes < MEMORY_GROWTH_LIMIT_BYTES,
        `the browser grew by ${((peakBytes - baselineBytes) / 2 ** 20)
          .toFixed(0)} MiB`);
      assert.deepEqual(log.problems(), []);
    } finally {
      await context.close();
    }
  });

  test('a crashed worker is reported, its flows stay, and retry reads all',
    async () => {
      const { context, page, log } = await openPage(browser);
      try {
        await page.goto(server.url);
        await pickFile(page, filePath);

        // Well into the file, so that the worker has sent flows over.
        await waitForExpression(page,
          `Number(document.querySelector('${byTestId('import-progress')}')` +
            `?.dataset.value ?? 0) >= ${CRASH_AFTER_BYTES}`,
          IMPORT_TIMEOUT_MS);
        const worker = page.workers().find((w) =>
          w.url().includes('import.worker'));
        assert.ok(worker, 'the import worker is running');
        // An exception nothing catches: the worker's error event fires on
        // the page, as it does when a worker dies of a bug.
        await worker.evaluate(
          `setTimeout(() => { throw new Error('${CRASH_MESSAGE}'); }, 0)`);

        await waitForImport(page, 'error', facts.fileBytes, IMPORT_TIMEOUT_MS);
        const error = page.locator(byTestId('error-message'));
        assert.equal(await error.getAttribute('data-kind'), 'crashed');
        assert.match((await error.textContent()) ?? '', /stopped/);

        // What was found before the crash is still on the page.
        const partial = await shownTotals(page);
        assert.ok(partial.flows > 0 && partial.flows <= facts.flows,
          `${partial.flows} flows kept`);
        assert.ok(partial.packets > 0 && partial.packets < facts.packets,
          `${partial.packets} packets kept`);
        assert.ok(await page.locator(byTestId('flow-row')).count() > 0,
          'the flows found are listed');

        const startMs = Date.now();
        await page.locator(byTestId('import-retry')).click();
        await waitForImport(page, 'done', facts.fileBytes, IMPORT_TIMEOUT_MS);
        console.log(`huge: imported again in ${Date.now() - startMs} ms`);
        assert.deepEqual(await shownTotals(page), {
          packets: facts.packets,
          bytes: facts.bytes,
          flows: facts.flows,
          tcpFlows: facts.tcpFlows,
          udpFlows: facts.udpFlows,
        });
        assert.equal(await page.locator(byTestId('import-retry')).count(), 0);

        const unexpected = log.problems().filter(
          (line) => !line.includes(CRASH_MESSAGE));
        assert.deepEqual(unexpected, []);
      } finally {
        await context.close();
      }
    });
});
