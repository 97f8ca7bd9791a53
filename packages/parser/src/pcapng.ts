import type { CaptureSink, Framer } from './framer.js';
import { MAX_UNIT_BYTES } from './framer.js';
import type { ProblemKind } from './problems.js';
import { newPacketRecord } from './record.js';
import { divide64 } from './time.js';

export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const BLOCK_IDB = 1;
const BLOCK_OPB = 2; // obsolete packet block
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;

const OPTION_END = 0;
const OPTION_IF_NAME = 2;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;

/** Block type, total length and the trailing copy of the length. */
const BLOCK_OVERHEAD_BYTES = 12;
/** Type, length and byte-order magic: enough to read an SHB's length. */
const SHB_PROBE_BYTES = 12;
/**
 * While looking for the next section after a broken block, bytes are
 * scanned in windows of 64 KiB: big enough that the scan runs at memory
 * speed across chunk edges, small enough to cost nothing to buffer.
 */
const RESYNC_WINDOW_BYTES = 64 * 1024;

interface Interface {
  linkType: number;
  snapLength: number;
  /** Units per second is 10^decimalDigits, or 2^binaryDigits. */
  decimalDigits: number;
  binaryDigits: number;
  timeDigits: number;
  offsetSeconds: number;
}

/**
 * pcapng: a sequence of sections, each a section header block (SHB) that
 * fixes the byte order, then interface descriptions (IDB) and packets.
 *
 *   block: type u32 | total_length u32 | body ... | total_length u32
 *   EPB body: interface u32 | ts_high u32 | ts_low u32 | caplen u32 |
 *             origlen u32 | data (padded to 4) | options
 *   SPB body: origlen u32 | data (caplen = min(origlen, snaplen))
 *   OPB body: interface u16 | drops u16 | ts_high | ts_low | caplen |
 *             origlen | data | options
 *
 * Blocks of other types are skipped by their length.
 */
export class PcapngFramer implements Framer {
  need = SHB_PROBE_BYTES;
  stopped = false;
  private littleEndian = true;
  private interfaces: Interface[] = [];
  private sectionCount = 0;
  private interfaceCount = 0;
  /** True while skipping a section whose header we could not accept. */
  private skippingSection = false;
  /** True while looking for the next section header after a bad block. */
  private resyncing = false;
  private readonly record = newPacketRecord();
  private readonly division = { quotient: 0, remainder: 0 };
  private packetCount = 0;

  constructor(private readonly sink: CaptureSink) {}

  parse(
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    end: number,
    fileOffset: number,
  ): number {
    while (!this.stopped) {
      if (this.resyncing) {
        const found = findSectionHeader(bytes, pos, end);
        if (found < 0) {
          this.need = RESYNC_WINDOW_BYTES;
          return Math.max(pos, end - (SHB_PROBE_BYTES - 1));
        }
        pos = found;
        this.resyncing = false;
      }
      if (end - pos < 8) {
        this.need = 8;
        return pos;
      }
      const typeBigEndian = view.getUint32(pos, false);
      const isSectionHeader = typeBigEndian === PCAPNG_SHB_TYPE;
      if (isSectionHeader) {
        if (end - pos < SHB_PROBE_BYTES) {
          this.need = SHB_PROBE_BYTES;
          return pos;
        }
        const magic = view.getUint32(pos + 8, true);
        if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
        else if (view.getUint32(pos + 8, false) === BYTE_ORDER_MAGIC) {
          this.littleEndian = false;
        } else {
          this.lose('bad-section', fileOffset + pos,
            'A section header has no valid byte-order magic.');
          pos += 4;
          continue;
        }
      }
      const le = this.littleEndian;
      const blockLength = view.getUint32(pos + 4, le);
      if (
        blockLength < BLOCK_OVERHEAD_BYTES ||
        blockLength % 4 !== 0 ||
        blockLength > MAX_UNIT_BYTES
      ) {
        this.lose('bad-block-length', fileOffset + pos,
          `A block at offset ${fileOffset + pos} gives its length as ` +
            `${blockLength} bytes, which cannot be right.`);
        pos += 4;
        continue;
      }
      if (end - pos < blockLength) {
        this.need = blockLength;
        return pos;
      }
      const trailer = view.getUint32(pos + blockLength - 4, le);
      if (trailer !== blockLength) {
        this.lose('bad-block-length', fileOffset + pos,
          `A block at offset ${fileOffset + pos} starts with length ` +
            `${blockLength} and ends with ${trailer}.`);
        pos += 4;
        continue;
      }

      const blockOffset = fileOffset + pos;
      if (isSectionHeader) {
        this.readSectionHeader(view, pos, blockLength, blockOffset);
      } else if (!this.skippingSection) {
        const type = view.getUint32(pos, le);
        this.readBlock(type, bytes, view, pos, blockLength, blockOffset);
      }
      pos += blockLength;
    }
    return end;
  }

