// Helpers for browser tests: Debian's Chromium driven by playwright-core,
// the production build served the way `npm start` serves it, and a record
// of everything the page complained about.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type ConsoleMessage,
  type Page,
} from 'playwright-core';
import {
  serveStatic,
  type StaticServer,
} from '../../../scripts/static-server.mjs';

/** Installed by .ci/run from Debian's packages; no browser is downloaded. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * SwiftShader draws WebGL (deck.gl) without a GPU. The remaining flags, and
 * the resolver rule, stop Chromium's own network traffic: this machine
 * reaches nothing but the package registries, and the tests talk only to
 * 127.0.0.1.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--enable-unsafe-swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

/** The web app's production build, as `npm start` serves it. */
export const APP_DIST = fileURLToPath(
  new URL('../../../apps/web/dist/', import.meta.url),
);

/**
 * Launches headless Chromium. Its contexts are ephemeral: IndexedDB
 * survives a reload but not a new browser; use launchPersistent() to test a
 * restart.
 */
export function launchBrowser(): Promise<Browser> {
  assertChromium();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

/**
 * Launches Chromium on a profile folder that outlives it, so that a second
 * launch on the same folder sees the first one's IndexedDB.
 */
export function launchPersistent(userDataDir: string): Promise<BrowserContext> {
  assertChromium();
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing; install Debian's chromium ` +
        '(apt-get install --no-install-recommends chromium), as .ci/run does',
    );
  }
}

/**
 * Serves `root` (the app's build by default) on 127.0.0.1 at a free port.
 * Close the returned server when the test ends.
 */
export function serveApp(root: string = APP_DIST): Promise<StaticServer> {
  if (!existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${root} has no index.html; run \`npm run build\` first`);
  }
  return serveStatic({ root, host: '127.0.0.1', port: 0 });
}

export interface ConsoleEntry {
  type: string;
  text: string;
  /** Script URL and line, where Chromium gave one. */
  location: string;
}

/** What a page and its workers said on the console, and what they threw. */
export interface PageLog {
  readonly console: ConsoleEntry[];
  readonly errors: Error[];
  /** Console errors and warnings plus uncaught errors, one line each. */
  problems(): string[];
}

// Log and info lines are allowed: the app logs one line per decision.
const PROBLEM_TYPES = new Set(['error', 'warning', 'assert']);

/**
 * Records the console messages and uncaught errors of every page in
 * `context`, from the moment of the call. Dedicated workers' messages reach
 * the context too.
 */
export function recordConsole(context: BrowserContext): PageLog {
  const log: PageLog = {
    console: [],
    errors: [],
    problems() {
      return [
        ...log.errors.map((error) => `uncaught: ${error.message}`),
        ...log.console
          .filter((entry) => PROBLEM_TYPES.has(entry.type))
          .map((entry) => `${entry.type}: ${entry.text} (${entry.location})`),
      ];
    },
  };

  context.on('console', (message: ConsoleMessage) => {
    const { url, lineNumber } = message.location();
    log.console.push({
      type: message.type(),
      text: message.text(),
      location: url ? `${url}:${lineNumber + 1}` : 'unknown',
    });
  });
  context.on('weberror', (webError) => log.errors.push(webError.error()));
  return log;
}

/** A new context and page with a console record started before any load. */
export async function openPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; log: PageLog }> {
  const context = await browser.newContext();
  const log = recordConsole(context);
  const page = await context.newPage();
  return { context, page, log };
}
