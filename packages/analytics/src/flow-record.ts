import { TUNNEL_NAMES } from '@capscope/parser/decode';
import { formatTime } from '@capscope/parser/time';
import { formatAddress } from './address.js';
import { APP_NAMES } from './apps.js';
import type { FlowColumns } from './flow-table.js';
import type { FlowCountries } from './geo.js';
import { tcpConnState } from './tcp-tracker.js';

/** One flow as the CLI prints it and the table shows it. */
export interface FlowRecord {
  proto: string;
  src: string;
  srcPort: number | null;
  dst: string;
  dstPort: number | null;
  packets: number;
  bytes: number;
  packetsOut: number;
  bytesOut: number;
  packetsIn: number;
  bytesIn: number;
  firstSeen: string | null;
  lastSeen: string | null;
  duration: number;
  app: string;
  host: string;
  srcName: string;
  dstName: string;
  srcCountry: string;
  dstCountry: string;
  tunnel: string;
  vlan: number | null;
  /** Zeek-style connection state (TCP), or S0/SF for replies (UDP, ICMP). */
  state: string;
  /** TCP handshake round trip in seconds, or null. */
  rtt: number | null;
  retransmissions: number;
  outOfOrder: number;
  zeroWindows: number;
  lostSegments: number;
  missingBytes: number;
  /** DNS response code name (NOERROR, NXDOMAIN...), '' when none. */
  dnsRcode: string;
}

/** Field order of the CLI's CSV and of its ndjson objects. */
export const FLOW_FIELDS: Array<keyof FlowRecord> = [
  'proto', 'src', 'srcPort', 'dst', 'dstPort', 'packets', 'bytes',
  'packetsOut', 'bytesOut', 'packetsIn', 'bytesIn', 'firstSeen',
  'lastSeen', 'duration', 'app', 'host', 'srcName', 'dstName',
  'srcCountry', 'dstCountry', 'tunnel', 'vlan', 'state', 'rtt',
  'retransmissions', 'outOfOrder', 'zeroWindows', 'lostSegments',
  'missingBytes', 'dnsRcode',
];

export function protocolName(protocol: number): string {
  switch (protocol) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 1:
      return 'icmp';
    case 58:
      return 'icmpv6';
    default:
      return String(protocol);
  }
}

/** Seconds between first and last packet, to the nanosecond. */
export function flowDuration(c: FlowColumns, flow: number): number {
  const seconds = c.lastSeconds[flow] - c.firstSeconds[flow];
  const nanos = c.lastNanos[flow] - c.firstNanos[flow];
  return Number((seconds + nanos / 1e9).toFixed(9));
}

export interface FlowContext {
  timeDigits: number;
  /** Host names, indexed by the `host` column. */
  names: readonly string[];
  countries?: FlowCountries;
  /** Names the capture's DNS answers gave, by address text. */
  addressNames?: ReadonlyMap<string, string>;
}

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP',
  'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

/** The DNS response code's name, as dig and tshark print it. */
export function dnsRcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

/** Connection state: Zeek's for TCP; for UDP and ICMP, reply or none. */
export function flowState(c: FlowColumns, flow: number): string {
  const protocol = c.protocol[flow];
  if (protocol === 6) return tcpConnState(c.tcpHistory[flow], c.packetsIn[flow]);
  if (protocol === 17 || protocol === 1 || protocol === 58) {
    return c.packetsIn[flow] > 0 ? 'SF' : 'S0';
  }
  return '';
}

export function flowRecord(
  c: FlowColumns,
  flow: number,
  context: FlowContext,
): FlowRecord {
  const version = c.version[flow];
  const port = (value: number) => (value < 0 ? null : value);
  const hostIndex = c.host[flow];
  const src = formatAddress(version, c.srcAddr, flow * 4);
  const dst = formatAddress(version, c.dstAddr, flow * 4);
  const countries = context.countries;
  return {
    proto: protocolName(c.protocol[flow]),
    src,
    srcPort: port(c.srcPort[flow]),
    dst,
    dstPort: port(c.dstPort[flow]),
    packets: c.packetsOut[flow] + c.packetsIn[flow],
    bytes: c.bytesOut[flow] + c.bytesIn[flow],
    packetsOut: c.packetsOut[flow],
    bytesOut: c.bytesOut[flow],
    packetsIn: c.packetsIn[flow],
    bytesIn: c.bytesIn[flow],
    firstSeen: formatTime(c.firstSeconds[flow], c.firstNanos[flow],
      context.timeDigits),
    lastSeen: formatTime(c.lastSeconds[flow], c.lastNanos[flow],
      context.timeDigits),
    duration: flowDuration(c, flow),
    app: APP_NAMES[c.app[flow]] ?? '',
    host: hostIndex >= 0 ? (context.names[hostIndex] ?? '') : '',
    srcName: context.addressNames?.get(src) ?? '',
    dstName: context.addressNames?.get(dst) ?? '',
    srcCountry: countries ? countries.codes[countries.src[flow]] : '',
    dstCountry: countries ? countries.codes[countries.dst[flow]] : '',
    tunnel: TUNNEL_NAMES[c.tunnel[flow]] ?? '',
    vlan: c.vlan[flow] >= 0 ? c.vlan[flow] : null,
    state: flowState(c, flow),
    rtt: c.handshakeRtt[flow] >= 0
      ? Number(c.handshakeRtt[flow].toFixed(9))
      : null,
    retransmissions: c.retransmissions[flow],
    outOfOrder: c.outOfOrder[flow],
    zeroWindows: c.zeroWindows[flow],
    lostSegments: c.lostSegments[flow],
    dnsRcode: c.dnsRcode[flow] >= 0 ? dnsRcodeName(c.dnsRcode[flow]) : '',
    missingBytes: c.missingBytes[flow],
  };
}