  finish(leftoverBytes: number, leftoverOffset: number): void {
    if (leftoverBytes === 0 || this.stopped || this.resyncing) return;
    this.sink.problem({
      kind: 'truncated-record',
      offset: leftoverOffset,
      packet: this.packetCount + 1,
      message:
        `The file ends inside a block: ${leftoverBytes} of ` +
        `${this.need} bytes are there.`,
    });
  }

  private readSectionHeader(
    view: DataView,
    pos: number,
    blockLength: number,
    blockOffset: number,
  ): void {
    const le = this.littleEndian;
    this.sectionCount++;
    this.interfaces = [];
    this.skippingSection = false;
    if (blockLength < 28) {
      this.skipSection(blockOffset, 'bad-section',
        'A section header block is too short to hold its fields.');
      return;
    }
    const major = view.getUint16(pos + 12, le);
    const minor = view.getUint16(pos + 14, le);
    if (major !== 1) {
      this.skipSection(blockOffset, 'unsupported-version',
        `Section ${this.sectionCount} has pcapng version ` +
          `${major}.${minor}; only version 1 can be read, so its ` +
          `packets are skipped.`);
      return;
    }
    // Options follow the 8-byte section length, and must fit the block.
    if (!this.optionsFit(view, pos + 24, pos + blockLength - 4)) {
      this.skipSection(blockOffset, 'bad-section',
        `The header of section ${this.sectionCount} has an option that ` +
          `runs past its block; the section is skipped.`);
      return;
    }
    if (this.sectionCount === 1) {
      this.sink.format?.({
        format: 'pcapng',
        byteOrder: le ? 'little' : 'big',
        version: `${major}.${minor}`,
      });
    }
  }

  private readBlock(
    type: number,
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    blockLength: number,
    blockOffset: number,
  ): void {
    switch (type) {
      case BLOCK_IDB:
        this.readInterface(view, pos, blockLength, blockOffset);
        return;
      case BLOCK_EPB:
      case BLOCK_OPB:
        this.readPacket(type, bytes, view, pos, blockLength, blockOffset);
        return;
      case BLOCK_SPB:
        this.readSimplePacket(bytes, view, pos, blockLength, blockOffset);
        return;
      default:
        // Statistics, name resolution, custom and unknown blocks.
        return;
    }
  }

