// Several workers, each keeping the flows of its share of address pairs,
// merged: the same result as one worker, on every shared capture and on
// the benchmark's traffic, fed in chunks that cut records anywhere.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  analyseInParts,
  analyseWhole,
  comparable,
} from '@capscope/analytics/partition-testing';
import { NotACaptureError } from '@capscope/parser/problems';
import { PcapWriter } from '../generator/pcap-writer.js';
import { writeBenchCapture } from '../generator/bench-scenario.js';
import { CORPUS_DIR, corpusFiles } from './corpus.js';

const WORKER_COUNTS = [2, 3, 7];

describe('several workers give what one gives, on the shared corpus', () => {
  for (const name of corpusFiles()) {
    test(name, async () => {
      const file = new Uint8Array(readFileSync(CORPUS_DIR + name));
      let whole;
      try {
        whole = comparable(await analyseWhole(file));
      } catch (error) {
        if (error instanceof NotACaptureError) return;
        throw error;
      }
      for (const count of WORKER_COUNTS) {
        // Chunks of an odd size, so that records straddle them.
        const parts = await analyseInParts(file, count, 1499 + count);
        assert.deepEqual(comparable(parts), whole, `${count} workers`);
      }
    });
  }
});

test('several workers give what one gives, on benchmark traffic', async () => {
  const writer = new PcapWriter();
  writeBenchCapture({ targetBytes: 4_000_000, concurrentFlows: 2000 },
    writer);
  writer.finish();
  const file = writer.toUint8Array();
  const whole = comparable(await analyseWhole(file));
  for (const count of WORKER_COUNTS) {
    const parts = await analyseInParts(file, count, 65_536);
    assert.deepEqual(comparable(parts), whole, `${count} workers`);
  }
});
