import * as W from './header-kernel-layout.js';

/** What the pcap file header says about every record after it. */
export interface PcapLayout {
  littleEndian: boolean;
  /** 1000 for microsecond files, 1 for nanosecond ones. */
  nanosPerTick: number;
  linkType: number;
  /** Fractional digits of the timestamps: 6 or 9. */
  timeDigits: number;
}

/** Where a run of a record loop stopped, and why. */
export interface LoopResult {
  records: number;
  /** Position after the last record decoded. */
  stoppedAt: number;
  /**
   * Bytes the unit at stoppedAt needs from its start before it can be
   * decoded; 0 when the loop stopped because the output was full.
   */
  need: number;
  /** The record at stoppedAt claims more than MAX_UNIT_BYTES. */
  fault: boolean;
  /** Records of length 0 among those decoded (a problem each). */
  zeroLength: number;
}

export function newLoopResult(): LoopResult {
  return { records: 0, stoppedAt: 0, need: 0, fault: false, zeroLength: 0 };
}

/**
 * Records a loop writes per call: 2048 records are 295 KB of words, small
 * enough to stay in a core's cache while the sink reads them.
 */
export const BATCH_RECORDS = 2048;

/**
 * The record loop over classic pcap records after the file header: the
 * TypeScript kernel (header-kernel.ts) or the WebAssembly one
 * (header-kernel-wasm.ts). It decodes bytes in a staging area it owns.
 */
export interface RecordLoop {
  /** The staging area; a new view after grow(). */
  readonly staging: Uint8Array;
  /** The records of the last decode(), from word 0. */
  readonly words: Int32Array;
  /** Makes the staging area hold `bytes`, keeping its first `keep`. */
  grow(bytes: number, keep: number): void;
  start(layout: PcapLayout): void;
  /**
   * Decodes the whole records in staging[pos, end), at most maxRecords,
   * into `words`; staging[i] lies at baseOffset + i in the file.
   */
  decode(
    pos: number,
    end: number,
    baseOffset: number,
    maxRecords: number,
    result: LoopResult,
  ): void;
}

/**
 * Called with `count` records from word 0 of `words`; `zeroLength` of them
 * have both lengths 0.
 */
export type EmitRecords = (
  words: Int32Array,
  count: number,
  bytes: Uint8Array,
  zeroLength: number,
) => void;

/**
 * Chunks are copied into the staging area in pieces of 1 MiB, so that the
 * loop reads bytes the copy just brought into the cache: measured with
 * scripts/bench-kernel.mjs, this made the TypeScript loop faster than
 * reading 16 MiB chunks where they lie, and the WebAssembly loop can read
 * nothing else. A record longer than that grows the area to fit it.
 */
export const STAGING_PIECE_BYTES = 1024 * 1024;
const RECORD_HEADER_BYTES = 16;

/**
 * Feeds chunks to a record loop through its staging area:
 *
 *   staging: leftover of the last piece | next piece of the chunk
 *
 * The leftover is the start of a record the last piece cut, so the loop
 * always sees whole records in one run of bytes. Once a record claims a
 * length past any capture's, the engine stops for good.
 */
export class PcapEngine {
  /** Bytes the unit at the start of the leftover needs in all. */
  need = RECORD_HEADER_BYTES;
  /** File offset of the record that stopped the engine, or -1. */
  faultOffset = -1;
  faultLength = 0;
  private littleEndian = true;
  private capacity = STAGING_PIECE_BYTES;
  /** Bytes at the start of the staging area kept from the last piece. */
  private carryLength = 0;
  /** File offset of the first byte of the staging area. */
  private carryOffset = 0;
  private readonly result = newLoopResult();

  constructor(private readonly loop: RecordLoop) {}

  get leftoverBytes(): number {
    return this.carryLength;
  }

  get leftoverOffset(): number {
    return this.carryOffset;
  }

  /** Called once, with the file header, before the first push(). */
  start(layout: PcapLayout): void {
    this.littleEndian = layout.littleEndian;
    this.loop.grow(this.capacity, 0);
    this.loop.start(layout);
  }

  /** Decodes what is whole once `chunk`, at `chunkOffset`, is added. */
  push(chunk: Uint8Array, chunkOffset: number, emit: EmitRecords): void {
    if (this.faultOffset >= 0) return;
    this.carryOffset = chunkOffset - this.carryLength;
    let taken = 0;
    while (taken < chunk.length) {
      const piece = Math.min(this.capacity - this.carryLength,
        chunk.length - taken);
      this.loop.staging.set(chunk.subarray(taken, taken + piece),
        this.carryLength);
      taken += piece;

      const filled = this.carryLength + piece;
      const used = this.run(filled, emit);
      if (this.faultOffset >= 0) return;
      if (used < filled) this.loop.staging.copyWithin(0, used, filled);
      this.carryLength = filled - used;
      this.carryOffset += used;
      if (this.need > this.capacity) this.grow(this.need);
    }
  }

  /** Decodes staging[0, filled) batch by batch; returns where it stopped. */
  private run(filled: number, emit: EmitRecords): number {
    const loop = this.loop;
    const result = this.result;
    let pos = 0;
    for (;;) {
      loop.decode(pos, filled, this.carryOffset, BATCH_RECORDS, result);
      if (result.records > 0) {
        emit(loop.words, result.records, loop.staging.subarray(0, filled),
          result.zeroLength);
      }
      pos = result.stoppedAt;
      if (result.fault) {
        const staging = loop.staging;
        this.faultOffset = this.carryOffset + pos;
        this.faultLength = new DataView(staging.buffer, staging.byteOffset)
          .getUint32(pos + 8, this.littleEndian);
        return pos;
      }
      if (result.need > 0) {
        this.need = result.need;
        return pos;
      }
    }
  }

  private grow(bytes: number): void {
    let capacity = this.capacity;
    while (capacity < bytes) capacity *= 2;
    this.capacity = capacity;
    this.loop.grow(capacity, this.carryLength);
  }
}

/** Checks at start-up that a loop writes records of this layout. */
export function assertRecordWords(words: number, who: string): void {
  if (words !== W.RECORD_WORDS) {
    throw new Error(
      `kernel: ${who} writes ${words}-word records, this code reads ` +
        `${W.RECORD_WORDS}; rebuild the parser`);
  }
}
