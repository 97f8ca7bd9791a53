import { APP_NAMES } from '../apps.js';
import { protocolName } from '../flow-record.js';
import type { FlowColumns } from '../flow-table.js';
import type { FlowSet, Volume } from './flow-set.js';

/**
 * A flow's protocol as the views group it: its application when one is
 * known (an APP_NAMES index), else 256 + its IP protocol number.
 */
export function protocolKey(c: FlowColumns, flow: number): number {
  const app = c.app[flow];
  return app > 0 ? app : 256 + c.protocol[flow];
}

/** Keys of protocolKey(): 256 + 255 IP protocols above the applications. */
export const PROTOCOL_KEYS = 512;

export function protocolLabel(key: number): string {
  return key < 256 ? (APP_NAMES[key] ?? `app ${key}`)
    : protocolName(key - 256);
}

/** The filter expression that keeps the flows of one protocol key. */
export function protocolFilter(key: number): string {
  if (key < 256) return APP_NAMES[key] ?? '';
  return `${transportFilter(key - 256)} && !app`;
}

/** The filter expression that keeps one IP protocol's flows. */
export function transportFilter(protocol: number): string {
  const name = protocolName(protocol);
  return name === String(protocol) ? `ip.proto == ${protocol}` : name;
}

export interface ProtocolVolume extends Volume {
  key: number;
  label: string;
  filter: string;
}

/** Flows, packets and bytes by application (or transport where none). */
export function protocolVolumes(set: FlowSet): ProtocolVolume[] {
  const { columns: c, volumes: v } = set;
  const flows = new Float64Array(PROTOCOL_KEYS);
  const packets = new Float64Array(PROTOCOL_KEYS);
  const bytes = new Float64Array(PROTOCOL_KEYS);
  for (const flow of set.kept) {
    const key = protocolKey(c, flow);
    flows[key]++;
    packets[key] += v.packetsOut[flow] + v.packetsIn[flow];
    bytes[key] += v.bytesOut[flow] + v.bytesIn[flow];
  }
  const out: ProtocolVolume[] = [];
  for (let key = 0; key < PROTOCOL_KEYS; key++) {
    if (flows[key] === 0) continue;
    out.push({ key, label: protocolLabel(key), filter: protocolFilter(key),
      flows: flows[key], packets: packets[key], bytes: bytes[key] });
  }
  return out.sort((a, b) => b.flows - a.flows || b.bytes - a.bytes);
}

/** Flows, packets and bytes by IP protocol (tcp, udp, icmp...). */
export function transportVolumes(set: FlowSet): ProtocolVolume[] {
  const { columns: c, volumes: v } = set;
  const flows = new Float64Array(256);
  const packets = new Float64Array(256);
  const bytes = new Float64Array(256);
  for (const flow of set.kept) {
    const protocol = c.protocol[flow];
    flows[protocol]++;
    packets[protocol] += v.packetsOut[flow] + v.packetsIn[flow];
    bytes[protocol] += v.bytesOut[flow] + v.bytesIn[flow];
  }
  const out: ProtocolVolume[] = [];
  for (let protocol = 0; protocol < 256; protocol++) {
    if (flows[protocol] === 0) continue;
    out.push({ key: 256 + protocol, label: protocolName(protocol),
      filter: transportFilter(protocol), flows: flows[protocol],
      packets: packets[protocol], bytes: bytes[protocol] });
  }
  return out.sort((a, b) => b.flows - a.flows || b.bytes - a.bytes);
}
