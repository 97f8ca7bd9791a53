import { DecodedPacket } from './decode.js';
import type {
  EmitRecords,
  PcapLayout,
  RecordLoop,
} from './header-kernel-engine.js';
import { PcapEngine } from './header-kernel-engine.js';
import type { HeaderBatch } from './header-kernel-layout.js';
import * as W from './header-kernel-layout.js';
import { writeRecordFromPacket } from './header-kernel-reference.js';
import { PCAP_MAGIC_MICROS, PCAP_MAGIC_NANOS } from './pcap.js';
import type { Problem } from './problems.js';
import { CaptureReader } from './reader.js';
import type { CaptureInfo, InterfaceInfo, PacketRecord } from './record.js';
import { SNIFF_BYTES, sniffFormat } from './sniff.js';

/** Receives header records in file order, and what CaptureSink gets. */
export interface HeaderSink {
  /**
   * A batch and the bytes it points into are valid only during the call:
   * both are reused for the next batch.
   */
  records(batch: HeaderBatch): void;
  problem(problem: Problem): void;
  format?(info: CaptureInfo): void;
  interface?(info: InterfaceInfo): void;
  /**
   * When given, a capture that does not go through the kernel (pcapng,
   * and the odd cases) reaches the sink as packets, as CaptureReader hands
   * them out, instead of as records made by decodePacket().
   */
  packet?(record: PacketRecord): void;
}

const PCAP_HEADER_BYTES = 24;
/**
 * Records per batch on the pcapng path: 1024 records (147 KB of words)
 * keep the sink's calls rare and the buffer in cache.
 */
const REFERENCE_BATCH_RECORDS = 1024;

/**
 * Reads a capture from chunks of any size into header records, like
 * CaptureReader reads it into packets: same packets, problems, offsets and
 * errors, for any chunking. Classic pcap goes through the engine; pcapng,
 * and anything else, through CaptureReader and decodePacket().
 */
export class HeaderReader {
  private head: Uint8Array = new Uint8Array(0);
  private mode: 'head' | 'engine' | 'reference' = 'head';
  private reference: ReferencePath | null = null;
  private packetCount = 0;
  private bytesSeen = 0;
  private halted = false;
  private readonly engine: PcapEngine;
  private readonly emit: EmitRecords;

  /** `loop` decodes classic pcap records: TypeScript or WebAssembly. */
  constructor(
    private readonly sink: HeaderSink,
    loop: RecordLoop,
  ) {
    this.engine = new PcapEngine(loop);
    this.emit = (words, count, bytes, zeroLength) =>
      this.emitRecords(words, count, bytes, zeroLength);
  }

  get bytesRead(): number {
    return this.bytesSeen;
  }

  /** True once a record too long for any capture stopped the reading. */
  get stopped(): boolean {
    return this.halted || (this.reference?.reader.stopped ?? false);
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.mode === 'head') {
      chunk = this.collectHead(chunk);
      if (this.mode === 'head') return;
    }
    if (this.mode === 'reference') {
      this.bytesSeen += chunk.length;
      (this.reference as ReferencePath).push(chunk);
      return;
    }
    const chunkOffset = this.bytesSeen;
    this.bytesSeen += chunk.length;
    if (this.halted) return;
    this.engine.push(chunk, chunkOffset, this.emit);
    this.checkFault();
  }

  /** Ends the input: a partial record left over is reported. */
  end(): void {
    if (this.mode === 'head') {
      // Too short to pick a path: the reader says what is wrong with it.
      this.startReference();
      const head = this.head;
      this.head = new Uint8Array(0);
      (this.reference as ReferencePath).push(head);
    }
    if (this.mode === 'reference') {
      (this.reference as ReferencePath).end();
      return;
    }
    const engine = this.engine;
    if (this.halted || engine.leftoverBytes === 0) return;
    this.sink.problem({
      kind: 'truncated-record',
      offset: engine.leftoverOffset,
      packet: this.packetCount + 1,
      message:
        `The file ends inside a record: ${engine.leftoverBytes} of ` +
        `${engine.need} bytes are there.`,
    });
  }

  /**
   * Gathers the first bytes until the path is known: the 24-byte file
   * header of a classic pcap file, or the magic of anything else.
   */
  private collectHead(chunk: Uint8Array): Uint8Array {
    let joined = chunk;
    if (this.head.length > 0) {
      joined = new Uint8Array(this.head.length + chunk.length);
      joined.set(this.head, 0);
      joined.set(chunk, this.head.length);
    }
    const enough = sniffFormat(joined) === 'pcap'
      ? PCAP_HEADER_BYTES : SNIFF_BYTES;
    if (joined.length < enough) {
      // Kept past this call, so not the caller's buffer.
      this.head = joined === chunk ? chunk.slice() : joined;
      return joined;
    }
    this.head = new Uint8Array(0);
    if (enough === SNIFF_BYTES) {
      this.startReference();
      return joined;
    }
    const header = readPcapHeader(joined);
    if (header === null) {
      // A version we do not read: CaptureReader throws the error for it.
      this.startReference();
      return joined;
    }

    this.mode = 'engine';
    this.sink.format?.({
      format: 'pcap',
      byteOrder: header.layout.littleEndian ? 'little' : 'big',
      version: header.version,
    });
    this.sink.interface?.({
      id: 0,
      linkType: header.layout.linkType,
      snapLength: header.snapLength,
      timeDigits: header.layout.timeDigits,
      name: '',
    });
    this.engine.start(header.layout);
    this.bytesSeen = PCAP_HEADER_BYTES;
    return joined.subarray(PCAP_HEADER_BYTES);
  }

  private startReference(): void {
    this.mode = 'reference';
    this.reference = new ReferencePath(this.sink);
  }

  private emitRecords(
    words: Int32Array,
    count: number,
    bytes: Uint8Array,
    zeroLength: number,
  ): void {
    const firstPacket = this.packetCount + 1;
    this.packetCount += count;
    if (zeroLength === 0) {
      this.sink.records({ words, count, bytes, firstPacket });
      return;
    }
    // Each empty record's problem goes out just before the record, where
    // CaptureReader reports it.
    let start = 0;
    for (let i = 0; i < count; i++) {
      const at = i * W.RECORD_WORDS;
      if (words[at + W.W_CAPTURED_LENGTH] !== 0 ||
        words[at + W.W_ORIGINAL_LENGTH] !== 0) continue;
      this.emitRun(words, start, i, bytes, firstPacket);
      this.sink.problem({
        kind: 'zero-length-record',
        offset: W.recordOffset(words, i),
        packet: firstPacket + i,
        message: `Packet ${firstPacket + i} is empty (length 0).`,
      });
      start = i;
    }
    this.emitRun(words, start, count, bytes, firstPacket);
  }

  /** Records [start, end) of a batch, as a batch of their own. */
  private emitRun(
    words: Int32Array,
    start: number,
    end: number,
    bytes: Uint8Array,
    firstPacket: number,
  ): void {
    if (end <= start) return;
    this.sink.records({
      words: words.subarray(start * W.RECORD_WORDS),
      count: end - start,
      bytes,
      firstPacket: firstPacket + start,
    });
  }

  private checkFault(): void {
    const offset = this.engine.faultOffset;
    if (offset < 0 || this.halted) return;
    this.halted = true;
    this.sink.problem({
      kind: 'caplen-too-large',
      offset,
      packet: this.packetCount + 1,
      message:
        `Record ${this.packetCount + 1} claims ${this.engine.faultLength} ` +
        `captured bytes, more than any capture holds; the rest of the file ` +
        `cannot be framed.`,
    });
  }
}

