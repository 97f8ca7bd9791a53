import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as T from '@capscope/parser/testing';
import type { TestPacket } from '@capscope/parser/testing';
import { CaptureAnalysis } from './analysis.js';
import { flowRecord, type FlowRecord } from './flow-record.js';
import { COLUMN_NAMES } from './flow-table.js';
import { COLUMN_MERGE, mergeFlows, type MergeSource } from './merge.js';

const CLIENT = [10, 0, 0, 4];
const SERVER = [203, 0, 113, 7];
const OTHER = [198, 51, 100, 9];
const SYN = 0x02;
const SYN_ACK = 0x12;
const ACK = 0x10;
const FIN_ACK = 0x11;
const START_SECONDS = 1764496800;

/** A packet at `second` seconds after the start. */
type Timed = [second: number, frame: Uint8Array];

function capture(packets: Timed[]): MergeSource {
  const records: TestPacket[] = packets.map(([second, data]) => ({
    seconds: START_SECONDS + second,
    fraction: 0,
    data,
  }));
  const analysis = new CaptureAnalysis();
  analysis.push(T.pcapFile({ linkType: 101 }, records));
  analysis.end();
  return {
    columns: analysis.columns(),
    keyPorts: analysis.flows.keyPorts(),
    names: [...analysis.names],
  };
}

function records(source: MergeSource): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (let i = 0; i < source.columns.count; i++) {
    out.push(flowRecord(source.columns, i,
      { timeDigits: 0, names: source.names }));
  }
  return out;
}

const out = (flags: number, port = 50000, seq = 1000) =>
  T.ipv4(CLIENT, SERVER, 6, T.tcp(port, 443, flags, undefined, seq));
const back = (flags: number, port = 50000) =>
  T.ipv4(SERVER, CLIENT, 6, T.tcp(443, port, flags));
const dns = (id: number) =>
  T.ipv4(CLIENT, OTHER, 17, T.udp(40000 + id, 53, new Uint8Array(20)));

test('every flow column has a merge rule', () => {
  const missing = COLUMN_NAMES.filter((name) => !(name in COLUMN_MERGE));
  assert.deepEqual(missing, []);
});

test('one capture merged alone is itself', () => {
  const a = capture([
    [0, out(SYN)], [1, back(SYN_ACK)], [2, out(ACK)],
    [3, out(FIN_ACK)], [4, back(FIN_ACK)],
    [5, out(SYN, 50000, 9000)], [6, back(SYN_ACK)],
    [7, dns(1)], [8, dns(2)],
  ]);
  const merged = mergeFlows([a]);
  assert.deepEqual(merged.columns, a.columns);
  assert.deepEqual(merged.keyPorts, a.keyPorts);
});

test('a connection cut between two captures becomes one flow', () => {
  const first = capture([[0, out(SYN)], [1, back(SYN_ACK)], [2, out(ACK)]]);
  // The second capture starts with a reply: on its own, its src is SERVER.
  const second = capture([[10, back(ACK)], [11, out(FIN_ACK)],
    [12, back(FIN_ACK)]]);
  assert.equal(records(second)[0].src, '203.0.113.7');

  for (const order of [[first, second], [second, first]]) {
    const [flow, ...rest] = records(mergeFlows(order));
    assert.equal(rest.length, 0);
    assert.equal(flow.src, '10.0.0.4', 'the earliest flow gives src');
    assert.equal(flow.srcPort, 50000);
    assert.equal(flow.packetsOut, 3);
    assert.equal(flow.packetsIn, 3);
    assert.equal(flow.bytesOut, 120);
    assert.equal(flow.firstSeen, '2025-11-30T10:00:00Z');
    assert.equal(flow.lastSeen, '2025-11-30T10:00:12Z');
    assert.equal(flow.state, 'SF', 'both sides closed, per side');
  }
});

