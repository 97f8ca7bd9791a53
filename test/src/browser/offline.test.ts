// The built site as a static folder: under any path prefix, every file its
// own, stored by its service worker on the first visit so that it opens and
// analyses with the network off, and updated when a new build is deployed.

import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { serveStatic } from '../../../scripts/static-server.mjs';
import { corpusCapture, type CorpusCapture } from './corpus-truth.js';
import { APP_DIST, launchBrowser, openPage } from './harness.js';
import {
  byTestId,
  pickFile,
  shownTotals,
  waitForExpression,
  waitForImport,
} from './page-helpers.js';

const IMPORT_TIMEOUT_MS = 20_000;
/** Installing stores the whole app: a few hundred kB from loopback. */
const SERVICE_WORKER_TIMEOUT_MS = 20_000;
const SUB_PATH = '/tools/capscope/';
const CAPTURE = 'pcapplusplus__tls2.pcap';

/** Waits until a service worker controls the page (first visit: claimed). */
async function waitForServiceWorker(page: Page): Promise<void> {
  await waitForExpression(page, 'navigator.serviceWorker.controller !== null',
    SERVICE_WORKER_TIMEOUT_MS);
}

async function openCaptureAndCheck(
  page: Page,
  capture: CorpusCapture,
): Promise<void> {
  await pickFile(page, capture.path);
  await waitForImport(page, 'done', capture.fileBytes, IMPORT_TIMEOUT_MS);
  const { flows: _flows, ...shown } = await shownTotals(page);
  assert.deepEqual(shown, capture.expected, 'totals as tshark counts them');
}

/** Every file under `dir`, relative, with `/`. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path.relative(dir, path.join(entry.parentPath, entry.name))
        .split(path.sep).join('/'))
    .sort();
}

/** The list the build wrote into sw.js. */
function precacheList(serviceWorker: string): string[] {
  const match = /^const PRECACHE = (\[[^\]]*\]);$/m.exec(serviceWorker);
  assert.ok(match, 'sw.js starts with its precache list');
  return JSON.parse(match[1]) as string[];
}

