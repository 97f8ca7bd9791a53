import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTsHeaderReader } from './header-kernel.js';
import { loadHeaderKernel } from './header-kernel-node.js';
import type { HeaderSink } from './header-kernel-reader.js';
import {
  assertSameRead,
  classicPcapCorpus,
  mutate,
  prng,
  randomChunks,
  readReference,
  readWith,
  WHOLE,
} from './header-kernel-testing.js';
import { createWasmHeaderReader } from './header-kernel-wasm.js';

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
