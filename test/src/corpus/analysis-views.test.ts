// The command line's analysis skips what only the page's views read (the
// protocol hierarchy and the activity timeline): everything else must be
// what the full analysis gives, on every shared capture, whole and in
// shares.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { AnalysisResult } from '@capscope/analytics/analysis-result';
import {
  analyseInParts,
  analyseWhole,
  comparable,
} from '@capscope/analytics/partition-testing';
import { NotACaptureError } from '@capscope/parser/problems';
import { CORPUS_DIR, corpusFiles } from './corpus.js';

/** Feeds the file in odd-sized chunks, so that records straddle them. */
const CHUNK_BYTES = 1499;

/** What the views read taken out; it must be empty in `result`. */
function withoutViews(result: AnalysisResult, empty: boolean): unknown {
  if (empty) {
    assert.equal(result.activity.cellCount, 0);
    assert.equal(result.hierarchy.length, 0);
  }
  return { ...(comparable(result) as object), hierarchy: null, activity: null };
}

describe('an analysis without the views gives the same flows and totals', () => {
  for (const name of corpusFiles()) {
    test(name, async () => {
      const file = new Uint8Array(readFileSync(CORPUS_DIR + name));
      let full: AnalysisResult;
      try {
        full = await analyseWhole(file, CHUNK_BYTES);
      } catch (error) {
        if (!(error instanceof NotACaptureError)) throw error;
        await assert.rejects(
          analyseWhole(file, CHUNK_BYTES, undefined, false), NotACaptureError);
        return;
      }
      assert.deepEqual(withoutViews(
        await analyseWhole(file, CHUNK_BYTES, undefined, false), true),
        withoutViews(full, false));
      assert.deepEqual(withoutViews(
        await analyseInParts(file, 3, CHUNK_BYTES, undefined, false), true),
        withoutViews(await analyseInParts(file, 3, CHUNK_BYTES), false));
    });
  }
});
