import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as T from '@capscope/parser/testing';
import type { TestPacket } from '@capscope/parser/testing';
import { CaptureAnalysis } from './analysis.js';
import type { FlowRecord } from './flow-record.js';
import { flowRecord } from './flow-record.js';

const CLIENT = [10, 0, 0, 4];
const SERVER = [203, 0, 113, 7];
const SYN = 0x02;
const SYN_ACK = 0x12;
const ACK = 0x10;
const FIN_ACK = 0x11;
const RST = 0x04;

function analyse(frames: Uint8Array[], linkType = 101): FlowRecord[] {
  const packets: TestPacket[] = frames.map((data, i) => ({
    seconds: 1764496800 + i,
    fraction: 0,
    data,
  }));
  const analysis = new CaptureAnalysis();
  analysis.push(T.pcapFile({ linkType }, packets));
  analysis.end();
  const c = analysis.flows.columns;
  const flows: FlowRecord[] = [];
  for (let i = 0; i < c.count; i++) {
    flows.push(flowRecord(c, i, { timeDigits: 6, names: [] }));
  }
  return flows;
}

const out = (flags: number, seq = 1000) =>
  T.ipv4(CLIENT, SERVER, 6, T.tcp(50000, 443, flags, undefined, seq));
const back = (flags: number) =>
  T.ipv4(SERVER, CLIENT, 6, T.tcp(443, 50000, flags));

test('a flow is bidirectional; the first sender is src', () => {
  const [flow, ...rest] = analyse([back(SYN), out(SYN_ACK), back(ACK)]);
  assert.equal(rest.length, 0);
  assert.equal(flow.src, '203.0.113.7');
  assert.equal(flow.srcPort, 443);
  assert.equal(flow.packetsOut, 2);
  assert.equal(flow.packetsIn, 1);
  assert.equal(flow.bytesOut, 80);
  assert.equal(flow.firstSeen, '2025-11-30T10:00:00.000000Z');
  assert.equal(flow.lastSeen, '2025-11-30T10:00:02.000000Z');
  assert.equal(flow.duration, 2);
  assert.equal(flow.app, 'tls');
});

test('a new SYN on a closed connection starts a new flow', () => {
  const closed = [out(SYN), back(SYN_ACK), out(FIN_ACK), back(FIN_ACK)];
  const flows = analyse([...closed, out(SYN, 5000), back(SYN_ACK)]);
  assert.equal(flows.length, 2);
  assert.equal(flows[0].packets, 4);
  assert.equal(flows[1].packets, 2);
  assert.equal(flows[1].firstSeen, '2025-11-30T10:00:04.000000Z');
});

test('a reset closes too; a repeated opening SYN does not reopen', () => {
  const reset = analyse([out(SYN), back(RST | ACK), out(SYN, 9000)]);
  assert.equal(reset.length, 2);
  const retried = analyse([out(SYN), back(RST | ACK), out(SYN)]);
  assert.equal(retried.length, 1);
  const open = analyse([out(SYN), back(SYN_ACK), out(SYN, 7)]);
  assert.equal(open.length, 1);
});

test('ICMP echo request and reply share a flow by identifier', () => {
  const flows = analyse([
    T.ipv4(CLIENT, SERVER, 1, T.icmpEcho(8, 42, 1)),
    T.ipv4(SERVER, CLIENT, 1, T.icmpEcho(0, 42, 1)),
    T.ipv4(CLIENT, SERVER, 1, T.icmpEcho(8, 43, 1)),
  ]);
  assert.equal(flows.length, 2);
  assert.equal(flows[0].proto, 'icmp');
  assert.equal(flows[0].srcPort, 8);
  assert.equal(flows[0].dstPort, 0);
  assert.equal(flows[0].packetsIn, 1);
  const v6 = T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
  const w6 = T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
  const icmp6 = analyse([
    T.ipv6(v6, w6, 58, T.icmpEcho(128, 5, 1)),
    T.ipv6(w6, v6, 58, T.icmpEcho(129, 5, 1)),
  ]);
  assert.equal(icmp6.length, 1);
  assert.equal(icmp6[0].proto, 'icmpv6');
  assert.equal(icmp6[0].src, '2001:db8::1');
});

test('every fragment counts in its datagram flow, in any order', () => {
  const payload = new Uint8Array(40);
  const first = T.ipv4(CLIENT, SERVER, 17, T.udp(5000, 53, payload),
    { id: 9, offset: 0, more: true });
  const middle = T.ipv4(CLIENT, SERVER, 17, new Uint8Array(48),
    { id: 9, offset: 48, more: true });
  const last = T.ipv4(CLIENT, SERVER, 17, new Uint8Array(10),
    { id: 9, offset: 96, more: false });
  for (const order of [[first, middle, last], [last, middle, first]]) {
    const flows = analyse(order);
    assert.equal(flows.length, 1);
    assert.equal(flows[0].srcPort, 5000);
    assert.equal(flows[0].packets, 3);
    assert.equal(flows[0].bytes, first.length + middle.length + last.length);
    assert.equal(flows[0].firstSeen, '2025-11-30T10:00:00.000000Z');
  }
  // A fragment whose first fragment never came still counts, portless.
  const orphan = analyse([middle]);
  assert.equal(orphan.length, 1);
  assert.equal(orphan[0].srcPort, null);
  assert.equal(orphan[0].proto, 'udp');
});

