import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTsHeaderReader } from './header-kernel.js';
import { loadHeaderKernel } from './header-kernel-node.js';
import type { HeaderSink } from './header-kernel-reader.js';
import {
  assertSameRead,
  classicPcapCorpus,
  INTERESTING_BYTES,
  mutate,
  prng,
  randomChunks,
  readReference,
  readWith,
  WHOLE,
} from './header-kernel-testing.js';
import { createWasmHeaderReader } from './header-kernel-wasm.js';
import * as T from './testing.js';

/**
 * The two kernels against decodePacket() itself: every classic pcap file
 * of the shared corpus, whole and in random chunks, then damaged copies
 * of them.
 */

const kernelModule = await loadHeaderKernel();
const createTs = async (sink: HeaderSink) => createTsHeaderReader(sink);
const createWasm = (sink: HeaderSink) =>
  createWasmHeaderReader(sink, kernelModule);

const corpus = classicPcapCorpus();

/** Damaged variants in all, spread over the corpus's files. */
const FUZZ_VARIANTS = 2000;
/**
 * Variants are cut from the first 48 KiB of each file: enough for dozens
 * of records of every kind the file has, small enough for 2,000 variants,
 * read three ways in two chunkings, to take seconds.
 */
const FUZZ_PREFIX_BYTES = 48 * 1024;
const FUZZ_SEED = Number(process.env.KERNEL_FUZZ_SEED ?? 20261204);

test('the corpus has classic pcap files of several link types', () => {
  assert.ok(corpus.length >= 20, `${corpus.length} files`);
  const linkTypes = new Set(corpus.map(({ bytes }) => {
    const littleEndian = bytes[0] === 0xd4 || bytes[0] === 0x4d;
    return new DataView(bytes.buffer).getUint32(20, littleEndian) & 0xffff;
  }));
  for (const linkType of [1, 101, 228, 229, 113]) {
    assert.ok(linkTypes.has(linkType), `link type ${linkType}`);
  }
});

for (const { name, bytes } of corpus) {
  test(`${name}: both kernels give decodePacket's records`, async () => {
    const expected = readReference(bytes, WHOLE);
    const chunkings = [
      ['whole', WHOLE],
      ['random chunks', randomChunks(bytes.length, 70_000)],
      ['small chunks', randomChunks(bytes.length + 1, 300)],
    ] as const;
    for (const [how, chunker] of chunkings) {
      assertSameRead(await readWith(createTs, bytes, chunker), expected,
        `ts, ${how}`);
      assertSameRead(await readWith(createWasm, bytes, chunker), expected,
        `wasm, ${how}`);
    }
  });
}

test(`${FUZZ_VARIANTS} damaged variants: both kernels agree with ` +
  `decodePacket (seed ${FUZZ_SEED})`, async () => {
  const random = prng(FUZZ_SEED);
  const bases = corpus.map((file) => ({
    name: file.name,
    bytes: file.bytes.subarray(0, FUZZ_PREFIX_BYTES),
  }));
  let records = 0;
  for (let variant = 0; variant < FUZZ_VARIANTS; variant++) {
    const base = bases[variant % bases.length];
    const bytes = mutate(base.bytes, random);
    const label = `variant ${variant} of ${base.name} ` +
      `(KERNEL_FUZZ_SEED=${FUZZ_SEED})`;
    const expected = readReference(bytes, WHOLE);
    records += expected.count;
    assertSameRead(await readWith(createTs, bytes, WHOLE), expected,
      `ts, whole, ${label}`);
    assertSameRead(await readWith(createWasm, bytes, WHOLE), expected,
      `wasm, whole, ${label}`);
    const chunker = randomChunks(variant, 4096);
    assertSameRead(await readWith(createWasm, bytes, chunker), expected,
      `wasm, random chunks, ${label}`);
    const chunkerTs = randomChunks(variant, 4096);
    assertSameRead(await readWith(createTs, bytes, chunkerTs), expected,
      `ts, random chunks, ${label}`);
  }
  assert.ok(records > FUZZ_VARIANTS * 10, `${records} records compared`);
});

const A4 = [192, 0, 2, 10];
const B4 = [198, 51, 100, 20];
const A6 = T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const B6 = T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
const DATA = T.bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
const TCP4 = T.ipv4(A4, B4, 6, T.tcp(49152, 443, 0x18, DATA));

