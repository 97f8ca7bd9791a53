import assert from 'node:assert/strict';
import test from 'node:test';
import { prng } from '@capscope/parser/header-kernel-testing';
import * as T from '@capscope/parser/testing';
import { CaptureAnalysis } from './analysis.js';
import { mergeParts } from './partition-merge.js';
import {
  analyseInParts,
  analyseWhole,
  comparable,
} from './partition-testing.js';

/** A DNS response naming `address` (4 bytes) for `name`. */
function dnsAnswer(name: string, address: number[]): Uint8Array {
  const labels = name.split('.').flatMap((label) =>
    [label.length, ...[...label].map((ch) => ch.charCodeAt(0))]);
  return T.concat(
    T.bytes(0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0),
    T.bytes(...labels, 0, 0, 1, 0, 1),
    T.bytes(0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...address),
  );
}

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
const TCP_FIN = 0x01;
const TCP_RST = 0x04;

/**
 * A capture that crosses workers in every way one can: many address
 * pairs, TCP connections closed and reopened on the same ports, fragment
 * trains out of order (some never completed), IP-in-IP tunnels whose
 * inner and outer flows belong to different workers, ICMP errors quoting
 * flows of other address pairs, DNS answers naming the same address
 * differently, packets out of time order, and frames without IP.
 */
function mixedCapture(seed: number, frames: number): Uint8Array {
  const next = prng(seed);
  const pick = <V>(list: V[]): V => list[Math.floor(next() * list.length)];
  const hosts = Array.from({ length: 24 }, (_, i) => [10, 0, i >> 4, i + 1]);
  const hosts6 = Array.from({ length: 6 }, (_, i) =>
    T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, i + 1));
  const packets: T.TestPacket[] = [];
  let seconds = 1_700_000_000;
  const push = (data: Uint8Array) => {
    seconds += next() < 0.05 ? -1 : Math.floor(next() * 2);
    packets.push({ seconds, fraction: Math.floor(next() * 1e6), data });
  };
  const sent: Uint8Array[] = [];
  let fragmentId = 1;

  while (packets.length < frames) {
    const a = pick(hosts);
    let b = pick(hosts);
    if (b === a) b = hosts[(hosts.indexOf(a) + 1) % hosts.length];
    const port = 40000 + Math.floor(next() * 6);
    const roll = next();
    if (roll < 0.3) {
      const flags = pick([TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_FIN |
        TCP_ACK, TCP_RST, TCP_ACK]);
      const seq = Math.floor(next() * 3) * 1000;
      const payload = new Uint8Array(flags === TCP_ACK ? 100 : 0);
      const forward = next() < 0.5;
      const frame = forward
        ? T.ipv4(a, b, 6, T.tcp(port, 443, flags, payload, seq))
        : T.ipv4(b, a, 6, T.tcp(443, port, flags, payload, seq));
      sent.push(frame);
      push(frame);
    } else if (roll < 0.45) {
      const frame = T.ipv4(a, b, 17, T.udp(port, 9999, new Uint8Array(20)));
      sent.push(frame);
      push(frame);
    } else if (roll < 0.55) {
      // A datagram in three fragments, shuffled; sometimes one is lost.
      const id = fragmentId++;
      const parts = [
        T.ipv4(a, b, 17, T.udp(port, 5001, new Uint8Array(40)),
          { id, offset: 0, more: true }),
        T.ipv4(a, b, 17, new Uint8Array(48), { id, offset: 48, more: true }),
        T.ipv4(a, b, 17, new Uint8Array(16), { id, offset: 96, more: false }),
      ].sort(() => next() - 0.5);
      if (next() < 0.2) parts.pop();
      for (const part of parts) push(part);
    } else if (roll < 0.65) {
      const inner = T.ipv4(pick(hosts), pick(hosts), 6,
        T.tcp(port, 80, TCP_ACK, new Uint8Array(10)));
      push(T.ipv4([172, 16, 0, 1], pick(hosts), 4, inner));
    } else if (roll < 0.72 && sent.length > 0) {
      const quoted = pick(sent).subarray(0, 28);
      push(T.ipv4(pick(hosts), pick(hosts), 1,
        T.concat(T.bytes(3, 3, 0, 0, 0, 0, 0, 0), quoted)));
    } else if (roll < 0.8) {
      const named = pick(hosts);
      const name = pick(['a.example', 'b.example', 'c.example']);
      push(T.ipv4(b, a, 17, T.udp(53, port, dnsAnswer(name, named))));
    } else if (roll < 0.9) {
      const s = pick(hosts6);
      let d = pick(hosts6);
      if (d === s) d = hosts6[(hosts6.indexOf(s) + 1) % hosts6.length];
      push(T.ipv6(s, d, 17, T.udp(port, 443, new Uint8Array(30))));
    } else if (roll < 0.95) {
      push(T.ipv4(a, b, 1, T.icmpEcho(pick([8, 0]), port & 7, 1)));
    } else {
      packets.push({ seconds, fraction: 0,
        data: T.bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff) });
    }
  }
  // Raw IP: frames of the last kind are not IP and count as such.
  return T.pcapFile({ linkType: 101 }, packets);
}

