import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  estimateTransfer,
  formatSecondsLeft,
  RATE_WINDOW_MS,
  type TransferSample,
} from '../../../apps/web/src/import/transfer-rate.js';

describe('estimateTransfer', () => {
  test('needs half a second of samples', () => {
    assert.equal(estimateTransfer([], 100), null);
    assert.equal(estimateTransfer([{ ms: 0, bytes: 0 }, { ms: 100, bytes: 50 }], 100), null);
  });

  test('gives the rate over the recent window and the time left', () => {
    const samples: TransferSample[] = [];
    // 1 MB/s for 10 s, then 2 MB/s for 6 s.
    for (let s = 0; s <= 10; s++) samples.push({ ms: s * 1000, bytes: s * 1e6 });
    for (let s = 1; s <= 6; s++) {
      samples.push({ ms: 10_000 + s * 1000, bytes: 10e6 + s * 2e6 });
    }
    const estimate = estimateTransfer(samples, 42e6);
    assert.ok(estimate);
    assert.equal(estimate.bytesPerSecond, 2e6);
    assert.equal(estimate.secondsLeft, 10);
    assert.ok(samples.at(-1)!.ms - samples[0].ms <= RATE_WINDOW_MS + 1000);
  });

  test('gives no time left while the size is unknown', () => {
    const estimate = estimateTransfer(
      [{ ms: 0, bytes: 0 }, { ms: 1000, bytes: 500 }],
      0,
    );
    assert.deepEqual(estimate, { bytesPerSecond: 500, secondsLeft: null });
  });

  test('formats the time left', () => {
    assert.equal(formatSecondsLeft(44.2), '45 s');
    assert.equal(formatSecondsLeft(200), '3 min 20 s');
    assert.equal(formatSecondsLeft(7500), '2 h 5 min');
  });
});
