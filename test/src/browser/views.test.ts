// The analysis views end to end in Chromium on pcapplusplus__tls2.pcap:
// the world map draws traffic, a country row filters every view to it,
// the top talker matches tshark's conversations, and every view is saved
// as a screenshot for a person to look at (test-results/screenshots/).

import assert from 'node:assert/strict';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { StaticServer } from '../../../scripts/static-server.mjs';
import { CAPTURES_DIR } from './corpus-truth.js';
import { launchBrowser, openPage, serveApp, type PageLog } from './harness.js';
import {
  byTestId,
  numberAttribute,
  pickFile,
  waitForImport,
} from './page-helpers.js';

const CAPTURE = 'pcapplusplus__tls2.pcap';
const SCREENSHOTS = fileURLToPath(
  new URL('../../../test-results/screenshots/', import.meta.url));
/** The first deck.gl frame under SwiftShader takes a few seconds. */
const MAP_TIMEOUT_MS = 30_000;
const VIEW_TIMEOUT_MS = 20_000;
/** A shared two-core machine may be busy with a build meanwhile. */
const IMPORT_TIMEOUT_MS = 60_000;

/**
 * Points well inside large countries, for a pixel of a country with no
 * traffic: the test takes the first one the capture did not reach.
 */
const QUIET_COUNTRIES: Array<[string, number, number]> = [
  ['AU', 134, -25], ['BR', -52, -10], ['KZ', 67, 48], ['DZ', 2, 28],
  ['RU', 95, 62], ['CA', -105, 57], ['AR', -65, -35], ['SD', 30, 15],
];

interface Conversation {
  proto: string;
  a: string;
  b: string;
  bytes: number;
}

/** The address with the most bytes over tshark's ip and ipv6 conversations. */
async function truthTopTalker(): Promise<string> {
  const truth = JSON.parse(await readFile(
    path.join(CAPTURES_DIR, `${CAPTURE}.truth.json`), 'utf8')) as {
    tshark: { conversations: Conversation[] };
  };
  const bytes = new Map<string, number>();
  for (const c of truth.tshark.conversations) {
    if (c.proto !== 'ip' && c.proto !== 'ipv6') continue;
    bytes.set(c.a, (bytes.get(c.a) ?? 0) + c.bytes);
    bytes.set(c.b, (bytes.get(c.b) ?? 0) + c.bytes);
  }
  return [...bytes.entries()].sort((x, y) => y[1] - x[1])[0][0];
}

interface MapFrame {
  longitude: number;
  latitude: number;
  zoom: number;
  width: number;
  height: number;
}

/** Where deck.gl's Web Mercator view draws a longitude and latitude. */
function project(view: MapFrame, lon: number, lat: number): [number, number] {
  const world = 512 * 2 ** view.zoom;
  const x = (l: number) => ((l + 180) / 360) * world;
  const y = (l: number) => {
    const phi = (l * Math.PI) / 180;
    return (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2 *
      world;
  };
  return [
    view.width / 2 + x(lon) - x(view.longitude),
    view.height / 2 + y(lat) - y(view.latitude),
  ];
}

/** The colour at points of an element's screenshot, decoded in the page. */
async function pixels(
  page: Page,
  selector: string,
  cssWidth: number,
  points: Array<[number, number]>,
): Promise<number[][]> {
  const png = await page.locator(selector).screenshot();
  return page.evaluate(async ({ data, at, width }) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2d context');
    context.drawImage(image, 0, 0);
    const scale = image.width / width;
    return at.map(([x, y]) => Array.from(context.getImageData(
      Math.round(x * scale), Math.round(y * scale), 1, 1).data));
  }, { data: png.toString('base64'), at: points, width: cssWidth });
}

async function openTab(page: Page, view: string): Promise<void> {
  await page.locator(`${byTestId('view-tab')}[data-view="${view}"]`).click();
}

/**
 * A screenshot of the whole page as a person scrolls it: the page scrolls
 * inside its main column, so the window grows to show all of it first.
 */
async function save(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1400, height: 1000 };
  const overflow = await page.locator('.app-main').evaluate((main) =>
    main.scrollHeight - main.clientHeight);
  await page.setViewportSize({ width: size.width,
    height: size.height + Math.max(0, overflow) });
  await page.waitForTimeout(400); // charts follow their boxes' new sizes
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.setViewportSize(size);
}

