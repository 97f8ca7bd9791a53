import { PCAP_MAGIC_MICROS, PCAP_MAGIC_NANOS } from './pcap.js';
import { PCAPNG_SHB_TYPE } from './pcapng.js';

export type SniffedFormat = 'pcap' | 'pcapng' | 'netmon' | 'gzip' | 'unknown';

/** Bytes needed to tell the formats apart. */
export const SNIFF_BYTES = 4;

/** Names the format from the first bytes of a file, never its name. */
export function sniffFormat(head: Uint8Array): SniffedFormat {
  if (head.length < SNIFF_BYTES) return 'unknown';
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const bigEndian = view.getUint32(0, false);
  const littleEndian = view.getUint32(0, true);
  if (bigEndian === PCAPNG_SHB_TYPE) return 'pcapng';
  for (const magic of [PCAP_MAGIC_MICROS, PCAP_MAGIC_NANOS]) {
    if (bigEndian === magic || littleEndian === magic) return 'pcap';
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  // Microsoft Network Monitor 2.x writes "GMBU"; 1.x wrote "RTSS".
  const text = String.fromCharCode(head[0], head[1], head[2], head[3]);
  if (text === 'GMBU' || text === 'RTSS') return 'netmon';
  return 'unknown';
}

/** The first bytes of a file as hex and printable text, for messages. */
export function describeHead(head: Uint8Array): string {
  const shown = head.subarray(0, 8);
  const hex = Array.from(shown, (b) => b.toString(16).padStart(2, '0'));
  const text = Array.from(shown, (b) =>
    b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.').join('');
  return `${hex.join(' ')} ("${text}")`;
}
