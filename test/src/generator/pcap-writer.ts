import { writeSync } from 'node:fs';

import { invariant } from './invariant.js';

/** Written little-endian, so the file starts d4 c3 b2 a1: microseconds. */
export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
const PCAP_VERSION_MAJOR = 2;
const PCAP_VERSION_MINOR = 4;
/** tcpdump's default snap length since 4.0: every common frame whole. */
export const SNAP_LENGTH_BYTES = 262144;
export const LINKTYPE_ETHERNET = 1;

export const GLOBAL_HEADER_BYTES = 24;
export const RECORD_HEADER_BYTES = 16;

/** An 802.1Q tag: this TPID, then priority (3 bits), DEI and ID (12). */
const TPID_8021Q = 0x8100;
const VLAN_TAG_BYTES = 4;
/** Both MAC addresses come before the tag. */
const MAC_PAIR_BYTES = 12;
const ETHERTYPE_BYTES = 2;

/**
 * Files are written in 8 MiB pieces: about 128 system calls for 1 GB, and
 * memory stays flat however large the file grows.
 */
export const FILE_CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * Bounds for a chosen piece size. Files should use 4 to 16 MiB; down to
 * 4 KiB is allowed so that a test can cross many piece boundaries with a
 * small capture. Past 16 MiB a larger buffer buys nothing.
 */
const MIN_CHUNK_BYTES = 4 * 1024;
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
/**
 * In memory, chunks start at 256 KiB, which holds the sample in one or two,
 * and double up to 16 MiB, so that a big capture is neither one huge
 * reallocation nor thousands of small arrays.
 */
const FIRST_MEMORY_CHUNK_BYTES = 256 * 1024;

/**
 * Takes a filled chunk. The writer reuses the chunk once the sink returns,
 * so a sink that keeps the bytes must copy them.
 */
export type ChunkSink = (chunk: Uint8Array) => void;

export interface PcapWriterOptions {
  /** Where full chunks go; without one the writer keeps them in memory. */
  sink?: ChunkSink;
  /** Chunk size with a sink; FILE_CHUNK_BYTES by default. */
  chunkBytes?: number;
  /** Frames longer than this are cut; their original length is kept. */
  snapLengthBytes?: number;
}

export interface VlanTag {
  /** 0 to 4095; 0 is a priority tag without a VLAN. */
  id: number;
  /** Priority code point, 0 to 7. */
  priority: number;
}

/**
 * Writes a classic libpcap file, little-endian, microsecond timestamps,
 * Ethernet frames:
 *
 *   global header: magic u32 | major u16 | minor u16 | thiszone i32 |
 *                  sigfigs u32 | snaplen u32 | linktype u32
 *   record:        ts_sec u32 | ts_usec u32 | incl_len u32 | orig_len u32 |
 *                  frame bytes (incl_len of them)
 *
 * Records are appended to chunks. Without a sink the chunks grow and are
 * kept for toUint8Array(); with one (fileSink for a file descriptor) each
 * full chunk is handed over and its buffer reused, so a 1 GB file is
 * written without being held in memory. Call finish() after the last frame.
 */
export class PcapWriter {
  private readonly sink: ChunkSink | null;
  private readonly kept: Uint8Array[] = [];
  private readonly snapLengthBytes: number;
  private readonly tag = new Uint8Array(VLAN_TAG_BYTES);
  private chunk: Uint8Array;
  private view: DataView;
  private used = 0;
  private nextChunkBytes: number;
  private recordCount = 0;
  private byteCount = 0;
  private finished = false;

  constructor(options: PcapWriterOptions = {}) {
    this.sink = options.sink ?? null;

    this.snapLengthBytes = options.snapLengthBytes ?? SNAP_LENGTH_BYTES;
    if (
      !Number.isInteger(this.snapLengthBytes) ||
      this.snapLengthBytes < 1 ||
      this.snapLengthBytes > SNAP_LENGTH_BYTES
    ) {
      throw new RangeError(
        `snap length ${this.snapLengthBytes} is not in 1..${SNAP_LENGTH_BYTES}`,
      );
    }

    const defaultChunkBytes =
      this.sink === null ? FIRST_MEMORY_CHUNK_BYTES : FILE_CHUNK_BYTES;
    const chunkBytes = options.chunkBytes ?? defaultChunkBytes;
    if (
      !Number.isInteger(chunkBytes) ||
      chunkBytes < MIN_CHUNK_BYTES ||
      chunkBytes > MAX_CHUNK_BYTES
    ) {
      throw new RangeError(
        `chunk size ${chunkBytes} is not in ` +
          `${MIN_CHUNK_BYTES}..${MAX_CHUNK_BYTES} bytes`,
      );
    }
    this.nextChunkBytes = chunkBytes;
    this.chunk = new Uint8Array(chunkBytes);
    this.view = new DataView(this.chunk.buffer);

    this.writeGlobalHeader();
  }

  /** Records written so far. */
  get packets(): number {
    return this.recordCount;
  }

  /** Size of the file so far, flushed or not. */
  get fileBytes(): number {
    return this.byteCount;
  }

