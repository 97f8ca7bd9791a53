/**
 * The header record: what the packet-header kernels (TypeScript in
 * header-kernel.ts, WebAssembly in wasm/kernel.ts) write for each packet,
 * as 36 32-bit words in an Int32Array. wasm/kernel.ts spells the same
 * layout out again; the parity tests check that the two agree.
 *
 *   word  name                value
 *    0    OFFSET_LO           file offset of the record header, low 32 bits
 *    1    OFFSET_HI           ... high bits (offset = hi * 2^32 + lo)
 *    2    FRAME_AT            index of the frame's first byte in the batch's
 *                             bytes (HeaderBatch.bytes)
 *    3    SECONDS_LO          seconds since the epoch, low 32 bits
 *    4    SECONDS_HI          ... high bits, signed
 *    5    NANOS               0-999,999,999
 *    6    CAPTURED_LENGTH     bytes kept in the file
 *    7    ORIGINAL_LENGTH     bytes on the wire
 *    8    LINK_TYPE
 *    9    STATUS              STATUS_* bits, time digits in bits 8-11
 *   10    ETHER_TYPE          of a frame without IP (ARP...), else -1
 *   11    VLAN_ID             outermost VLAN ID, or -1
 *   12    IP_VERSION          4, 6, or 0 when the frame holds no IP header
 *   13    PROTOCOL            IP protocol after IPv6 extension headers
 *   14-17 SRC_ADDR            source address, big-endian words: IPv4 in
 *                             word 14 (words 15-17 zero), IPv6 in all four
 *   18-21 DST_ADDR            destination address, likewise
 *   22    SRC_PORT            TCP, UDP, UDP-Lite or SCTP port, or -1
 *   23    DST_PORT            likewise
 *   24    TCP_FLAGS           the flags byte, or -1
 *   25    TCP_SEQ             sequence number (unsigned, read with >>> 0);
 *                             0 unless the 20-byte TCP header is whole
 *   26    TCP_ACK             acknowledgement number, likewise
 *   27    TCP_WINDOW          window (unscaled), likewise
 *   28    TCP_SEGMENT_LENGTH  payload bytes sent, from the IP length
 *   29    ICMP_TYPE           ICMP or ICMPv6 type, or -1
 *   30    ICMP_CODE           code, or -1
 *   31    ICMP_ID             identifier of echo-like messages, or -1
 *   32    FRAGMENT_ID         IP identification (IPv6: fragment header's)
 *   33    FRAGMENT_OFFSET     in bytes
 *   34    PAYLOAD_OFFSET      transport payload, from the frame's first byte;
 *                             0 when there is none
 *   35    PAYLOAD_LENGTH      payload bytes kept in the file
 *
 * Words 10-35 mirror the first IpLayer of decodePacket(). A frame the
 * record cannot describe whole (a tunnel, an ICMP error quoting another
 * packet, MPLS, PPPoE, LLC, a malformed header, a link type other than
 * Ethernet or raw IP) has STATUS_FALLBACK set, none of the decode flags
 * (TRUNCATED, FRAGMENT, MORE_FRAGMENTS) and words 10-35 empty (NO_DECODE's
 * values): decode its bytes with decodePacket() instead.
 */
export const RECORD_WORDS = 36;
/** Bytes per record, for sizing buffers. */
export const RECORD_BYTES = RECORD_WORDS * 4;