describe('analysis views on ' + CAPTURE, () => {
  let browser: Browser;
  let server: StaticServer;
  let page: Page;
  let log: PageLog;

  before(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    server = await serveApp();
    browser = await launchBrowser();
    ({ page, log } = await openPage(browser));
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(server.url);
    const file = path.join(CAPTURES_DIR, CAPTURE);
    await pickFile(page, file);
    await waitForImport(page, 'done', (await stat(file)).size,
      IMPORT_TIMEOUT_MS);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the overview draws its charts', async () => {
    await openTab(page, 'overview');
    await page.locator('.hierarchy tbody tr').first()
      .waitFor({ timeout: VIEW_TIMEOUT_MS });
    const rows = await page.locator('.hierarchy tbody th').allInnerTexts();
    assert.deepEqual(rows.slice(0, 3), ['eth', 'ipv6', 'tcp']);
    assert.ok((await page.locator('.echart canvas').count()) >= 5);
    await page.waitForTimeout(500);
    await save(page, 'overview');
  });

  test('dragging across the timeline filters to that time', async () => {
    const all = await numberAttribute(page, 'flow-count');
    const chart = page.locator('.echart').first();
    const box = await chart.boundingBox();
    assert.ok(box, 'the timeline is on screen');
    const y = box.y + box.height * 0.45;
    await page.mouse.move(box.x + box.width * 0.35, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, y, { steps: 8 });
    await page.mouse.up();
    const chip = page.locator(byTestId('filter-chip'),
      { hasText: 'frame.time' });
    await chip.waitFor({ timeout: VIEW_TIMEOUT_MS });
    await page.locator(`${byTestId('flow-count')}:not([data-value="${all}"])`)
      .waitFor({ timeout: VIEW_TIMEOUT_MS });
    const kept = await numberAttribute(page, 'flow-count');
    assert.ok(kept > 0 && kept < all, `${kept} of ${all} flows kept`);
    await page.waitForTimeout(500);
    await save(page, 'overview-time-filter');

    await chip.locator('.filter-chip__remove').click();
    await page.locator(`${byTestId('flow-count')}[data-value="${all}"]`)
      .waitFor({ timeout: VIEW_TIMEOUT_MS });
  });

  test('top-talker is the address with the most bytes', async () => {
    await openTab(page, 'statistics');
    const talker = page.locator(byTestId('top-talker'));
    await talker.waitFor({ timeout: VIEW_TIMEOUT_MS });
    assert.equal(await talker.getAttribute('data-value'),
      await truthTopTalker());
    await page.locator('.endpoints__row[aria-rowindex="2"] .link-button')
      .waitFor({ timeout: VIEW_TIMEOUT_MS });
    await page.waitForTimeout(500);
    await save(page, 'statistics');

    await talker.click();
    await page.locator(`${byTestId('ip-page')} .small-table`).first()
      .waitFor({ timeout: VIEW_TIMEOUT_MS });
    await page.waitForTimeout(500);
    await save(page, 'ip-page');
    await page.locator(`${byTestId('ip-page')} button`, { hasText: 'Close' })
      .click();
  });

  test('the map shows traffic where it went, and a row filters to it',
    async () => {
      await openTab(page, 'map');
      const map = page.locator(`${byTestId('geo-map')}[data-ready="true"]`);
      await map.waitFor({ timeout: MAP_TIMEOUT_MS });
      const rows = page.locator(byTestId('country-row'));
      await rows.first().waitFor({ timeout: VIEW_TIMEOUT_MS });
      // Let the first frames with the countries' colours land.
      await page.waitForTimeout(1500);

      const codes = await rows.evaluateAll((buttons) => buttons.map((b) =>
        b.getAttribute('data-country') ?? ''));
      const top = rows.first();
      const [lon, lat] = (await top.getAttribute('data-point') ?? '')
        .split(',').map(Number);
      const quiet = QUIET_COUNTRIES.find(([code]) => !codes.includes(code));
      assert.ok(quiet, 'some large country had no traffic');
      const view = JSON.parse(
        await map.getAttribute('data-view') ?? '{}') as MapFrame;
      const [busyPixel, quietPixel] = await pixels(page,
        byTestId('geo-map'), view.width, [project(view, lon, lat),
          project(view, quiet[1], quiet[2])]);
      assert.notDeepEqual(busyPixel, quietPixel,
        `${codes[0]} and ${quiet[0]} are drawn alike`);
      await save(page, 'map');

      const expected = Number(await top.getAttribute('data-value'));
      await top.click();
      await page.locator(`${byTestId('flow-count')}[data-value="${expected}"]`)
        .waitFor({ timeout: VIEW_TIMEOUT_MS });
      assert.equal(await numberAttribute(page, 'flow-count'), expected);
      await page.locator(byTestId('country-panel'))
        .locator('.small-table').first()
        .waitFor({ timeout: VIEW_TIMEOUT_MS });
      await page.waitForTimeout(1000);
      await save(page, 'map-country');
    });

  test('the views said nothing wrong on the console', () => {
    // SwiftShader reports each read of picking pixels (deck.gl finds the
    // country under the pointer that way) as a performance warning.
    const problems = log.problems().filter((line) =>
      !/GL Driver Message \(OpenGL, Performance/.test(line));
    assert.deepEqual(problems, []);
  });
});

describe('analysis views on the bundled sample', () => {
  let browser: Browser;
  let server: StaticServer;
  let page: Page;

  before(async () => {
    server = await serveApp();
    browser = await launchBrowser();
    ({ page } = await openPage(browser));
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(server.url);
    await page.locator(byTestId('open-sample')).click();
    await page.locator(`${byTestId('import-progress')}[data-state="done"]`)
      .waitFor({ timeout: IMPORT_TIMEOUT_MS });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a cloud VM’s capture: names, countries and arcs', async () => {
    await openTab(page, 'statistics');
    await page.locator('.endpoints__row[aria-rowindex="2"] .link-button')
      .waitFor({ timeout: VIEW_TIMEOUT_MS });
    // The sample resolves its hosts through DNS: names reach the table.
    const names = await page.locator('.endpoints__row [title]')
      .evaluateAll((cells) => cells.map((c) => c.getAttribute('title')));
    assert.ok(names.some((name) => name && /\.[a-z]{2,}$/.test(name)),
      'some endpoint has a DNS name');
    await save(page, 'sample-statistics');

    await openTab(page, 'overview');
    await page.locator('.hierarchy tbody tr').first()
      .waitFor({ timeout: VIEW_TIMEOUT_MS });
    await page.waitForTimeout(500);
    await save(page, 'sample-overview');

    await openTab(page, 'map');
    await page.locator(`${byTestId('geo-map')}[data-ready="true"]`)
      .waitFor({ timeout: MAP_TIMEOUT_MS });
    await page.locator('.map-view__location select')
      .selectOption('westeurope');
    await page.locator(byTestId('country-row')).first()
      .waitFor({ timeout: VIEW_TIMEOUT_MS });
    await page.waitForTimeout(1500);
    await save(page, 'sample-map');
  });
});
