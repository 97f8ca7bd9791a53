import { invariant } from './invariant.js';

/**
 * A seeded pseudo-random source, so that one seed gives the same capture on
 * every machine: Math.random cannot be seeded, and node:crypto is not
 * repeatable. The core is Marsaglia's 32-bit xorshift (shifts 13, 17, 5),
 * period 2^32 - 1: plenty for sizes, ports, timings and filler bytes, and
 * not for anything secret.
 *
 * Only integer operations and exactly rounded arithmetic are used here, no
 * Math.log or Math.pow, whose last bits may differ between engines.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    invariant(Number.isSafeInteger(seed), `seed ${seed} is not an integer`);

    // A multiplicative hash spreads nearby seeds apart; zero is the one
    // state xorshift never leaves, so it is swapped for another.
    const mixed = Math.imul((seed ^ 0x2545f491) >>> 0, 0x9e3779b1) >>> 0;
    this.state = mixed === 0 ? 0x6c078965 : mixed;

    // The first outputs of a barely mixed state still look alike.
    for (let i = 0; i < 16; i++) this.nextUint32();
  }

  nextUint32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** A number in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    invariant(
      Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max,
      `bad integer range [${min}, ${max}]`,
    );
    return min + Math.floor(this.nextFloat() * (max - min + 1));
  }

  /**
   * An integer in [min, max] that favours small values, as sizes of web
   * responses do: the cube of a uniform draw puts the mean a quarter of the
   * way up the range.
   */
  skewed(min: number, max: number): number {
    const u = this.nextFloat();
    return min + Math.floor((max - min) * u * u * u);
  }

  chance(probability: number): boolean {
    return this.nextFloat() < probability;
  }

  pick<T>(items: readonly T[]): T {
    invariant(items.length > 0, 'pick from an empty list');
    return items[this.int(0, items.length - 1)];
  }

  fill(bytes: Uint8Array): void {
    let word = 0;
    for (let i = 0; i < bytes.length; i++) {
      if ((i & 3) === 0) word = this.nextUint32();
      bytes[i] = word & 0xff;
      word >>>= 8;
    }
  }

  bytes(count: number): Uint8Array {
    const out = new Uint8Array(count);
    this.fill(out);
    return out;
  }
}
