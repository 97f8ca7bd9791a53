/**
 * Helpers for the header-kernel tests: the reference reader (CaptureReader
 * and decodePacket), collectors for any HeaderReader, the shared corpus,
 * and the fuzzer's mutations.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DecodedPacket } from './decode.js';
import * as W from './header-kernel-layout.js';
import type { HeaderSink } from './header-kernel-reader.js';
import { writeRecordFromPacket } from './header-kernel-reference.js';
import type { Problem } from './problems.js';
import { CaptureReader } from './reader.js';
import { sniffFormat } from './sniff.js';

export const CORPUS_DIR = fileURLToPath(
  new URL('../../../../shared/captures/', import.meta.url));

/** Every file of the shared corpus that is classic pcap by its magic. */
export function classicPcapCorpus(): { name: string; bytes: Uint8Array }[] {
  return readdirSync(CORPUS_DIR)
    .filter((name) => !name.endsWith('.json') && !name.endsWith('.md'))
    .sort()
    .map((name) => ({
      name,
      bytes: new Uint8Array(readFileSync(CORPUS_DIR + name)),
    }))
    .filter((file) => sniffFormat(file.bytes) === 'pcap');
}

/** What reading a file gave: records with FRAME_AT zeroed, and the rest. */
export interface ReadResult {
  records: Int32Array;
  count: number;
  problems: Problem[];
  /** What the sink's format() and interface() were told, in order. */
  infos: unknown[];
  error: string | null;
}

/**
 * Collects records into one growing array. For classic pcap it checks
 * that each record's FRAME_AT points at the frame's bytes in the file,
 * then zeroes FRAME_AT, which depends on where the bytes were read.
 */
class Collector {
  records = new Int32Array(1024 * W.RECORD_WORDS);
  count = 0;
  problems: Problem[] = [];
  infos: unknown[] = [];

  constructor(private readonly file: Uint8Array | null) {}

  add(words: Int32Array, count: number, bytes: Uint8Array): void {
    const needed = (this.count + count) * W.RECORD_WORDS;
    if (needed > this.records.length) {
      const grown = new Int32Array(Math.max(needed, this.records.length * 2));
      grown.set(this.records.subarray(0, this.count * W.RECORD_WORDS));
      this.records = grown;
    }
    for (let i = 0; i < count; i++) {
      const row = words.subarray(i * W.RECORD_WORDS, (i + 1) * W.RECORD_WORDS);
      if (this.file !== null) this.checkFrame(row, bytes);
      const at = (this.count + i) * W.RECORD_WORDS;
      this.records.set(row, at);
      this.records[at + W.W_FRAME_AT] = 0;
    }
    this.count += count;
  }

  private checkFrame(row: Int32Array, bytes: Uint8Array): void {
    const file = this.file as Uint8Array;
    const offset = (row[W.W_OFFSET_HI] >>> 0) * 2 ** 32 +
      (row[W.W_OFFSET_LO] >>> 0);
    const length = row[W.W_CAPTURED_LENGTH];
    const frameAt = row[W.W_FRAME_AT];
    const seen = bytes.subarray(frameAt, frameAt + length);
    const expected = file.subarray(offset + 16, offset + 16 + length);
    if (seen.length !== length || Buffer.compare(seen, expected) !== 0) {
      assert.fail(`FRAME_AT of the record at offset ${offset} does not ` +
        `point at its frame`);
    }
  }

  result(error: string | null): ReadResult {
    return {
      records: this.records.subarray(0, this.count * W.RECORD_WORDS),
      count: this.count,
      problems: this.problems,
      infos: this.infos,
      error,
    };
  }

  sink(): HeaderSink {
    return {
      records: (batch) => {
        assert.equal(batch.firstPacket, this.count + 1, 'packet numbering');
        this.add(batch.words, batch.count, batch.bytes);
      },
      problem: (problem) => this.problems.push(problem),
      format: (info) => this.infos.push(info),
      interface: (info) => this.infos.push(info),
    };
  }
}

