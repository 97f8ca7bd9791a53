// The web app's import, end to end in Chromium: real captures against the
// totals tshark and capinfos recorded for them, the sample, a file that is
// no capture, and captures damaged in the middle.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { StaticServer } from '../../../scripts/static-server.mjs';
import { launchBrowser, openPage, serveApp, type PageLog } from './harness.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** CI checks the shared corpus out beside the repository. */
const CAPTURES_DIR = path.resolve(REPO_ROOT, '../shared/captures');

const CAPTURES = [
  'pcapplusplus__example.pcap',
  'pcapplusplus__tls2.pcap',
  'zeek__linux_dlt_sll2.pcap',
  'pcapplusplus__pcapng-example.pcapng',
  'pcapplusplus__nanosecs_big_endian.pcap',
];

/** Generous for a few MB on a shared two-core machine. */
const IMPORT_TIMEOUT_MS = 20_000;

/** The parts of a `.truth.json` this test reads. */
interface Truth {
  capinfos: { packets: number; data_size_bytes: number };
  tshark: { conversations: Array<{ proto: string }> };
}

async function readTruth(name: string): Promise<Truth> {
  const text = await readFile(
    path.join(CAPTURES_DIR, `${name}.truth.json`),
    'utf8',
  );
  return JSON.parse(text) as Truth;
}

function byTestId(testId: string): string {
  return `[data-testid="${testId}"]`;
}

async function attribute(
  page: Page,
  testId: string,
  name: string,
): Promise<string | null> {
  return page.locator(byTestId(testId)).getAttribute(name);
}

async function numberAttribute(
  page: Page,
  testId: string,
  name = 'data-value',
): Promise<number> {
  const value = await attribute(page, testId, name);
  assert.match(value ?? '', /^\d+$/, `${testId} ${name} is plain digits`);
  return Number(value);
}

/**
 * Waits until the import of a file of `bytesTotal` bytes reaches `state`;
 * the size tells one import from the one before it on the same page.
 */
async function waitForImport(
  page: Page,
  state: 'done' | 'error',
  bytesTotal: number,
): Promise<void> {
  await page
    .locator(
      `${byTestId('import-progress')}[data-state="${state}"]` +
        `[data-total="${bytesTotal}"]`,
    )
    .waitFor({ timeout: IMPORT_TIMEOUT_MS });
}

async function pickFile(page: Page, filePath: string): Promise<void> {
  await page.locator(byTestId('file-input')).setInputFiles(filePath);
}

/** Byte offsets of the records of a classic pcap file that lie whole in it. */
function wholeRecordOffsets(bytes: Buffer): number[] {
  const GLOBAL_HEADER_BYTES = 24;
  const RECORD_HEADER_BYTES = 16;
  const littleEndian = bytes.readUInt32LE(0) === 0xa1b2c3d4;
  const offsets: number[] = [];
  let pos = GLOBAL_HEADER_BYTES;
  while (bytes.length - pos >= RECORD_HEADER_BYTES) {
    const capturedLength = littleEndian
      ? bytes.readUInt32LE(pos + 8)
      : bytes.readUInt32BE(pos + 8);
    const end = pos + RECORD_HEADER_BYTES + capturedLength;
    if (end > bytes.length) break;
    offsets.push(pos);
    pos = end;
  }
  return offsets;
}

