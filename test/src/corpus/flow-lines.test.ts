// The CLI's JSON lines, written by the WebAssembly line writer, against
// JSON.stringify of the flow records, on every flow of the shared corpus,
// on names that need escaping and on values the writer leaves to
// JavaScript.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptureAnalysis } from '@capscope/analytics/analysis';
import { indexAddresses } from '@capscope/analytics/aggregates/address-index';
import {
  FlowLines,
  LineBuffer,
  loadFlowLines,
} from '@capscope/analytics/flow-lines';
import type { FlowContext } from '@capscope/analytics/flow-record';
import { flowRecord } from '@capscope/analytics/flow-record';
import { analyseFile, corpusFiles } from './corpus.js';

const decoder = new TextDecoder();

const module = await loadFlowLines();

/** Writes every flow's line, in batches, and compares them one by one. */
async function agree(
  analysis: CaptureAnalysis,
  context: FlowContext,
  label: string,
): Promise<number> {
  const c = analysis.flows.columns;
  const lines = await FlowLines.open(module, c, context, indexAddresses(c));
  // A small start, so that the buffer grows while lines are written.
  const out = new LineBuffer(16);
  for (let flow = 0; flow < c.count; flow++) lines.add(flow, out);
  lines.flush(out);
  const written = decoder.decode(out.take()).split('\n');
  assert.equal(written.pop(), '', `${label}: the last line ends`);
  assert.equal(written.length, c.count, `${label}: one line per flow`);
  for (let flow = 0; flow < c.count; flow++) {
    assert.equal(written[flow], JSON.stringify(flowRecord(c, flow, context)),
      `${label} flow ${flow}`);
  }
  return c.count;
}

test('flow lines are what JSON.stringify writes, on the corpus', async () => {
  let flows = 0;
  for (const name of corpusFiles()) {
    const { analysis } = analyseFile(name);
    if (!analysis) continue;
    // Countries as a GeoIP run would give them, one code per flow end.
    const codes = ['', 'DE', 'private', 'US'];
    const count = analysis.flows.count;
    const countries = {
      codes,
      src: Uint16Array.from({ length: count }, (_, i) => i % 4),
      dst: Uint16Array.from({ length: count }, (_, i) => (i + 1) % 4),
    };
    flows += await agree(analysis, {
      timeDigits: analysis.totals.timeDigits,
      names: analysis.names,
      addressNames: analysis.addressNames,
      countries,
    }, name);
  }
  assert.ok(flows > 1000, `${flows} flows`);
});

test('flow lines escape text from packets as JSON.stringify does',
  async () => {
  const { analysis } = analyseFile('pcapplusplus__tls2.pcap');
  assert.ok(analysis);
  const hostile = ['"quoted"', 'back\\slash', 'line\nbreak\u0000\u001f',
    '\u2028\u2029', 'lone \ud800 surrogate', '<script>', 'ümlaut 名前',
    '\u007f del', 'emoji 😀'];
  const c = analysis.flows.columns;
  for (let flow = 0; flow < c.count; flow++) {
    c.host[flow] = flow % hostile.length;
  }
  const addressNames = new Map<string, string>();
  for (let flow = 0; flow < c.count; flow++) {
    const record = flowRecord(c, flow, { timeDigits: 6, names: [] });
    addressNames.set(record.src, hostile[flow % hostile.length]);
  }
  await agree(analysis, { timeDigits: 6, names: hostile, addressNames,
    countries: { codes: ['', '"x"'], src: new Uint16Array(c.count).fill(1),
      dst: new Uint16Array(c.count) } }, 'hostile');
});

test('numbers are written as JSON.stringify writes them', async () => {
  // Flows of a real capture with counts and round trips rewritten: values
  // the writer writes itself and values it leaves to JavaScript (not
  // whole, past 2^53, below a microsecond, a million seconds or more).
  const { analysis } = analyseFile('pcapplusplus__tls2.pcap');
  assert.ok(analysis);
  const c = analysis.flows.columns;
  const counts = [0, -0, 1, 9, 10, 99, 100, 12345678901234, 2 ** 53 - 1,
    2 ** 53, 1e21, 0.5, 1.25e-7, -3, NaN, Infinity];
  const rtts = [-1, 0, 1e-10, 4e-10, 6e-10, 1e-7, 5e-7, 9.995e-7, 1e-6,
    0.0000015, 0.019323, 0.1 + 0.2, 1.5, 123.456789012, 999999.999999999,
    1e6, 2 ** 40];
  const rows = Math.max(counts.length, rtts.length);
  assert.ok(c.count >= rows, `${c.count} flows`);
  for (let flow = 0; flow < rows; flow++) {
    const count = counts[flow % counts.length];
    c.packetsOut[flow] = count;
    c.bytesIn[flow] = count;
    c.missingBytes[flow] = count;
    c.handshakeRtt[flow] = rtts[flow % rtts.length];
  }
  await agree(analysis, { timeDigits: 6, names: analysis.names }, 'numbers');
});

test('times and durations are written as JSON.stringify writes them',
  async () => {
  // Flows of a real capture with their times rewritten: durations from
  // 0 to past the exact range, below a microsecond (written with an
  // exponent), whole seconds, and times at the ends of the calendar.
  const { analysis } = analyseFile('pcapplusplus__tls2.pcap');
  assert.ok(analysis);
  const c = analysis.flows.columns;
  const starts = [0, 1796032800, 253402300799, -62135596800, 1e12, 86399];
  const spans = [[0, 0], [0, 1], [0, 999], [0, 1000], [0, 999999999],
    [1, -999999999], [1, 0], [12, 345678901], [999999, 999999999],
    [1000000, 1], [3e9, 7], [0, 100], [5, 500000000]];
  let flow = 0;
  for (const first of starts) {
    for (const [seconds, nanos] of spans) {
      if (flow >= c.count) break;
      // Both times as valid (seconds, nanos) pairs, nanos below 10^9.
      const firstNanos = nanos < 0 ? 999999999 : (123456789 * flow) % 1e9;
      const lastNanos = firstNanos + nanos;
      const carry = Math.floor(lastNanos / 1e9);
      c.firstSeconds[flow] = first;
      c.firstNanos[flow] = firstNanos;
      c.lastSeconds[flow] = first + seconds + carry;
      c.lastNanos[flow] = lastNanos - carry * 1e9;
      flow++;
    }
  }
  assert.ok(flow >= 40, `${flow} flows rewritten`);
  for (const timeDigits of [0, 3, 6, 9]) {
    await agree(analysis, { timeDigits, names: analysis.names },
      `digits ${timeDigits}`);
  }
});