/** Yields chunk sizes; a fresh one for each read of a file. */
export type Chunker = () => number;

export const WHOLE: Chunker = () => 2 ** 31;

/** Random chunk sizes from 1 byte to `largest`, seeded. */
export function randomChunks(seed: number, largest: number): Chunker {
  const random = prng(seed);
  return () => 1 + Math.floor(random() * random() * largest);
}

function feed(
  file: Uint8Array,
  chunker: Chunker,
  push: (chunk: Uint8Array) => void,
): void {
  for (let at = 0; at < file.length;) {
    const size = Math.max(1, chunker());
    // A copy, as a stream hands out fresh buffers.
    push(file.slice(at, at + size));
    at += size;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const kind = (error as { kind?: string }).kind ?? '';
    return `${error.name} ${kind}: ${error.message}`;
  }
  throw error;
}

/** A file read by CaptureReader and decodePacket(), record by record. */
export function readReference(
  file: Uint8Array,
  chunker: Chunker,
): ReadResult {
  const collector = new Collector(
    sniffFormat(file) === 'pcap' ? file : null);
  const decoded = new DecodedPacket();
  const words = new Int32Array(W.RECORD_WORDS);
  const reader = new CaptureReader({
    packet(record) {
      writeRecordFromPacket(record, decoded, words, 0, record.dataOffset);
      collector.add(words, 1, record.data);
    },
    problem(problem) {
      collector.problems.push(problem);
    },
    format: (info) => collector.infos.push(info),
    interface: (info) => collector.infos.push(info),
  });
  try {
    feed(file, chunker, (chunk) => reader.push(chunk));
    reader.end();
  } catch (error) {
    return collector.result(describeError(error));
  }
  return collector.result(null);
}

/** A file read by a HeaderReader made by `create`. */
export async function readWith(
  create: (sink: HeaderSink) => Promise<{
    push(chunk: Uint8Array): void;
    end(): void;
  }>,
  file: Uint8Array,
  chunker: Chunker,
): Promise<ReadResult> {
  const collector = new Collector(
    sniffFormat(file) === 'pcap' ? file : null);
  const reader = await create(collector.sink());
  try {
    feed(file, chunker, (chunk) => reader.push(chunk));
    reader.end();
  } catch (error) {
    return collector.result(describeError(error));
  }
  return collector.result(null);
}

const WORD_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(W)) {
  if (name.startsWith('W_') && typeof value === 'number') {
    WORD_NAMES.set(value, name.slice(2));
  }
}
for (let i = 1; i < 4; i++) {
  WORD_NAMES.set(W.W_SRC_ADDR + i, `SRC_ADDR+${i}`);
  WORD_NAMES.set(W.W_DST_ADDR + i, `DST_ADDR+${i}`);
}

/** Equal results, or a failure naming the first record and word apart. */
export function assertSameRead(
  actual: ReadResult,
  expected: ReadResult,
  label: string,
): void {
  assert.equal(actual.error, expected.error, `${label}: error`);
  assert.deepEqual(actual.problems, expected.problems, `${label}: problems`);
  assert.deepEqual(actual.infos, expected.infos, `${label}: format`);
  const words = Math.min(actual.records.length, expected.records.length);
  for (let i = 0; i < words; i++) {
    if (actual.records[i] === expected.records[i]) continue;
    const record = Math.floor(i / W.RECORD_WORDS);
    const word = i % W.RECORD_WORDS;
    assert.fail(
      `${label}: packet ${record + 1}, word ${WORD_NAMES.get(word)}: ` +
        `${actual.records[i]}, expected ${expected.records[i]}`);
  }
  assert.equal(actual.count, expected.count, `${label}: packets`);
}

