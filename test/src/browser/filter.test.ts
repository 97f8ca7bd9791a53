// The filter in the web app, end to end in Chromium: an expression typed
// into the box sets the figures to what tshark's conversations of the
// capture say independently; errors point at their position; clicks on
// the flows table add removable terms; Back undoes a filter; and a reload
// keeps the filter in the URL for the capture opened again.

import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { StaticServer } from '../../../scripts/static-server.mjs';
import { CAPTURES_DIR } from './corpus-truth.js';
import { launchBrowser, openPage, serveApp } from './harness.js';
import {
  byTestId,
  numberAttribute,
  pickFile,
  shownTotals,
  waitForImport,
} from './page-helpers.js';

const CAPTURE = 'pcapplusplus__tls2.pcap';
/** Generous for a few MB on a shared two-core machine. */
const TIMEOUT_MS = 20_000;
/** How long a reloaded page gets to reopen its dataset by itself. */
const REOPEN_TIMEOUT_MS = 8_000;

interface Conversation {
  proto: string;
  a: string;
  aport: number | null;
  b: string;
  bport: number | null;
  packets: number;
  bytes: number;
}

/** What the page must show for one filter, from tshark's conversations. */
interface Expected {
  flows: number;
  tcpFlows: number;
  udpFlows: number;
  packets: number;
  bytes: number;
}

async function readConversations(): Promise<Conversation[]> {
  const text = await readFile(
    path.join(CAPTURES_DIR, `${CAPTURE}.truth.json`),
    'utf8',
  );
  const truth = JSON.parse(text) as {
    tshark: { conversations: Conversation[] };
  };
  return truth.tshark.conversations;
}

/** The transport conversations (flows) that `keep` selects, summed. */
function expectFigures(
  conversations: Conversation[],
  keep: (c: Conversation) => boolean,
): Expected {
  const flows = conversations.filter(
    (c) => (c.proto === 'tcp' || c.proto === 'udp') && keep(c),
  );
  return {
    flows: flows.length,
    tcpFlows: flows.filter((c) => c.proto === 'tcp').length,
    udpFlows: flows.filter((c) => c.proto === 'udp').length,
    packets: flows.reduce((sum, c) => sum + c.packets, 0),
    bytes: flows.reduce((sum, c) => sum + c.bytes, 0),
  };
}

/**
 * True when all of an address's traffic is TCP or UDP: each of its
 * IP-level conversations has exactly the packets of its transport
 * conversations, so no ICMP or other flow of ours is missing from
 * tshark's transport conversations.
 */
function allTransport(conversations: Conversation[], address: string): boolean {
  const transport = conversations.filter(
    (c) => c.proto === 'tcp' || c.proto === 'udp',
  );
  const samePair = (x: Conversation, y: Conversation) =>
    (x.a === y.a && x.b === y.b) || (x.a === y.b && x.b === y.a);
  return conversations
    .filter((n) => n.proto === 'ip' || n.proto === 'ipv6')
    .filter((n) => n.a === address || n.b === address)
    .every((n) => n.packets === transport
      .filter((t) => samePair(t, n))
      .reduce((sum, t) => sum + t.packets, 0));
}

/** The address of that IP version with the most flows, all TCP or UDP. */
function busiestAddress(conversations: Conversation[], version: 4 | 6): string {
  const transport = conversations.filter(
    (c) => c.proto === 'tcp' || c.proto === 'udp',
  );
  const counts = new Map<string, number>();
  for (const c of transport) {
    for (const address of new Set([c.a, c.b])) {
      counts.set(address, (counts.get(address) ?? 0) + 1);
    }
  }
  const candidates = [...counts]
    .filter(([address]) => address.includes(':') === (version === 6))
    .sort((x, y) => y[1] - x[1])
    .map(([address]) => address);
  const address = candidates.find((a) => allTransport(conversations, a));
  assert.ok(address, `an IPv${version} address of ${CAPTURE} to filter on`);
  return address;
}

const involves = (address: string) => (c: Conversation) =>
  c.a === address || c.b === address;

