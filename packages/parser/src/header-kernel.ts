import { MAX_UNIT_BYTES } from './framer.js';
import { BATCH_RECORDS } from './header-kernel-engine.js';
import type {
  LoopResult,
  PcapLayout,
  RecordLoop,
} from './header-kernel-engine.js';
import * as W from './header-kernel-layout.js';
import type { HeaderSink } from './header-kernel-reader.js';
import { HeaderReader } from './header-kernel-reader.js';
import { isIcmpError, isKernelLinkType } from './header-kernel-reference.js';
import * as L from './linktypes.js';

/**
 * The packet-header kernel in TypeScript: classic pcap framing and the
 * Ethernet (+VLAN) / raw IP / IPv4 / IPv6 / TCP / UDP / ICMP decode, written
 * straight into header records (header-kernel-layout.ts). It follows
 * decode.ts rule for rule; wasm/kernel.ts is the same loop in
 * AssemblyScript, and both are checked against decodePacket() itself.
 */

const RECORD_HEADER_BYTES = 16;
const BATCH_WORDS = BATCH_RECORDS * W.RECORD_WORDS;
const TWO_POW_32 = 2 ** 32;
/** VLAN tags walked before giving up, as decode.ts does. */
const MAX_STACKED_TAGS = 16;
const MAX_IPV6_EXTENSION_HEADERS = 256;

/**
 * Decodes the whole pcap records in b[pos, end) into `words` from record
 * 0, at most `maxRecords` of them; b[i] lies at `baseOffset + i` in the
 * file. FRAME_AT indexes `b`.
 */
export function decodePcapRecords(
  b: Uint8Array,
  view: DataView,
  pos: number,
  end: number,
  baseOffset: number,
  layout: PcapLayout,
  words: Int32Array,
  maxRecords: number,
  result: LoopResult,
): void {
  const le = layout.littleEndian;
  const statusBase = layout.timeDigits << W.STATUS_TIME_DIGITS_SHIFT;
  const decodable = isKernelLinkType(layout.linkType);
  let records = 0;
  let zeroLength = 0;
  result.need = 0;
  result.fault = false;

  while (records < maxRecords) {
    if (end - pos < RECORD_HEADER_BYTES) {
      result.need = RECORD_HEADER_BYTES;
      break;
    }
    const capturedLength = view.getUint32(pos + 8, le);
    if (capturedLength > MAX_UNIT_BYTES) {
      result.fault = true;
      break;
    }
    const unitBytes = RECORD_HEADER_BYTES + capturedLength;
    if (end - pos < unitBytes) {
      result.need = unitBytes;
      break;
    }

    const o = records * W.RECORD_WORDS;
    const offset = baseOffset + pos;
    if (offset < TWO_POW_32) {
      words[o + W.W_OFFSET_LO] = offset;
      words[o + W.W_OFFSET_HI] = 0;
    } else {
      W.writeSplit(words, o + W.W_OFFSET_LO, offset);
    }
    const frame = pos + RECORD_HEADER_BYTES;
    words[o + W.W_FRAME_AT] = frame;
    const nanos = view.getUint32(pos + 4, le) * layout.nanosPerTick;
    const seconds = view.getUint32(pos, le);
    if (nanos < 1e9) {
      words[o + W.W_SECONDS_LO] = seconds;
      words[o + W.W_SECONDS_HI] = 0;
      words[o + W.W_NANOS] = nanos;
    } else {
      // A fraction of a second or more carries into the seconds, as the
      // pcap framer does: up to 4294 s for a garbled microsecond field.
      const carried = seconds + Math.floor(nanos / 1e9);
      words[o + W.W_SECONDS_LO] = carried;
      words[o + W.W_SECONDS_HI] = carried >= TWO_POW_32 ? 1 : 0;
      words[o + W.W_NANOS] = nanos % 1e9;
    }
    const originalLength = view.getUint32(pos + 12, le);
    words[o + W.W_CAPTURED_LENGTH] = capturedLength;
    words[o + W.W_ORIGINAL_LENGTH] = originalLength;
    words[o + W.W_LINK_TYPE] = layout.linkType;
    if (capturedLength === 0 && originalLength === 0) zeroLength++;

    clearDecode(words, o);
    let status = W.STATUS_FALLBACK;
    if (decodable) {
      status = decodeFrame(layout.linkType, b, frame, frame + capturedLength,
        words, o);
    }
    if ((status & W.STATUS_FALLBACK) !== 0) {
      clearDecode(words, o);
      status = W.STATUS_FALLBACK;
    }
    words[o + W.W_STATUS] = statusBase | status;

    pos += unitBytes;
    records++;
  }
  result.records = records;
  result.stoppedAt = pos;
  result.zeroLength = zeroLength;
}