  /**
   * Appends one record. `frame` is an Ethernet frame without FCS; with a
   * `vlan` tag, 4 bytes are inserted after its MAC addresses. The frame is
   * copied, so the caller may reuse its buffer at once.
   *
   * Returns the frame's length on the wire (the record's orig_len).
   */
  writeFrame(
    tsMicros: number,
    frame: Uint8Array,
    vlan: VlanTag | null = null,
  ): number {
    invariant(!this.finished, 'frame written after finish()');
    if (
      !Number.isSafeInteger(tsMicros) ||
      tsMicros < 0 ||
      tsMicros >= 2 ** 32 * 1e6
    ) {
      throw new RangeError(
        `timestamp ${tsMicros} µs does not fit classic pcap`,
      );
    }

    const originalLength = frame.length + (vlan === null ? 0 : VLAN_TAG_BYTES);
    const capturedLength = Math.min(originalLength, this.snapLengthBytes);
    const at = this.reserve(RECORD_HEADER_BYTES + capturedLength);

    const micros = tsMicros % 1e6;
    const view = this.view;
    view.setUint32(at, (tsMicros - micros) / 1e6, true);
    view.setUint32(at + 4, micros, true);
    view.setUint32(at + 8, capturedLength, true);
    view.setUint32(at + 12, originalLength, true);

    const dataAt = at + RECORD_HEADER_BYTES;
    if (vlan === null) {
      this.chunk.set(frame.subarray(0, capturedLength), dataAt);
    } else {
      this.copyTagged(frame, vlan, dataAt, capturedLength);
    }

    this.recordCount++;
    return originalLength;
  }

  /** Hands the last, partly filled chunk to the sink. Call it once. */
  finish(): void {
    invariant(!this.finished, 'finish() called twice');
    this.finished = true;
    if (this.sink !== null) this.flushChunk();
  }

  /** The whole file so far in one new array; for writers without a sink. */
  toUint8Array(): Uint8Array {
    invariant(this.sink === null, 'a writer with a sink keeps no bytes');
    const out = new Uint8Array(this.byteCount);
    let at = 0;
    for (const piece of this.kept) {
      out.set(piece, at);
      at += piece.length;
    }
    out.set(this.chunk.subarray(0, this.used), at);
    return out;
  }

  private writeGlobalHeader(): void {
    const at = this.reserve(GLOBAL_HEADER_BYTES);
    const view = this.view;
    view.setUint32(at, PCAP_MAGIC_MICROS, true);
    view.setUint16(at + 4, PCAP_VERSION_MAJOR, true);
    view.setUint16(at + 6, PCAP_VERSION_MINOR, true);
    view.setInt32(at + 8, 0, true); // thiszone: timestamps are UTC
    view.setUint32(at + 12, 0, true); // sigfigs: always 0 in practice
    view.setUint32(at + 16, this.snapLengthBytes, true);
    view.setUint32(at + 20, LINKTYPE_ETHERNET, true);
  }

  /**
   * Copies MACs | tag | the rest of the frame, each piece as far as the
   * snap length reaches.
   */
  private copyTagged(
    frame: Uint8Array,
    vlan: VlanTag,
    dataAt: number,
    capturedLength: number,
  ): void {
    invariant(
      frame.length >= MAC_PAIR_BYTES + ETHERTYPE_BYTES,
      'a frame to tag has an Ethernet header',
    );
    if (!isIntegerIn(vlan.id, 0, 4095) || !isIntegerIn(vlan.priority, 0, 7)) {
      throw new RangeError(
        `VLAN ${vlan.id} priority ${vlan.priority} is not a valid 802.1Q tag`,
      );
    }

    const controlField = (vlan.priority << 13) | vlan.id;
    this.tag[0] = TPID_8021Q >>> 8;
    this.tag[1] = TPID_8021Q & 0xff;
    this.tag[2] = controlField >>> 8;
    this.tag[3] = controlField & 0xff;

    let at = dataAt;
    let left = capturedLength;
    const pieces = [
      frame.subarray(0, MAC_PAIR_BYTES),
      this.tag,
      frame.subarray(MAC_PAIR_BYTES),
    ];
    for (const piece of pieces) {
      const length = Math.min(piece.length, left);
      this.chunk.set(piece.subarray(0, length), at);
      at += length;
      left -= length;
    }
  }

  /** Room for `bytes` more in the current chunk; returns where it starts. */
  private reserve(bytes: number): number {
    if (this.used + bytes > this.chunk.length) {
      this.flushChunk();
      // A record larger than a chunk gets a chunk of its own size.
      if (bytes > this.chunk.length) this.replaceChunk(bytes);
    }
    const at = this.used;
    this.used += bytes;
    this.byteCount += bytes;
    return at;
  }

  private flushChunk(): void {
    if (this.used === 0) return;
    const filled = this.chunk.subarray(0, this.used);

    if (this.sink !== null) {
      this.sink(filled);
      this.used = 0;
      return;
    }

    this.kept.push(filled);
    this.nextChunkBytes = Math.min(this.nextChunkBytes * 2, MAX_CHUNK_BYTES);
    this.replaceChunk(this.nextChunkBytes);
  }

  private replaceChunk(bytes: number): void {
    this.chunk = new Uint8Array(bytes);
    this.view = new DataView(this.chunk.buffer);
    this.used = 0;
  }
}

/** A sink that writes each chunk whole to an open file descriptor. */
export function fileSink(fd: number): ChunkSink {
  return (chunk) => {
    let written = 0;
    while (written < chunk.length) {
      written += writeSync(fd, chunk, written, chunk.length - written);
    }
  };
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
