import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grownArray, grownLength } from './growth.js';

test('lengths grow eightfold until they hold what is needed', () => {
  assert.equal(grownLength(1024, 1025), 8192);
  assert.equal(grownLength(1024, 8193), 65536);
  assert.equal(grownLength(1024, 1024), 1024);
  assert.equal(grownLength(0, 3), 8);
});

test('a grown array keeps its values, of its type, and is zero after them', () => {
  const values = Float64Array.of(1.5, -2, 3);
  const grown = grownArray(values, 24);
  assert.ok(grown instanceof Float64Array);
  assert.deepEqual([...grown.subarray(0, 3)], [1.5, -2, 3]);
  assert.equal(grown.length, 24);
  assert.ok(grown.subarray(3).every((value) => value === 0));
  assert.deepEqual([...grownArray(Int8Array.of(-1, 7), 4)], [-1, 7, 0, 0]);
});