describe('the built site: any path, offline, updates', () => {
  let browser: Browser;
  let tempDir: string;
  let capture: CorpusCapture;

  before(async () => {
    browser = await launchBrowser();
    tempDir = await mkdtemp(path.join(tmpdir(), 'capscope-offline-'));
    capture = await corpusCapture(CAPTURE);
  });

  after(async () => {
    await browser?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  test('the build is a folder of relative, local files, all precached',
    async () => {
      const html = await readFile(path.join(APP_DIST, 'index.html'), 'utf8');
      for (const [, attribute, url] of html.matchAll(
        /\b(src|href)="([^"]*)"/g,
      )) {
        assert.match(url, /^\.\//, `${attribute}="${url}" is relative`);
      }

      const files = await listFiles(APP_DIST);
      const serviceWorker = await readFile(
        path.join(APP_DIST, 'sw.js'), 'utf8');
      assert.deepEqual(
        precacheList(serviceWorker),
        files.filter((file) => file !== 'sw.js' && !file.endsWith('.map')),
        'sw.js stores every file of the build',
      );

      const manifest = JSON.parse(
        await readFile(path.join(APP_DIST, 'manifest.webmanifest'), 'utf8'),
      ) as {
        start_url: string;
        scope: string;
        icons: Array<{ src: string; sizes: string }>;
        file_handlers: Array<{ action: string }>;
      };
      assert.equal(manifest.start_url, './');
      assert.equal(manifest.scope, './');
      for (const icon of manifest.icons) {
        assert.ok(files.includes(icon.src), `${icon.src} is in the build`);
      }
      const sizes = manifest.icons.map((icon) => icon.sizes);
      assert.ok(sizes.includes('192x192') && sizes.includes('512x512'),
        'icons an installable app needs');
      assert.equal(manifest.file_handlers[0]?.action, './');
    });

  test(`works when served under ${SUB_PATH}`, async () => {
    const server = await serveStatic({ root: APP_DIST, basePath: SUB_PATH });
    const { context, page, log } = await openPage(browser);
    const requested: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    try {
      assert.ok(server.url.endsWith(SUB_PATH));
      await page.goto(server.url);
      await waitForServiceWorker(page);
      const scope = await page.evaluate(
        'navigator.serviceWorker.ready.then((r) => r.scope)');
      assert.equal(scope, server.url, 'the service worker covers the path');

      await openCaptureAndCheck(page, capture);
      await page.locator(byTestId('open-sample')).click();
      await page.locator(
        `${byTestId('import-progress')}[data-state="done"]` +
          `:not([data-total="${capture.fileBytes}"])`,
      ).waitFor({ timeout: IMPORT_TIMEOUT_MS });

      const outside = requested.filter(
        (url) => !url.startsWith(server.url),
      );
      assert.deepEqual(outside, [], 'every request stays under the path');
      assert.deepEqual(log.problems(), []);
    } finally {
      await context.close();
      await server.close();
    }
  });

  test('opens and analyses a capture with the network off after one visit',
    async () => {
      const server = await serveStatic({ root: APP_DIST });
      const { context, page, log } = await openPage(browser);
      let serverClosed = false;
      try {
        await page.goto(server.url);
        await waitForServiceWorker(page);

        // Both: the host is gone, and the browser has no network at all.
        await server.close();
        serverClosed = true;
        await context.setOffline(true);

        await page.reload();
        await page.locator(byTestId('file-input')).waitFor();
        await openCaptureAndCheck(page, capture);
        assert.equal(
          await page.locator(byTestId('error-message')).count(), 0);

        // The sample ships with the app, so it is stored too.
        await page.locator(byTestId('open-sample')).click();
        await page.locator(
          `${byTestId('import-progress')}[data-state="done"]` +
            `:not([data-total="${capture.fileBytes}"])`,
        ).waitFor({ timeout: IMPORT_TIMEOUT_MS });
        assert.deepEqual(log.problems(), []);
      } finally {
        await context.close();
        if (!serverClosed) await server.close();
      }
    });

  test('a new build is installed, announced, and taken on reload',
    async () => {
      // A deployment of its own, to change under the open page.
      const siteDir = path.join(tempDir, 'site');
      await cp(APP_DIST, siteDir, { recursive: true });
      const server = await serveStatic({ root: siteDir });
      const { context, page, log } = await openPage(browser);
      try {
        await page.goto(server.url);
        await waitForServiceWorker(page);
        assert.equal(await page.locator(byTestId('update-notice')).count(), 0,
          'no notice on the first visit');

        // Deploy a "new build": a changed page and a new build id.
        const indexPath = path.join(siteDir, 'index.html');
        const html = await readFile(indexPath, 'utf8');
        await writeFile(indexPath, html.replace('</head>',
          '<meta name="capscope-test-build" content="second" /></head>'));
        const swPath = path.join(siteDir, 'sw.js');
        const serviceWorker = await readFile(swPath, 'utf8');
        const oldId = /^const BUILD_ID = "([^"]+)";$/m.exec(serviceWorker)?.[1];
        assert.ok(oldId, 'sw.js names its build');
        await writeFile(swPath, serviceWorker.replace(
          `const BUILD_ID = "${oldId}";`, 'const BUILD_ID = "second-build";'));

        // Opening the page again makes the browser look for a new sw.js;
        // the old build keeps serving this page meanwhile.
        await page.reload();
        const notice = page.locator(byTestId('update-notice'));
        await notice.waitFor({ timeout: SERVICE_WORKER_TIMEOUT_MS });
        assert.match((await notice.textContent()) ?? '', /new version/i);
        assert.equal(
          await page.locator('meta[name="capscope-test-build"]').count(), 0,
          'the open page still runs the old build');

        await page.locator(byTestId('update-reload')).click();
        await waitForExpression(page,
          'document.querySelector(\'meta[name="capscope-test-build"]\')',
          SERVICE_WORKER_TIMEOUT_MS);
        await page.locator(byTestId('file-input')).waitFor();
        assert.equal(await notice.count(), 0, 'the notice is gone');

        const cacheNames = (await page.evaluate('caches.keys()')) as string[];
        assert.ok(cacheNames.some((name) => name.endsWith(':second-build')));
        assert.ok(!cacheNames.some((name) => name.endsWith(`:${oldId}`)),
          'the old build is removed');
        assert.deepEqual(log.problems(), []);
      } finally {
        await context.close();
        await server.close();
      }
    });
});
