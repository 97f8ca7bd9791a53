import { invariant } from './invariant.js';
import type { Prng } from './prng.js';

/**
 * The filler repeats with this period. 64 KiB: long enough that repeats do
 * not stand out in a hex dump, short enough to draw once per run.
 */
const PERIOD_BYTES = 64 * 1024;

/**
 * The longest read: one TLS record body (16 KiB of data plus 256 bytes of
 * expansion, RFC 8446 section 5.2). The buffers repeat their first this
 * many bytes after the period, so no read has to wrap around.
 */
export const MAX_FILLER_READ_BYTES = 16 * 1024 + 256;

const STREAM_BYTES = PERIOD_BYTES + MAX_FILLER_READ_BYTES;

/** Hex digits in a line of the text filler, before its newline. */
const TEXT_LINE_DIGITS = 64;

/**
 * Endless, repeating streams of payload bytes: random ones for anything
 * encrypted, lines of hex digits for plain-text bodies. Reads are views
 * into one shared buffer, so bulk payloads cost a copy and no drawing.
 */
export class Filler {
  private readonly random = new Uint8Array(STREAM_BYTES);
  private readonly text = new Uint8Array(STREAM_BYTES);

  constructor(prng: Prng) {
    prng.fill(this.random.subarray(0, PERIOD_BYTES));
    this.random.copyWithin(PERIOD_BYTES, 0, MAX_FILLER_READ_BYTES);

    const digits = '0123456789abcdef';
    for (let i = 0; i < PERIOD_BYTES; i++) {
      const endOfLine = i % (TEXT_LINE_DIGITS + 1) === TEXT_LINE_DIGITS;
      this.text[i] = endOfLine
        ? 0x0a
        : digits.charCodeAt(prng.nextUint32() & 0x0f);
    }
    this.text.copyWithin(PERIOD_BYTES, 0, MAX_FILLER_READ_BYTES);
  }

  /** `length` random-looking bytes from position `offset` of the stream. */
  randomAt(offset: number, length: number): Uint8Array {
    return readAt(this.random, offset, length);
  }

  /** `length` bytes of hex-digit lines from position `offset`. */
  textAt(offset: number, length: number): Uint8Array {
    return readAt(this.text, offset, length);
  }
}

function readAt(
  stream: Uint8Array,
  offset: number,
  length: number,
): Uint8Array {
  invariant(
    length >= 0 && length <= MAX_FILLER_READ_BYTES,
    `filler read of ${length} bytes`,
  );
  const start = Math.abs(offset) % PERIOD_BYTES;
  return stream.subarray(start, start + length);
}