  private readInterface(
    view: DataView,
    pos: number,
    blockLength: number,
    blockOffset: number,
  ): void {
    const le = this.littleEndian;
    if (blockLength < 20) {
      this.problem('bad-block-length', blockOffset, 0,
        'An interface description block is too short.');
      return;
    }
    const iface: Interface = {
      linkType: view.getUint16(pos + 8, le),
      snapLength: view.getUint32(pos + 12, le),
      decimalDigits: 6,
      binaryDigits: 0,
      timeDigits: 6,
      offsetSeconds: 0,
    };
    let name = '';
    const end = pos + blockLength - 4;
    let at = pos + 16;
    while (at + 4 <= end) {
      const code = view.getUint16(at, le);
      const length = view.getUint16(at + 2, le);
      if (code === OPTION_END || at + 4 + length > end) break;
      const value = at + 4;
      if (code === OPTION_IF_TSRESOL && length >= 1) {
        const resolution = view.getUint8(value);
        if (resolution & 0x80) {
          iface.binaryDigits = resolution & 0x7f;
          iface.decimalDigits = 0;
          iface.timeDigits = Math.min(
            9, Math.ceil(iface.binaryDigits * Math.LOG10E * Math.LN2));
        } else {
          iface.decimalDigits = resolution;
          iface.timeDigits = Math.min(9, resolution);
        }
      } else if (code === OPTION_IF_TSOFFSET && length >= 8) {
        const high = view.getInt32(le ? value + 4 : value, le);
        const low = view.getUint32(le ? value : value + 4, le);
        iface.offsetSeconds = high * 4294967296 + low;
      } else if (code === OPTION_IF_NAME) {
        name = decodeLatin(view, value, length);
      }
      at = value + ((length + 3) & ~3);
    }
    this.interfaces.push(iface);
    const id = this.interfaceCount++;
    this.sink.interface?.({
      id,
      linkType: iface.linkType,
      snapLength: iface.snapLength,
      timeDigits: iface.timeDigits,
      name,
    });
  }

  private readPacket(
    type: number,
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    blockLength: number,
    blockOffset: number,
  ): void {
    const le = this.littleEndian;
    const index = this.packetCount + 1;
    if (blockLength < 32) {
      this.problem('bad-block-length', blockOffset, index,
        `Packet block ${index} is too short to hold its fields.`);
      return;
    }
    const interfaceIndex = type === BLOCK_EPB
      ? view.getUint32(pos + 8, le)
      : view.getUint16(pos + 8, le);
    const iface = this.interfaces[interfaceIndex];
    const capturedLength = view.getUint32(pos + 20, le);
    if (capturedLength > blockLength - 32) {
      this.packetCount++;
      this.problem('caplen-too-large', blockOffset, index,
        `Packet ${index} claims ${capturedLength} captured bytes in a ` +
          `block of ${blockLength}; it is skipped.`);
      return;
    }
    if (!iface) {
      this.packetCount++;
      this.problem('unknown-interface', blockOffset, index,
        `Packet ${index} names interface ${interfaceIndex}, which the ` +
          `section never described; it is skipped.`);
      return;
    }
    const record = this.record;
    this.setTime(iface, view.getUint32(pos + 12, le),
      view.getUint32(pos + 16, le));
    record.hasTime = true;
    this.emit(record, blockOffset, interfaceIndex, iface, bytes, pos + 28,
      capturedLength, view.getUint32(pos + 24, le));
  }

  private readSimplePacket(
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    blockLength: number,
    blockOffset: number,
  ): void {
    const iface = this.interfaces[0];
    const index = this.packetCount + 1;
    if (!iface || blockLength < 16) {
      this.packetCount++;
      this.problem(iface ? 'bad-block-length' : 'unknown-interface',
        blockOffset, index,
        `Simple packet block ${index} cannot be read: ` +
          (iface ? 'it is too short.' : 'no interface was described.'));
      return;
    }
    const originalLength = view.getUint32(pos + 8, this.littleEndian);
    let capturedLength = Math.min(originalLength, blockLength - 16);
    if (iface.snapLength > 0) {
      capturedLength = Math.min(capturedLength, iface.snapLength);
    }
    const record = this.record;
    record.hasTime = false;
    record.seconds = 0;
    record.nanos = 0;
    this.emit(record, blockOffset, 0, iface, bytes, pos + 12,
      capturedLength, originalLength);
  }

