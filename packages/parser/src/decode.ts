import * as L from './linktypes.js';
import type { PacketRecord } from './record.js';

/** How the next IP layer was carried inside the one before it. */
export const TUNNEL_NONE = 0;
export const TUNNEL_GRE = 1;
export const TUNNEL_IPIP = 2;
export const TUNNEL_6IN4 = 3;
export const TUNNEL_VXLAN = 4;
export const TUNNEL_GENEVE = 5;
export const TUNNEL_NAMES = ['', 'gre', 'ipip', '6in4', 'vxlan', 'geneve'];

/**
 * Names of the headers a frame was decoded through (DecodedPacket.headers
 * holds their indexes), spelled as tshark's protocol hierarchy spells them
 * so that the two can be compared.
 */
export const HEADER_NAMES = [
  'eth', 'sll', 'null', 'raw', 'radiotap', 'wlan_radio', 'wlan', 'llc',
  'vlan', 'mpls', 'pppoes', 'ppp', 'arp', 'lldp', 'loop', 'ip', 'ipv6',
  'tcp', 'udp', 'udplite', 'sctp', 'icmp', 'icmpv6', 'igmp', 'gre', 'esp',
  'ospf', 'pim', 'vxlan', 'geneve', 'cmd',
] as const;
const H = Object.fromEntries(
  HEADER_NAMES.map((name, code) => [name, code]),
) as Record<(typeof HEADER_NAMES)[number], number>;
/** Headers recorded per frame; deeper ones still decode, unrecorded. */
export const MAX_HEADERS = 32;

export const UDP_PORT_VXLAN = 4789;
export const UDP_PORT_GENEVE = 6081;

/**
 * Tunnels nest at most this deep; a crafted packet of nested headers
 * stops here instead of recursing through the whole frame.
 */
export const MAX_IP_LAYERS = 4;
/** IPv6 extension headers walked before we call the chain hostile. */
export const MAX_IPV6_EXTENSION_HEADERS = 256;
/** VLAN tags and MPLS labels walked before giving up. */
const MAX_STACKED_TAGS = 16;

/**
 * The IP header and first transport bytes an ICMP error quotes. They name
 * the flow the error is about; they are not a packet of their own.
 */
export class QuotedHeader {
  version = 0;
  protocol = 0;
  srcOffset = 0;
  dstOffset = 0;
  srcPort = -1;
  dstPort = -1;
}

/** One IP header of a frame and the transport header after it. */
export class IpLayer {
  version = 0;
  /** Offsets of the source and destination address in the frame. */
  srcOffset = 0;
  dstOffset = 0;
  /** Transport protocol after extension headers. */
  protocol = 0;
  /** -1 where the header carries no ports or they were cut away. */
  srcPort = -1;
  dstPort = -1;
  /** TCP flags byte; -1 when not TCP or cut away. */
  tcpFlags = -1;
  /** TCP sequence number (unsigned), when the header holds it. */
  tcpSeq = 0;
  /** TCP acknowledgement number and window (unscaled). */
  tcpAck = 0;
  tcpWindow = 0;
  /**
   * TCP payload bytes as sent, from the IP length, so a capture cut by
   * its snap length still knows how much data each segment carried.
   */
  tcpSegmentLength = 0;
  /** Where the datagram ends on the wire (may lie past what was kept). */
  wireEnd = 0;
  /** ICMP type and code; -1 when absent. */
  icmpType = -1;
  icmpCode = -1;
  /** ICMP echo-like identifier; -1 when the message has none. */
  icmpId = -1;
  /** An ICMP error's quoted header: what it reports on (see quoted). */
  readonly quoted = new QuotedHeader();
  /** Non-zero when this datagram is a fragment. */
  fragment = false;
  fragmentOffset = 0;
  moreFragments = false;
  fragmentId = 0;
  /** Where the transport payload starts and how many bytes are there. */
  payloadOffset = 0;
  payloadLength = 0;
  /** How the next layer rides inside this one (TUNNEL_*). */
  carries = TUNNEL_NONE;
  /** The header was cut short by the snap length. */
  truncated = false;
}

