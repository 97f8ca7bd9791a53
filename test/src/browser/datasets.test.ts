// Datasets kept in IndexedDB, end to end in Chromium: a capture opened is
// kept and reopens without its file; captures merge and a removed one
// leaves what the others give alone; a browser closed half way through
// leaves the earlier datasets whole; a full disk, a database from a newer
// version, and a SAS token in a name are handled.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { StaticServer } from '../../../scripts/static-server.mjs';
import {
  launchBrowser,
  launchPersistent,
  openPage,
  recordConsole,
  serveApp,
  type PageLog,
} from './harness.js';
import { writeManyFlows } from './many-flows.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CAPTURES_DIR = path.resolve(REPO_ROOT, '../shared/captures');
const DB_NAME = 'capscope-datasets';

/** Generous for a few MB, or a dataset of 100k flows, on two cores. */
const STEP_TIMEOUT_MS = 30_000;
/**
 * Saving while other test files run beside it (the 4 GiB import among
 * them) can take longer than a step on two cores.
 */
const SAVE_TIMEOUT_MS = 90_000;
/** Flows of the capture a browser is closed on while it is being saved. */
const CRASH_FLOWS = 400_000;

const TLS2 = 'pcapplusplus__tls2.pcap';
const HTTP = 'dpkt__http.pcap';
const DNS = 'pcapplusplus__DnsPackets.pcap';

function byTestId(testId: string): string {
  return `[data-testid="${testId}"]`;
}

/** What the totals say, as the test hooks carry it. */
async function totals(page: Page): Promise<Record<string, string | null>> {
  return page.evaluate(() => {
    const read = (id: string, name = 'data-value') =>
      document.querySelector(`[data-testid="${id}"]`)?.getAttribute(name) ??
      null;
    return {
      flows: read('flow-count'),
      tcp: read('flow-count', 'data-tcp'),
      udp: read('flow-count', 'data-udp'),
      packets: read('packet-count'),
      bytes: read('byte-total'),
    };
  });
}

/** The text of the first rows of the flow table, in its default order. */
async function firstRows(page: Page, count = 8): Promise<string[]> {
  await page.locator(byTestId('flow-row')).first().waitFor();
  const rows = await page.locator(byTestId('flow-row')).allTextContents();
  return rows.slice(0, count);
}

/**
 * What the capture properties say of the file: the summary line and the
 * interfaces table (not how many workers read it, which only an import
 * knows).
 */
async function captureProperties(page: Page): Promise<string> {
  const properties = page.locator(byTestId('capture-properties'));
  const summary = await properties.locator('summary').textContent();
  const interfaces = await properties.locator('table').textContent();
  return `${summary} | ${interfaces}`;
}

/** Waits for a dataset on screen that is kept, with `sources` captures. */
async function waitForDataset(page: Page, sources = 1): Promise<string> {
  const status = page.locator(
    `${byTestId('dataset-status')}[data-state="saved"]`,
  );
  await status.waitFor({ timeout: STEP_TIMEOUT_MS });
  await page
    .locator(`${byTestId('source-item')} >> nth=${sources - 1}`)
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  assert.equal(await page.locator(byTestId('source-item')).count(), sources);
  await page
    .locator(`${byTestId('import-progress')}[data-state="done"]`)
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  const id = await status.getAttribute('data-id');
  assert.match(id ?? '', /^[0-9a-f]{12}$/);
  return id!;
}

async function pickFiles(page: Page, files: string[]): Promise<void> {
  await page.locator(byTestId('file-input')).setInputFiles(files);
}

async function showList(page: Page): Promise<void> {
  await page.locator(byTestId('show-datasets')).click();
  await page.locator('.datasets').waitFor();
}

/** Every dataset item's id and state, in list order. */
async function listed(
  page: Page,
): Promise<Array<{ id: string; state: string }>> {
  await page.locator('.datasets').waitFor();
  const items = page.locator(byTestId('dataset-item'));
  const out = [];
  for (let i = 0; i < (await items.count()); i++) {
    out.push({
      id: (await items.nth(i).getAttribute('data-id')) ?? '',
      state: (await items.nth(i).getAttribute('data-state')) ?? '',
    });
  }
  return out;
}

async function openFromList(page: Page, id: string): Promise<void> {
  await page
    .locator(`${byTestId('dataset-item')}[data-id="${id}"] ${byTestId(
      'dataset-open')}`)
    .click();
  await waitForDataset(page, 1).catch(async () => {
    // A merged dataset has more sources; the caller checks them.
  });
}

