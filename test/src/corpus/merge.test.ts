// Merging the flows of several captures, on the shared corpus: a capture
// cut in two and merged again gives the flows of the whole, and a source
// removed from a merged dataset leaves what the other sources give alone.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CaptureAnalysis } from '@capscope/analytics/analysis';
import { flowRecord } from '@capscope/analytics/flow-record';
import { mergeFlows, type MergeSource } from '@capscope/analytics/merge';
import { NotACaptureError } from '@capscope/parser/problems';
import { CORPUS_DIR, corpusFiles } from './corpus.js';

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

function analyseBytes(bytes: Uint8Array): MergeSource | null {
  const analysis = new CaptureAnalysis();
  try {
    analysis.push(bytes);
    analysis.end();
  } catch (error) {
    if (error instanceof NotACaptureError) return null;
    throw error;
  }
  return {
    columns: analysis.columns(),
    keyPorts: analysis.flows.keyPorts(),
    names: [...analysis.names],
  };
}

function readCorpus(name: string): Uint8Array {
  return new Uint8Array(readFileSync(CORPUS_DIR + name));
}

/** Offsets of the whole records of a classic pcap file, or null. */
function recordOffsets(bytes: Uint8Array): number[] | null {
  if (bytes.length < GLOBAL_HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const magic = view.getUint32(0, true);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const bigEndian = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!littleEndian && !bigEndian) return null;
  const offsets: number[] = [];
  let at = GLOBAL_HEADER_BYTES;
  while (bytes.length - at >= RECORD_HEADER_BYTES) {
    const end = at + RECORD_HEADER_BYTES + view.getUint32(at + 8, littleEndian);
    if (end > bytes.length) break;
    offsets.push(at);
    at = end;
  }
  return offsets;
}

/**
 * The records of a classic pcap file cut at `cuts` (record numbers), each
 * part with the file's own global header: captures taken one after the
 * other.
 */
function cutCapture(bytes: Uint8Array, cuts: number[]): Uint8Array[] | null {
  const offsets = recordOffsets(bytes);
  if (!offsets || offsets.length < 4) return null;
  const ends = [...offsets, bytes.length];
  const bounds = [0, ...cuts, offsets.length];
  const header = bytes.subarray(0, GLOBAL_HEADER_BYTES);
  const parts: Uint8Array[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const body = bytes.subarray(ends[bounds[i]], ends[bounds[i + 1]]);
    const part = new Uint8Array(header.length + body.length);
    part.set(header);
    part.set(body, header.length);
    parts.push(part);
  }
  return parts;
}

/** The fields a split can keep exactly, one line per flow, sorted. */
function flowLines(source: MergeSource): string[] {
  const lines: string[] = [];
  for (let i = 0; i < source.columns.count; i++) {
    const f = flowRecord(source.columns, i, { timeDigits: 9, names: [] });
    lines.push([f.proto, f.src, f.srcPort, f.dst, f.dstPort, f.packetsOut,
      f.bytesOut, f.packetsIn, f.bytesIn, f.firstSeen, f.lastSeen].join(' '));
  }
  return lines.sort();
}

/** Classic pcap captures of the corpus that read, with their halves. */
function splitCorpus(): Array<{
  name: string;
  whole: MergeSource;
  halves: Uint8Array[];
}> {
  const out = [];
  for (const name of corpusFiles()) {
    const bytes = readCorpus(name);
    const records = recordOffsets(bytes)?.length ?? 0;
    const halves = cutCapture(bytes, [Math.floor(records / 2)]);
    const whole = analyseBytes(bytes);
    if (halves && whole && whole.columns.count > 0) {
      out.push({ name, whole, halves });
    }
  }
  return out;
}

/**
 * Captures whose halves cannot give the whole's flows, and why. IP
 * fragments of one datagram on both sides of the cut lose their ports in
 * the second half (the first fragment, which carries them, is in the
 * other capture).
 */
const SPLIT_DIFFERS: Record<string, string> = {
  'pcapplusplus__ip4_fragments.pcap': 'a datagram fragmented across the cut',
  'pcapplusplus__ip6_fragments.pcap': 'a datagram fragmented across the cut',
};

describe('merging captures of the corpus', () => {
  const captures = splitCorpus();

  test('the corpus has classic pcap captures to cut', () => {
    assert.ok(captures.length >= 10, `only ${captures.length}`);
  });

  test('a capture cut in two and merged gives the whole capture', () => {
    const differing: string[] = [];
    for (const { name, whole, halves } of captures) {
      const parts = halves.map((part) => analyseBytes(part));
      assert.ok(parts.every((p) => p !== null), `${name}: halves read`);
      const merged = mergeFlows(parts as MergeSource[]);
      const same =
        JSON.stringify(flowLines(merged)) === JSON.stringify(flowLines(whole));
      if (!same) differing.push(name);
      if (!(name in SPLIT_DIFFERS)) {
        assert.deepEqual(flowLines(merged), flowLines(whole), name);
      }
    }
    assert.deepEqual(
      differing.sort(),
      Object.keys(SPLIT_DIFFERS).filter((name) =>
        captures.some((c) => c.name === name)).sort(),
      'exactly the listed captures differ',
    );
  });

  test('removing one source gives the dataset of the remaining ones', () => {
    // Captures of one incident: two that are halves of one capture (their
    // flows merge), and others beside them.
    const picked = captures
      .filter((c) => !(c.name in SPLIT_DIFFERS))
      .sort((a, b) => b.whole.columns.count - a.whole.columns.count)
      .slice(0, 3);
    assert.equal(picked.length, 3);
    const [big, second, third] = picked;
    const [firstHalf, secondHalf] = big.halves.map((h) => analyseBytes(h)!);
    const sources = [firstHalf, second.whole, secondHalf, third.whole];

    // A dataset grows one capture at a time, merging into what it has.
    const grown = (list: MergeSource[]) =>
      list.slice(1).reduce((merged, source) => mergeFlows([merged, source]),
        mergeFlows(list.slice(0, 1)));
    const dataset = grown(sources);
    assert.ok(dataset.columns.count < sources.reduce(
      (sum, s) => sum + s.columns.count, 0), 'some flows merged');

    for (let removed = 0; removed < sources.length; removed++) {
      const remaining = sources.filter((_, i) => i !== removed);
      // Removing a source merges the remaining sources afresh ...
      const afterRemoval = mergeFlows(remaining);
      // ... which must be what adding only those, one by one, had given.
      assert.deepEqual(afterRemoval, grown(remaining), `without ${removed}`);
    }
    assert.deepEqual(flowLines(mergeFlows([firstHalf, secondHalf])),
      flowLines(big.whole), 'the halves alone are the whole capture');
  });
});
