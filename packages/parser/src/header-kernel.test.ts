import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTsHeaderReader, TsRecordLoop } from './header-kernel.js';
import type { PcapLayout, RecordLoop } from './header-kernel-engine.js';
import { PcapEngine, STAGING_PIECE_BYTES } from './header-kernel-engine.js';
import * as W from './header-kernel-layout.js';
import { loadHeaderKernel } from './header-kernel-node.js';
import type { HeaderSink } from './header-kernel-reader.js';
import {
  createWasmHeaderReader,
  instantiateRecordLoop,
} from './header-kernel-wasm.js';
import type { ReadResult } from './header-kernel-testing.js';
import {
  assertSameRead,
  readReference,
  readWith,
  WHOLE,
} from './header-kernel-testing.js';
import * as T from './testing.js';

const kernelModule = await loadHeaderKernel();

const KERNELS: [string, (sink: HeaderSink) => Promise<{
  push(chunk: Uint8Array): void;
  end(): void;
}>][] = [
  ['ts', async (sink) => createTsHeaderReader(sink)],
  ['wasm', (sink) => createWasmHeaderReader(sink, kernelModule)],
];

const A4 = [192, 0, 2, 10];
const B4 = [198, 51, 100, 20];
const A6 = T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const B6 = T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);

function be32(b: number[], at = 0): number {
  return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}

/** Reads a one-packet pcap file with every kernel and the reference. */
async function readOne(
  frame: Uint8Array,
  options: T.PcapOptions = {},
  packet: Partial<T.TestPacket> = {},
): Promise<Int32Array> {
  const file = T.pcapFile(options, [
    { seconds: 1764496800, fraction: 250, data: frame, ...packet },
  ]);
  const expected = readReference(file, WHOLE);
  assert.equal(expected.count, 1);
  for (const [name, create] of KERNELS) {
    assertSameRead(await readWith(create, file, WHOLE), expected, name);
  }
  return expected.records;
}

function decodeWords(record: Int32Array): number[] {
  return Array.from(record.subarray(W.FIRST_DECODE_WORD));
}

test('IPv4 TCP over Ethernet: addresses, ports, flags, payload', async () => {
  const payload = T.bytes(1, 2, 3, 4, 5);
  const r = await readOne(
    T.ethernet(0x0800, T.ipv4(A4, B4, 6, T.tcp(49152, 443, 0x18, payload))));
  assert.equal(W.recordOffset(r, 0), 24);
  assert.equal(W.recordSeconds(r, 0), 1764496800);
  assert.equal(r[W.W_NANOS], 250_000);
  assert.equal(r[W.W_STATUS], 6 << W.STATUS_TIME_DIGITS_SHIFT);
  assert.equal(r[W.W_LINK_TYPE], 1);
  assert.equal(r[W.W_IP_VERSION], 4);
  assert.equal(r[W.W_PROTOCOL], 6);
  assert.equal(r[W.W_SRC_ADDR], be32(A4));
  assert.equal(r[W.W_DST_ADDR], be32(B4));
  assert.equal(r[W.W_SRC_ADDR + 1], 0);
  assert.equal(r[W.W_SRC_PORT], 49152);
  assert.equal(r[W.W_DST_PORT], 443);
  assert.equal(r[W.W_TCP_FLAGS], 0x18);
  assert.equal(r[W.W_TCP_SEQ], 1000);
  assert.equal(r[W.W_TCP_WINDOW], 65535);
  assert.equal(r[W.W_TCP_SEGMENT_LENGTH], 5);
  assert.equal(r[W.W_PAYLOAD_OFFSET], 14 + 20 + 20);
  assert.equal(r[W.W_PAYLOAD_LENGTH], 5);
  assert.equal(r[W.W_ICMP_TYPE], -1);
  assert.equal(r[W.W_VLAN_ID], -1);
  assert.equal(r[W.W_ETHER_TYPE], -1);
});

test('IPv6 UDP behind two VLAN tags keeps the outer VLAN ID', async () => {
  const r = await readOne(T.ethernet(0x86dd,
    T.ipv6(A6, B6, 17, T.udp(5353, 53, T.bytes(9, 9, 9, 9))), [100, 200]));
  assert.equal(r[W.W_VLAN_ID], 100);
  assert.equal(r[W.W_IP_VERSION], 6);
  assert.equal(r[W.W_PROTOCOL], 17);
  for (let i = 0; i < 4; i++) {
    assert.equal(r[W.W_SRC_ADDR + i], be32(A6, 4 * i));
    assert.equal(r[W.W_DST_ADDR + i], be32(B6, 4 * i));
  }
  assert.equal(r[W.W_SRC_PORT], 5353);
  assert.equal(r[W.W_DST_PORT], 53);
  assert.equal(r[W.W_TCP_FLAGS], -1);
  assert.equal(r[W.W_PAYLOAD_OFFSET], 14 + 8 + 40 + 8);
  assert.equal(r[W.W_PAYLOAD_LENGTH], 4);
});

