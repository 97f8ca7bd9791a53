import type { DecodedPacket } from './decode.js';
import { decodePacket, HEADER_NAMES, TUNNEL_NONE } from './decode.js';
import * as W from './header-kernel-layout.js';
import * as L from './linktypes.js';
import type { PacketRecord } from './record.js';

/** Link types whose frames a header record can describe. */
export function isKernelLinkType(linkType: number): boolean {
  return linkType === L.LINKTYPE_ETHERNET ||
    linkType === L.LINKTYPE_RAW_BSD || linkType === L.LINKTYPE_RAW_OPENBSD ||
    linkType === L.LINKTYPE_RAW || linkType === L.LINKTYPE_IPV4 ||
    linkType === L.LINKTYPE_IPV6;
}

/**
 * ICMP errors quote the packet they report on, which names a flow of its
 * own; a record has no words for it, so such frames fall back.
 */
export function isIcmpError(protocol: number, type: number): boolean {
  if (protocol === L.IPPROTO_ICMP) {
    return type === 3 || type === 4 || type === 5 || type === 11 ||
      type === 12;
  }
  return protocol === L.IPPROTO_ICMPV6 && type >= 1 && type <= 4;
}

/** Headers behind which a frame carries more than a record holds. */
const FALLBACK_HEADERS = new Set(
  (['llc', 'mpls', 'pppoes'] as const).map((name) =>
    HEADER_NAMES.indexOf(name)),
);

function needsFallback(record: PacketRecord, decoded: DecodedPacket): boolean {
  if (!isKernelLinkType(record.linkType) || decoded.malformed !== null) {
    return true;
  }
  for (let i = 0; i < decoded.headerCount; i++) {
    if (FALLBACK_HEADERS.has(decoded.headers[i])) return true;
  }
  if (decoded.layerCount === 0) return false;
  const layer = decoded.layers[0];
  return layer.carries !== TUNNEL_NONE ||
    (layer.icmpType >= 0 && isIcmpError(layer.protocol, layer.icmpType));
}

function readWord(b: Uint8Array, at: number): number {
  return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}

/**
 * Writes the header record of one packet at `at` in `words`, by running
 * the full decoder: the reference the kernels are checked against, and
 * what the readers use for pcapng. `frameAt` goes into FRAME_AT as is.
 */
export function writeRecordFromPacket(
  record: PacketRecord,
  decoded: DecodedPacket,
  words: Int32Array,
  at: number,
  frameAt: number,
): void {
  W.writeSplit(words, at + W.W_OFFSET_LO, record.offset);
  words[at + W.W_FRAME_AT] = frameAt;
  W.writeSplit(words, at + W.W_SECONDS_LO, record.hasTime ? record.seconds : 0);
  words[at + W.W_NANOS] = record.hasTime ? record.nanos : 0;
  words[at + W.W_CAPTURED_LENGTH] = record.capturedLength;
  words[at + W.W_ORIGINAL_LENGTH] = record.originalLength;
  words[at + W.W_LINK_TYPE] = record.linkType;
  let status = record.timeDigits << W.STATUS_TIME_DIGITS_SHIFT;
  if (!record.hasTime) status |= W.STATUS_NO_TIME;
  W.clearDecodeWords(words, at);

  decodePacket(record, decoded);
  if (needsFallback(record, decoded)) {
    words[at + W.W_STATUS] = status | W.STATUS_FALLBACK;
    return;
  }
  words[at + W.W_ETHER_TYPE] = decoded.etherType;
  words[at + W.W_VLAN_ID] = decoded.vlanId;
  if (decoded.layerCount === 0) {
    words[at + W.W_STATUS] = status;
    return;
  }

  const layer = decoded.layers[0];
  const b = record.data;
  words[at + W.W_IP_VERSION] = layer.version;
  words[at + W.W_PROTOCOL] = layer.protocol;
  const addressWords = layer.version === 4 ? 1 : 4;
  for (let i = 0; i < addressWords; i++) {
    words[at + W.W_SRC_ADDR + i] = readWord(b, layer.srcOffset + 4 * i);
    words[at + W.W_DST_ADDR + i] = readWord(b, layer.dstOffset + 4 * i);
  }
  words[at + W.W_SRC_PORT] = layer.srcPort;
  words[at + W.W_DST_PORT] = layer.dstPort;
  words[at + W.W_TCP_FLAGS] = layer.tcpFlags;
  // The decoder leaves these from an earlier packet unless the whole
  // 20-byte TCP header was there, and says so by not marking it cut.
  if (layer.protocol === L.IPPROTO_TCP && layer.srcPort >= 0 &&
    !layer.truncated) {
    words[at + W.W_TCP_SEQ] = layer.tcpSeq;
    words[at + W.W_TCP_ACK] = layer.tcpAck;
    words[at + W.W_TCP_WINDOW] = layer.tcpWindow;
  }
  words[at + W.W_TCP_SEGMENT_LENGTH] = layer.tcpSegmentLength;
  words[at + W.W_ICMP_TYPE] = layer.icmpType;
  words[at + W.W_ICMP_CODE] = layer.icmpCode;
  words[at + W.W_ICMP_ID] = layer.icmpId;
  words[at + W.W_FRAGMENT_ID] = layer.fragmentId;
  words[at + W.W_FRAGMENT_OFFSET] = layer.fragmentOffset;
  if (layer.payloadOffset > 0) {
    words[at + W.W_PAYLOAD_OFFSET] = layer.payloadOffset - record.dataOffset;
    words[at + W.W_PAYLOAD_LENGTH] = layer.payloadLength;
  }
  if (layer.truncated) status |= W.STATUS_TRUNCATED;
  if (layer.fragment) status |= W.STATUS_FRAGMENT;
  if (layer.moreFragments) status |= W.STATUS_MORE_FRAGMENTS;
  words[at + W.W_STATUS] = status;
}