test('a tunnel gives an outer and an inner flow', () => {
  const inner = out(SYN);
  const frame = T.ipv4([192, 0, 2, 1], [192, 0, 2, 2], 47,
    T.concat(T.bytes(0, 0), T.u16be(0x0800), inner));
  const flows = analyse([frame]);
  assert.equal(flows.length, 2);
  assert.equal(flows[0].proto, '47');
  assert.equal(flows[0].bytes, frame.length);
  assert.equal(flows[1].proto, 'tcp');
  assert.equal(flows[1].tunnel, 'gre');
  assert.equal(flows[1].bytes, frame.length);
});

test('VLAN IDs are attributes, not part of the key', () => {
  const flows = analyse([
    T.ethernet(0x0800, out(SYN), [100]),
    T.ethernet(0x0800, back(SYN_ACK), [200]),
  ], 1);
  assert.equal(flows.length, 1);
  assert.equal(flows[0].vlan, 100);
});

test('ports cut away by the snap length key the flow by addresses', () => {
  const full = out(SYN);
  const analysis = new CaptureAnalysis();
  analysis.push(T.pcapFile({ linkType: 101, snapLength: 22 }, [
    { seconds: 1, fraction: 0, data: full.subarray(0, 22),
      originalLength: full.length },
  ]));
  analysis.end();
  const c = analysis.flows.columns;
  const flow = flowRecord(c, 0, { timeDigits: 6, names: [] });
  assert.equal(flow.srcPort, null);
  assert.equal(flow.proto, 'tcp');
  assert.equal(flow.bytes, full.length);
  assert.equal(analysis.totals.bytes, full.length);
});

test('frames without IP are in the totals and in no flow', () => {
  const analysis = new CaptureAnalysis();
  analysis.push(T.pcapFile({ linkType: 1 }, [
    { seconds: 1, fraction: 0, data: T.ethernet(0x0806, new Uint8Array(28)) },
  ]));
  analysis.end();
  assert.equal(analysis.totals.packets, 1);
  assert.equal(analysis.totals.nonIpPackets, 1);
  assert.equal(analysis.flows.count, 0);
});

test('many flows grow the table and stay findable', () => {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 5000; i++) {
    frames.push(T.ipv4(CLIENT, SERVER, 17, T.udp(1024 + i, 53)));
  }
  for (let i = 0; i < 5000; i++) {
    frames.push(T.ipv4(SERVER, CLIENT, 17, T.udp(53, 1024 + i)));
  }
  const flows = analyse(frames);
  assert.equal(flows.length, 5000);
  assert.ok(flows.every((f) => f.packetsOut === 1 && f.packetsIn === 1));
});

test('an ICMP error names the flow whose packet it quotes', () => {
  const probe = T.ipv4(CLIENT, SERVER, 17, T.udp(40000, 33434));
  const unreachable = T.ipv4(SERVER, CLIENT, 1,
    T.concat(T.bytes(3, 3, 0, 0, 0, 0, 0, 0), probe.subarray(0, 28)));
  const analysis = new CaptureAnalysis();
  analysis.push(T.pcapFile({ linkType: 101 }, [
    { seconds: 1, fraction: 0, data: T.ipv4(CLIENT, SERVER, 17,
      T.udp(40000, 9)) },
    { seconds: 2, fraction: 0, data: probe },
    { seconds: 3, fraction: 0, data: unreachable },
  ]));
  analysis.end();
  const c = analysis.flows.columns;
  assert.equal(c.count, 3);
  assert.equal(c.protocol[2], 1);
  // The quoted header is not a packet: the UDP flow still has one packet.
  assert.equal(c.packetsOut[1] + c.packetsIn[1], 1);
  assert.equal(c.relatedFlow[2], 1);
  assert.equal(c.relatedFlow[0], -1);
});

test('unknown link types: packets counted, one problem, not decoded', () => {
  const analysis = new CaptureAnalysis();
  analysis.push(T.pcapFile({ linkType: 147 }, [
    { seconds: 1, fraction: 0, data: out(SYN) },
    { seconds: 2, fraction: 0, data: out(SYN) },
    { seconds: 3, fraction: 0, data: new Uint8Array(0), originalLength: 0 },
  ]));
  analysis.end();
  assert.equal(analysis.totals.packets, 3);
  assert.equal(analysis.flows.count, 0);
  assert.deepEqual(analysis.problems.map((p) => [p.kind, p.packet]),
    [['unknown-link-type', 1], ['zero-length-record', 3]]);
});

test('a time past year 9999 is a problem and shows as null', () => {
  const analysis = new CaptureAnalysis();
  const late = T.concat(T.pcapngSection(),
    T.pcapngInterface({ linkType: 101, resolution: 0 }),
    T.pcapngEnhanced(0, 300_000_000_000n, out(SYN)));
  analysis.push(late);
  analysis.end();
  assert.equal(analysis.summary().firstSeen, null);
  assert.equal(analysis.problems[0].kind, 'time-out-of-range');
});
