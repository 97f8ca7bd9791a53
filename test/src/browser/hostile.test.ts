// The built site against hostile input and for its users' privacy: a
// strict Content-Security-Policy, names that carry markup and script shown
// as plain clipped text, and no request to any host but the page's own.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  serveStatic,
  type StaticServer,
} from '../../../scripts/static-server.mjs';
import { corpusCapture } from './corpus-truth.js';
import { APP_DIST, launchBrowser, openPage } from './harness.js';
import { buildHostileCapture, type HostileCapture } from './hostile-capture.js';
import {
  byTestId,
  numberAttribute,
  pickFile,
  waitForImport,
} from './page-helpers.js';

const IMPORT_TIMEOUT_MS = 20_000;
/** A file name that is itself an attack, with an RTL override in it. */
const HOSTILE_FILE_NAME = '<img src=x onerror=window.__pwned=4>\u202Egnp.pcap';

/**
 * Installed before any page script: a trap that records any write to
 * window.__pwned, and a record of every CSP violation the page reports.
 */
const TRAPS = `
  Object.defineProperty(window, '__pwned', {
    configurable: false,
    get() { return undefined; },
    set(value) { (window.__trapHits ||= []).push(String(value)); },
  });
  document.addEventListener('securitypolicyviolation', (event) => {
    (window.__cspViolations ||= []).push(
      event.violatedDirective + ' ' + event.blockedURI);
  });
`;

/** The policy the build put into index.html, to send as a header too. */
async function builtPolicy(): Promise<string> {
  const html = await readFile(path.join(APP_DIST, 'index.html'), 'utf8');
  const match =
    /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
  assert.ok(match, 'the built index.html carries a CSP <meta>');
  return match[1];
}

/** Long enough for a view to fetch and draw what it shows. */
const VIEW_SETTLE_MS = 500;
/** A map's first frame takes a few seconds in software WebGL. */
const MAP_SETTLE_MS = 2500;
/**
 * SwiftShader's performance notes about its own WebGL, which the map's
 * picking triggers: not the page's doing.
 */
