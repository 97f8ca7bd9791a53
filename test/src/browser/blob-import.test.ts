// Opening a capture straight from blob storage, end to end: Azurite on
// 127.0.0.1 with accounts made for the test, real SAS tokens signed with
// @azure/storage-blob, the built app in headless Chromium. A good token,
// each kind of failure, a connection cut mid-download, and no trace of the
// token anywhere afterwards.

import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
} from 'playwright-core';
import type { StaticServer } from '../../../scripts/static-server.mjs';
import { startAzurite, type Azurite, type StorageAccount } from './azurite.js';
import { startDropProxy } from './drop-proxy.js';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  launchBrowser,
  openPage,
  serveApp,
  type PageLog,
} from './harness.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CAPTURES_DIR = path.resolve(REPO_ROOT, '../shared/captures');
/** 3.8 MB: big enough to arrive in many chunks and to be cut in two. */
const CAPTURE = 'pcapplusplus__example.pcap';

const WITH_CORS: StorageAccount = {
  name: 'capscopetest',
  key: randomBytes(32).toString('base64'),
};
/** An account whose Blob service has no CORS rule at all. */
const WITHOUT_CORS: StorageAccount = {
  name: 'capscopenocors',
  key: randomBytes(32).toString('base64'),
};

const CONTAINER = 'network-watcher-logs';
const VM = 'vm-web-01';
const NW_DIR =
  'subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/' +
  `capscope-test/providers/microsoft.compute/virtualmachines/${VM}/2026/11/30`;
const BLOB = `${NW_DIR}/packetcapture_09_41_07_250.cap`;
const LABEL = `${VM}, capture of 2026-11-30 09:41:07.250 UTC`;
/** The same capture gzip-compressed, as someone may have stored a copy. */
const GZIP_BLOB = 'copies/monday.pcap.gz';

const HOUR_MS = 3600_000;
const IMPORT_TIMEOUT_MS = 30_000;

interface Truth {
  capinfos: { packets: number; data_size_bytes: number };
  tshark: { conversations: Array<{ proto: string }> };
}

interface SasOptions {
  account?: StorageAccount;
  blob?: string;
  permissions?: string;
  startsOn?: Date;
  expiresOn?: Date;
  /** Host and port in place of Azurite's own (the proxy's). */
  base?: string;
  /** Azure's host style, `http://ACCOUNT.blob.localhost:PORT/CONTAINER/...`. */
  hostStyle?: boolean;
}

function byTestId(testId: string): string {
  return `[data-testid="${testId}"]`;
}