/**
 * Everything the flow table needs from one frame, filled in place: the
 * same object is reused for every packet, so decoding allocates nothing.
 */
export class DecodedPacket {
  layerCount = 0;
  readonly layers: IpLayer[] = Array.from(
    { length: MAX_IP_LAYERS },
    () => new IpLayer(),
  );
  /** Ethertype of a frame without IP (ARP, LLDP...), or -1. */
  etherType = -1;
  /** Outermost VLAN ID, or -1. */
  vlanId = -1;
  /** Outermost MPLS label, or -1. */
  mplsLabel = -1;
  /** The link type could not be decoded at all. */
  unknownLink = false;
  /** A header that cannot be right, or null. */
  malformed: string | null = null;
  /** Headers walked, outermost first, as indexes into HEADER_NAMES. */
  readonly headers = new Uint8Array(MAX_HEADERS);
  headerCount = 0;

  reset(): void {
    this.layerCount = 0;
    this.etherType = -1;
    this.vlanId = -1;
    this.mplsLabel = -1;
    this.unknownLink = false;
    this.malformed = null;
    this.headerCount = 0;
  }

  get innermost(): IpLayer | null {
    return this.layerCount > 0 ? this.layers[this.layerCount - 1] : null;
  }
}

function pushHeader(out: DecodedPacket, code: number): void {
  if (code >= 0 && out.headerCount < MAX_HEADERS) {
    out.headers[out.headerCount++] = code;
  }
}

/** IP protocols named in the header path. */
const IP_PROTOCOL_HEADERS = new Map<number, number>([
  [L.IPPROTO_TCP, H.tcp], [L.IPPROTO_UDP, H.udp],
  [L.IPPROTO_UDPLITE, H.udplite], [L.IPPROTO_SCTP, H.sctp],
  [L.IPPROTO_ICMP, H.icmp], [L.IPPROTO_ICMPV6, H.icmpv6], [2, H.igmp],
  [L.IPPROTO_GRE, H.gre], [50, H.esp], [89, H.ospf], [103, H.pim],
]);

/** Ethertypes of frames without IP that are named in the header path. */
const ETHERTYPE_HEADERS = new Map<number, number>([
  // RARP (0x8035) is dissected as ARP, as tshark names it.
  [L.ETHERTYPE_ARP, H.arp], [0x8035, H.arp], [0x88cc, H.lldp],
  [0x9000, H.loop],
]);

function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

/** Decodes a frame's headers from its link type down to transport. */
export function decodePacket(record: PacketRecord, out: DecodedPacket): void {
  out.reset();
  const b = record.data;
  const start = record.dataOffset;
  const end = start + record.capturedLength;
  decodeLink(record.linkType, b, start, end, out);
}

function decodeLink(
  linkType: number,
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  switch (linkType) {
    case L.LINKTYPE_ETHERNET:
      decodeEthernet(b, at, end, out);
      return;
    case L.LINKTYPE_RAW_BSD:
    case L.LINKTYPE_RAW_OPENBSD:
    case L.LINKTYPE_RAW:
      pushHeader(out, H.raw);
      decodeIpByVersion(b, at, end, out);
      return;
    case L.LINKTYPE_IPV4:
    case L.LINKTYPE_IPV6:
      decodeIpByVersion(b, at, end, out);
      return;
    case L.LINKTYPE_NULL:
    case L.LINKTYPE_LOOP:
      pushHeader(out, H.null);
      decodeLoopback(linkType, b, at, end, out);
      return;
    case L.LINKTYPE_LINUX_SLL:
      pushHeader(out, H.sll);
      if (end - at >= 16) decodeEtherType(u16(b, at + 14), b, at + 16, end, out);
      return;
    case L.LINKTYPE_LINUX_SLL2:
      pushHeader(out, H.sll);
      if (end - at >= 20) decodeEtherType(u16(b, at), b, at + 20, end, out);
      return;
    case L.LINKTYPE_IEEE802_11_RADIOTAP:
      pushHeader(out, H.radiotap);
      pushHeader(out, H.wlan_radio);
      if (end - at >= 4) {
        const headerLength = b[at + 2] | (b[at + 3] << 8);
        decodeWifi(b, at + headerLength, end, out);
      }
      return;
    case L.LINKTYPE_IEEE802_11:
      decodeWifi(b, at, end, out);
      return;
    default:
      out.unknownLink = true;
  }
}

