import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FlowRecord } from '@capscope/analytics/flow-record';
import { analyseFile, endpointKey } from './corpus.js';

/**
 * What tshark's TCP analysis marks per connection, recorded beside this
 * test by test/tools/record-tcp-truth.py (the exact commands are in it).
 */
interface Truth {
  tshark: string;
  captures: Record<string, Record<string, {
    command: string;
    connections: Record<string, number>;
  }>>;
}

const TRUTH: Truth = JSON.parse(readFileSync(fileURLToPath(
  new URL('../../tcp-analysis-truth.json', import.meta.url)), 'utf8'));

function perConnection(flows: FlowRecord[], field: keyof FlowRecord) {
  const out: Record<string, number> = {};
  for (const flow of flows) {
    const value = flow[field] as number;
    if (flow.proto !== 'tcp' || !value) continue;
    const key = endpointKey('', flow.src, flow.srcPort, flow.dst, flow.dstPort)
      .slice(1);
    out[key] = (out[key] ?? 0) + value;
  }
  return Object.fromEntries(Object.entries(out).sort());
}

/** tshark's key text: "a port | b port", endpoints in text order. */
function tsharkKeys(connections: Record<string, number>) {
  return Object.fromEntries(Object.entries(connections).map(([k, v]) => {
    const [a, b] = k.split(' | ');
    const [ah, ap] = a.split(' ');
    const [bh, bp] = b.split(' ');
    return [endpointKey('', ah, Number(ap), bh, Number(bp)).slice(1), v];
  }).sort());
}

for (const [name, marks] of Object.entries(TRUTH.captures)) {
  test(`${name}: retransmissions, segments out of order, segments not ` +
    'captured and zero windows agree with tshark, connection by connection',
  () => {
    const { flows } = analyseFile(name);
    const cases: Array<[string, keyof FlowRecord]> = [
      ['tcp.analysis.retransmission', 'retransmissions'],
      ['tcp.analysis.out_of_order', 'outOfOrder'],
      ['tcp.analysis.lost_segment', 'lostSegments'],
      ['tcp.analysis.zero_window', 'zeroWindows'],
    ];
    for (const [mark, field] of cases) {
      assert.deepEqual(perConnection(flows, field),
        tsharkKeys(marks[mark].connections), `${mark} (${TRUTH.tshark})`);
    }
  });
}
