// Reading the web app's figures through its stable test hooks
// (data-testid, DESIGN.md), shared by the hardening and offline tests.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

export function byTestId(testId: string): string {
  return `[data-testid="${testId}"]`;
}

export async function numberAttribute(
  page: Page,
  testId: string,
  name = 'data-value',
): Promise<number> {
  const value = await page.locator(byTestId(testId)).getAttribute(name);
  assert.match(value ?? '', /^\d+$/, `${testId} ${name} is plain digits`);
  return Number(value);
}

/**
 * Waits until the import of a file of `bytesTotal` bytes reaches `state`;
 * the size tells one import from another on the same page.
 */
export async function waitForImport(
  page: Page,
  state: 'done' | 'error',
  bytesTotal: number,
  timeoutMs: number,
): Promise<void> {
  await page
    .locator(
      `${byTestId('import-progress')}[data-state="${state}"]` +
        `[data-total="${bytesTotal}"]`,
    )
    .waitFor({ timeout: timeoutMs });
}

/** How often waitForExpression looks again. */
const POLL_MS = 100;

/**
 * Waits until `expression`, evaluated in the page, is truthy. Unlike
 * page.waitForFunction with a string, which compiles the string with eval
 * inside the page, this works under the app's Content-Security-Policy.
 */
export async function waitForExpression(
  page: Page,
  expression: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const timedOut = () =>
    new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
  for (;;) {
    // evaluate() has no timeout of its own: across a navigation it waits
    // for the next page, which may never come.
    const left = Math.max(1, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), left);
    });
    const value = await Promise.race([
      page.evaluate(expression).catch(() => false),
      expired,
    ]);
    clearTimeout(timer);
    if (value === 'expired') throw timedOut();
    if (value) return;
    if (Date.now() > deadline) throw timedOut();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function pickFile(page: Page, filePath: string): Promise<void> {
  await page.locator(byTestId('file-input')).setInputFiles(filePath);
}

/** The figures a capture's totals show. */
export interface ShownTotals {
  packets: number;
  bytes: number;
  flows: number;
  tcpFlows: number;
  udpFlows: number;
}

export async function shownTotals(page: Page): Promise<ShownTotals> {
  return {
    packets: await numberAttribute(page, 'packet-count'),
    bytes: await numberAttribute(page, 'byte-total'),
    flows: await numberAttribute(page, 'flow-count'),
    tcpFlows: await numberAttribute(page, 'flow-count', 'data-tcp'),
    udpFlows: await numberAttribute(page, 'flow-count', 'data-udp'),
  };
}