async function applyFilter(page: Page, expression: string): Promise<void> {
  const input = page.locator(byTestId('filter-input'));
  await input.fill(expression);
  await input.press('Enter');
}

async function waitForFlowCount(page: Page, flows: number): Promise<void> {
  await page
    .locator(`${byTestId('flow-count')}[data-value="${flows}"]`)
    .waitFor({ timeout: TIMEOUT_MS });
}

async function assertFigures(
  page: Page,
  expected: Expected,
  what: string,
): Promise<void> {
  await waitForFlowCount(page, expected.flows);
  assert.deepEqual(await shownTotals(page), expected, what);
  // The table lists the kept flows only (a heading row plus one each).
  await page
    .locator(`${byTestId('flow-table')} table[aria-rowcount="${expected.flows + 1}"]`)
    .waitFor({ timeout: TIMEOUT_MS });
}

function hashFilter(page: Page): string | null {
  const fragment = new URL(page.url()).hash.replace(/^#/, '');
  const value = new URLSearchParams(fragment).get('f');
  return value;
}

describe('web app: the filter', () => {
  let server: StaticServer;
  let browser: Browser;
  let conversations: Conversation[];
  let capturePath: string;
  let captureBytes: number;

  before(async () => {
    server = await serveApp();
    browser = await launchBrowser();
    conversations = await readConversations();
    capturePath = path.join(CAPTURES_DIR, CAPTURE);
    captureBytes = (await stat(capturePath)).size;
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('ip.addr sets the figures tshark counts, in the URL and after a reload',
    async () => {
      const v4 = busiestAddress(conversations, 4);
      const v6 = busiestAddress(conversations, 6);
      const all = expectFigures(conversations, () => true);
      const byV4 = expectFigures(conversations, involves(v4));
      const byV6 = expectFigures(conversations, involves(v6));
      const v4Filter = `ip.addr == ${v4}`;

      const { context, page, log } = await openPage(browser);
      try {
        await page.goto(server.url);
        await pickFile(page, capturePath);
        await waitForImport(page, 'done', captureBytes, TIMEOUT_MS);
        assert.equal(await numberAttribute(page, 'flow-count'), all.flows);
        const captureTotals = await shownTotals(page);

        await applyFilter(page, v4Filter);
        await assertFigures(page, byV4, v4Filter);
        assert.equal(hashFilter(page), v4Filter, 'the filter is in the URL');

        // An error names its position and leaves the filter in force.
        await applyFilter(page, 'ip.addr == 10.0.0');
        const error = page.locator(byTestId('filter-error'));
        await error.waitFor({ timeout: TIMEOUT_MS });
        assert.equal(await error.getAttribute('data-position'), '11');
        assert.match(await error.innerText(), /not an IP address/);
        assert.equal(await numberAttribute(page, 'flow-count'), byV4.flows);
        assert.equal(hashFilter(page), v4Filter);

        await applyFilter(page, `ip.addr == ${v6}`);
        await assertFigures(page, byV6, v6);
        assert.equal(await error.count(), 0, 'the error is gone');

        // Back returns to the previous filter.
        await page.goBack();
        await assertFigures(page, byV4, `back to ${v4Filter}`);
        assert.equal(
          await page.locator(byTestId('filter-input')).inputValue(),
          v4Filter,
        );

        // Clearing shows the capture's own totals again.
        await applyFilter(page, '');
        await waitForFlowCount(page, all.flows);
        assert.deepEqual(await shownTotals(page), captureTotals);
        assert.equal(hashFilter(page), null);

        // A reload keeps the filter. The capture itself is never in the
        // URL: the dataset the URL names reopens from IndexedDB, or, where
        // the page cannot reopen it, the file is picked again; either way
        // it gets the filter of the URL.
        await page.goBack();
        await waitForFlowCount(page, byV4.flows);
        await page.reload();
        assert.equal(hashFilter(page), v4Filter);
        const reopened = await page
          .locator(`${byTestId('import-progress')}[data-state="done"]`)
          .waitFor({ timeout: REOPEN_TIMEOUT_MS })
          .then(() => true, () => false);
        if (!reopened) {
          await pickFile(page, capturePath);
          await waitForImport(page, 'done', captureBytes, TIMEOUT_MS);
        }
        await assertFigures(page, byV4, `${v4Filter} after a reload`);
        assert.equal(hashFilter(page), v4Filter);
        assert.equal(
          await page.locator(byTestId('filter-input')).inputValue(),
          v4Filter,
        );
        assert.deepEqual(log.problems(), [], 'the page raised no errors');
      } finally {
        await context.close();
      }
    });

  test('clicks on the flows table add terms that chips remove', async () => {
    const { context, page, log } = await openPage(browser);
    try {
      await page.goto(server.url);
      await pickFile(page, capturePath);
      await waitForImport(page, 'done', captureBytes, TIMEOUT_MS);
      const all = expectFigures(conversations, () => true);

      // "Only this" on the first flow's destination.
      const firstRow = page.locator(byTestId('flow-row')).first();
      const dstCell = firstRow.locator('[data-column="dst"]');
      const dst = (await dstCell.innerText()).trim();
      assert.ok(allTransport(conversations, dst), `${dst}: TCP or UDP only`);
      await dstCell.click();
      await page.locator(byTestId('cell-filter-only')).click();
      const chip = page.locator(byTestId('filter-chip'));
      await chip.waitFor({ timeout: TIMEOUT_MS });
      assert.equal(await chip.getAttribute('data-term'), `ip.addr == ${dst}`);
      assert.equal(await chip.getAttribute('data-mode'), 'only');
      const onlyDst = expectFigures(conversations, involves(dst));
      await assertFigures(page, onlyDst, `only ${dst}`);

      // "Exclude this" on a TCP port of a listed flow adds a second term.
      const portCell = page
        .locator(byTestId('flow-row'))
        .first()
        .locator('[data-column="dstPort"]');
      const port = Number((await portCell.innerText()).trim());
      await portCell.click();
      await page.locator(byTestId('cell-filter-exclude')).click();
      await page.locator(byTestId('filter-chip')).nth(1).waitFor();
      const truthPort = (c: Conversation) =>
        c.aport === port || c.bport === port;
      const withoutPort = expectFigures(conversations,
        (c) => involves(dst)(c) && !truthPort(c));
      await assertFigures(page, withoutPort, `only ${dst}, not port ${port}`);
      assert.equal(hashFilter(page),
        `(ip.addr == ${dst}) && !(tcp.port == ${port})`);

      // × removes a term; removing both leaves no filter.
      await page.locator(byTestId('filter-chip')).nth(1)
        .getByRole('button').click();
      await assertFigures(page, onlyDst, 'the port term removed');
      await page.locator(byTestId('filter-chip')).getByRole('button').click();
      await waitForFlowCount(page, all.flows);
      assert.equal(await page.locator(byTestId('filter-chip')).count(), 0);
      assert.deepEqual(log.problems(), [], 'the page raised no errors');
    } finally {
      await context.close();
    }
  });

  test('the box completes field names from the keyboard', async () => {
    const { context, page } = await openPage(browser);
    try {
      await page.goto(server.url);
      await pickFile(page, capturePath);
      await waitForImport(page, 'done', captureBytes, TIMEOUT_MS);

      const input = page.locator(byTestId('filter-input'));
      await input.click();
      await input.pressSequentially('tcp && ip.s');
      const options = page
        .locator(byTestId('filter-suggestions'))
        .getByRole('option');
      await options.first().waitFor({ timeout: TIMEOUT_MS });
      const names = await options.locator('code').allInnerTexts();
      assert.ok(names.includes('ip.src'), names.join(', '));
      await input.press('ArrowDown');
      await input.press('Enter');
      assert.equal(await input.inputValue(), `tcp && ${names[0]}`);
      assert.equal(await options.count(), 0, 'the list closes');
    } finally {
      await context.close();
    }
  });
});