function decodeLoopback(
  linkType: number,
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  if (end - at < 4) return;
  // DLT_NULL stores the address family in the writer's byte order,
  // DLT_LOOP in network order; a family is always below 256.
  let family = (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
  if (linkType === L.LINKTYPE_NULL && (family & 0xffff) === 0) {
    family = b[at] | (b[at + 1] << 8);
  }
  // AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 by BSD flavour.
  if (family === 2) decodeIpv4(b, at + 4, end, out);
  else if (family === 24 || family === 28 || family === 30) {
    decodeIpv6(b, at + 4, end, out);
  }
}

function decodeEthernet(
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  if (end - at < 14) return;
  pushHeader(out, H.eth);
  const typeOrLength = u16(b, at + 12);
  if (typeOrLength <= 1500) {
    decodeLlc(b, at + 14, end, out);
    return;
  }
  decodeEtherType(typeOrLength, b, at + 14, end, out);
}

/** 802.2 LLC; only SNAP carries an ethertype we follow. */
function decodeLlc(
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  // A SNAP header naming a length instead of a type is the same LLC frame.
  if (out.headerCount === 0 || out.headers[out.headerCount - 1] !== H.llc) {
    pushHeader(out, H.llc);
  }
  if (end - at >= 8 && b[at] === 0xaa && b[at + 1] === 0xaa) {
    decodeEtherType(u16(b, at + 6), b, at + 8, end, out);
    return;
  }
  out.etherType = 0; // plain LLC: STP, CDP and friends
}

function decodeEtherType(
  etherType: number,
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  for (let tags = 0; tags < MAX_STACKED_TAGS; tags++) {
    switch (etherType) {
      case L.ETHERTYPE_IPV4:
        decodeIpv4(b, at, end, out);
        return;
      case L.ETHERTYPE_IPV6:
        decodeIpv6(b, at, end, out);
        return;
      case L.ETHERTYPE_VLAN:
      case L.ETHERTYPE_QINQ:
      case L.ETHERTYPE_QINQ_OLD:
        if (end - at < 4) return;
        pushHeader(out, H.vlan);
        if (out.vlanId < 0) out.vlanId = u16(b, at) & 0x0fff;
        etherType = u16(b, at + 2);
        at += 4;
        continue;
      case L.ETHERTYPE_MPLS:
      case L.ETHERTYPE_MPLS_MULTICAST:
        decodeMpls(b, at, end, out);
        return;
      case L.ETHERTYPE_PPPOE_SESSION:
        pushHeader(out, H.pppoes);
        // version/type, code, session id, length, then a PPP protocol.
        if (end - at < 8) return;
        decodePppProtocol(u16(b, at + 6), b, at + 8, end, out);
        return;
      default:
        if (etherType <= 1500) {
          decodeLlc(b, at, end, out);
          return;
        }
        out.etherType = etherType;
        pushHeader(out, ETHERTYPE_HEADERS.get(etherType) ?? -1);
        return;
    }
  }
}

function decodeMpls(
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  for (let labels = 0; labels < MAX_STACKED_TAGS; labels++) {
    if (end - at < 4) return;
    pushHeader(out, H.mpls);
    const entry = (b[at] << 16) | (b[at + 1] << 8) | b[at + 2];
    if (out.mplsLabel < 0) out.mplsLabel = entry >>> 4;
    const bottom = (b[at + 2] & 1) === 1;
    at += 4;
    if (!bottom) continue;
    if (end - at < 1) return;
    const nibble = b[at] >> 4;
    if (nibble === 4 || nibble === 6) {
      decodeIpByVersion(b, at, end, out);
    } else if (nibble === 0 && end - at >= 4 + 14) {
      // A pseudowire control word, then the customer's Ethernet frame.
      decodeEthernet(b, at + 4, end, out);
    }
    return;
  }
}

function decodePppProtocol(
  protocol: number,
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  pushHeader(out, H.ppp);
  if (protocol === 0x0021) decodeIpv4(b, at, end, out);
  else if (protocol === 0x0057) decodeIpv6(b, at, end, out);
  else out.etherType = L.ETHERTYPE_PPP;
}

/** 802.11 data frames; LLC/SNAP carries the ethertype. */
function decodeWifi(
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  if (end - at < 24) return;
  pushHeader(out, H.wlan);
  const frameControl = b[at];
  const flags = b[at + 1];
  const type = (frameControl >> 2) & 3;
  const subtype = frameControl >> 4;
  if (type !== 2 || (subtype & 4) !== 0) {
    out.etherType = 0; // management, control, or data without a body
    return;
  }
  let header = 24;
  if ((flags & 3) === 3) header += 6; // four addresses
  if (subtype & 8) header += 2; // QoS control
  if ((subtype & 8) !== 0 && (flags & 0x80) !== 0) header += 4; // HT control
  if (flags & 0x40) {
    out.etherType = 0; // protected: the body is encrypted
    return;
  }
  decodeLlc(b, at + header, end, out);
}

function decodeIpByVersion(
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  if (end - at < 1) return;
  const version = b[at] >> 4;
  if (version === 4) decodeIpv4(b, at, end, out);
  else if (version === 6) decodeIpv6(b, at, end, out);
}

function nextLayer(out: DecodedPacket): IpLayer | null {
  if (out.layerCount >= MAX_IP_LAYERS) return null;
  const layer = out.layers[out.layerCount++];
  layer.srcPort = -1;
  layer.dstPort = -1;
  layer.tcpFlags = -1;
  layer.icmpType = -1;
  layer.icmpCode = -1;
  layer.icmpId = -1;
  layer.quoted.version = 0;
  layer.fragment = false;
  layer.fragmentOffset = 0;
  layer.moreFragments = false;
  layer.fragmentId = 0;
  layer.payloadOffset = 0;
  layer.payloadLength = 0;
  layer.tcpSegmentLength = 0;
  layer.carries = TUNNEL_NONE;
  layer.truncated = false;
  return layer;
}

function decodeIpv4(
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  if (end - at < 20 || b[at] >> 4 !== 4) {
    if (end - at >= 1 && b[at] >> 4 !== 4) out.malformed = 'bad IPv4 version';
    return;
  }
  const headerLength = (b[at] & 0x0f) * 4;
  if (headerLength < 20) {
    out.malformed = 'IPv4 header length below 20';
    return;
  }
  const layer = nextLayer(out);
  if (layer === null) return;
  pushHeader(out, H.ip);
  layer.version = 4;
  layer.srcOffset = at + 12;
  layer.dstOffset = at + 16;
  layer.protocol = b[at + 9];

  const totalLength = u16(b, at + 2);
  const flagsAndOffset = u16(b, at + 6);
  layer.moreFragments = (flagsAndOffset & 0x2000) !== 0;
  layer.fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
  layer.fragment = layer.moreFragments || layer.fragmentOffset > 0;
  layer.fragmentId = u16(b, at + 4);

  // Trust the total length only where it is sane: TSO captures write 0.
  let payloadEnd = end;
  if (totalLength >= headerLength && at + totalLength < end) {
    payloadEnd = at + totalLength;
  }
  layer.wireEnd = totalLength >= headerLength ? at + totalLength : end;
  const payload = at + headerLength;
  if (payload > end) {
    layer.truncated = true;
    return;
  }
  if (layer.fragmentOffset > 0) return; // ports are in the first fragment
  decodeTransport(layer, b, payload, payloadEnd, out);
}

function decodeIpv6(
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  if (end - at < 40 || b[at] >> 4 !== 6) return;
  const layer = nextLayer(out);
  if (layer === null) return;
  pushHeader(out, H.ipv6);
  layer.version = 6;
  layer.srcOffset = at + 8;
  layer.dstOffset = at + 24;

  const payloadLength = u16(b, at + 4);
  let payloadEnd = end;
  if (payloadLength > 0 && at + 40 + payloadLength < end) {
    payloadEnd = at + 40 + payloadLength;
  }
  // A payload length of 0 with data behind it is a jumbogram or BIG TCP.
  layer.wireEnd = payloadLength > 0 ? at + 40 + payloadLength : end;
  let next = b[at + 6];
  let pos = at + 40;
  let finalDst = -1;
  for (let count = 0; ; count++) {
    if (count >= MAX_IPV6_EXTENSION_HEADERS) {
      out.malformed = 'IPv6 extension header chain too long';
      layer.protocol = next;
      return;
    }
    if (next === 0 || next === 43 || next === 60 || next === 135) {
      // Hop-by-hop, routing, destination options, mobility.
      if (payloadEnd - pos < 8) {
        layer.protocol = next;
        layer.truncated = true;
        return;
      }
      const length = (b[pos + 1] + 1) * 8;
      if (next === 43) {
        finalDst = finalDestination(b, pos, Math.min(pos + length, payloadEnd));
      }
      next = b[pos];
      pos += length;
    } else if (next === 44) {
      if (payloadEnd - pos < 8) {
        layer.protocol = next;
        layer.truncated = true;
        return;
      }
      const offsetAndFlags = u16(b, pos + 2);
      layer.fragmentOffset = offsetAndFlags & 0xfff8;
      layer.moreFragments = (offsetAndFlags & 1) === 1;
      layer.fragment = layer.moreFragments || layer.fragmentOffset > 0;
      layer.fragmentId =
        ((b[pos + 4] << 24) | (b[pos + 5] << 16) | (b[pos + 6] << 8) |
          b[pos + 7]) >>> 0;
      next = b[pos];
      pos += 8;
    } else if (next === 51) {
      // Authentication header: its length counts 4-byte words, minus 2.
      if (payloadEnd - pos < 8) {
        layer.protocol = next;
        layer.truncated = true;
        return;
      }
      const length = (b[pos + 1] + 2) * 4;
      next = b[pos];
      pos += length;
    } else {
      break;
    }
  }
  layer.protocol = next;
  if (finalDst >= 0 && hasPseudoHeader(next)) layer.dstOffset = finalDst;
  if (pos > payloadEnd) {
    layer.truncated = true;
    return;
  }
  if (layer.fragmentOffset > 0) return;
  decodeTransport(layer, b, pos, payloadEnd, out);
}

/**
 * Transport checksums cover the final destination of a routed datagram,
 * so TCP and UDP conversations are keyed by it (tshark does the same);
 * other protocols keep the header's destination.
 */
function hasPseudoHeader(protocol: number): boolean {
  return protocol === L.IPPROTO_TCP || protocol === L.IPPROTO_UDP ||
    protocol === L.IPPROTO_UDPLITE || protocol === L.IPPROTO_SCTP;
}

/**
 * Where a routing header with segments left names the final destination,
 * or -1 when it names none.
 */
function finalDestination(b: Uint8Array, pos: number, end: number): number {
  const routingType = b[pos + 2];
  const segmentsLeft = b[pos + 3];
  if (segmentsLeft === 0 || end - pos < 24) return -1;
  if (routingType === 0 || routingType === 2) {
    const count = Math.floor((end - pos - 8) / 16);
    return pos + 8 + (count - 1) * 16;
  }
  if (routingType === 4) return pos + 8; // segment list[0] is the last hop
  return -1;
}

function decodeTransport(
  layer: IpLayer,
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  const available = end - at;
  pushHeader(out, IP_PROTOCOL_HEADERS.get(layer.protocol) ?? -1);
  switch (layer.protocol) {
    case L.IPPROTO_TCP: {
      if (available < 4) {
        layer.truncated = true;
        return;
      }
      layer.srcPort = u16(b, at);
      layer.dstPort = u16(b, at + 2);
      if (available < 20) {
        layer.truncated = true;
        if (available >= 14) layer.tcpFlags = b[at + 13];
        return;
      }
      layer.tcpFlags = b[at + 13];
      layer.tcpSeq =
        ((b[at + 4] << 24) | (b[at + 5] << 16) | (b[at + 6] << 8) |
          b[at + 7]) >>> 0;
      layer.tcpAck =
        ((b[at + 8] << 24) | (b[at + 9] << 16) | (b[at + 10] << 8) |
          b[at + 11]) >>> 0;
      layer.tcpWindow = u16(b, at + 14);
      const headerLength = (b[at + 12] >> 4) * 4;
      layer.payloadOffset = at + headerLength;
      layer.payloadLength = Math.max(0, end - layer.payloadOffset);
      layer.tcpSegmentLength = Math.max(0, layer.wireEnd - layer.payloadOffset);
      return;
    }
    case L.IPPROTO_UDP:
    case L.IPPROTO_UDPLITE: {
      if (available < 8) {
        layer.truncated = true;
        if (available >= 4) {
          layer.srcPort = u16(b, at);
          layer.dstPort = u16(b, at + 2);
        }
        return;
      }
      layer.srcPort = u16(b, at);
      layer.dstPort = u16(b, at + 2);
      layer.payloadOffset = at + 8;
      layer.payloadLength = end - at - 8;
      if (layer.fragment) return; // a tunnel's inner frame would be cut
      decodeUdpTunnel(layer, b, at + 8, end, out);
      return;
    }
    case L.IPPROTO_SCTP:
      if (available >= 4) {
        layer.srcPort = u16(b, at);
        layer.dstPort = u16(b, at + 2);
      }
      return;
    case L.IPPROTO_ICMP:
    case L.IPPROTO_ICMPV6:
      if (available < 4) {
        layer.truncated = true;
        return;
      }
      layer.icmpType = b[at];
      layer.icmpCode = b[at + 1];
      if (available >= 8 && hasIcmpIdentifier(layer.protocol, b[at])) {
        layer.icmpId = u16(b, at + 4);
      }
      layer.payloadOffset = at + 8;
      layer.payloadLength = Math.max(0, end - at - 8);
      if (isIcmpError(layer.protocol, layer.icmpType)) {
        readQuotedHeader(b, at + 8, end, layer.quoted);
      }
      return;
    case L.IPPROTO_IPIP:
      if (layer.fragment) return;
      layer.carries = TUNNEL_IPIP;
      decodeIpv4(b, at, end, out);
      return;
    case L.IPPROTO_IPV6:
      if (layer.fragment) return;
      layer.carries = TUNNEL_6IN4;
      decodeIpv6(b, at, end, out);
      return;
    case L.IPPROTO_GRE:
      if (layer.fragment) return;
      decodeGre(layer, b, at, end, out);
      return;
    default:
      return;
  }
}

/** Unreachable, time exceeded, parameter problem, redirect, too big. */
function isIcmpError(protocol: number, type: number): boolean {
  if (protocol === L.IPPROTO_ICMP) {
    return type === 3 || type === 4 || type === 5 || type === 11 ||
      type === 12;
  }
  return type >= 1 && type <= 4;
}

/** Reads the quoted header far enough to name a flow; version 0 if not. */
function readQuotedHeader(
  b: Uint8Array,
  at: number,
  end: number,
  out: QuotedHeader,
): void {
  out.version = 0;
  out.srcPort = -1;
  out.dstPort = -1;
  if (end - at < 20) return;
  const version = b[at] >> 4;
  let transport: number;
  if (version === 4) {
    const headerLength = (b[at] & 0x0f) * 4;
    if (headerLength < 20) return;
    out.protocol = b[at + 9];
    out.srcOffset = at + 12;
    out.dstOffset = at + 16;
    const fragmentOffset = u16(b, at + 6) & 0x1fff;
    transport = fragmentOffset === 0 ? at + headerLength : end;
  } else if (version === 6 && end - at >= 40) {
    // Extension headers in a quoted packet are rare; only plain ones name
    // their ports here.
    out.protocol = b[at + 6];
    out.srcOffset = at + 8;
    out.dstOffset = at + 24;
    transport = at + 40;
  } else {
    return;
  }
  out.version = version;
  if (hasPseudoHeader(out.protocol) && end - transport >= 4) {
    out.srcPort = u16(b, transport);
    out.dstPort = u16(b, transport + 2);
  }
}

/** Echo, timestamp, information and address-mask messages carry an id. */
function hasIcmpIdentifier(protocol: number, type: number): boolean {
  if (protocol === L.IPPROTO_ICMP) {
    return type === 0 || type === 8 || (type >= 13 && type <= 18);
  }
  return type === 128 || type === 129;
}

function decodeUdpTunnel(
  layer: IpLayer,
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  if (layer.dstPort === UDP_PORT_VXLAN && end - at >= 8 + 14) {
    if ((b[at] & 0x08) === 0) return; // the VNI-valid flag must be set
    layer.carries = TUNNEL_VXLAN;
    pushHeader(out, H.vxlan);
    decodeEthernet(b, at + 8, end, out);
  } else if (layer.dstPort === UDP_PORT_GENEVE && end - at >= 8) {
    if (b[at] >> 6 !== 0) return; // only version 0 exists
    const optionsLength = (b[at] & 0x3f) * 4;
    const protocol = u16(b, at + 2);
    layer.carries = TUNNEL_GENEVE;
    pushHeader(out, H.geneve);
    const inner = at + 8 + optionsLength;
    if (protocol === L.ETHERTYPE_TRANSPARENT_BRIDGING) {
      decodeEthernet(b, inner, end, out);
    } else {
      decodeEtherType(protocol, b, inner, end, out);
    }
  }
}

/**
 * GRE: flags and version, protocol, then optional fields.
 *   v0: [checksum + reserved] [key] [sequence]
 *   v1 (enhanced, PPTP): payload length + call id, [sequence] [ack]
 */
function decodeGre(
  layer: IpLayer,
  b: Uint8Array,
  at: number,
  end: number,
  out: DecodedPacket,
): void {
  if (end - at < 4) return;
  const flags = b[at];
  const version = b[at + 1] & 0x07;
  const protocol = u16(b, at + 2);
  let pos = at + 4;
  if (version === 0) {
    if (flags & 0x80) pos += 4;
    if (flags & 0x20) pos += 4;
    if (flags & 0x10) pos += 4;
  } else if (version === 1) {
    pos += 4; // key field: payload length and call id
    if (flags & 0x10) pos += 4;
    if (b[at + 1] & 0x80) pos += 4;
  } else {
    return;
  }
  if (pos > end) return;
  layer.carries = TUNNEL_GRE;
  if (protocol === L.ETHERTYPE_PPP) {
    if (end - pos < 2) return;
    // Address and control bytes (ff 03) may be compressed away, and so
    // may the protocol field's high byte.
    if (b[pos] === 0xff && b[pos + 1] === 0x03) pos += 2;
    if (end - pos < 1) return;
    if (b[pos] & 1) decodePppProtocol(b[pos], b, pos + 1, end, out);
    else if (end - pos >= 2) decodePppProtocol(u16(b, pos), b, pos + 2, end, out);
    return;
  }
  if (protocol === L.ETHERTYPE_TRANSPARENT_BRIDGING) {
    decodeEthernet(b, pos, end, out);
    return;
  }
  if (protocol === L.ETHERTYPE_CISCO_METADATA) {
    pushHeader(out, H.cmd);
    // An 8-byte security-group tag header, then the IP packet.
    decodeIpByVersion(b, pos + 8, end, out);
    return;
  }
  // A type of 1500 or less is no ethertype (keepalives carry 0), not LLC.
  if (protocol > 1500) decodeEtherType(protocol, b, pos, end, out);
}
