import type { CaptureSink, Framer } from './framer.js';
import { MAX_UNIT_BYTES } from './framer.js';
import { NotACaptureError } from './problems.js';
import { newPacketRecord } from './record.js';

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/**
 * Classic libpcap files: a 24-byte global header, then records.
 *
 *   record: ts_sec u32 | ts_frac u32 | incl_len u32 | orig_len u32 | data
 *
 * The byte order and the fraction's unit (micro or nano) come from the
 * magic number.
 */
export class PcapFramer implements Framer {
  need = GLOBAL_HEADER_BYTES;
  stopped = false;
  private headerRead = false;
  private littleEndian = true;
  private nanosPerTick = 1000;
  private timeDigits = 6;
  private linkType = 0;
  private snapLength = 0;
  private readonly record = newPacketRecord();
  private packetCount = 0;

  constructor(private readonly sink: CaptureSink) {}

  parse(
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    end: number,
    fileOffset: number,
  ): number {
    if (!this.headerRead) {
      if (end - pos < GLOBAL_HEADER_BYTES) {
        this.need = GLOBAL_HEADER_BYTES;
        return pos;
      }
      this.readGlobalHeader(view, pos);
      pos += GLOBAL_HEADER_BYTES;
    }

    const le = this.littleEndian;
    const record = this.record;
    while (end - pos >= RECORD_HEADER_BYTES) {
      const capturedLength = view.getUint32(pos + 8, le);
      if (capturedLength > MAX_UNIT_BYTES) {
        this.stop(
          'caplen-too-large',
          fileOffset + pos,
          `Record ${this.packetCount + 1} claims ${capturedLength} captured ` +
            `bytes, more than any capture holds; the rest of the file ` +
            `cannot be framed.`,
        );
        return end;
      }
      const unitBytes = RECORD_HEADER_BYTES + capturedLength;
      if (end - pos < unitBytes) {
        this.need = unitBytes;
        return pos;
      }

      const seconds = view.getUint32(pos, le);
      const fraction = view.getUint32(pos + 4, le);
      const nanos = fraction * this.nanosPerTick;
      record.index = ++this.packetCount;
      record.offset = fileOffset + pos;
      // A fraction of a second or more (a broken writer) carries over.
      if (nanos < 1e9) {
        record.seconds = seconds;
        record.nanos = nanos;
      } else {
        record.seconds = seconds + Math.floor(nanos / 1e9);
        record.nanos = nanos % 1e9;
      }
      record.capturedLength = capturedLength;
      record.originalLength = view.getUint32(pos + 12, le);
      record.data = bytes;
      record.dataOffset = pos + RECORD_HEADER_BYTES;
      if (capturedLength === 0 && record.originalLength === 0) {
        this.sink.problem({
          kind: 'zero-length-record',
          offset: record.offset,
          packet: record.index,
          message: `Packet ${record.index} is empty (length 0).`,
        });
      }
      this.sink.packet(record);
      pos += unitBytes;
    }
    this.need = RECORD_HEADER_BYTES;
    return pos;
  }

  finish(leftoverBytes: number, leftoverOffset: number): void {
    if (leftoverBytes === 0 || this.stopped) return;
    const what = this.headerRead ? 'a record' : 'the file header';
    this.sink.problem({
      kind: 'truncated-record',
      offset: leftoverOffset,
      packet: this.headerRead ? this.packetCount + 1 : 0,
      message:
        `The file ends inside ${what}: ${leftoverBytes} of ` +
        `${this.need} bytes are there.`,
    });
  }

  private readGlobalHeader(view: DataView, pos: number): void {
    const magic = view.getUint32(pos, false);
    const swapped = view.getUint32(pos, true);
    this.littleEndian = swapped === PCAP_MAGIC_MICROS ||
      swapped === PCAP_MAGIC_NANOS;
    const native = this.littleEndian ? swapped : magic;
    const nanosecond = native === PCAP_MAGIC_NANOS;
    this.nanosPerTick = nanosecond ? 1 : 1000;
    this.timeDigits = nanosecond ? 9 : 6;

    const le = this.littleEndian;
    const major = view.getUint16(pos + 4, le);
    const minor = view.getUint16(pos + 6, le);
    if (major !== 2) {
      throw new NotACaptureError(
        'unsupported-version',
        `This pcap file says it is version ${major}.${minor}; only ` +
          `version 2 files can be read.`,
      );
    }
    this.snapLength = view.getUint32(pos + 16, le);
    // The low 16 bits name the link type; higher bits carry FCS hints.
    this.linkType = view.getUint32(pos + 20, le) & 0xffff;
    this.headerRead = true;

    const record = this.record;
    record.linkType = this.linkType;
    record.hasTime = true;
    record.timeDigits = this.timeDigits;
    record.interfaceId = 0;
    this.sink.format?.({
      format: 'pcap',
      byteOrder: le ? 'little' : 'big',
      version: `${major}.${minor}`,
    });
    this.sink.interface?.({
      id: 0,
      linkType: this.linkType,
      snapLength: this.snapLength,
      timeDigits: this.timeDigits,
      name: '',
    });
  }

  private stop(
    kind: 'caplen-too-large',
    offset: number,
    message: string,
  ): void {
    this.stopped = true;
    this.sink.problem({ kind, offset, packet: this.packetCount + 1, message });
  }
}
