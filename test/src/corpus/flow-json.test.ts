// The CLI's hand-built JSON lines against JSON.stringify of the flow
// records, on every flow of the shared corpus and on names that need
// escaping.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptureAnalysis } from '@capscope/analytics/analysis';
import type { FlowContext } from '@capscope/analytics/flow-record';
import { flowJson, flowRecord } from '@capscope/analytics/flow-record';
import { analyseFile, corpusFiles } from './corpus.js';

function agree(analysis: CaptureAnalysis, context: FlowContext, label: string) {
  const c = analysis.flows.columns;
  for (let flow = 0; flow < c.count; flow++) {
    assert.equal(flowJson(c, flow, context),
      JSON.stringify(flowRecord(c, flow, context)), `${label} flow ${flow}`);
  }
  return c.count;
}

test('flowJson writes what JSON.stringify writes, on the corpus', () => {
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

test('flowJson escapes text from packets as JSON.stringify does', () => {
  const { analysis } = analyseFile('pcapplusplus__tls2.pcap');
  assert.ok(analysis);
  const hostile = ['"quoted"', 'back\\slash', 'line\nbreak\u0000\u001f',
    '\u2028\u2029', 'lone \ud800 surrogate', '<script>', 'ümlaut 名前'];
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