describe('web app: opening a capture from Azure Blob Storage', () => {
  let server: StaticServer;
  let azurite: Azurite | undefined;
  let browser: Browser;
  let capture: Buffer;
  let compressed: Buffer;
  let truth: Truth;

  before(async () => {
    capture = await readFile(path.join(CAPTURES_DIR, CAPTURE));
    compressed = gzipSync(capture);
    truth = JSON.parse(
      await readFile(path.join(CAPTURES_DIR, `${CAPTURE}.truth.json`), 'utf8'),
    ) as Truth;
    server = await serveApp();
    azurite = await startAzurite([WITH_CORS, WITHOUT_CORS]);

    const pageOrigin = new URL(server.url).origin;
    for (const account of [WITH_CORS, WITHOUT_CORS]) {
      const service = serviceClient(account);
      if (account === WITH_CORS) {
        await service.setProperties({
          cors: [
            {
              allowedOrigins: pageOrigin,
              allowedMethods: 'GET,HEAD',
              allowedHeaders: 'Range',
              exposedHeaders: 'Content-Range,Content-Length,ETag,x-ms-error-code',
              maxAgeInSeconds: 3600,
            },
          ],
        });
      }
      const container = service.getContainerClient(CONTAINER);
      await container.create();
      await container.getBlockBlobClient(BLOB).uploadData(capture);
      await container.getBlockBlobClient(GZIP_BLOB).uploadData(compressed);
    }
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await azurite?.stop();
    await server?.close();
  });

  function serviceClient(account: StorageAccount): BlobServiceClient {
    assert.ok(azurite);
    return new BlobServiceClient(
      `${azurite.url}/${account.name}`,
      new StorageSharedKeyCredential(account.name, account.key),
    );
  }

  /** A path-style blob URL with a service SAS signed by the account key. */
  function sasUrl(options: SasOptions = {}): string {
    assert.ok(azurite);
    const account = options.account ?? WITH_CORS;
    const blob = options.blob ?? BLOB;
    const now = Date.now();
    const token = generateBlobSASQueryParameters(
      {
        containerName: CONTAINER,
        blobName: blob,
        permissions: BlobSASPermissions.parse(options.permissions ?? 'r'),
        startsOn: options.startsOn ?? new Date(now - HOUR_MS),
        expiresOn: options.expiresOn ?? new Date(now + HOUR_MS),
      },
      new StorageSharedKeyCredential(account.name, account.key),
    ).toString();
    if (options.hostStyle) {
      const host = `http://${account.name}.blob.localhost:${azurite.port}`;
      return `${host}/${CONTAINER}/${blob}?${token}`;
    }
    const base = options.base ?? azurite.url;
    return `${base}/${account.name}/${CONTAINER}/${blob}?${token}`;
  }

  async function onPage(
    body: (page: Page, log: PageLog, context: BrowserContext) => Promise<void>,
  ): Promise<void> {
    const { context, page, log } = await openPage(browser);
    try {
      await body(page, log, context);
    } finally {
      await context.close();
    }
  }

  /** Waits for an import of `bytes` bytes (the blob's size) to end. */
  async function waitForDone(page: Page, bytes = capture.length): Promise<void> {
    await page
      .locator(
        `${byTestId('import-progress')}[data-state="done"]` +
          `[data-total="${bytes}"]`,
      )
      .waitFor({ timeout: IMPORT_TIMEOUT_MS });
  }

  async function value(page: Page, testId: string, name = 'data-value') {
    return Number(await page.locator(byTestId(testId)).getAttribute(name));
  }

  async function assertTotals(page: Page, bytes = capture.length) {
    const conversations = truth.tshark.conversations;
    assert.equal(await value(page, 'import-progress'), bytes);
    assert.equal(await value(page, 'packet-count'), truth.capinfos.packets);
    assert.equal(
      await value(page, 'byte-total'),
      truth.capinfos.data_size_bytes,
    );
    assert.equal(
      await value(page, 'flow-count', 'data-tcp'),
      conversations.filter((c) => c.proto === 'tcp').length,
    );
    assert.equal(
      await value(page, 'flow-count', 'data-udp'),
      conversations.filter((c) => c.proto === 'udp').length,
    );
  }

  /** Pastes a URL into the "Open URL" box and presses Enter. */
  async function paste(page: Page, url: string): Promise<void> {
    await page.locator(byTestId('url-input')).fill(url);
    await page.locator(byTestId('url-input')).press('Enter');
  }

  /** Waits for an error of `kind` whose text matches `message`. */
  async function errorOfKind(
    page: Page,
    kind: string,
    message: RegExp,
  ): Promise<string> {
    const error = page.locator(
      `${byTestId('error-message')}[data-kind="${kind}"]`,
      { hasText: message },
    );
    await error.waitFor({ timeout: IMPORT_TIMEOUT_MS });
    return (await error.textContent()) ?? '';
  }

  test('opens a #url= link with a good token, and keeps no trace of it', async () => {
    const url = sasUrl();
    const signature = new URL(url).searchParams.get('sig');
    assert.ok(signature);

    await onPage(async (page, log, context) => {
      // Pasted as is: the token's own `&` are not encoded in the fragment.
      await page.goto(`${server.url}#url=${url}`);
      await waitForDone(page);
      await assertTotals(page);
      assert.match(
        (await page.locator(byTestId('import-progress')).textContent()) ?? '',
        new RegExp(LABEL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
        'labelled with the VM and the capture time',
      );
      assert.equal(await page.locator(byTestId('error-message')).count(), 0);

      // Whatever IndexedDB work follows an import gets a moment to finish.
      await page.waitForTimeout(500);
      const traces = await collectTraces(page, context, log);
      for (const [where, text] of Object.entries(traces)) {
        assert.doesNotMatch(text, /sig=/i, `no sig= in ${where}`);
        assert.ok(!text.includes(signature), `no signature in ${where}`);
        assert.ok(
          !text.includes(encodeURIComponent(signature)),
          `no encoded signature in ${where}`,
        );
      }
      assert.deepEqual(log.problems(), [], 'the page raised no errors');
      assert.ok(
        log.console.some((entry) => entry.text.startsWith('url: reading')),
        'the app logged the download (without the token)',
      );
    });
  });

  test("opens Azure's host-style URL", async () => {
    // Azurite also answers as ACCOUNT.blob.localhost, the shape of
    // ACCOUNT.blob.core.windows.net. This browser maps those names to
    // 127.0.0.1 and, as every test browser, resolves no other name.
    const rules = '--host-resolver-rules=MAP *.blob.localhost 127.0.0.1, ';
    const args = CHROMIUM_ARGS.map((arg) =>
      arg.replace('--host-resolver-rules=', rules),
    );
    const hostBrowser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args,
    });
    try {
      const page = await hostBrowser.newPage();
      const url = sasUrl({ hostStyle: true });
      assert.match(url, /^http:\/\/capscopetest\.blob\.localhost:\d+\/network-watcher-logs\//);
      await page.goto(server.url);
      await paste(page, url);
      await waitForDone(page);
      await assertTotals(page);
      assert.match(
        (await page.locator(byTestId('import-progress')).textContent()) ?? '',
        new RegExp(VM),
      );
    } finally {
      await hostBrowser.close();
    }
  });

  test('opens a ?url= link, and URLs pasted in the box', async () => {
    await onPage(async (page) => {
      await page.goto(`${server.url}?url=${encodeURIComponent(sasUrl())}`);
      await waitForDone(page);
      await assertTotals(page);
      assert.doesNotMatch(page.url(), /url=|sig=/);

      // A gzip-compressed blob is decompressed as it downloads; its size
      // tells this import's end from the one before.
      await paste(page, sasUrl({ blob: GZIP_BLOB }));
      await waitForDone(page, compressed.length);
      await assertTotals(page, compressed.length);
      assert.equal(await page.locator(byTestId('url-input')).inputValue(), '');
      assert.match(
        (await page.locator(byTestId('import-progress')).textContent()) ?? '',
        /monday\.pcap\.gz/,
      );
    });
  });

  test('tells each failure apart', async () => {
    const now = Date.now();
    const good = sasUrl();
    const altered = good.replace(/sig=([^&]+)/, (_, encoded: string) => {
      const sig = decodeURIComponent(encoded);
      // One letter for another: still base64 of the right length, so only
      // the storage service can tell, and it answers 403.
      const swapped = sig[0] === 'A' ? 'B' : 'A';
      return `sig=${encodeURIComponent(swapped + sig.slice(1))}`;
    });
    const cases: Array<[string, string, RegExp]> = [
      [
        'sas-expired',
        sasUrl({
          startsOn: new Date(now - 3 * HOUR_MS),
          expiresOn: new Date(now - HOUR_MS),
        }),
        /expired at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
      ],
      [
        'sas-not-yet-valid',
        sasUrl({
          startsOn: new Date(now + 2 * HOUR_MS),
          expiresOn: new Date(now + 4 * HOUR_MS),
        }),
        /valid only from .* UTC/,
      ],
      ['sas-permission', sasUrl({ permissions: 'cw' }), /not read/],
      ['auth-failed', altered, /HTTP 403/],
      [
        'not-found',
        sasUrl({ blob: `${NW_DIR}/packetcapture_10_00_00_000.cap` }),
        /HTTP 404, BlobNotFound/,
      ],
      ['cors', sasUrl({ account: WITHOUT_CORS }), /CORS rule/],
      [
        'bad-url',
        good.replace(`/${BLOB}?`, '?'),
        /container network-watcher-logs, not of a blob/,
      ],
      ['bad-url', good.replace('?', ''), /`\?` between them is missing/],
      [
        'bad-url',
        good.replace(/sig=([^&]+)/, (_, s: string) => `sig=${s.slice(3)}`),
        /signature \(sig\) is damaged/,
      ],
    ];

    await onPage(async (page) => {
      await page.goto(server.url);
      for (const [kind, url, message] of cases) {
        await paste(page, url);
        // Each case's own message, not the one before it still on screen.
        const text = await errorOfKind(page, kind, message);
        assert.doesNotMatch(text, /sig=/, `${kind}: no token in the message`);
        assert.equal(await page.locator(byTestId('error-message')).count(), 1);
      }
    });
  });

  test('shows the CORS rule to add for this page', async () => {
    await onPage(async (page) => {
      await page.goto(server.url);
      await paste(page, sasUrl({ account: WITHOUT_CORS }));
      await errorOfKind(page, 'cors', /CORS rule/);
      const command =
        (await page.locator(byTestId('cors-command')).textContent()) ?? '';
      assert.match(command, /^az storage cors add --services b/);
      assert.ok(command.includes(`--account-name ${WITHOUT_CORS.name}`));
      assert.ok(command.includes(`--origins ${new URL(server.url).origin}`));
      assert.match(command, /--exposed-headers Content-Range /);
      const help = (await page.locator(byTestId('cors-help')).textContent()) ?? '';
      assert.match(help, /Resource sharing \(CORS\)/);
    });
  });

  test('asks before a plain-http URL off this computer', async () => {
    await onPage(async (page) => {
      await page.goto(server.url);
      // A reserved name that the test browser resolves to nothing: even a
      // fetch by mistake would leave this machine.
      const url = sasUrl().replace(/^http:\/\/127\.0\.0\.1:\d+/, 'http://storage.invalid');
      await paste(page, url);
      const confirm = page.locator(byTestId('url-confirm'));
      await confirm.waitFor();
      assert.match((await confirm.textContent()) ?? '', /unencrypted/);
      await page.locator(byTestId('url-confirm-cancel')).click();
      await confirm.waitFor({ state: 'detached' });
      assert.equal(await page.locator(byTestId('import-progress')).count(), 0);
    });
  });

  test('resumes a download cut mid-way with a Range request', async () => {
    assert.ok(azurite);
    const cutAt = Math.floor(capture.length / 3);
    const proxy = await startDropProxy(
      { host: '127.0.0.1', port: azurite.port },
      cutAt,
    );
    let logged: string[] = [];
    try {
      await onPage(async (page, log) => {
        const url = sasUrl({ base: proxy.url });
        await page.goto(`${server.url}#url=${encodeURIComponent(url)}`);
        await waitForDone(page);
        await assertTotals(page);
        logged = log.console.map((entry) => entry.text);
      });
    } finally {
      await proxy.close();
    }

    const downloads = proxy.requests.filter((r) => r.method === 'GET');
    assert.equal(proxy.bytesBeforeDrop, cutAt, 'the proxy cut the download');
    assert.equal(downloads.length, 2, 'one download, resumed once');
    assert.equal(downloads[0].range, undefined);

    // What the page had received when the connection dropped, as it logged
    // it. The proxy sent cutAt bytes; Chromium may lose the last of them
    // with the connection, and the resume must ask for exactly what it has.
    const drop = logged
      .map((line) => /^url: connection dropped after (\d+) of /.exec(line))
      .find((match) => match !== null);
    assert.ok(drop, `the app logged the drop: ${logged.join(' | ')}`);
    const received = Number(drop[1]);
    assert.ok(received > 0 && received <= cutAt, `received ${received}`);
    assert.equal(
      downloads[1].range,
      `bytes=${received}-`,
      'resumed from the bytes already received',
    );
  });
});

