// The CLI's hand-built JSON lines against JSON.stringify, on every flow of
// the shared corpus and on names that need escaping.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flowJson, type FlowRecord } from '@capscope/analytics/flow-record';
import { analyseFile, corpusFiles } from './corpus.js';

test('flowJson writes what JSON.stringify writes, on the corpus', () => {
  let flows = 0;
  for (const name of corpusFiles()) {
    for (const record of analyseFile(name).flows) {
      assert.equal(flowJson(record), JSON.stringify(record), name);
      flows++;
    }
  }
  assert.ok(flows > 1000, `${flows} flows`);
});

test('flowJson escapes text from packets as JSON.stringify does', () => {
  const base = analyseFile('pcapplusplus__tls2.pcap').flows[0];
  const hostile = ['"quoted"', 'back\\slash', 'line\nbreak\u0000\u001f',
    '\u2028\u2029', 'lone \ud800 surrogate', '<script>', 'ümlaut 名前'];
  for (const text of hostile) {
    const record: FlowRecord = {
      ...base, host: text, srcName: text, dstName: text, srcCountry: text,
      firstSeen: null, srcPort: null, rtt: null, vlan: null,
    };
    assert.equal(flowJson(record), JSON.stringify(record));
    assert.deepEqual(JSON.parse(flowJson(record)), record);
  }
});