test('ICMP echo carries type, code and identifier, no ports', async () => {
  const r = await readOne(
    T.ethernet(0x0800, T.ipv4(A4, B4, 1, T.icmpEcho(8, 0x1234, 1))));
  assert.equal(r[W.W_ICMP_TYPE], 8);
  assert.equal(r[W.W_ICMP_CODE], 0);
  assert.equal(r[W.W_ICMP_ID], 0x1234);
  assert.equal(r[W.W_SRC_PORT], -1);
  assert.equal(r[W.W_STATUS] & W.STATUS_FALLBACK, 0);
});

test('frames a record cannot describe fall back, words empty', async () => {
  const inner = T.ipv4(A4, B4, 6, T.tcp(1, 2, 0x02));
  const cases: [string, Uint8Array, number][] = [
    ['ICMP error', T.ethernet(0x0800, T.ipv4(A4, B4, 1,
      T.concat(T.bytes(3, 3, 0, 0, 0, 0, 0, 0), inner))), 1],
    ['GRE', T.ethernet(0x0800, T.ipv4(A4, B4, 47,
      T.concat(T.bytes(0, 0, 0x08, 0), inner))), 1],
    ['VXLAN', T.ethernet(0x0800, T.ipv4(A4, B4, 17, T.udp(40000, 4789,
      T.concat(T.bytes(8, 0, 0, 0, 0, 0, 1, 0),
        T.ethernet(0x0800, inner))))), 1],
    ['IP in IP', T.ethernet(0x0800, T.ipv4(A4, B4, 4, inner)), 1],
    ['MPLS', T.ethernet(0x8847, T.concat(T.bytes(0, 1, 0x01, 64), inner)), 1],
    ['LLC', T.concat(T.ethernet(40, T.bytes(0x42, 0x42, 3, 0, 0))), 1],
    ['Linux cooked', T.concat(new Uint8Array(14), T.u16be(0x0800), inner),
      113],
    ['bad IPv4 header length', T.ethernet(0x0800,
      T.concat(T.bytes(0x44), inner.subarray(1))), 1],
  ];
  for (const [name, frame, linkType] of cases) {
    const r = await readOne(frame, { linkType });
    assert.equal(r[W.W_STATUS] & W.STATUS_FALLBACK, W.STATUS_FALLBACK, name);
    assert.deepEqual(decodeWords(r), W.NO_DECODE, name);
    assert.equal(r[W.W_CAPTURED_LENGTH], frame.length, name);
  }
});

test('a frame without IP names its ethertype', async () => {
  const r = await readOne(T.ethernet(0x0806, new Uint8Array(28)));
  assert.equal(r[W.W_ETHER_TYPE], 0x0806);
  assert.equal(r[W.W_IP_VERSION], 0);
  assert.equal(r[W.W_STATUS] & W.STATUS_FALLBACK, 0);
});

test('fragments and cut headers are flagged', async () => {
  const later = await readOne(T.ethernet(0x0800, T.ipv4(A4, B4, 17,
    new Uint8Array(16), { id: 77, offset: 1480, more: false })));
  assert.equal(later[W.W_STATUS] & 0xff, W.STATUS_FRAGMENT);
  assert.equal(later[W.W_FRAGMENT_ID], 77);
  assert.equal(later[W.W_FRAGMENT_OFFSET], 1480);
  assert.equal(later[W.W_SRC_PORT], -1);

  const full = T.ethernet(0x0800, T.ipv4(A4, B4, 6, T.tcp(1000, 80, 0x10)));
  const cut = await readOne(full.subarray(0, 14 + 20 + 10), {},
    { originalLength: full.length });
  assert.equal(cut[W.W_STATUS] & 0xff, W.STATUS_TRUNCATED);
  assert.equal(cut[W.W_SRC_PORT], 1000);
  assert.equal(cut[W.W_TCP_FLAGS], -1);
  assert.equal(cut[W.W_TCP_SEQ], 0);
  assert.equal(cut[W.W_ORIGINAL_LENGTH], full.length);
});

test('raw IPv6 with a routing header keys on the final destination',
  async () => {
    const last = T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x99);
    const routing = T.concat(T.bytes(17, 2, 0, 1, 0, 0, 0, 0),
      T.bytes(...last));
    const r = await readOne(
      T.ipv6(A6, B6, 43, T.concat(routing, T.udp(1, 2))), { linkType: 101 });
    assert.equal(r[W.W_PROTOCOL], 17);
    assert.equal(r[W.W_DST_ADDR + 3], be32(last, 12));
  });

