import type { DecodedPacket } from './decode.js';
import { HEADER_NAMES, TUNNEL_NONE } from './decode.js';
import * as W from './header-kernel-layout.js';
import { LINKTYPE_ETHERNET } from './linktypes.js';
import { plainIpHeader } from './plain-ip.js';
import type { PacketRecord } from './record.js';
import type { HeaderBatch } from './header-kernel-layout.js';

const ETH = HEADER_NAMES.indexOf('eth');
const RAW = HEADER_NAMES.indexOf('raw');
const VLAN = HEADER_NAMES.indexOf('vlan');
const IPV4 = HEADER_NAMES.indexOf('ip');
const IPV6 = HEADER_NAMES.indexOf('ipv6');
/** Header names by IP protocol, for the four a plain frame carries. */
const TRANSPORT_HEADERS = new Map<number, number>([
  [6, HEADER_NAMES.indexOf('tcp')],
  [17, HEADER_NAMES.indexOf('udp')],
  [1, HEADER_NAMES.indexOf('icmp')],
  [58, HEADER_NAMES.indexOf('icmpv6')],
]);
const ETHERNET_HEADER_BYTES = 14;
const VLAN_TAG_BYTES = 4;

/**
 * Fills `out` from the header record at word `at` of `words`, exactly as
 * decodePacket(record, out) would, when the record says all that
 * decodePacket() would find: a plain frame (plainIpHeader(): Ethernet with
 * up to two VLAN tags, or raw IP, then IPv4 or IPv6 without extension
 * headers straight to TCP, UDP or ICMP) that the kernel decoded whole (no
 * fallback, nothing cut short). Returns false and leaves `out` alone for
 * any other frame: decode that one with decodePacket().
 *
 * `record` is the same frame (its bytes, link type and lengths); the
 * addresses are taken from its bytes by offset, as decodePacket() gives
 * them. header-kernel-decoded.test.ts holds the two together.
 */
export function decodeFromHeaderRecord(
  record: PacketRecord,
  words: Int32Array,
  at: number,
  out: DecodedPacket,
): boolean {
  const status = words[at + W.W_STATUS];
  if ((status & (W.STATUS_FALLBACK | W.STATUS_TRUNCATED)) !== 0) return false;
  const version = words[at + W.W_IP_VERSION];
  if (version === 0) return false;
  const ip = plainIpHeader(record);
  if (ip < 0) return false;

  out.reset();
  const headers = out.headers;
  let count = 0;
  if (record.linkType === LINKTYPE_ETHERNET) {
    headers[count++] = ETH;
    const first = record.dataOffset + ETHERNET_HEADER_BYTES;
    for (let tag = first; tag < ip; tag += VLAN_TAG_BYTES) {
      headers[count++] = VLAN;
    }
  } else {
    headers[count++] = RAW;
  }
  const v4 = version === 4;
  headers[count++] = v4 ? IPV4 : IPV6;
  out.vlanId = words[at + W.W_VLAN_ID];

  const layer = out.layers[0];
  out.layerCount = 1;
  const protocol = words[at + W.W_PROTOCOL];
  layer.version = version;
  layer.srcOffset = ip + (v4 ? 12 : 8);
  layer.dstOffset = ip + (v4 ? 16 : 24);
  layer.protocol = protocol;
  layer.srcPort = words[at + W.W_SRC_PORT];
  layer.dstPort = words[at + W.W_DST_PORT];
  layer.tcpFlags = words[at + W.W_TCP_FLAGS];
  // Like decodePacket(): the sequence words only when the TCP header was
  // read (a later fragment leaves them as they were).
  if (protocol === 6 && layer.srcPort >= 0) {
    layer.tcpSeq = words[at + W.W_TCP_SEQ] >>> 0;
    layer.tcpAck = words[at + W.W_TCP_ACK] >>> 0;
    layer.tcpWindow = words[at + W.W_TCP_WINDOW];
  }
  layer.tcpSegmentLength = words[at + W.W_TCP_SEGMENT_LENGTH];
  layer.icmpType = words[at + W.W_ICMP_TYPE];
  layer.icmpCode = words[at + W.W_ICMP_CODE];
  layer.icmpId = words[at + W.W_ICMP_ID];
  layer.quoted.version = 0;
  layer.fragment = (status & W.STATUS_FRAGMENT) !== 0;
  layer.moreFragments = (status & W.STATUS_MORE_FRAGMENTS) !== 0;
  layer.fragmentId = words[at + W.W_FRAGMENT_ID] >>> 0;
  layer.fragmentOffset = words[at + W.W_FRAGMENT_OFFSET];
  const payload = words[at + W.W_PAYLOAD_OFFSET];
  layer.payloadOffset = payload > 0 ? record.dataOffset + payload : 0;
  layer.payloadLength = payload > 0 ? words[at + W.W_PAYLOAD_LENGTH] : 0;
  layer.carries = TUNNEL_NONE;
  layer.truncated = false;
  // A later fragment carries no transport header to name.
  const transport = TRANSPORT_HEADERS.get(protocol);
  if (layer.fragmentOffset === 0 && transport !== undefined) {
    headers[count++] = transport;
  }
  out.headerCount = count;
  return true;
}

/**
 * Sets `record` to record `index` of `batch`, as CaptureReader hands out
 * the same packet of a classic pcap file. Valid while the batch is.
 */
export function packetFromHeader(
  batch: HeaderBatch,
  index: number,
  record: PacketRecord,
): void {
  const words = batch.words;
  const at = index * W.RECORD_WORDS;
  const status = words[at + W.W_STATUS];
  record.index = batch.firstPacket + index;
  record.offset = W.recordOffset(words, index);
  record.interfaceId = 0;
  record.linkType = words[at + W.W_LINK_TYPE];
  record.hasTime = (status & W.STATUS_NO_TIME) === 0;
  record.seconds = W.recordSeconds(words, index);
  record.nanos = words[at + W.W_NANOS];
  record.timeDigits =
    (status & W.STATUS_TIME_DIGITS_MASK) >> W.STATUS_TIME_DIGITS_SHIFT;
  record.capturedLength = words[at + W.W_CAPTURED_LENGTH];
  record.originalLength = words[at + W.W_ORIGINAL_LENGTH] >>> 0;
  record.data = batch.bytes;
  record.dataOffset = words[at + W.W_FRAME_AT];
}
