// The CLI's JSON lines, written straight into bytes, against
// JSON.stringify of the flow records, on every flow of the shared corpus
// and on names that need escaping.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptureAnalysis } from '@capscope/analytics/analysis';
import { JsonBytes, writeFlowJson } from '@capscope/analytics/flow-json';
import type { FlowContext } from '@capscope/analytics/flow-record';
import { flowRecord } from '@capscope/analytics/flow-record';
import { analyseFile, corpusFiles } from './corpus.js';

const decoder = new TextDecoder();

function agree(analysis: CaptureAnalysis, context: FlowContext, label: string) {
  const c = analysis.flows.columns;
  // A small start, so that the writer grows while it writes.
  const out = new JsonBytes(16);
  for (let flow = 0; flow < c.count; flow++) {
    writeFlowJson(out, c, flow, context);
    assert.equal(decoder.decode(out.take()),
      JSON.stringify(flowRecord(c, flow, context)) + '\n',
      `${label} flow ${flow}`);
  }
  return c.count;
}

test('flow lines are what JSON.stringify writes, on the corpus', () => {
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
    flows += agree(analysis, {
      timeDigits: analysis.totals.timeDigits,
      names: analysis.names,
      addressNames: analysis.addressNames,
      countries,
    }, name);
  }
  assert.ok(flows > 1000, `${flows} flows`);
});

test('flow lines escape text from packets as JSON.stringify does', () => {
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
  agree(analysis, { timeDigits: 6, names: hostile, addressNames,
    countries: { codes: ['', '"x"'], src: new Uint16Array(c.count).fill(1),
      dst: new Uint16Array(c.count) } }, 'hostile');
});

test('numbers are written as JSON.stringify writes them', () => {
  const out = new JsonBytes(4);
  const values = [0, -0, 1, 9, 10, 99, 100, 12345678901234, 2 ** 53 - 1,
    2 ** 53, 1e21, 0.5, 1.25e-7, -3, NaN, Infinity, null];
  for (const value of values) {
    out.number(value);
    assert.equal(decoder.decode(out.take()), JSON.stringify(value),
      String(value));
  }
});