export const W_OFFSET_LO = 0;
export const W_OFFSET_HI = 1;
export const W_FRAME_AT = 2;
export const W_SECONDS_LO = 3;
export const W_SECONDS_HI = 4;
export const W_NANOS = 5;
export const W_CAPTURED_LENGTH = 6;
export const W_ORIGINAL_LENGTH = 7;
export const W_LINK_TYPE = 8;
export const W_STATUS = 9;
export const W_ETHER_TYPE = 10;
export const W_VLAN_ID = 11;
export const W_IP_VERSION = 12;
export const W_PROTOCOL = 13;
export const W_SRC_ADDR = 14;
export const W_DST_ADDR = 18;
export const W_SRC_PORT = 22;
export const W_DST_PORT = 23;
export const W_TCP_FLAGS = 24;
export const W_TCP_SEQ = 25;
export const W_TCP_ACK = 26;
export const W_TCP_WINDOW = 27;
export const W_TCP_SEGMENT_LENGTH = 28;
export const W_ICMP_TYPE = 29;
export const W_ICMP_CODE = 30;
export const W_ICMP_ID = 31;
export const W_FRAGMENT_ID = 32;
export const W_FRAGMENT_OFFSET = 33;
export const W_PAYLOAD_OFFSET = 34;
export const W_PAYLOAD_LENGTH = 35;

/** The first word decodePacket() fills; the ones before it are framing. */
export const FIRST_DECODE_WORD = W_ETHER_TYPE;

/** The record does not describe the frame: run decodePacket() on it. */
export const STATUS_FALLBACK = 1 << 0;
/** A header was cut short by the snap length. */
export const STATUS_TRUNCATED = 1 << 1;
/** The datagram is an IP fragment (offset > 0 or more to come). */
export const STATUS_FRAGMENT = 1 << 2;
export const STATUS_MORE_FRAGMENTS = 1 << 3;
/** A pcapng simple packet block: the time words are 0 and mean nothing. */
export const STATUS_NO_TIME = 1 << 4;
/** Fractional digits of the capture's clock (6 or 9 for pcap). */
export const STATUS_TIME_DIGITS_SHIFT = 8;
export const STATUS_TIME_DIGITS_MASK = 0xf << STATUS_TIME_DIGITS_SHIFT;

/**
 * Words 10-35 of a record that decodes to nothing: what a frame without
 * an IP header, and every fallback record, holds there.
 */
export const NO_DECODE: readonly number[] = (() => {
  const words = new Array<number>(RECORD_WORDS - FIRST_DECODE_WORD).fill(0);
  for (const word of [W_ETHER_TYPE, W_VLAN_ID, W_SRC_PORT, W_DST_PORT,
    W_TCP_FLAGS, W_ICMP_TYPE, W_ICMP_CODE, W_ICMP_ID]) {
    words[word - FIRST_DECODE_WORD] = -1;
  }
  return words;
})();

/** A run of records and the bytes their FRAME_AT words point into. */
export interface HeaderBatch {
  /** Records of RECORD_WORDS words each, from index 0. */
  words: Int32Array;
  count: number;
  bytes: Uint8Array;
  /** Packet number of the first record, from 1 as in Wireshark. */
  firstPacket: number;
}

const TWO_POW_32 = 2 ** 32;

/** File offset of record `index` of a batch. */
export function recordOffset(words: Int32Array, index: number): number {
  const at = index * RECORD_WORDS;
  return (words[at + W_OFFSET_HI] >>> 0) * TWO_POW_32 +
    (words[at + W_OFFSET_LO] >>> 0);
}

/** Seconds since the epoch of record `index` of a batch. */
export function recordSeconds(words: Int32Array, index: number): number {
  const at = index * RECORD_WORDS;
  return words[at + W_SECONDS_HI] * TWO_POW_32 +
    (words[at + W_SECONDS_LO] >>> 0);
}

/** Splits a file offset or a time in seconds into its two words. */
export function writeSplit(
  words: Int32Array,
  at: number,
  value: number,
): void {
  const high = Math.floor(value / TWO_POW_32);
  words[at] = value - high * TWO_POW_32;
  words[at + 1] = high;
}

/** Writes NO_DECODE's values into words 10-35 of the record at `at`. */
export function clearDecodeWords(words: Int32Array, at: number): void {
  words.set(NO_DECODE, at + FIRST_DECODE_WORD);
}