test('flows of one capture that share a key stay apart', () => {
  const closed = [out(SYN), back(SYN_ACK), out(FIN_ACK), back(FIN_ACK)];
  const a = capture([
    ...closed.map((frame, i): Timed => [i, frame]),
    [5, out(SYN, 50000, 7000)], [6, back(SYN_ACK)],
  ]);
  assert.equal(a.columns.count, 2);
  // The next capture carries on with the second connection.
  const b = capture([[20, out(ACK)], [21, back(ACK)]]);
  const flows = records(mergeFlows([a, b]));
  assert.equal(flows.length, 2);
  assert.equal(flows[0].packets, 4);
  assert.equal(flows[1].packets, 4);
  assert.equal(flows[1].lastSeen, '2025-11-30T10:00:21Z');
});

test('a SYN after a closed connection starts a new flow', () => {
  const a = capture([[0, out(SYN)], [1, back(SYN_ACK)], [2, out(FIN_ACK)],
    [3, back(FIN_ACK)]]);
  const reopened = capture([[10, out(SYN, 50000, 5000)], [11, back(SYN_ACK)]]);
  assert.equal(mergeFlows([a, reopened]).columns.count, 2);
  // Without a SYN it is the same connection's late packets.
  const late = capture([[10, back(ACK)]]);
  assert.equal(mergeFlows([a, late]).columns.count, 1);
});

test('ICMP echoes merge by identifier, not by type and code', () => {
  const ping = (id: number, type: number) =>
    type === 8
      ? T.ipv4(CLIENT, SERVER, 1, T.icmpEcho(8, id, 1))
      : T.ipv4(SERVER, CLIENT, 1, T.icmpEcho(0, id, 1));
  const a = capture([[0, ping(7, 8)], [1, ping(9, 8)]]);
  const b = capture([[2, ping(7, 0)], [3, ping(8, 0)]]);
  const flows = records(mergeFlows([a, b]));
  assert.equal(flows.length, 3);
  assert.deepEqual(flows.map((f) => f.packets), [2, 1, 1]);
  assert.equal(flows[0].src, '10.0.0.4', 'the request came first');
});

test('host names are renumbered into one list', () => {
  const a: MergeSource = { ...capture([[0, dns(1)]]), names: ['a.example'] };
  a.columns.host[0] = 0;
  const b: MergeSource = {
    ...capture([[1, dns(2)], [2, dns(1)]]),
    names: ['b.example', 'a.example'],
  };
  b.columns.host[0] = 0;
  b.columns.host[1] = 1;
  const merged = mergeFlows([a, b]);
  assert.deepEqual(merged.names, ['a.example', 'b.example']);
  assert.deepEqual(records(merged).map((f) => f.host),
    ['a.example', 'b.example']);
});

test('merging a merge with more captures is merging them all', () => {
  const a = capture([[0, out(SYN)], [1, back(SYN_ACK)], [2, dns(1)]]);
  const b = capture([[3, back(ACK)], [4, dns(1)], [5, out(SYN, 50001)]]);
  const c = capture([[6, out(ACK, 50001)], [7, back(FIN_ACK)], [8, dns(3)],
    [9, out(FIN_ACK)]]);
  const d = capture([[10, out(SYN, 50000, 99)], [11, back(ACK, 50001)]]);
  const all = mergeFlows([a, b, c, d]);
  assert.deepEqual(mergeFlows([mergeFlows([a, b]), c, d]), all);
  assert.deepEqual(mergeFlows([mergeFlows([a, b, c]), d]), all);
  assert.deepEqual(mergeFlows([a, mergeFlows([b, c, d])]).columns.count,
    all.columns.count);
});

test('merging leaves its inputs as they were', () => {
  const a = capture([[0, out(SYN)], [1, back(SYN_ACK)]]);
  const b = capture([[2, back(ACK)], [3, dns(1)]]);
  const copies = [structuredClone(a), structuredClone(b)];
  mergeFlows([a, b]);
  assert.deepEqual([a, b], copies);
});
