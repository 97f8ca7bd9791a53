import { mix } from './flow-table.js';

/**
 * One of `count` workers that share a capture's analysis. Every worker
 * reads the whole capture, in file order; each keeps the flows whose two
 * addresses hash to its `index`. A flow's packets, a datagram's fragments
 * and every tunnel level's flow of one address pair therefore meet in one
 * worker, in the order of the file, and per-flow state (TCP sequence
 * analysis, port reuse, hints) comes out exactly as one worker makes it.
 */
export interface Partition {
  index: number;
  count: number;
}

/** The worker an address pair belongs to; either order gives the same. */
export function partitionOf(
  bytes: Uint8Array,
  version: number,
  srcAt: number,
  dstAt: number,
  count: number,
): number {
  const words = version === 4 ? 1 : 4;
  const pair = (addressHash(bytes, srcAt, words) +
    addressHash(bytes, dstAt, words)) >>> 0;
  return mix(pair ^ version) % count;
}

function addressHash(bytes: Uint8Array, at: number, words: number): number {
  let h = 0x9e3779b9;
  for (let i = 0; i < words; i++) {
    const p = at + i * 4;
    h = mix(h ^ (((bytes[p] << 24) | (bytes[p + 1] << 16) |
      (bytes[p + 2] << 8) | bytes[p + 3]) >>> 0));
  }
  return h;
}
