import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashKey } from './flow-table.js';

const MOD = 2n ** 32n;

/** x^-1 mod 2^32 for odd x. */
function inverse(x: bigint): bigint {
  let y = 1n;
  for (let i = 0; i < 5; i++) y = (y * (2n - x * y)) % MOD;
  return (y + MOD) % MOD;
}

const word = (value: bigint) => Number(((value % MOD) + MOD) % MOD);

/**
 * Ends that all shared one hash when each end's hash was a fixed weighted
 * sum of its words, mixed once: a capture of them made every flow lookup
 * walk all the others.
 */
test('ends crafted against a fixed weighted sum do not share a hash', () => {
  const addressWeight = 0x9e3779b1n;
  const portWeight = 0x165667b1n;
  const target = 0x12345678n;
  const server = new Uint32Array([0x0a000001, 0, 0, 0]);
  const hashes = new Set<number>();
  const ports = 4000;
  for (let port = 1; port <= ports; port++) {
    const address = (target - BigInt(port) * portWeight) *
      inverse(addressWeight);
    const client = new Uint32Array([word(address), 0, 0, 0]);
    hashes.add(hashKey(4, 17, client, 0, port, server, 0, 53));
  }
  assert.ok(hashes.size >= ports - 2, `${hashes.size} hashes for ${ports}`);

  // IPv6: word 1 moved by d, word 3 by what cancels it.
  const weight1 = 0x85ebca77n;
  const weight3 = 0x27d4eb2fn;
  const v6 = new Set<number>();
  const server6 = new Uint32Array([0x20010db8, 0, 0, 1]);
  for (let d = 0n; d < BigInt(ports); d++) {
    const client = new Uint32Array([0x20010db8, word(d), 0,
      word(-d * weight1 * inverse(weight3))]);
    v6.add(hashKey(6, 6, client, 0, 40000, server6, 0, 443));
  }
  assert.ok(v6.size >= ports - 2, `${v6.size} hashes for ${ports}`);
});

test('either direction of a flow has the same hash', () => {
  const a = new Uint32Array([0x20010db8, 7, 0, 1]);
  const b = new Uint32Array([0x20010db8, 9, 0, 2]);
  assert.equal(hashKey(6, 6, a, 0, 51000, b, 0, 443),
    hashKey(6, 6, b, 0, 443, a, 0, 51000));
  const c = new Uint32Array([0xc0a80001, 0, 0, 0]);
  const d = new Uint32Array([0x08080808, 0, 0, 0]);
  assert.equal(hashKey(4, 17, c, 0, 5353, d, 0, 53),
    hashKey(4, 17, d, 0, 53, c, 0, 5353));
});