describe('web app: importing a capture', () => {
  let server: StaticServer;
  let browser: Browser;
  let tempDir: string;

  before(async () => {
    server = await serveApp();
    browser = await launchBrowser();
    tempDir = await mkdtemp(path.join(tmpdir(), 'capscope-import-'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  /** Runs `body` on a fresh page and checks that the page raised nothing. */
  async function onPage(body: (page: Page) => Promise<void>): Promise<void> {
    const { context, page, log } = await openPage(browser);
    try {
      await page.goto(server.url);
      await body(page);
      assertQuiet(log);
    } finally {
      await context.close();
    }
  }

  test('shows the totals tshark counts for each capture', async () => {
    await onPage(async (page) => {
      for (const name of CAPTURES) {
        const filePath = path.join(CAPTURES_DIR, name);
        const { size } = await stat(filePath);
        const truth = await readTruth(name);
        const conversations = truth.tshark.conversations;

        await pickFile(page, filePath);
        await waitForImport(page, 'done', size);

        assert.equal(
          await numberAttribute(page, 'import-progress'),
          size,
          `${name}: bytes read`,
        );
        assert.equal(
          await numberAttribute(page, 'packet-count'),
          truth.capinfos.packets,
          `${name}: packets`,
        );
        assert.equal(
          await numberAttribute(page, 'byte-total'),
          truth.capinfos.data_size_bytes,
          `${name}: bytes`,
        );
        assert.equal(
          await numberAttribute(page, 'flow-count', 'data-tcp'),
          conversations.filter((c) => c.proto === 'tcp').length,
          `${name}: TCP flows`,
        );
        assert.equal(
          await numberAttribute(page, 'flow-count', 'data-udp'),
          conversations.filter((c) => c.proto === 'udp').length,
          `${name}: UDP flows`,
        );
        assert.equal(
          await page.locator(byTestId('error-message')).count(),
          0,
          `${name}: no error shown`,
        );
      }
    });
  });

  test('opens the sample capture and lists its flows', async () => {
    await onPage(async (page) => {
      await page.locator(byTestId('open-sample')).click();
      await page
        .locator(`${byTestId('import-progress')}[data-state="done"]`)
        .waitFor({ timeout: IMPORT_TIMEOUT_MS });

      assert.ok((await numberAttribute(page, 'flow-count')) > 0);
      assert.ok((await numberAttribute(page, 'packet-count')) > 0);
      await page.locator(byTestId('flow-row')).first().waitFor();
    });
  });

  test('names a file that is no capture, then opens a capture', async () => {
    const notCapture = path.join(tempDir, 'notes.txt');
    const text = 'These are meeting notes, not packets.\n';
    await writeFile(notCapture, text);

    await onPage(async (page) => {
      await pickFile(page, notCapture);
      await waitForImport(page, 'error', text.length);

      const error = page.locator(byTestId('error-message'));
      assert.equal(await error.getAttribute('data-kind'), 'not-a-capture');
      const message = (await error.textContent()) ?? '';
      assert.match(message, /not a packet capture/i);
      assert.doesNotMatch(message, /\n\s+at |Error:/, 'no stack trace');

      const name = 'pcapplusplus__nanosecs_big_endian.pcap';
      const filePath = path.join(CAPTURES_DIR, name);
      const truth = await readTruth(name);
      await pickFile(page, filePath);
      await waitForImport(page, 'done', (await stat(filePath)).size);

      assert.equal(
        await numberAttribute(page, 'packet-count'),
        truth.capinfos.packets,
      );
      assert.equal(await error.count(), 0, 'the old error is gone');
    });
  });

  test('keeps what comes before damage in the middle', async () => {
    const original = await readFile(
      path.join(CAPTURES_DIR, 'pcapplusplus__tls2.pcap'),
    );
    const offsets = wholeRecordOffsets(original);
    // A record near the middle with enough data to cut in half.
    const damaged = offsets.findIndex(
      (offset, i) =>
        offset >= original.length / 2 && offsets[i + 1] - offset - 16 >= 100,
    );
    assert.ok(damaged > 0 && damaged + 20 < offsets.length);
    const at = offsets[damaged];
    const dataBytes = offsets[damaged + 1] - at - 16;

    const corruptHeader = Buffer.from(original.subarray(at, at + 16));
    corruptHeader.writeUInt32LE(0xfffffff0, 8); // incl_len

    // The copy stops half way into a record, and a record header follows:
    // the reader must stop at the cut record, not read on from the header.
    const cutShort = Buffer.concat([
      original.subarray(0, at + 16 + Math.floor(dataBytes / 2)),
      corruptHeader,
    ]);
    // A record header claims 4 GB and the copy ends inside a later record:
    // reading stops at the header, never reaching the cut.
    const laterRecord = offsets[damaged + 20];
    const badLength = Buffer.concat([
      original.subarray(0, at),
      corruptHeader,
      original.subarray(at + 16, laterRecord + 16 + 10),
    ]);

    for (const [name, bytes, kind] of [
      ['tls2-cut-short.pcap', cutShort, 'truncated-record'],
      ['tls2-bad-length.pcap', badLength, 'caplen-too-large'],
    ] as const) {
      const filePath = path.join(tempDir, name);
      await writeFile(filePath, bytes);
      // Walked here, independently of the parser.
      const wholeRecords = wholeRecordOffsets(bytes).length;
      assert.equal(wholeRecords, damaged, `${name}: records before damage`);

      await onPage(async (page) => {
        await pickFile(page, filePath);
        await waitForImport(page, 'done', bytes.length);

        assert.equal(
          await numberAttribute(page, 'packet-count'),
          wholeRecords,
          `${name}: packets before the bad spot`,
        );
        assert.ok((await numberAttribute(page, 'flow-count')) > 0);

        const error = page.locator(byTestId('error-message'));
        assert.equal(await error.getAttribute('data-kind'), 'corrupt');
        const message = (await error.textContent()) ?? '';
        assert.match(message, new RegExp(`\\b${at}\\b`), 'names the offset');
        assert.match(
          message,
          new RegExp(`packet ${wholeRecords + 1}\\b`),
          'names the packet',
        );

        const problems = page.locator(byTestId('problem-item'));
        assert.ok((await problems.count()) >= 1);
        assert.equal(await problems.first().getAttribute('data-kind'), kind);
      });
    }
  });
});

function assertQuiet(log: PageLog): void {
  assert.deepEqual(log.problems(), [], 'the page raised no errors');
}