  private emit(
    record: ReturnType<typeof newPacketRecord>,
    blockOffset: number,
    interfaceIndex: number,
    iface: Interface,
    bytes: Uint8Array,
    dataOffset: number,
    capturedLength: number,
    originalLength: number,
  ): void {
    record.index = ++this.packetCount;
    record.offset = blockOffset;
    record.interfaceId =
      this.interfaceCount - this.interfaces.length + interfaceIndex;
    record.linkType = iface.linkType;
    record.timeDigits = iface.timeDigits;
    record.capturedLength = capturedLength;
    record.originalLength = originalLength;
    record.data = bytes;
    record.dataOffset = dataOffset;
    this.sink.packet(record);
  }

  /** Splits a 64-bit count of interface units into seconds and nanos. */
  private setTime(iface: Interface, high: number, low: number): void {
    const record = this.record;
    if (iface.binaryDigits > 0 || iface.decimalDigits > 11) {
      const count = (BigInt(high) << 32n) | BigInt(low);
      const unitsPerSecond = iface.binaryDigits > 0
        ? 1n << BigInt(iface.binaryDigits)
        : 10n ** BigInt(iface.decimalDigits);
      const seconds = count / unitsPerSecond;
      const rest = count % unitsPerSecond;
      record.seconds = Number(seconds) + iface.offsetSeconds;
      record.nanos = Number((rest * 1_000_000_000n) / unitsPerSecond);
      return;
    }
    const unitsPerSecond = 10 ** iface.decimalDigits;
    divide64(high, low, unitsPerSecond, this.division);
    record.seconds = this.division.quotient + iface.offsetSeconds;
    const rest = this.division.remainder;
    record.nanos = iface.decimalDigits <= 9
      ? rest * 10 ** (9 - iface.decimalDigits)
      : Math.floor(rest / 10 ** (iface.decimalDigits - 9));
  }

  /** True when the options in [start, end) are well formed. */
  private optionsFit(view: DataView, start: number, end: number): boolean {
    const le = this.littleEndian;
    let at = start;
    while (at + 4 <= end) {
      const code = view.getUint16(at, le);
      const length = view.getUint16(at + 2, le);
      if (code === OPTION_END) return true;
      const next = at + 4 + ((length + 3) & ~3);
      if (next > end) return false;
      at = next;
    }
    return true;
  }

  private skipSection(offset: number, kind: ProblemKind, message: string) {
    this.skippingSection = true;
    this.problem(kind, offset, 0, message);
  }

  /**
   * Framing is lost: report it, then look for the next section header,
   * whose magic and byte-order mark can be recognised anywhere.
   */
  private lose(kind: ProblemKind, offset: number, message: string): void {
    this.resyncing = true;
    this.skippingSection = false;
    this.interfaces = [];
    this.problem(kind, offset, this.packetCount + 1,
      message + ' Reading resumes at the next section header, if any.');
  }

  private problem(
    kind: ProblemKind,
    offset: number,
    packet: number,
    message: string,
  ): void {
    this.sink.problem({ kind, offset, packet, message });
  }
}

/** Offset of the next section header block in [from, end), or -1. */
function findSectionHeader(b: Uint8Array, from: number, end: number): number {
  for (let at = from; at + SHB_PROBE_BYTES <= end; at++) {
    if (b[at] !== 0x0a || b[at + 1] !== 0x0d || b[at + 2] !== 0x0d ||
      b[at + 3] !== 0x0a) {
      continue;
    }
    const mark = (b[at + 8] << 24) | (b[at + 9] << 16) | (b[at + 10] << 8) |
      b[at + 11];
    if (mark === 0x1a2b3c4d || mark === 0x4d3c2b1a) return at;
  }
  return -1;
}

function decodeLatin(view: DataView, start: number, length: number): string {
  let text = '';
  for (let i = 0; i < length && i < 256; i++) {
    const code = view.getUint8(start + i);
    if (code === 0) break;
    text += String.fromCharCode(code);
  }
  return text;
}