/** A seeded generator of floats in [0, 1) (mulberry32). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Offsets of the records of a well-formed classic pcap file. */
function recordOffsets(file: Uint8Array): number[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const le = isLittleEndian(view);
  const offsets: number[] = [];
  for (let at = 24; at + 16 <= file.length && offsets.length < 1e5;) {
    offsets.push(at);
    at += 16 + view.getUint32(at + 8, le);
  }
  return offsets;
}

/**
 * Byte values the decoders branch on: IP versions and header lengths,
 * protocol numbers (ICMP, IP in IP, TCP, UDP, IPv6 and its extension
 * headers, GRE, ICMPv6, SCTP), halves of ethertypes and of the VXLAN and
 * GENEVE ports, flag bits.
 */
export const INTERESTING_BYTES = [
  0, 1, 2, 3, 4, 6, 8, 11, 17, 41, 43, 44, 47, 51, 58, 60, 128, 132, 135,
  136, 0x40, 0x44, 0x45, 0x46, 0x4f, 0x60, 0x81, 0x88, 0xa8, 0x86, 0xdd,
  0x08, 0x12, 0xb5, 0x17, 0xc1, 0x20, 0x10, 0xff,
];

/**
 * A damaged copy of a classic pcap file: bytes flipped anywhere, bytes
 * inside packet headers set to values the decoders branch on, records
 * cut short as a snap length cuts them, lengths made absurd, or the file
 * cut, a few at a time.
 */
export function mutate(file: Uint8Array, random: () => number): Uint8Array {
  let out: Uint8Array = file.slice();
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)];
  const mutations = 1 + Math.floor(random() * 4);
  for (let m = 0; m < mutations; m++) {
    const offsets = recordOffsets(out);
    const record = offsets.length > 0 ? pick(offsets) : 24;
    const view = new DataView(out.buffer);
    const kind = Math.floor(random() * 8);
    if (kind === 0) {
      // Anywhere in the file.
      const at = Math.floor(random() * out.length);
      out[at] ^= 1 << Math.floor(random() * 8);
    } else if (kind <= 2) {
      // In the first 80 bytes of a frame: link, IP and transport headers.
      const at = record + 16 + Math.floor(random() * 80);
      if (at < out.length) {
        out[at] = random() < 0.5 ? pick(INTERESTING_BYTES)
          : Math.floor(random() * 256);
      }
    } else if (kind <= 4) {
      out = snap(out, record, Math.floor(random() * 90));
    } else if (kind === 5) {
      // A record length: a little off, absurd, or zero.
      const field = record + (random() < 0.7 ? 8 : 12);
      if (field + 4 > out.length) continue;
      const old = view.getUint32(field, true);
      const value = pick([0, old + 1, old - 1, old + 4000, 0xffffffff,
        64 * 1024 * 1024, 64 * 1024 * 1024 + 1, 0x7fffffff, old ^ 0x100]);
      view.setUint32(field, value >>> 0, random() < 0.5);
    } else if (kind === 6) {
      // A timestamp fraction past a second.
      if (record + 8 <= out.length) {
        view.setUint32(record + 4, Math.floor(random() * 2 ** 32), true);
      }
    } else {
      // Cut the file short.
      return out.slice(0, Math.floor(random() * out.length));
    }
  }
  return out;
}

/**
 * Cuts the record at `record` to `keep` captured bytes, as a snap length
 * would, and closes the gap so that the records after it still frame.
 */
function snap(file: Uint8Array, record: number, keep: number): Uint8Array {
  if (record + 16 > file.length) return file;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const le = isLittleEndian(view);
  const captured = view.getUint32(record + 8, le);
  if (keep >= captured || record + 16 + captured > file.length) return file;
  const out = new Uint8Array(file.length - (captured - keep));
  out.set(file.subarray(0, record + 16 + keep), 0);
  out.set(file.subarray(record + 16 + captured), record + 16 + keep);
  new DataView(out.buffer).setUint32(record + 8, keep, le);
  return out;
}

function isLittleEndian(view: DataView): boolean {
  const magic = view.getUint32(0, true);
  return magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
}