const SOFTWARE_GL_NOTE = /GL Driver Message \(OpenGL, Performance/;

/**
 * Opens every analysis view the page offers (overview, statistics, map…),
 * so that what they show and fetch is checked too; ends on the first.
 */
async function visitEveryView(page: Page): Promise<string[]> {
  const tabs = page.locator(byTestId('view-tab'));
  const names: string[] = [];
  const count = await tabs.count();
  for (let i = 0; i < count; i++) {
    const tab = tabs.nth(i);
    names.push((await tab.getAttribute('data-view')) ?? String(i));
    await tab.click();
    await page.waitForTimeout(VIEW_SETTLE_MS);
    if (names.at(-1) === 'map') {
      await page.locator(byTestId('geo-map')).waitFor();
      await page.waitForTimeout(MAP_SETTLE_MS);
    }
  }
  if (count > 0) await tabs.first().click();
  return names;
}

/** No markup from the capture is live anywhere in the document. */
async function assertNoLiveMarkup(page: Page, where: string): Promise<void> {
  assert.equal(await page.evaluate('window.__trapHits'), undefined,
    `${where}: the trap was never written`);
  const documentHtml = (await page.evaluate(
    'document.documentElement.outerHTML')) as string;
  for (const markup of ['<img src=x', '<img\\032src', '<script>window',
    '<b>xxx']) {
    assert.ok(!documentHtml.includes(markup), `${where}: no live ${markup}`);
  }
  assert.equal(await page.locator('img[src="x"]').count(), 0);
}

/** What each cell of the flow table shows and how wide it is drawn. */
interface CellLayout {
  column: string;
  text: string;
  title: string | null;
  markup: string;
  widthPx: number;
  headerWidthPx: number;
  clipped: boolean;
}

/** Every drawn body cell, with the heading of its column. */
const READ_CELLS = `(() => {
  const table = document.querySelector('[data-testid="flow-table"] table');
  const headers = [...table.querySelectorAll('thead th')];
  const cells = [];
  for (const row of table.querySelectorAll('[data-testid="flow-row"]')) {
    [...row.children].forEach((cell, i) => {
      const header = headers[i];
      const titled = cell.closest('[title]') === cell
        ? cell : cell.querySelector('[title]');
      cells.push({
        column: header ? header.textContent.replace(/[▲▼]/g, '').trim() : '',
        text: cell.textContent,
        title: titled ? titled.getAttribute('title') : null,
        markup: cell.innerHTML,
        widthPx: cell.getBoundingClientRect().width,
        headerWidthPx: header ? header.getBoundingClientRect().width : -1,
        clipped: cell.scrollWidth > cell.clientWidth,
      });
    });
  }
  return cells;
})()`;

describe('the built site against hostile input', () => {
  let browser: Browser;
  let tempDir: string;
  let server: StaticServer;
  let capture: HostileCapture;
  let capturePath: string;

  before(async () => {
    browser = await launchBrowser();
    tempDir = await mkdtemp(path.join(tmpdir(), 'capscope-hostile-'));
    capture = buildHostileCapture();
    capturePath = path.join(tempDir, HOSTILE_FILE_NAME);
    await writeFile(capturePath, capture.bytes);
    // The policy as a header as well, so that it binds the import worker.
    server = await serveStatic({
      root: APP_DIST,
      headers: { 'Content-Security-Policy': await builtPolicy() },
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  async function withPage(
    body: (page: Page, context: BrowserContext) => Promise<void>,
  ): Promise<void> {
    const { context, page, log } = await openPage(browser);
    try {
      await context.addInitScript(TRAPS);
      await body(page, context);
      assert.deepEqual(
        await page.evaluate('window.__cspViolations ?? []'), [],
        'nothing the page did broke its policy');
      assert.deepEqual(
        log.problems().filter((line) => !SOFTWARE_GL_NOTE.test(line)), [],
        'the page raised no errors');
    } finally {
      await context.close();
    }
  }

  test('the built page needs no inline script, style or eval', async () => {
    const policy = await builtPolicy();
    const directives = new Map(
      policy.split(';').map((d) => {
        const [name, ...sources] = d.trim().split(/\s+/);
        return [name, sources] as const;
      }),
    );
    for (const name of ['script-src', 'style-src', 'default-src']) {
      const sources = directives.get(name) ?? [];
      assert.ok(sources.includes("'self'"), `${name} allows the site`);
      for (const loose of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:']) {
        assert.ok(!sources.includes(loose), `${name} has no ${loose}`);
      }
    }
    assert.deepEqual(directives.get('worker-src'), ["'self'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.deepEqual(directives.get('base-uri'), ["'none'"]);
    const connect = directives.get('connect-src') ?? [];
    assert.ok(connect.every((source) =>
      source === "'self'" || /^https:\/\/\*\.blob\./.test(source) ||
      /^https?:\/\/(127\.0\.0\.1|localhost):\*$/.test(source)),
    `connect-src is the site, https storage and loopback: ${connect}`);

    const html = await readFile(path.join(APP_DIST, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.ok(scripts.length > 0);
    for (const script of scripts) {
      assert.match(script, /\bsrc="\.\//, `${script} loads a file`);
    }
    assert.doesNotMatch(html, /<style\b/, 'no inline stylesheet');
    assert.doesNotMatch(html, /\sstyle=/, 'no style attribute');
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no event handler attribute');
  });

  test('names with markup and script show as plain, clipped text',
    async () => {
      await withPage(async (page) => {
        await page.goto(server.url);
        await pickFile(page, capturePath);
        await waitForImport(page, 'done', capture.bytes.length,
          IMPORT_TIMEOUT_MS);
        assert.equal(await numberAttribute(page, 'flow-count'), capture.flows);
        await page.locator(byTestId('flow-row')).first().waitFor();

        // Nothing ran: the trap was never written, and no markup from the
        // capture made it into the document as markup.
        await assertNoLiveMarkup(page, 'flow table');

        const cells = (await page.evaluate(READ_CELLS)) as CellLayout[];
        const hostCells = cells.filter((cell) => cell.column === 'Host');
        assert.equal(hostCells.length, capture.flows, 'a host cell per flow');
        const shown = hostCells.map((cell) => cell.text).filter(Boolean);
        assert.deepEqual([...shown].sort(), [...capture.shownHosts].sort(),
          'each name as escaped text; the 5000-character ones dropped');

        for (const cell of hostCells) {
          assert.ok(!cell.markup.includes('<img') &&
            !cell.markup.includes('<script'), `text, not markup: ${cell.markup}`);
          assert.ok(!cell.text.includes('\u202E'), 'no live RTL override');
          assert.doesNotMatch(cell.text, /[\x00-\x1f\x7f]/, 'no control chars');
        }

        const long = hostCells.find((cell) => cell.text === capture.longHost);
        assert.ok(long, 'the 253-character name is listed');
        assert.ok(long.clipped, 'its cell clips it');
        assert.equal(long.title, capture.longHost, 'its tooltip has it whole');

        // No cell grows past its column, however long its text.
        for (const cell of cells) {
          assert.ok(Math.abs(cell.widthPx - cell.headerWidthPx) <= 1,
            `${cell.column} cell is ${cell.widthPx}px, its column ` +
              `${cell.headerWidthPx}px`);
        }

        // The file's own name, an attack too, reads as inert text.
        const label = page.locator(`${byTestId('import-progress')} strong`);
        const name = (await label.textContent()) ?? '';
        assert.ok(name.startsWith('<img src=x onerror'), name);
        assert.ok(!name.includes('\u202E') && name.includes('\\u{202E}'),
          `the RTL override is shown, not obeyed: ${name}`);

        // The other views show the same names: hosts, DNS names, tooltips.
        for (const view of await visitEveryView(page)) {
          await assertNoLiveMarkup(page, `${view} view`);
        }
      });
    });

  test('opening a capture makes no request but to the page\'s own origin',
    async () => {
      const corpus = await corpusCapture('pcapplusplus__tls2.pcap');
      await withPage(async (page, context) => {
        const requests: string[] = [];
        const failed: string[] = [];
        context.on('request', (request) => requests.push(request.url()));
        context.on('requestfailed', (request) => failed.push(request.url()));
        const origin = new URL(server.url).origin;

        await page.goto(server.url);
        await pickFile(page, corpus.path);
        await waitForImport(page, 'done', corpus.fileBytes, IMPORT_TIMEOUT_MS);
        await pickFile(page, capturePath);
        await waitForImport(page, 'done', capture.bytes.length,
          IMPORT_TIMEOUT_MS);
        await page.locator(byTestId('open-sample')).click();
        await page.locator(`${byTestId('import-progress')}[data-state="done"]` +
          `:not([data-total="${capture.bytes.length}"])`)
          .waitFor({ timeout: IMPORT_TIMEOUT_MS });
        // Views load their own code and data (the map, the country
        // database) when first shown.
        await visitEveryView(page);

        assert.ok(requests.length > 0, 'requests were recorded');
        // A blob: URL's origin is the page's that made it.
        const elsewhere = requests.filter(
          (url) => new URL(url).origin !== origin);
        assert.deepEqual(elsewhere, [], 'no request left the origin');
        assert.deepEqual(failed, [], 'no request failed');
      });
    });
});