/** Everything IndexedDB holds for this origin, as text. */
async function storedText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const texts: string[] = [];
    const decode = (value: unknown): Promise<string> | string => {
      if (value instanceof ArrayBuffer) {
        return new TextDecoder('latin1').decode(value);
      }
      if (ArrayBuffer.isView(value)) {
        return new TextDecoder('latin1').decode(value);
      }
      if (value instanceof Blob) return value.text();
      return JSON.stringify(value);
    };
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name!);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(name).objectStore(name).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        const keys = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(name).objectStore(name).getAllKeys();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        texts.push(JSON.stringify(keys));
        for (const value of values) texts.push(await decode(value));
      }
      db.close();
    }
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      texts.push(key, localStorage.getItem(key) ?? '');
    }
    return texts.join('\n');
  });
}

/** Sizes of the capture Blobs kept for a dataset (none unless asked). */
async function keptCaptureBytes(
  page: Page,
  datasetId: string,
): Promise<number[]> {
  return page.evaluate(
    async ([name, id]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const values = await new Promise<unknown[]>((resolve, reject) => {
        const store = db.transaction('chunks').objectStore('chunks');
        const request = store.getAll(IDBKeyRange.bound([id], [id, []]));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      db.close();
      return values
        .filter((value): value is Blob => value instanceof Blob)
        .map((blob) => blob.size);
    },
    [DB_NAME, datasetId] as const,
  );
}

/**
 * Holds a write transaction on the chunks store (kept open by one request
 * after another) until the returned function is called: writes of chunks
 * started meanwhile wait for it. The page must have made its database.
 */
async function holdChunkWrites(page: Page): Promise<() => Promise<void>> {
  await page.waitForFunction(async (name) =>
    (await indexedDB.databases()).some((info) => info.name === name),
  DB_NAME, { timeout: STEP_TIMEOUT_MS });
  await page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const held = window as unknown as { releaseChunkWrites?: boolean };
    const tx = db.transaction('chunks', 'readwrite');
    const store = tx.objectStore('chunks');
    const keepOpen = () => {
      if (!held.releaseChunkWrites) store.count().onsuccess = keepOpen;
    };
    keepOpen();
    tx.oncomplete = () => db.close();
  }, DB_NAME);
  return async () => {
    await page.evaluate(() => {
      (window as unknown as { releaseChunkWrites?: boolean })
        .releaseChunkWrites = true;
    });
  };
}