test('the mixed capture is varied enough to cross workers', async () => {
  const file = mixedCapture(1, 3000);
  const whole = await analyseWhole(file);
  const c = whole.columns;
  let outer = 0;
  let related = 0;
  for (let i = 0; i < c.count; i++) {
    if (c.outerFlow[i] >= 0) outer++;
    if (c.relatedFlow[i] >= 0) related++;
  }
  assert.ok(c.count > 500, `${c.count} flows`);
  assert.ok(outer > 50, `${outer} tunnelled flows`);
  assert.ok(related > 20, `${related} ICMP errors with their flow`);
  assert.ok(whole.addressNames.size > 10);
});

for (const count of [2, 3, 7]) {
  test(`${count} workers give what one gives, on mixed traffic`, async () => {
    for (const seed of [1, 2, 3]) {
      const file = mixedCapture(seed, 3000);
      const whole = await analyseWhole(file);
      const parts = await analyseInParts(file, count, 997);
      assert.deepEqual(comparable(parts), comparable(whole), `seed ${seed}`);
    }
  });
}

test('a capture cut inside a record: workers agree on what came first',
  async () => {
    const file = mixedCapture(4, 500);
    const cut = file.subarray(0, file.length - 7);
    const whole = await analyseWhole(cut);
    assert.ok(whole.problems.length > 0);
    const parts = await analyseInParts(cut, 3, 64);
    assert.deepEqual(comparable(parts), comparable(whole));
  });

test('mergeParts refuses a missing share', async () => {
  const file = mixedCapture(5, 50);
  const analysis = new CaptureAnalysis({ partition: { index: 0, count: 2 } });
  analysis.push(file);
  analysis.end();
  assert.throws(() => mergeParts([analysis.part()]), /one share per worker/);
});

test('an ICMP error names the flow of its time, not a later one', async () => {
  const client = [10, 0, 0, 1];
  const server = [10, 0, 0, 2];
  const router = [10, 0, 0, 254];
  const syn = T.ipv4(client, server, 6, T.tcp(40000, 443, TCP_SYN));
  const frames = [
    syn,
    T.ipv4(server, client, 6, T.tcp(443, 40000, TCP_RST)),
    T.ipv4(router, client, 1,
      T.concat(T.bytes(3, 1, 0, 0, 0, 0, 0, 0), syn.subarray(0, 28))),
    T.ipv4(client, server, 6, T.tcp(40000, 443, TCP_SYN, undefined, 7)),
  ];
  const file = T.pcapFile({ linkType: 101 }, frames.map((data, i) => ({
    seconds: i + 1, fraction: 0, data })));
  const whole = await analyseWhole(file);
  assert.equal(whole.columns.count, 3);
  assert.equal(whole.columns.relatedFlow[1], 0);
  for (const count of [2, 3, 7]) {
    const parts = await analyseInParts(file, count);
    assert.deepEqual(comparable(parts), comparable(whole), `${count}`);
  }
});

test('past the bound on waiting fragments, workers agree with one', async () => {
  // More orphan fragments than may wait at once, each of its own address
  // pair, so every worker holds some; then first fragments for a few.
  const frames: T.TestPacket[] = [];
  const pair = (i: number) => [[10, 1, i >> 8, i & 0xff], [10, 2, i >> 8,
    i & 0xff]];
  for (let i = 0; i < 12_000; i++) {
    const [src, dst] = pair(i);
    frames.push({ seconds: 1, fraction: i, data: T.ipv4(src, dst, 17,
      new Uint8Array(16), { id: 7, offset: 48, more: false }) });
  }
  for (let i = 0; i < 12_000; i += 7) {
    const [src, dst] = pair(i);
    frames.push({ seconds: 2, fraction: i, data: T.ipv4(src, dst, 17,
      T.udp(1000, 9, new Uint8Array(32)), { id: 7, offset: 0, more: true }) });
  }
  const file = T.pcapFile({ linkType: 101 }, frames);
  const whole = await analyseWhole(file);
  assert.ok(whole.columns.count > 12_000, `${whole.columns.count} flows`);
  for (const count of [2, 3, 7]) {
    const parts = await analyseInParts(file, count);
    assert.deepEqual(comparable(parts), comparable(whole), `${count}`);
  }
});