/**
 * Every place a token could linger after an import, as text: the address,
 * the session history, IndexedDB, Web Storage, Cache Storage, the page's
 * markup, and every line the page and its workers logged.
 */
async function collectTraces(
  page: Page,
  context: BrowserContext,
  log: PageLog,
): Promise<Record<string, string>> {
  const cdp = await context.newCDPSession(page);
  const navigation = (await cdp.send('Page.getNavigationHistory')) as {
    entries: Array<{ url: string }>;
  };
  await cdp.detach();

  const inPage = await page.evaluate(async () => {
    const stores: string[] = [];
    const skipViews = (_key: string, value: unknown) =>
      ArrayBuffer.isView(value) || value instanceof ArrayBuffer
        ? '[bytes]'
        : value;
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name as string);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const [keys, values] = await new Promise<[unknown[], unknown[]]>(
          (resolve, reject) => {
            const store = db.transaction(name).objectStore(name);
            const keysRequest = store.getAllKeys();
            const valuesRequest = store.getAll();
            valuesRequest.onsuccess = () =>
              resolve([keysRequest.result, valuesRequest.result]);
            valuesRequest.onerror = () => reject(valuesRequest.error);
          },
        );
        stores.push(`${info.name}/${name}: ${JSON.stringify({ keys, values }, skipViews)}`);
      }
      db.close();
    }

    const cached: string[] = [];
    if ('caches' in self) {
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        cached.push(...(await cache.keys()).map((request) => request.url));
      }
    }

    const webStorage = JSON.stringify({
      local: { ...localStorage },
      session: { ...sessionStorage },
    });
    return {
      location: `${location.href} ${document.URL} ${document.referrer}`,
      historyState: JSON.stringify(window.history.state ?? null),
      indexedDB: stores.join('\n'),
      webStorage,
      cacheStorage: cached.join('\n'),
      markup: document.documentElement.outerHTML,
    };
  });

  return {
    ...inPage,
    pageUrl: page.url(),
    sessionHistory: navigation.entries.map((entry) => entry.url).join('\n'),
    consoleLines: log.console
      .map((entry) => `${entry.type} ${entry.text} ${entry.location}`)
      .join('\n'),
    uncaught: log.errors.map((error) => error.message).join('\n'),
  };
}
