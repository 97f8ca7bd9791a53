import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzz } from './fuzz-runner.js';

/**
 * A fixed-seed run of bounded time in every `npm test`; `npm run fuzz`
 * runs the same loop longer with a fresh seed. Saved fixtures are seeds.
 */
const SECONDS = 15;

test(`fuzzing the parser and flow table for ${SECONDS} s finds nothing`,
  async () => {
    const result = await fuzz(0xc0ffee, SECONDS);
    assert.equal(result.failure, null, result.failure ?? '');
    assert.ok(result.inputs > 500, `${result.inputs} inputs`);
    console.log(`fuzz: ${result.inputs} inputs, ${result.refused} refused ` +
      `as not a capture, ${result.problems} problems reported`);
  });
