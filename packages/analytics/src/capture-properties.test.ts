import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portsSurvive } from './capture-properties.js';

test('a 34-byte snap length (Network Watcher) leaves no room for ports', () => {
  assert.equal(portsSurvive(1, 34), false);
  assert.equal(portsSurvive(1, 38), true);
  assert.equal(portsSurvive(1, 262144), true);
  assert.equal(portsSurvive(1, 0), true); // no limit recorded
  assert.equal(portsSurvive(101, 23), false);
  assert.equal(portsSurvive(113, 39), false);
  assert.equal(portsSurvive(127, 10), true); // radiotap: cannot tell
});