function clearDecode(w: Int32Array, o: number): void {
  w[o + W.W_ETHER_TYPE] = -1;
  w[o + W.W_VLAN_ID] = -1;
  w[o + W.W_IP_VERSION] = 0;
  w[o + W.W_PROTOCOL] = 0;
  for (let i = 0; i < 4; i++) {
    w[o + W.W_SRC_ADDR + i] = 0;
    w[o + W.W_DST_ADDR + i] = 0;
  }
  w[o + W.W_SRC_PORT] = -1;
  w[o + W.W_DST_PORT] = -1;
  w[o + W.W_TCP_FLAGS] = -1;
  w[o + W.W_TCP_SEQ] = 0;
  w[o + W.W_TCP_ACK] = 0;
  w[o + W.W_TCP_WINDOW] = 0;
  w[o + W.W_TCP_SEGMENT_LENGTH] = 0;
  w[o + W.W_ICMP_TYPE] = -1;
  w[o + W.W_ICMP_CODE] = -1;
  w[o + W.W_ICMP_ID] = -1;
  w[o + W.W_FRAGMENT_ID] = 0;
  w[o + W.W_FRAGMENT_OFFSET] = 0;
  w[o + W.W_PAYLOAD_OFFSET] = 0;
  w[o + W.W_PAYLOAD_LENGTH] = 0;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function word(b: Uint8Array, at: number): number {
  return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}

/**
 * Decodes one frame of a link type isKernelLinkType() accepts into the
 * record at `o`, whose decode words are clear; returns STATUS_* bits.
 * Everything is relative to `frame`, the frame's first byte in `b`.
 */
function decodeFrame(
  linkType: number,
  b: Uint8Array,
  frame: number,
  end: number,
  w: Int32Array,
  o: number,
): number {
  if (linkType === L.LINKTYPE_ETHERNET) {
    return decodeEthernet(b, frame, end, w, o);
  }
  if (end - frame < 1) return 0;
  const version = b[frame] >> 4;
  if (version === 4) return decodeIpv4(b, frame, frame, end, w, o);
  if (version === 6) return decodeIpv6(b, frame, frame, end, w, o);
  return 0;
}

function decodeEthernet(
  b: Uint8Array,
  frame: number,
  end: number,
  w: Int32Array,
  o: number,
): number {
  if (end - frame < 14) return 0;
  let etherType = u16(b, frame + 12);
  let at = frame + 14;
  for (let tags = 0; tags < MAX_STACKED_TAGS; tags++) {
    switch (etherType) {
      case L.ETHERTYPE_IPV4:
        return decodeIpv4(b, frame, at, end, w, o);
      case L.ETHERTYPE_IPV6:
        return decodeIpv6(b, frame, at, end, w, o);
      case L.ETHERTYPE_VLAN:
      case L.ETHERTYPE_QINQ:
      case L.ETHERTYPE_QINQ_OLD:
        if (end - at < 4) return 0;
        if (w[o + W.W_VLAN_ID] < 0) w[o + W.W_VLAN_ID] = u16(b, at) & 0x0fff;
        etherType = u16(b, at + 2);
        at += 4;
        continue;
      case L.ETHERTYPE_MPLS:
      case L.ETHERTYPE_MPLS_MULTICAST:
        // The decoder names no MPLS header when not even a label is there.
        return end - at < 4 ? 0 : W.STATUS_FALLBACK;
      case L.ETHERTYPE_PPPOE_SESSION:
        return W.STATUS_FALLBACK;
      default:
        if (etherType <= 1500) return W.STATUS_FALLBACK; // 802.2 LLC
        w[o + W.W_ETHER_TYPE] = etherType;
        return 0;
    }
  }
  return 0;
}

function decodeIpv4(
  b: Uint8Array,
  frame: number,
  at: number,
  end: number,
  w: Int32Array,
  o: number,
): number {
  if (end - at < 20 || b[at] >> 4 !== 4) {
    // A bad version is malformed; a header cut short is just nothing.
    return end - at >= 1 && b[at] >> 4 !== 4 ? W.STATUS_FALLBACK : 0;
  }
  const headerLength = (b[at] & 0x0f) * 4;
  if (headerLength < 20) return W.STATUS_FALLBACK;
  const protocol = b[at + 9];
  w[o + W.W_IP_VERSION] = 4;
  w[o + W.W_PROTOCOL] = protocol;
  w[o + W.W_SRC_ADDR] = word(b, at + 12);
  w[o + W.W_DST_ADDR] = word(b, at + 16);

  const totalLength = u16(b, at + 2);
  const flagsAndOffset = u16(b, at + 6);
  const fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
  let status = 0;
  if ((flagsAndOffset & 0x2000) !== 0) {
    status = W.STATUS_FRAGMENT | W.STATUS_MORE_FRAGMENTS;
  } else if (fragmentOffset > 0) {
    status = W.STATUS_FRAGMENT;
  }
  w[o + W.W_FRAGMENT_ID] = u16(b, at + 4);
  w[o + W.W_FRAGMENT_OFFSET] = fragmentOffset;

  // Trust the total length only where it is sane: TSO captures write 0.
  let payloadEnd = end;
  if (totalLength >= headerLength && at + totalLength < end) {
    payloadEnd = at + totalLength;
  }
  const wireEnd = totalLength >= headerLength ? at + totalLength : end;
  const payload = at + headerLength;
  if (payload > end) return status | W.STATUS_TRUNCATED;
  if (fragmentOffset > 0) return status; // ports are in the first fragment
  return status | decodeTransport(protocol, status !== 0, b, frame, payload,
    payloadEnd, wireEnd, w, o);
}

function decodeIpv6(
  b: Uint8Array,
  frame: number,
  at: number,
  end: number,
  w: Int32Array,
  o: number,
): number {
  if (end - at < 40 || b[at] >> 4 !== 6) return 0;
  w[o + W.W_IP_VERSION] = 6;
  for (let i = 0; i < 4; i++) {
    w[o + W.W_SRC_ADDR + i] = word(b, at + 8 + 4 * i);
    w[o + W.W_DST_ADDR + i] = word(b, at + 24 + 4 * i);
  }

  const payloadLength = u16(b, at + 4);
  let payloadEnd = end;
  if (payloadLength > 0 && at + 40 + payloadLength < end) {
    payloadEnd = at + 40 + payloadLength;
  }
  // A payload length of 0 with data behind it is a jumbogram or BIG TCP.
  const wireEnd = payloadLength > 0 ? at + 40 + payloadLength : end;
  let next = b[at + 6];
  let pos = at + 40;
  let finalDst = -1;
  let fragmentOffset = 0;
  let status = 0;
  for (let count = 0; ; count++) {
    if (count >= MAX_IPV6_EXTENSION_HEADERS) return W.STATUS_FALLBACK;
    if (next === 0 || next === 43 || next === 60 || next === 135) {
      // Hop-by-hop, routing, destination options, mobility.
      if (payloadEnd - pos < 8) break;
      const length = (b[pos + 1] + 1) * 8;
      if (next === 43) {
        finalDst = finalDestination(b, pos, Math.min(pos + length, payloadEnd));
      }
      next = b[pos];
      pos += length;
    } else if (next === 44) {
      if (payloadEnd - pos < 8) break;
      const offsetAndFlags = u16(b, pos + 2);
      fragmentOffset = offsetAndFlags & 0xfff8;
      status = 0;
      if ((offsetAndFlags & 1) === 1) {
        status = W.STATUS_FRAGMENT | W.STATUS_MORE_FRAGMENTS;
      } else if (fragmentOffset > 0) {
        status = W.STATUS_FRAGMENT;
      }
      w[o + W.W_FRAGMENT_OFFSET] = fragmentOffset;
      w[o + W.W_FRAGMENT_ID] = word(b, pos + 4);
      next = b[pos];
      pos += 8;
    } else if (next === 51) {
      // Authentication header: its length counts 4-byte words, minus 2.
      if (payloadEnd - pos < 8) break;
      const length = (b[pos + 1] + 2) * 4;
      next = b[pos];
      pos += length;
    } else {
      w[o + W.W_PROTOCOL] = next;
      if (finalDst >= 0 && hasPseudoHeader(next)) {
        for (let i = 0; i < 4; i++) {
          w[o + W.W_DST_ADDR + i] = word(b, finalDst + 4 * i);
        }
      }
      if (pos > payloadEnd) return status | W.STATUS_TRUNCATED;
      if (fragmentOffset > 0) return status;
      return status | decodeTransport(next, status !== 0, b, frame, pos,
        payloadEnd, wireEnd, w, o);
    }
  }
  // An extension header cut short: its type stands as the protocol.
  w[o + W.W_PROTOCOL] = next;
  return status | W.STATUS_TRUNCATED;
}

function hasPseudoHeader(protocol: number): boolean {
  return protocol === L.IPPROTO_TCP || protocol === L.IPPROTO_UDP ||
    protocol === L.IPPROTO_UDPLITE || protocol === L.IPPROTO_SCTP;
}

/** As in decode.ts: the final destination a routing header names, or -1. */
function finalDestination(b: Uint8Array, pos: number, end: number): number {
  const routingType = b[pos + 2];
  const segmentsLeft = b[pos + 3];
  if (segmentsLeft === 0 || end - pos < 24) return -1;
  if (routingType === 0 || routingType === 2) {
    const count = Math.floor((end - pos - 8) / 16);
    return pos + 8 + (count - 1) * 16;
  }
  if (routingType === 4) return pos + 8;
  return -1;
}

function hasIcmpIdentifier(protocol: number, type: number): boolean {
  if (protocol === L.IPPROTO_ICMP) {
    return type === 0 || type === 8 || (type >= 13 && type <= 18);
  }
  return type === 128 || type === 129;
}

function decodeTransport(
  protocol: number,
  fragment: boolean,
  b: Uint8Array,
  frame: number,
  at: number,
  end: number,
  wireEnd: number,
  w: Int32Array,
  o: number,
): number {
  const available = end - at;
  switch (protocol) {
    case L.IPPROTO_TCP: {
      if (available < 4) return W.STATUS_TRUNCATED;
      w[o + W.W_SRC_PORT] = u16(b, at);
      w[o + W.W_DST_PORT] = u16(b, at + 2);
      if (available < 20) {
        if (available >= 14) w[o + W.W_TCP_FLAGS] = b[at + 13];
        return W.STATUS_TRUNCATED;
      }
      w[o + W.W_TCP_FLAGS] = b[at + 13];
      w[o + W.W_TCP_SEQ] = word(b, at + 4);
      w[o + W.W_TCP_ACK] = word(b, at + 8);
      w[o + W.W_TCP_WINDOW] = u16(b, at + 14);
      const payload = at + (b[at + 12] >> 4) * 4;
      w[o + W.W_PAYLOAD_OFFSET] = payload - frame;
      w[o + W.W_PAYLOAD_LENGTH] = Math.max(0, end - payload);
      w[o + W.W_TCP_SEGMENT_LENGTH] = Math.max(0, wireEnd - payload);
      return 0;
    }
    case L.IPPROTO_UDP:
    case L.IPPROTO_UDPLITE: {
      if (available < 8) {
        if (available >= 4) {
          w[o + W.W_SRC_PORT] = u16(b, at);
          w[o + W.W_DST_PORT] = u16(b, at + 2);
        }
        return W.STATUS_TRUNCATED;
      }
      const dstPort = u16(b, at + 2);
      w[o + W.W_SRC_PORT] = u16(b, at);
      w[o + W.W_DST_PORT] = dstPort;
      w[o + W.W_PAYLOAD_OFFSET] = at + 8 - frame;
      w[o + W.W_PAYLOAD_LENGTH] = available - 8;
      if (fragment) return 0;
      // VXLAN and GENEVE, on the decoder's own conditions.
      if (dstPort === 4789) {
        return available >= 30 && (b[at + 8] & 0x08) !== 0
          ? W.STATUS_FALLBACK : 0;
      }
      if (dstPort === 6081) {
        return available >= 16 && b[at + 8] >> 6 === 0
          ? W.STATUS_FALLBACK : 0;
      }
      return 0;
    }
    case L.IPPROTO_SCTP:
      if (available >= 4) {
        w[o + W.W_SRC_PORT] = u16(b, at);
        w[o + W.W_DST_PORT] = u16(b, at + 2);
      }
      return 0;
    case L.IPPROTO_ICMP:
    case L.IPPROTO_ICMPV6: {
      if (available < 4) return W.STATUS_TRUNCATED;
      const type = b[at];
      w[o + W.W_ICMP_TYPE] = type;
      w[o + W.W_ICMP_CODE] = b[at + 1];
      if (available >= 8 && hasIcmpIdentifier(protocol, type)) {
        w[o + W.W_ICMP_ID] = u16(b, at + 4);
      }
      w[o + W.W_PAYLOAD_OFFSET] = at + 8 - frame;
      w[o + W.W_PAYLOAD_LENGTH] = Math.max(0, available - 8);
      return isIcmpError(protocol, type) ? W.STATUS_FALLBACK : 0;
    }
    case L.IPPROTO_IPIP:
    case L.IPPROTO_IPV6:
      return fragment ? 0 : W.STATUS_FALLBACK;
    case L.IPPROTO_GRE:
      return fragment ? 0 : greStatus(b, at, end);
    default:
      return 0;
  }
}

/** FALLBACK where decode.ts would take GRE for a tunnel. */
function greStatus(b: Uint8Array, at: number, end: number): number {
  if (end - at < 4) return 0;
  const flags = b[at];
  const version = b[at + 1] & 0x07;
  let pos = at + 4;
  if (version === 0) {
    if (flags & 0x80) pos += 4;
    if (flags & 0x20) pos += 4;
    if (flags & 0x10) pos += 4;
  } else if (version === 1) {
    pos += 4;
    if (flags & 0x10) pos += 4;
    if (b[at + 1] & 0x80) pos += 4;
  } else {
    return 0;
  }
  return pos > end ? 0 : W.STATUS_FALLBACK;
}

/** A HeaderReader whose classic pcap records go through decodePcapRecords. */
export function createTsHeaderReader(sink: HeaderSink): HeaderReader {
  return new HeaderReader(sink, new TsRecordLoop());
}

/** decodePcapRecords over a staging area of its own. */
export class TsRecordLoop implements RecordLoop {
  staging = new Uint8Array(0);
  readonly words = new Int32Array(BATCH_WORDS);
  private view = new DataView(this.staging.buffer);
  private layout: PcapLayout = {
    littleEndian: true,
    nanosPerTick: 1000,
    linkType: 0,
    timeDigits: 6,
  };

  grow(bytes: number, keep: number): void {
    const grown = new Uint8Array(bytes);
    grown.set(this.staging.subarray(0, keep));
    this.staging = grown;
    this.view = new DataView(grown.buffer);
  }

  start(layout: PcapLayout): void {
    this.layout = layout;
  }

  decode(
    pos: number,
    end: number,
    baseOffset: number,
    maxRecords: number,
    result: LoopResult,
  ): void {
    decodePcapRecords(this.staging, this.view, pos, end, baseOffset,
      this.layout, this.words, maxRecords, result);
  }
}
