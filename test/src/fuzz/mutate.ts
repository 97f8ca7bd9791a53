/**
 * Ways to damage a capture the way the wild does: flipped bits, cuts,
 * records repeated or swapped, and lengths that claim the absurd.
 */

export class Random {
  constructor(private state: number) {}

  /** 32 random bits (xorshift32; the seed must not be 0). */
  next(): number {
    let x = this.state || 0x9e3779b9;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  below(n: number): number {
    return this.next() % Math.max(1, n);
  }
}

const ABSURD_LENGTHS = [0, 1, 3, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0xfffffff0, 0xffffffff, 0x04000001];

function flipBytes(input: Uint8Array, random: Random): Uint8Array {
  const out = input.slice();
  const flips = 1 + random.below(8);
  for (let i = 0; i < flips; i++) {
    out[random.below(out.length)] ^= 1 << random.below(8);
  }
  return out;
}

function cut(input: Uint8Array, random: Random): Uint8Array {
  return input.slice(0, random.below(input.length + 1));
}

/** Copies a span of the file over another place, or repeats it. */
function duplicate(input: Uint8Array, random: Random): Uint8Array {
  const start = random.below(input.length);
  const length = random.below(Math.min(4096, input.length - start) + 1);
  const at = random.below(input.length);
  const out = new Uint8Array(input.length + length);
  out.set(input.subarray(0, at), 0);
  out.set(input.subarray(start, start + length), at);
  out.set(input.subarray(at), at + length);
  return out;
}

function swap(input: Uint8Array, random: Random): Uint8Array {
  const out = input.slice();
  const length = 1 + random.below(512);
  const a = random.below(Math.max(1, out.length - length));
  const b = random.below(Math.max(1, out.length - length));
  const saved = out.slice(a, a + length);
  out.copyWithin(a, b, b + length);
  out.set(saved.subarray(0, Math.min(saved.length, out.length - b)), b);
  return out;
}

/** Writes an absurd 32-bit value at a 4-byte-aligned spot (a length?). */
function absurdLength(input: Uint8Array, random: Random): Uint8Array {
  const out = input.slice();
  if (out.length < 4) return out;
  const at = random.below(out.length >> 2) << 2;
  const value = ABSURD_LENGTHS[random.below(ABSURD_LENGTHS.length)];
  new DataView(out.buffer).setUint32(at, value, random.below(2) === 0);
  return out;
}

const MUTATIONS = [flipBytes, cut, duplicate, swap, absurdLength];

/** One to three mutations in a row. */
export function mutate(input: Uint8Array, random: Random): Uint8Array {
  let out = input;
  const rounds = 1 + random.below(3);
  for (let i = 0; i < rounds && out.length > 0; i++) {
    out = MUTATIONS[random.below(MUTATIONS.length)](out, random);
  }
  return out;
}
