// Tests the browser harness and the static server on a tiny site written to
// a temporary folder, so that they are checked without the app.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import type { StaticServer } from '../../../scripts/static-server.mjs';
import { launchBrowser, openPage, serveApp } from './harness.js';

// The smallest valid WebAssembly module: magic and version.
const EMPTY_WASM = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

const SITE: Record<string, string | Uint8Array> = {
  'index.html': [
    '<!doctype html>',
    '<title>Harness</title>',
    // Without an icon link, Chromium asks for /favicon.ico and logs the 404
    // as a console error.
    '<link rel="icon" href="data:,">',
    '<script type="module" src="./main.js"></script>',
  ].join('\n'),
  // A module script and a module worker load only when served as
  // JavaScript, so the title proves the MIME types as well.
  'main.js': [
    "const worker = new Worker('./worker.mjs', { type: 'module' });",
    "worker.onmessage = (e) => { document.title = 'Harness ' + e.data; };",
  ].join('\n'),
  'worker.mjs': "postMessage('ready');",
  'noisy.mjs': "console.error('from a worker');",
  'assets/empty.wasm': EMPTY_WASM,
  'assets/sample.cap': new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]),
};

describe('browser harness', () => {
  let tempDir: string;
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    tempDir = await mkdtemp(path.join(tmpdir(), 'capscope-harness-'));
    const siteDir = path.join(tempDir, 'site');
    for (const [name, content] of Object.entries(SITE)) {
      const filePath = path.join(siteDir, name);
      await mkdir(path.dirname(filePath), { recursive: true });
      await writeFile(filePath, content);
    }
    // Beside the served folder, so that a path escaping it would reach it.
    await writeFile(path.join(tempDir, 'secret.txt'), 'secret');

    server = await serveApp(siteDir);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  test('loads the page, its module script and worker cleanly', async () => {
    const { context, page, log } = await openPage(browser);
    try {
      await page.goto(server.url);
      // Page code as strings: test/ compiles without the DOM library.
      await page.waitForFunction("document.title === 'Harness ready'");
      assert.equal(await page.title(), 'Harness ready');
      assert.deepEqual(log.problems(), []);
    } finally {
      await context.close();
    }
  });

  test('records console errors and uncaught errors', async () => {
    const { context, page, log } = await openPage(browser);
    try {
      await page.goto(server.url);
      await page.evaluate(`
        console.error('logged on purpose');
        new Worker('./noisy.mjs', { type: 'module' });
        setTimeout(() => {
          throw new Error('thrown on purpose');
        });
      `);

      const expected = [
        'logged on purpose',
        'thrown on purpose',
        'from a worker',
      ];
      const seen = () =>
        expected.filter((text) =>
          log.problems().some((line) => line.includes(text)),
        );
      // Events reach Node a little after the page raised them.
      const deadline = Date.now() + 5_000;
      while (seen().length < expected.length && Date.now() < deadline) {
        await delay(20);
      }
      assert.deepEqual(seen(), expected);
    } finally {
      await context.close();
    }
  });

  test('serves files with their MIME types, HEAD included', async () => {
    const expected: Array<[string, string]> = [
      ['', 'text/html; charset=utf-8'],
      ['main.js', 'text/javascript; charset=utf-8'],
      ['worker.mjs', 'text/javascript; charset=utf-8'],
      ['assets/empty.wasm', 'application/wasm'],
      ['assets/sample.cap', 'application/octet-stream'],
    ];
    for (const [name, type] of expected) {
      const response = await fetch(server.url + name);
      assert.equal(response.status, 200, name);
      assert.equal(response.headers.get('content-type'), type, name);
    }

    const head = await fetch(server.url + 'assets/empty.wasm', {
      method: 'HEAD',
    });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '8');
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  test('answers 404 for missing files, folders and escapes', async () => {
    // Raw request targets: fetch() would normalise the dot segments away.
    const targets = [
      '/missing.js',
      '/assets',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%00',
    ];
    for (const target of targets) {
      assert.equal(await rawStatus(server.url, target), 404, target);
    }
  });

  test('refuses methods other than GET and HEAD', async () => {
    const response = await fetch(server.url, { method: 'POST' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
  });
});

function rawStatus(baseUrl: string, target: string): Promise<number> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
