import type { CaptureSink, Framer } from './framer.js';
import { PcapFramer } from './pcap.js';
import { PcapngFramer } from './pcapng.js';
import { NotACaptureError } from './problems.js';
import { describeHead, SNIFF_BYTES, sniffFormat } from './sniff.js';

/**
 * Reads a capture from chunks of any size, in order. Records that lie whole
 * in a chunk are read where they are; one that straddles chunks is copied
 * into a carry buffer just big enough for it. Any chunking gives the same
 * packets, problems and offsets.
 *
 * Throws NotACaptureError from push() when the first bytes are not a
 * capture we read; everything else is reported to the sink as a problem.
 */
export class CaptureReader {
  private framer: Framer | null = null;
  private head: Uint8Array = new Uint8Array(0);
  private carry = new Uint8Array(4096);
  private carryView = new DataView(this.carry.buffer);
  private carryLength = 0;
  private carryOffset = 0;
  /** File offset of the next byte pushed. */
  private bytesSeen = 0;

  constructor(private readonly sink: CaptureSink) {}

  get bytesRead(): number {
    return this.bytesSeen;
  }

  /** True once the framer met a fault it cannot frame past. */
  get stopped(): boolean {
    return this.framer?.stopped ?? false;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.framer === null) {
      chunk = this.sniff(chunk);
      if (this.framer === null) return;
    }
    const chunkOffset = this.bytesSeen;
    this.bytesSeen += chunk.length;
    const framer = this.framer as Framer;
    if (framer.stopped) return;

    let pos = 0;
    if (this.carryLength > 0) {
      pos = this.completeCarry(framer, chunk);
      if (this.carryLength > 0 || framer.stopped) return;
    }

    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
    const next = framer.parse(chunk, view, pos, chunk.length, chunkOffset);
    if (next < chunk.length && !framer.stopped) {
      this.ensureCarry(Math.max(framer.need, chunk.length - next));
      this.carry.set(chunk.subarray(next), 0);
      this.carryLength = chunk.length - next;
      this.carryOffset = chunkOffset + next;
    }
  }

  /** Ends the input: a partial record left over is reported. */
  end(): void {
    if (this.framer === null) {
      if (this.head.length > 0) this.rejectHead(this.head);
      throw new NotACaptureError('not-a-capture',
        'The file is empty: it holds no packet capture.');
    }
    const framer = this.framer;
    if (this.carryLength > 0 && !framer.stopped) {
      // A framer that scans (for a lost section, say) may still find
      // whole units in what is left.
      const used = framer.parse(this.carry, this.carryView, 0,
        this.carryLength, this.carryOffset);
      this.carryLength -= used;
      this.carryOffset += used;
    }
    framer.finish(this.carryLength, this.carryOffset);
    this.carryLength = 0;
  }

  /**
   * Moves bytes from the chunk into the carry until the unit it holds is
   * whole, parses it, and returns where parsing of the chunk resumes.
   */
  private completeCarry(framer: Framer, chunk: Uint8Array): number {
    let pos = 0;
    while (this.carryLength > 0 && !framer.stopped) {
      const wanted = framer.need - this.carryLength;
      const taken = Math.min(Math.max(wanted, 0), chunk.length - pos);
      this.ensureCarry(this.carryLength + taken);
      this.carry.set(chunk.subarray(pos, pos + taken), this.carryLength);
      this.carryLength += taken;
      pos += taken;
      if (this.carryLength < framer.need) return pos;

      const used = framer.parse(this.carry, this.carryView, 0,
        this.carryLength, this.carryOffset);
      if (used > 0) {
        this.carry.copyWithin(0, used, this.carryLength);
        this.carryLength -= used;
        this.carryOffset += used;
      }
      if (used === 0 && this.carryLength >= framer.need) {
        // The framer asked for bytes it then did not use: a bug, and a
        // loop without progress if we went on.
        throw new Error('framer made no progress on a complete unit');
      }
    }
    return pos;
  }

  private ensureCarry(bytes: number): void {
    if (bytes <= this.carry.length) return;
    let size = this.carry.length;
    while (size < bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.carry.subarray(0, this.carryLength));
    this.carry = grown;
    this.carryView = new DataView(grown.buffer);
  }

  /** Collects the first bytes, picks the framer, returns what to parse. */
  private sniff(chunk: Uint8Array): Uint8Array {
    // A first chunk long enough to sniff is read where it lies: copying a
    // chunk of megabytes only to free it again costs time, and the freed
    // block raises the size below which the C allocator keeps memory.
    let joined = chunk;
    if (this.head.length > 0 || chunk.length < SNIFF_BYTES) {
      joined = new Uint8Array(this.head.length + chunk.length);
      joined.set(this.head, 0);
      joined.set(chunk, this.head.length);
    }
    if (joined.length < SNIFF_BYTES) {
      this.head = joined;
      return joined;
    }
    this.head = new Uint8Array(0);
    switch (sniffFormat(joined)) {
      case 'pcap':
        this.framer = new PcapFramer(this.sink);
        break;
      case 'pcapng':
        this.framer = new PcapngFramer(this.sink);
        break;
      default:
        this.rejectHead(joined);
    }
    return joined;
  }

  private rejectHead(head: Uint8Array): never {
    const format = sniffFormat(head);
    if (format === 'netmon') {
      throw new NotACaptureError('netmon',
        'This is a Microsoft Network Monitor capture, not pcap. Convert ' +
          'it with "editcap -F pcap FILE.cap FILE.pcap" and open that.');
    }
    if (format === 'gzip') {
      throw new NotACaptureError('not-a-capture',
        'This file is gzip-compressed; decompress it first.');
    }
    throw new NotACaptureError('not-a-capture',
      `This is not a packet capture: it starts with ${describeHead(head)}, ` +
        'not with a pcap or pcapng header.');
  }
}