/** Chunk keys of one dataset still in the store. */
async function chunkCount(page: Page, datasetId: string): Promise<number> {
  return page.evaluate(
    async ([name, id]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const count = await new Promise<number>((resolve, reject) => {
        const request = db
          .transaction('chunks')
          .objectStore('chunks')
          .count(IDBKeyRange.bound([id], [id, []]));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      db.close();
      return count;
    },
    [DB_NAME, datasetId] as const,
  );
}

/** Cuts a classic pcap between two records into two files. */
async function cutInTwo(
  source: string,
  dir: string,
): Promise<[string, string]> {
  const bytes = await readFile(source);
  const littleEndian = bytes.readUInt32LE(0) === 0xa1b2c3d4;
  const offsets: number[] = [];
  for (let at = 24; at + 16 <= bytes.length;) {
    const length = littleEndian
      ? bytes.readUInt32LE(at + 8)
      : bytes.readUInt32BE(at + 8);
    if (at + 16 + length > bytes.length) break;
    offsets.push(at);
    at += 16 + length;
  }
  const cut = offsets[Math.floor(offsets.length / 2)];
  const base = path.basename(source, '.pcap');
  const first = path.join(dir, `${base}-1.pcap`);
  const second = path.join(dir, `${base}-2.pcap`);
  await writeFile(first, bytes.subarray(0, cut));
  await writeFile(second, Buffer.concat([bytes.subarray(0, 24),
    bytes.subarray(cut)]));
  return [first, second];
}

function assertQuiet(log: PageLog, allowed: RegExp[] = []): void {
  const problems = log
    .problems()
    .filter((line) => !allowed.some((pattern) => pattern.test(line)));
  assert.deepEqual(problems, [], 'the page raised no errors');
}

describe('web app: datasets kept in the browser', () => {
  let server: StaticServer;
  let browser: Browser;
  let tempDir: string;

  before(async () => {
    server = await serveApp();
    browser = await launchBrowser();
    tempDir = await mkdtemp(path.join(tmpdir(), 'capscope-datasets-'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

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

  test('a capture opened is kept and reopens without its file', async () => {
    await onPage(async (page) => {
      await pickFiles(page, [path.join(CAPTURES_DIR, TLS2)]);
      const id = await waitForDataset(page);
      const shown = await totals(page);
      const rows = await firstRows(page);
      const properties = await captureProperties(page);
      assert.match(properties, /pcap 2\.4/);
      assert.equal(shown.packets !== null && Number(shown.packets) > 0, true);
      assert.ok(page.url().endsWith(`#ds=${id}`), 'the address names it');

      // A reload opens it again from the address, with no file picked,
      // with the same capture properties (format, version, interfaces).
      await page.reload();
      await waitForDataset(page);
      assert.deepEqual(await totals(page), shown);
      assert.deepEqual(await firstRows(page), rows);
      assert.equal(await captureProperties(page), properties);

      // And the start page lists it, to open from there.
      await showList(page);
      assert.deepEqual(await listed(page), [{ id, state: 'complete' }]);
      const flows = page.locator(byTestId('dataset-flows'));
      assert.equal(await flows.getAttribute('data-value'), shown.flows);
      await openFromList(page, id);
      assert.deepEqual(await totals(page), shown);
      assert.deepEqual(await firstRows(page), rows);

      // Renamed, then deleted: gone with every chunk.
      await showList(page);
      await page.locator(byTestId('dataset-rename')).click();
      await page.locator(byTestId('dataset-name-input')).fill('incident 42');
      await page.locator(byTestId('dataset-name-input')).press('Enter');
      await page.getByText('incident 42').waitFor();
      await page.locator(byTestId('dataset-delete')).click();
      await page.locator(byTestId('dataset-delete-confirm')).click();
      await page.locator(byTestId('dataset-item')).waitFor({
        state: 'detached',
      });
      assert.equal(await chunkCount(page, id), 0);
    });
  });

  test('captures merge, and removing one leaves the others alone', async () => {
    const [firstHalf, secondHalf] = await cutInTwo(
      path.join(CAPTURES_DIR, TLS2), tempDir);
    const http = path.join(CAPTURES_DIR, HTTP);
    const dns = path.join(CAPTURES_DIR, DNS);

    await onPage(async (page) => {
      // The halves alone: one dataset, which must be the whole capture.
      await pickFiles(page, [firstHalf, secondHalf]);
      await waitForDataset(page, 2);
      const halves = await totals(page);
      const halvesRows = await firstRows(page);
      await pickFiles(page, [path.join(CAPTURES_DIR, TLS2)]);
      await waitForDataset(page, 1);
      assert.deepEqual(await totals(page), halves, 'halves = whole');

      // Four captures, two picked at once and two added after.
      await pickFiles(page, [firstHalf, http]);
      await waitForDataset(page, 2);
      await page.locator(byTestId('add-source-input')).setInputFiles(
        [secondHalf, dns]);
      await waitForDataset(page, 4);
      const all = await totals(page);
      assert.ok(Number(all.packets) > Number(halves.packets));

      // Taking the other two out leaves the halves' dataset exactly.
      for (const name of ['dpkt__http.pcap', 'pcapplusplus__DnsPackets.pcap']) {
        const sources = await page.locator(byTestId('source-item')).count();
        await page
          .locator(byTestId('source-item'))
          .filter({ hasText: name })
          .locator(byTestId('source-remove'))
          .click();
        await waitForDataset(page, sources - 1);
      }
      assert.deepEqual(await totals(page), halves);
      assert.deepEqual(await firstRows(page), halvesRows);
    });
  });

  test('a save goes on when the page moves on to the list', async () => {
    const capture = path.join(tempDir, 'moving-on.pcap');
    const flows = 30_000;
    writeManyFlows(capture, flows);
    await onPage(async (page) => {
      // As a slow disk would: the save's chunks wait until released, so the
      // page moves on while the save is surely under way, however fast the
      // machine (a 300k-flow save took 250 ms here, over before the page
      // had painted it).
      const release = await holdChunkWrites(page);
      await pickFiles(page, [capture]);
      await page
        .locator(`${byTestId('dataset-status')}[data-state="saving"]`)
        .waitFor({ timeout: STEP_TIMEOUT_MS });
      await showList(page);
      const item = page.locator(
        `${byTestId('dataset-item')}[data-state="complete"]`);
      assert.equal(await item.count(), 0, 'the save is not done yet');
      await release();
      await item.waitFor({ timeout: SAVE_TIMEOUT_MS });
      assert.equal(page.url().includes('#ds='), false);
      await item.locator(byTestId('dataset-open')).click();
      await waitForDataset(page);
      assert.equal((await totals(page)).flows, String(flows));
    });
  });

  test('keeps the capture file itself only when asked', async () => {
    const file = path.join(CAPTURES_DIR, HTTP);
    const size = (await readFile(file)).length;
    await onPage(async (page) => {
      await pickFiles(page, [file]);
      const plain = await waitForDataset(page);
      assert.deepEqual(await keptCaptureBytes(page, plain), []);

      await showList(page);
      await page.locator(byTestId('keep-captures')).check();
      await pickFiles(page, [file]);
      const kept = await waitForDataset(page);
      assert.deepEqual(await keptCaptureBytes(page, kept), [size]);
    });
  });

  test('no SAS token reaches IndexedDB', async () => {
    const bytes = await readFile(path.join(CAPTURES_DIR, HTTP));
    await onPage(async (page) => {
      await page.locator(byTestId('file-input')).setInputFiles({
        name: 'capture.pcap?sv=2025-01-05&se=2026-12-31&sp=r&sig=S3cr3tS1gnature%3D',
        mimeType: 'application/octet-stream',
        buffer: bytes,
      });
      await waitForDataset(page);
      const text = await storedText(page);
      assert.ok(text.includes('capture.pcap'), 'the name is kept');
      assert.doesNotMatch(text, /sig=|S3cr3tS1gnature|se=2026/);
    });
  });

  test('a full disk stops the save and keeps the earlier datasets',
    async () => {
      const big = path.join(tempDir, 'quota-flows.pcap');
      writeManyFlows(big, 200_000);
      // The service worker's precache would count against the quota.
      const context = await browser.newContext({ serviceWorkers: 'block' });
      const log = recordConsole(context);
      const page = await context.newPage();
      try {
        // A quota of 1 MB: room for a small capture's flows, not for
        // 200k flows (26 MB, a few MB as Chromium compresses them).
        // Chromium 156 takes the override only in storage-key form
        // (trailing slash) and before the origin first opens IndexedDB
        // (checked December 2026).
        const cdp = await context.newCDPSession(page);
        await cdp.send('Storage.overrideQuotaForOrigin', {
          origin: `${new URL(server.url).origin}/`,
          quotaSize: 1_000_000,
        });
        await page.goto(server.url);
        await pickFiles(page, [path.join(CAPTURES_DIR, TLS2)]);
        const earlier = await waitForDataset(page);
        const shown = await totals(page);

        await pickFiles(page, [big]);
        const status = page.locator(
          `${byTestId('dataset-status')}[data-state="failed"]`);
        await status.waitFor({ timeout: STEP_TIMEOUT_MS });
        const error = status.locator(byTestId('error-message'));
        assert.equal(await error.getAttribute('data-kind'), 'storage-full');
        assert.match((await error.textContent()) ?? '', /no room left/);
        // The capture read is still on screen.
        assert.equal((await totals(page)).flows, '200000');

        await showList(page);
        assert.deepEqual(await listed(page), [
          { id: earlier, state: 'complete' },
        ]);
        await openFromList(page, earlier);
        assert.deepEqual(await totals(page), shown);
        assertQuiet(log, [/Service Worker registration blocked/]);
      } finally {
        await context.close();
      }
    });

  test('a database from a newer Capscope is said so, and can be cleared',
    async () => {
      await onPage(async (page) => {
        await page.evaluate(
          (name) =>
            new Promise<void>((resolve, reject) => {
              const request = indexedDB.open(name, 99);
              request.onupgradeneeded = () =>
                request.result.createObjectStore('future');
              request.onsuccess = () => {
                request.result.close();
                resolve();
              };
              request.onerror = () => reject(request.error);
            }),
          DB_NAME,
        );
        await page.reload();
        const problem = page.locator(byTestId('store-problem'));
        await problem.waitFor();
        assert.equal(await problem.getAttribute('data-kind'), 'newer');
        assert.match((await problem.textContent()) ?? '', /newer version/);

        await page.locator(byTestId('store-clear')).click();
        await problem.waitFor({ state: 'detached' });
        await pickFiles(page, [path.join(CAPTURES_DIR, HTTP)]);
        await waitForDataset(page);
      });
    });
});

describe('web app: a browser closed during an import', () => {
  let server: StaticServer;
  let profileDir: string;
  let tempDir: string;

  before(async () => {
    server = await serveApp();
    profileDir = await mkdtemp(path.join(tmpdir(), 'capscope-profile-'));
    tempDir = await mkdtemp(path.join(tmpdir(), 'capscope-crash-'));
  });

  after(async () => {
    await server?.close();
    for (const dir of [profileDir, tempDir]) {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  });

  /** A browser on the profile folder, that outlives each launch. */
  async function launch(): Promise<{
    context: BrowserContext;
    page: Page;
    log: PageLog;
  }> {
    const context = await launchPersistent(profileDir);
    const log = recordConsole(context);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url);
    return { context, page, log };
  }

  test('leaves the earlier datasets whole and no half one complete',
    async () => {
      const big = path.join(tempDir, 'many-flows.pcap');
      writeManyFlows(big, CRASH_FLOWS);

      // First run: a dataset kept, then a big import cut off while it is
      // read, and another while it is saved.
      let first = await launch();
      await pickFiles(first.page, [path.join(CAPTURES_DIR, TLS2)]);
      const earlier = await waitForDataset(first.page);
      const shown = await totals(first.page);
      const rows = await firstRows(first.page);

      await pickFiles(first.page, [big]);
      await first.page
        .locator(`${byTestId('import-progress')}[data-state="running"]`)
        .waitFor();
      await first.context.close();

      first = await launch();
      assert.deepEqual(await listed(first.page),
        [{ id: earlier, state: 'complete' }], 'cut while read: nothing kept');

      // A second page watches the database and closes the browser as soon
      // as the big dataset's first record is written.
      const watcher = await first.context.newPage();
      await watcher.goto(`${server.url}#watch`);
      const seen = watcher.evaluate(
        ([name, known]) =>
          new Promise<string>((resolve, reject) => {
            const deadline = Date.now() + 120_000;
            const poll = () => {
              const request = indexedDB.open(name);
              request.onsuccess = () => {
                const db = request.result;
                const all = db.transaction('datasets')
                  .objectStore('datasets').getAll();
                all.onsuccess = () => {
                  db.close();
                  const fresh = (all.result as Array<{
                    id: string;
                    state: string;
                  }>).find((r) => r.id !== known);
                  if (fresh) resolve(fresh.state);
                  else if (Date.now() > deadline) reject(new Error('none'));
                  else setTimeout(poll, 5);
                };
              };
              request.onerror = () => reject(request.error);
            };
            poll();
          }),
        [DB_NAME, earlier] as const,
      );
      await pickFiles(first.page, [big]);
      const stateSeen = await seen;
      await first.context.close();
      assert.equal(stateSeen, 'incomplete', 'the record comes first');

      // Reopened: the earlier dataset is whole; the cut one is listed as
      // incomplete, cannot be opened, and is deleted with all it wrote.
      const second = await launch();
      const items = await listed(second.page);
      const cut = items.filter((item) => item.id !== earlier);
      assert.ok(items.some((i) => i.id === earlier && i.state === 'complete'));
      assert.equal(cut.length, 1);
      const entry = second.page.locator(
        `${byTestId('dataset-item')}[data-id="${cut[0].id}"]`);
      if (cut[0].state === 'complete') {
        // The save won the race against the close: then it is whole.
        await openFromList(second.page, cut[0].id);
        assert.equal((await totals(second.page)).flows, String(CRASH_FLOWS));
        await showList(second.page);
      } else {
        assert.equal(cut[0].state, 'incomplete');
        assert.equal(await entry.locator(byTestId('dataset-open')).count(), 0);
      }
      await entry.locator(byTestId('dataset-delete')).click();
      await entry.locator(byTestId('dataset-delete-confirm')).click();
      await entry.waitFor({ state: 'detached' });
      assert.equal(await chunkCount(second.page, cut[0].id), 0);
      await openFromList(second.page, earlier);
      assert.deepEqual(await totals(second.page), shown);
      assert.deepEqual(await firstRows(second.page), rows);
      assertQuiet(second.log);
      await second.context.close();
    });
});
