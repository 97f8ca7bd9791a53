/** Link-layer header types, as numbered by tcpdump.org's registry. */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_BSD = 12;
export const LINKTYPE_RAW_OPENBSD = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const NAMES: Record<number, string> = {
  [LINKTYPE_NULL]: 'BSD loopback',
  [LINKTYPE_ETHERNET]: 'Ethernet',
  [LINKTYPE_RAW_BSD]: 'Raw IP',
  [LINKTYPE_RAW_OPENBSD]: 'Raw IP',
  [LINKTYPE_RAW]: 'Raw IP',
  [LINKTYPE_IEEE802_11]: 'IEEE 802.11',
  [LINKTYPE_LOOP]: 'OpenBSD loopback',
  [LINKTYPE_LINUX_SLL]: 'Linux cooked (SLL)',
  [LINKTYPE_IEEE802_11_RADIOTAP]: 'IEEE 802.11 + radiotap',
  [LINKTYPE_IPV4]: 'Raw IPv4',
  [LINKTYPE_IPV6]: 'Raw IPv6',
  [LINKTYPE_LINUX_SLL2]: 'Linux cooked v2 (SLL2)',
  274: 'Ethernet mPackets (802.3br)',
};

export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `link type ${linkType}`;
}

export function isDecodedLinkType(linkType: number): boolean {
  return linkType in NAMES && linkType !== 274;
}

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
export const ETHERTYPE_TRANSPARENT_BRIDGING = 0x6558;
export const ETHERTYPE_PPP = 0x880b;
export const ETHERTYPE_CISCO_METADATA = 0x8909;

export const IPPROTO_ICMP = 1;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_GRE = 47;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;
export const IPPROTO_UDPLITE = 136;