/** One frame down each path of the decoders, with its link type. */
const FRAMES: [string, number, Uint8Array][] = [
  ['tcp4', 1, T.ethernet(0x0800, TCP4)],
  ['udp6 vlan', 1, T.ethernet(0x86dd,
    T.ipv6(A6, B6, 17, T.udp(5353, 53, DATA)), [5, 6])],
  ['icmp echo', 1, T.ethernet(0x0800, T.ipv4(A4, B4, 1, T.icmpEcho(8, 7, 1)))],
  ['icmp error', 1, T.ethernet(0x0800, T.ipv4(A4, B4, 1,
    T.concat(T.bytes(3, 1, 0, 0, 0, 0, 0, 0), TCP4)))],
  ['icmpv6 echo', 1, T.ethernet(0x86dd,
    T.ipv6(A6, B6, 58, T.icmpEcho(128, 9, 1)))],
  ['vxlan', 1, T.ethernet(0x0800, T.ipv4(A4, B4, 17, T.udp(1, 4789,
    T.concat(T.bytes(8, 0, 0, 0, 0, 0, 1, 0), T.ethernet(0x0800, TCP4)))))],
  ['geneve', 1, T.ethernet(0x0800, T.ipv4(A4, B4, 17, T.udp(1, 6081,
    T.concat(T.bytes(0, 0, 0x65, 0x58, 0, 0, 1, 0),
      T.ethernet(0x0800, TCP4)))))],
  ['gre v0 key', 1, T.ethernet(0x0800, T.ipv4(A4, B4, 47,
    T.concat(T.bytes(0x20, 0, 0x08, 0, 0, 0, 0, 1), TCP4)))],
  ['gre v1', 1, T.ethernet(0x0800, T.ipv4(A4, B4, 47,
    T.concat(T.bytes(0x30, 0x81, 0x88, 0x0b), new Uint8Array(12),
      T.bytes(0x21), TCP4)))],
  ['ipip', 1, T.ethernet(0x0800, T.ipv4(A4, B4, 4, TCP4))],
  ['6in4', 1, T.ethernet(0x0800, T.ipv4(A4, B4, 41,
    T.ipv6(A6, B6, 17, T.udp(1, 2))))],
  ['mpls', 1, T.ethernet(0x8847, T.concat(T.bytes(0, 1, 0x01, 64), TCP4))],
  ['pppoe', 1, T.ethernet(0x8864,
    T.concat(T.bytes(0x11, 0, 0, 1), T.u16be(2 + TCP4.length), T.u16be(0x21),
      TCP4))],
  ['arp', 1, T.ethernet(0x0806, new Uint8Array(28))],
  ['ipv6 extension chain', 1, T.ethernet(0x86dd, T.ipv6(A6, B6, 0, T.concat(
    T.bytes(43, 0, 1, 4, 0, 0, 0, 0), // hop-by-hop
    T.bytes(44, 2, 0, 1, 0, 0, 0, 0), T.bytes(...B6), // routing, 1 left
    T.bytes(51, 0, 0, 0, 0, 0, 0, 9), // fragment 0, id 9
    T.bytes(6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0), // AH
    T.tcp(1, 2, 0x02, DATA))))],
  ['ipv6 later fragment', 1, T.ethernet(0x86dd, T.ipv6(A6, B6, 44,
    T.concat(T.bytes(17, 0, 0x05, 0x01, 0, 0, 0, 3), DATA)))],
  ['ipv4 first fragment', 1, T.ethernet(0x0800, T.ipv4(A4, B4, 17,
    T.udp(9, 4789, DATA), { id: 5, offset: 0, more: true }))],
  ['ipv4 options, sctp', 1, T.ethernet(0x0800, T.concat(
    T.bytes(0x46, 0), T.u16be(24 + 16), T.bytes(0, 1, 0, 0, 64, 132, 0, 0),
    T.bytes(...A4), T.bytes(...B4), T.bytes(1, 1, 0, 0),
    T.bytes(0, 7, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))],
  ['udplite', 1, T.ethernet(0x0800, T.ipv4(A4, B4, 136, T.udp(3, 4, DATA)))],
  ['tso total length 0', 1, T.ethernet(0x0800,
    T.concat(T.bytes(0x45, 0, 0, 0), TCP4.subarray(4)))],
  ['raw ipv4', 101, TCP4],
  ['raw ipv6', 229, T.ipv6(A6, B6, 6, T.tcp(5, 6, 0x11, DATA))],
  ['raw ipv4, 228', 228, TCP4],
];

/** One pcap file per link type holding `frames`, whole length on the wire. */
function captureOf(linkType: number, frames: Uint8Array[], wire: number[]) {
  return T.pcapFile({ linkType }, frames.map((data, i) => ({
    seconds: i, fraction: i, data, originalLength: wire[i],
  })));
}

async function assertKernelsAgree(file: Uint8Array, label: string) {
  const expected = readReference(file, WHOLE);
  assertSameRead(await readWith(createTs, file, WHOLE), expected,
    `ts, ${label}`);
  assertSameRead(await readWith(createWasm, file, WHOLE), expected,
    `wasm, ${label}`);
  return expected;
}

test('every frame kind cut at every length: the kernels agree', async () => {
  for (const [name, linkType, frame] of FRAMES) {
    const cuts: Uint8Array[] = [];
    for (let keep = 0; keep <= frame.length; keep++) {
      cuts.push(frame.subarray(0, keep));
    }
    const file = captureOf(linkType, cuts, cuts.map(() => frame.length));
    const read = await assertKernelsAgree(file, name);
    assert.equal(read.count, frame.length + 1);
  }
});

test('every header byte set to values the decoders branch on', async () => {
  for (const [name, linkType, frame] of FRAMES) {
    const variants: Uint8Array[] = [];
    for (let at = 0; at < Math.min(frame.length, 96); at++) {
      for (const value of INTERESTING_BYTES) {
        const variant = frame.slice();
        variant[at] = value;
        variants.push(variant);
      }
    }
    const file = captureOf(linkType, variants,
      variants.map((v) => v.length));
    await assertKernelsAgree(file, name);
  }
});
