// Saving and reopening a dataset of a million flows in headless Chromium:
// a capture of 1,000,000 one-packet UDP flows is imported through the
// page, kept in IndexedDB, then opened again from the start page's list.
// Prints one line of times; nothing here passes or fails.
//
//   node scripts/bench-dataset.mjs [FLOWS]
//
// Needs the web build and test/dist (`npm run build`) and Debian's
// Chromium. The capture is kept in <tmpdir>/capscope-bench/ and reused.
// `runDatasetBench()` is exported for scripts/bench.mjs.

import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);
const HARNESS = path.join(repoRoot, 'test/dist/browser/harness.js');
const MANY_FLOWS = path.join(repoRoot, 'test/dist/browser/many-flows.js');
const CACHE_DIR = path.join(os.tmpdir(), 'capscope-bench');
const DEFAULT_FLOWS = 1_000_000;
/** Reopens measured; the median is printed. */
const REOPENS = 3;
/** An import and save of a million flows take seconds; allow minutes. */
const STEP_TIMEOUT_MS = 5 * 60 * 1000;

/** Runs the bench and returns its one line. */
export async function runDatasetBench(flows = DEFAULT_FLOWS) {
  for (const file of [HARNESS, MANY_FLOWS]) {
    if (!existsSync(file)) {
      return `dataset: skipped, ${path.relative(repoRoot, file)} is ` +
        'missing (npm run build)';
    }
  }
  const harness = await import(pathToFileURL(HARNESS).href);
  const { writeManyFlows } = await import(pathToFileURL(MANY_FLOWS).href);

  mkdirSync(CACHE_DIR, { recursive: true });
  const capture = path.join(CACHE_DIR, `flows-${flows}.pcap`);
  const expectedBytes = 24 + flows * 44;
  if (!existsSync(capture) || statSync(capture).size !== expectedBytes) {
    writeManyFlows(capture, flows);
  }

  const server = await harness.serveApp();
  const browser = await harness.launchBrowser();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const logLines = [];
    context.on('console', (message) => logLines.push(message.text()));
    const workerMs = (verb) => {
      const pattern = new RegExp(`^datasets: ${verb} \\S+, \\d+ flows in (\\d+) ms`);
      const line = logLines.filter((text) => pattern.test(text)).at(-1);
      return line ? Number(pattern.exec(line)[1]) : null;
    };

    await page.goto(server.url);
    await page.locator('[data-testid="file-input"]').setInputFiles(capture);
    const saved = page.locator(
      '[data-testid="dataset-status"][data-state="saved"]');
    await saved.waitFor({ timeout: STEP_TIMEOUT_MS });
    const saveMs = workerMs('saved');
    const id = await saved.getAttribute('data-id');
    const storedBytes = await page.evaluate(async (datasetId) => {
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open('capscope-datasets');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const record = await new Promise((resolve) => {
        const request = db.transaction('datasets').objectStore('datasets')
          .get(datasetId);
        request.onsuccess = () => resolve(request.result);
      });
      db.close();
      return record?.storedBytes ?? 0;
    }, id);

    const pageTimes = [];
    const workerTimes = [];
    for (let run = 0; run < REOPENS; run++) {
      await page.locator('[data-testid="show-datasets"]').click();
      const open = page.locator(
        `[data-testid="dataset-item"][data-id="${id}"] ` +
          '[data-testid="dataset-open"]');
      await open.waitFor({ timeout: STEP_TIMEOUT_MS });
      // Timed in the page, from the click to the first frame that has the
      // rows: a locator's waitFor polls at 0, 20, 70, 170, 270, 770... ms
      // after it starts, which would round the time up to the next step.
      await open.evaluate((button) => {
        window.__benchClickMs = null;
        button.addEventListener('click', () => {
          window.__benchClickMs = performance.now();
        }, { capture: true, once: true });
      });
      await open.click();
      const rowsMs = await page.waitForFunction((count) => {
        const shown = document.querySelector(
          `[data-testid="flow-count"][data-value="${count}"]`) &&
          document.querySelector('[data-testid="flow-row"]');
        return shown && window.__benchClickMs !== null
          ? performance.now() - window.__benchClickMs
          : null;
      }, flows, { polling: 'raf', timeout: STEP_TIMEOUT_MS });
      pageTimes.push(await rowsMs.jsonValue());
      workerTimes.push(workerMs('opened'));
    }

    const count = new Intl.NumberFormat('en-US').format(flows);
    const mb = (storedBytes / 1e6).toFixed(0);
    return `dataset: ${count} flows saved in ${saveMs ?? '?'} ms (${mb} MB); ` +
      `reopened in ${Math.round(median(pageTimes))} ms to the first rows ` +
      `(worker ${median(workerTimes.filter((t) => t !== null)) ?? '?'} ms), ` +
      `median of ${REOPENS}`;
  } finally {
    await browser.close();
    await server.close();
  }
}

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flows = Number(process.argv[2] ?? DEFAULT_FLOWS);
  try {
    console.log(await runDatasetBench(flows));
  } catch (error) {
    console.error(`bench-dataset: ${error?.message ?? error}`);
    process.exitCode = 1;
  }
}
