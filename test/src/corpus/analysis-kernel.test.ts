// The analysis fed by a header kernel (TypeScript or WebAssembly) against
// the analysis fed by CaptureReader and decodePacket(): the same flows,
// totals, problems, names, hierarchy and timeline, on every shared capture
// (pcapng goes through the reader either way), on benchmark traffic, in
// shares, and on damaged files.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { LoopMaker } from '@capscope/analytics/partition-testing';
import {
  analyseInParts,
  analyseWhole,
  comparable,
} from '@capscope/analytics/partition-testing';
import { TsRecordLoop } from '@capscope/parser/header-kernel';
import { loadHeaderKernel } from '@capscope/parser/header-kernel-node';
import { mutate, prng } from '@capscope/parser/header-kernel-testing';
import { instantiateRecordLoop } from '@capscope/parser/header-kernel-wasm';
import { NotACaptureError } from '@capscope/parser/problems';
import { writeBenchCapture } from '../generator/bench-scenario.js';
import { PcapWriter } from '../generator/pcap-writer.js';
import { CORPUS_DIR, corpusFiles } from './corpus.js';

const kernelModule = await loadHeaderKernel();
const KERNELS: Array<[string, LoopMaker]> = [
  ['TypeScript kernel', () => new TsRecordLoop()],
  ['WebAssembly kernel', () => instantiateRecordLoop(kernelModule)],
];

/** The reader's result, or null for a file it refuses outright. */
async function reference(file: Uint8Array, chunkBytes: number) {
  try {
    return comparable(await analyseWhole(file, chunkBytes));
  } catch (error) {
    if (error instanceof NotACaptureError) return null;
    throw error;
  }
}

async function assertKernelsAgree(
  file: Uint8Array,
  label: string,
  chunkBytes: number,
): Promise<void> {
  const expected = await reference(file, file.length);
  for (const [kernel, makeLoop] of KERNELS) {
    if (expected === null) {
      await assert.rejects(analyseWhole(file, chunkBytes, makeLoop),
        NotACaptureError, `${label}: ${kernel}`);
      continue;
    }
    const actual = comparable(await analyseWhole(file, chunkBytes,
      makeLoop));
    assert.deepEqual(actual, expected, `${label}: ${kernel}`);
  }
}

describe('a kernel-fed analysis gives what the reader gives', () => {
  for (const name of corpusFiles()) {
    test(name, async () => {
      const file = new Uint8Array(readFileSync(CORPUS_DIR + name));
      // Chunks of an odd size, so that records straddle them.
      await assertKernelsAgree(file, name, 1499);
    });
  }
});

test('a kernel-fed analysis gives what the reader gives, on benchmark ' +
  'traffic, whole and in shares', async () => {
  const writer = new PcapWriter();
  writeBenchCapture({ targetBytes: 4_000_000, concurrentFlows: 2000 },
    writer);
  writer.finish();
  const file = writer.toUint8Array();
  const expected = comparable(await analyseWhole(file));
  for (const [kernel, makeLoop] of KERNELS) {
    assert.deepEqual(comparable(await analyseWhole(file, 65_536, makeLoop)),
      expected, kernel);
    assert.deepEqual(
      comparable(await analyseInParts(file, 3, 100_003, makeLoop)),
      expected, `${kernel}, 3 shares`);
  }
});

test('a kernel-fed analysis gives what the reader gives, on damaged ' +
  'copies of the corpus', async () => {
  const random = prng(20261206);
  const files = corpusFiles()
    .map((name) => new Uint8Array(readFileSync(CORPUS_DIR + name)))
    .filter((bytes) => bytes[0] === 0xd4 || bytes[0] === 0xa1 ||
      bytes[0] === 0x4d);
  assert.ok(files.length >= 20, `${files.length} classic pcap files`);
  for (let variant = 0; variant < 300; variant++) {
    const file = files[variant % files.length];
    const damaged = mutate(file.subarray(0, 24 * 1024), random);
    await assertKernelsAgree(damaged, `variant ${variant}`, 997);
  }
});
