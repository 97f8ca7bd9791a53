/**
 * How the arrays that grow with a capture's flows (flow columns, TCP
 * state, activity cells) grow: eightfold at a time.
 *
 * The system maps a big typed array's pages as they are first written, so
 * the unwritten end of a roomy array costs address space, not memory. What
 * does cost memory is each outgrown array, until the collector frees it:
 * doubling leaves behind as much as the final arrays hold, eightfold a
 * seventh of it. On the bench's 200 MB capture (60,000 flows),
 * `capscope flows` peaked at 104-110 MB with doubling, 97-100 MB with this.
 */
const GROWTH = 8;

type Growable =
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float64Array;

/** A length of at least `needed`, grown from `length` in GROWTH steps. */
export function grownLength(length: number, needed: number): number {
  let grown = Math.max(length, 1);
  while (grown < needed) grown *= GROWTH;
  return grown;
}

/** `array`'s values at the start of a new array of `length` zeros. */
export function grownArray<T extends Growable>(array: T, length: number): T {
  const out = new (array.constructor as new (length: number) => T)(length);
  out.set(array);
  return out;
}
