import * as L from '@capscope/parser/linktypes';

/**
 * Bytes of link header before the IP header, by link type (no VLAN tags);
 * null where it varies (radiotap) or the link is not decoded.
 */
export function linkHeaderBytes(linkType: number): number | null {
  switch (linkType) {
    case L.LINKTYPE_ETHERNET:
      return 14;
    case L.LINKTYPE_NULL:
    case L.LINKTYPE_LOOP:
      return 4;
    case L.LINKTYPE_LINUX_SLL:
      return 16;
    case L.LINKTYPE_LINUX_SLL2:
      return 20;
    case L.LINKTYPE_RAW_BSD:
    case L.LINKTYPE_RAW_OPENBSD:
    case L.LINKTYPE_RAW:
    case L.LINKTYPE_IPV4:
    case L.LINKTYPE_IPV6:
      return 0;
    default:
      return null;
  }
}

/** An IPv4 header without options, and the two ports after it. */
const IPV4_HEADER_BYTES = 20;
const PORT_BYTES = 4;

/**
 * False when the snap length cuts every packet before its ports, as Azure
 * Network Watcher's 34-byte (Ethernet + IPv4) setting does: flows are then
 * keyed by addresses and protocol only. A snap length of 0 means none.
 */
export function portsSurvive(linkType: number, snapLength: number): boolean {
  const header = linkHeaderBytes(linkType);
  if (header === null || snapLength <= 0) return true;
  return snapLength >= header + IPV4_HEADER_BYTES + PORT_BYTES;
}
