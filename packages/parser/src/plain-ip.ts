import type { PacketRecord } from './record.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW,
  LINKTYPE_RAW_BSD,
  LINKTYPE_RAW_OPENBSD,
} from './linktypes.js';
import { UDP_PORT_GENEVE, UDP_PORT_VXLAN } from './decode.js';

/** VLAN tags decodePacket walks; a plain frame has at most two. */
const VLAN_TYPES = new Set([0x8100, 0x88a8, 0x9100]);
const MAX_PLAIN_VLAN_TAGS = 2;

/**
 * Where the IP header of a plain frame starts, or -1. A plain frame is
 * Ethernet (up to two VLAN tags) or raw IP, carrying IPv4 or IPv6 straight
 * to TCP, UDP or ICMP, with nothing that could be a tunnel: decodePacket
 * gives it exactly one IP layer, with the addresses at the header's fixed
 * offsets (IPv4 12 and 16, IPv6 8 and 24). Anything else is -1, so a
 * caller can skip decoding a plain frame it has no use for and decode the
 * rest. plain-ip.test.ts holds this to decodePacket.
 */
export function plainIpHeader(record: PacketRecord): number {
  const b = record.data;
  const start = record.dataOffset;
  const end = start + record.capturedLength;
  switch (record.linkType) {
    case LINKTYPE_ETHERNET:
      return plainEthernet(b, start, end);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_BSD:
    case LINKTYPE_RAW_OPENBSD:
      return end - start >= 1 && b[start] >> 4 === 4
        ? plainIpv4(b, start, end)
        : plainIpv6(b, start, end);
    default:
      return -1;
  }
}

function plainEthernet(b: Uint8Array, at: number, end: number): number {
  if (end - at < 14) return -1;
  let type = (b[at + 12] << 8) | b[at + 13];
  let pos = at + 14;
  for (let tags = 0; VLAN_TYPES.has(type); tags++) {
    if (tags === MAX_PLAIN_VLAN_TAGS || end - pos < 4) return -1;
    type = (b[pos + 2] << 8) | b[pos + 3];
    pos += 4;
  }
  if (type === 0x0800) return plainIpv4(b, pos, end);
  if (type === 0x86dd) return plainIpv6(b, pos, end);
  return -1;
}

function plainIpv4(b: Uint8Array, at: number, end: number): number {
  if (end - at < 20 || b[at] >> 4 !== 4) return -1;
  const headerLength = (b[at] & 0x0f) * 4;
  if (headerLength < 20) return -1;
  const protocol = b[at + 9];
  if (protocol === 6 || protocol === 1) return at;
  if (protocol !== 17) return -1;
  return plainUdp(b, at + headerLength, end) ? at : -1;
}

function plainIpv6(b: Uint8Array, at: number, end: number): number {
  if (end - at < 40 || b[at] >> 4 !== 6) return -1;
  const next = b[at + 6];
  if (next === 6 || next === 58) return at;
  if (next !== 17) return -1;
  return plainUdp(b, at + 40, end) ? at : -1;
}

/** UDP that is no tunnel: its destination port is neither's. */
function plainUdp(b: Uint8Array, at: number, end: number): boolean {
  if (end - at < 4) return true;
  const dstPort = (b[at + 2] << 8) | b[at + 3];
  return dstPort !== UDP_PORT_VXLAN && dstPort !== UDP_PORT_GENEVE;
}