/** The classic pcap file header, or null for a version we do not read. */
export function readPcapHeader(
  head: Uint8Array,
): { layout: PcapLayout; snapLength: number; version: string } | null {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const swapped = view.getUint32(0, true);
  const littleEndian = swapped === PCAP_MAGIC_MICROS ||
    swapped === PCAP_MAGIC_NANOS;
  const magic = littleEndian ? swapped : view.getUint32(0, false);
  const nanosecond = magic === PCAP_MAGIC_NANOS;
  const major = view.getUint16(4, littleEndian);
  const minor = view.getUint16(6, littleEndian);
  if (major !== 2) return null;
  return {
    layout: {
      littleEndian,
      nanosPerTick: nanosecond ? 1 : 1000,
      // The low 16 bits name the link type; higher bits carry FCS hints.
      linkType: view.getUint32(20, littleEndian) & 0xffff,
      timeDigits: nanosecond ? 9 : 6,
    },
    snapLength: view.getUint32(16, littleEndian),
    version: `${major}.${minor}`,
  };
}

/**
 * pcapng and the odd cases: CaptureReader frames, decodePacket() decodes,
 * and each packet becomes a header record. Records whose bytes lie in the
 * chunk being pushed are batched; one in a carry or scratch buffer goes
 * out at once, since that buffer changes under it.
 */
class ReferencePath {
  readonly reader: CaptureReader;
  private readonly words = new Int32Array(
    REFERENCE_BATCH_RECORDS * W.RECORD_WORDS);
  private readonly decoded = new DecodedPacket();
  private count = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private firstPacket = 1;
  private chunk: Uint8Array = new Uint8Array(0);

  constructor(private readonly sink: HeaderSink) {
    const forward = sink.packet?.bind(sink);
    this.reader = new CaptureReader({
      packet: forward ?? ((record) => this.packet(record)),
      problem: (problem) => {
        // Problems come in file order with the records around them.
        this.flush();
        sink.problem(problem);
      },
      format: (info) => sink.format?.(info),
      interface: (info) => sink.interface?.(info),
    });
  }

  push(chunk: Uint8Array): void {
    this.chunk = chunk;
    this.reader.push(chunk);
    this.flush();
  }

  end(): void {
    this.chunk = new Uint8Array(0);
    this.reader.end();
    this.flush();
  }

  private packet(record: PacketRecord): void {
    if (record.data !== this.bytes || this.count === REFERENCE_BATCH_RECORDS) {
      this.flush();
      this.bytes = record.data;
    }
    if (this.count === 0) this.firstPacket = record.index;
    writeRecordFromPacket(record, this.decoded, this.words,
      this.count * W.RECORD_WORDS, record.dataOffset);
    this.count++;
    if (record.data !== this.chunk) this.flush();
  }

  private flush(): void {
    if (this.count === 0) return;
    this.sink.records({
      words: this.words,
      count: this.count,
      bytes: this.bytes,
      firstPacket: this.firstPacket,
    });
    this.count = 0;
  }
}