test('times: nanosecond files, big-endian files, fractions past a second',
  async () => {
    const frame = T.ethernet(0x0806, new Uint8Array(28));
    const nano = await readOne(frame,
      { nanoseconds: true, littleEndian: false }, { fraction: 999_999_999 });
    assert.equal(nano[W.W_NANOS], 999_999_999);
    assert.equal(nano[W.W_STATUS] >> W.STATUS_TIME_DIGITS_SHIFT, 9);

    const carried = await readOne(frame, {},
      { seconds: 0xffffffff, fraction: 2_500_000 });
    assert.equal(W.recordSeconds(carried, 0), 0xffffffff + 2);
    assert.equal(carried[W.W_NANOS], 500_000_000);
  });

test('offsets past 4 GiB are split into two words', async () => {
  const layout: PcapLayout = {
    littleEndian: true, nanosPerTick: 1000, linkType: 1, timeDigits: 6,
  };
  const records = T.pcapFile({}, [
    { seconds: 1, fraction: 0, data: T.ethernet(0x0806, new Uint8Array(28)) },
    { seconds: 2, fraction: 0, data: T.ethernet(0x0806, new Uint8Array(46)) },
  ]).subarray(24);
  const loops: [string, RecordLoop][] = [
    ['ts', new TsRecordLoop()],
    ['wasm', await instantiateRecordLoop(kernelModule)],
  ];
  for (const [name, loop] of loops) {
    const engine = new PcapEngine(loop);
    engine.start(layout);
    const offsets: number[] = [];
    const base = 5 * 2 ** 32 + 100;
    engine.push(records, base, (words, count) => {
      for (let i = 0; i < count; i++) offsets.push(W.recordOffset(words, i));
    });
    assert.deepEqual(offsets, [base, base + 16 + 42], name);
  }
});

test('problems and errors are CaptureReader\'s, for every kernel', async () => {
  const frame = T.ethernet(0x0806, new Uint8Array(28));
  const good = T.pcapFile({}, [
    { seconds: 1, fraction: 0, data: frame },
    { seconds: 2, fraction: 0, data: new Uint8Array(0) },
    { seconds: 3, fraction: 0, data: frame },
  ]);
  const badLength = good.slice();
  new DataView(badLength.buffer).setUint32(24 + 16 + 42 + 16 + 8, 0x7fffffff,
    true);
  const badVersion = good.slice();
  badVersion[4] = 3;
  const files: [string, Uint8Array][] = [
    ['zero-length record', good],
    ['cut inside a record', good.subarray(0, good.length - 5)],
    ['cut inside a record header', good.subarray(0, 24 + 16 + 42 + 7)],
    ['cut inside the file header', good.subarray(0, 20)],
    ['caplen too large', badLength],
    ['unsupported version', badVersion],
    ['empty', new Uint8Array(0)],
    ['three bytes', T.bytes(0xd4, 0xc3, 0xb2)],
    ['not a capture', new TextEncoder().encode('hello, world')],
    ['pcapng', T.concat(T.pcapngSection(), T.pcapngInterface({ linkType: 1 }),
      T.pcapngEnhanced(0, 5n, frame), T.pcapngSimple(frame))],
  ];
  // Stateless chunkings, since CaptureReader itself names as many first
  // bytes of a file that is not a capture as the first chunk holds.
  const chunkings: [string, () => number][] = [
    ['whole', WHOLE], ['1-byte chunks', () => 1], ['7-byte chunks', () => 7],
  ];
  for (const [name, file] of files) {
    for (const [how, chunker] of chunkings) {
      const expected: ReadResult = readReference(file, chunker);
      for (const [kernel, create] of KERNELS) {
        assertSameRead(await readWith(create, file, chunker), expected,
          `${name}, ${kernel}, ${how}`);
      }
    }
  }
});

test('records longer than the staging area grow it, in every kernel',
  async () => {
    const big = new Uint8Array(3 * STAGING_PIECE_BYTES + 5).fill(0x45);
    const frame = T.ethernet(0x0800, T.ipv4(A4, B4, 17, T.udp(1, 2, big)));
    const file = T.pcapFile({}, [
      { seconds: 1, fraction: 0, data: T.ethernet(0x0806, new Uint8Array(28)) },
      { seconds: 2, fraction: 0, data: frame },
      { seconds: 3, fraction: 0, data: T.ethernet(0x0806, new Uint8Array(28)) },
    ]);
    const expected = readReference(file, WHOLE);
    assert.equal(expected.count, 3);
    for (const [name, create] of KERNELS) {
      for (const chunker of [WHOLE, () => 100_000]) {
        assertSameRead(await readWith(create, file, chunker), expected, name);
      }
    }
  });
