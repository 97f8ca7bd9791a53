import { assertNever, invariant } from './invariant.js';

/** Where a length field waits to be filled in, and how wide it is. */
export interface LengthMark {
  readonly at: number;
  readonly widthBytes: 1 | 2 | 3 | 4;
}

/**
 * Appends big-endian fields to a fixed buffer that is reset and reused for
 * every message. It throws rather than grow: every message written here has
 * a known bound, so an overflow is a mistake in the caller.
 */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private position = 0;

  constructor(capacityBytes: number) {
    this.bytes = new Uint8Array(capacityBytes);
    this.view = new DataView(
      this.bytes.buffer,
      this.bytes.byteOffset,
      this.bytes.byteLength,
    );
  }

  get length(): number {
    return this.position;
  }

  reset(): this {
    this.position = 0;
    return this;
  }

  /** What was written since the last reset: a view, valid until then. */
  result(): Uint8Array {
    return this.bytes.subarray(0, this.position);
  }

  u8(value: number): this {
    this.view.setUint8(this.take(1), value);
    return this;
  }

  u16(value: number): this {
    this.view.setUint16(this.take(2), value);
    return this;
  }

  u24(value: number): this {
    const at = this.take(3);
    this.view.setUint8(at, value >>> 16);
    this.view.setUint16(at + 1, value & 0xffff);
    return this;
  }

  u32(value: number): this {
    this.view.setUint32(this.take(4), value);
    return this;
  }

  u32le(value: number): this {
    this.view.setUint32(this.take(4), value, true);
    return this;
  }

  append(source: Uint8Array): this {
    this.bytes.set(source, this.take(source.length));
    return this;
  }

  ascii(text: string): this {
    const at = this.take(text.length);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      invariant(code < 0x80, `non-ASCII text: ${text}`);
      this.bytes[at + i] = code;
    }
    return this;
  }

  /** Reserves `count` bytes for the caller to fill; returns where. */
  skip(count: number): number {
    return this.take(count);
  }

  /** Leaves room for a length that closeLength fills in. */
  openLength(widthBytes: LengthMark['widthBytes']): LengthMark {
    return { at: this.take(widthBytes), widthBytes };
  }

  /** Writes the count of bytes appended since the mark was opened. */
  closeLength(mark: LengthMark): void {
    const value = this.position - mark.at - mark.widthBytes;
    invariant(
      value < 2 ** (8 * mark.widthBytes),
      `${value} does not fit a ${mark.widthBytes}-byte length`,
    );
    switch (mark.widthBytes) {
      case 1:
        this.view.setUint8(mark.at, value);
        break;
      case 2:
        this.view.setUint16(mark.at, value);
        break;
      case 3:
        this.view.setUint8(mark.at, value >>> 16);
        this.view.setUint16(mark.at + 1, value & 0xffff);
        break;
      case 4:
        this.view.setUint32(mark.at, value);
        break;
      default:
        assertNever(mark.widthBytes);
    }
  }

  setU8(at: number, value: number): void {
    invariant(at < this.position, `setU8 at ${at} past what was written`);
    this.view.setUint8(at, value);
  }

  setU32(at: number, value: number): void {
    invariant(at + 4 <= this.position, `setU32 at ${at} past what was written`);
    this.view.setUint32(at, value);
  }

  private take(count: number): number {
    const at = this.position;
    if (at + count > this.bytes.length) {
      throw new RangeError(
        `ByteWriter: ${count} more bytes at ${at} overflow its ` +
          `${this.bytes.length}`,
      );
    }
    this.position = at + count;
    return at;
  }
}
