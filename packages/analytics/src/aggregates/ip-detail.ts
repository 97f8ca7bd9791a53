import type { AddressCountries } from './address-countries.js';
import type { AddressIndex } from './address-index.js';
import { addressText } from './address-index.js';
import type { FlowSet } from './flow-set.js';
import { topIndexes } from './flow-set.js';
import {
  PROTOCOL_KEYS,
  protocolFilter,
  protocolKey,
  protocolLabel,
} from './protocols.js';

export interface PeerVolume {
  address: string;
  country: string;
  flows: number;
  bytes: number;
}

export interface LabelledVolume {
  label: string;
  filter: string | null;
  flows: number;
  bytes: number;
}

/** One address in one role: what it did as a source, or as a destination. */
export interface IpRole {
  flows: number;
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  peers: PeerVolume[];
  protocols: LabelledVolume[];
  countries: LabelledVolume[];
}

export interface IpDetail {
  address: string;
  country: string;
  /** Names for it: the capture's DNS answers, then names its flows carried. */
  names: string[];
  asSource: IpRole;
  asDestination: IpRole;
  /** 1 for each kept flow the address is in (for its timeline). */
  mask: Uint8Array;
}

export interface IpContext {
  index: AddressIndex;
  countries: AddressCountries | null;
  /** Host names, indexed by the `host` column. */
  names: readonly string[];
  addressNames: ReadonlyMap<string, string>;
}

/** Everything the IP page shows for address index `id`, over the kept flows. */
export function ipDetail(
  set: FlowSet,
  context: IpContext,
  id: number,
  peerLimit: number,
): IpDetail {
  const { index, countries } = context;
  const c = set.columns;
  const v = set.volumes;
  const mask = new Uint8Array(c.count);
  const hosts = new Set<string>();
  const dnsName = context.addressNames.get(addressText(index, id));
  if (dnsName) hosts.add(dnsName);

  const roles = (['source', 'destination'] as const).map((role) => {
    const self = role === 'source' ? index.src : index.dst;
    const other = role === 'source' ? index.dst : index.src;
    const out = role === 'source';
    const peerFlows = new Float64Array(index.count);
    const peerBytes = new Float64Array(index.count);
    const protocolFlows = new Float64Array(PROTOCOL_KEYS);
    const protocolBytes = new Float64Array(PROTOCOL_KEYS);
    const countryFlows = new Map<string, number>();
    const countryBytes = new Map<string, number>();
    const result: IpRole = { flows: 0, packetsSent: 0, packetsReceived: 0,
      bytesSent: 0, bytesReceived: 0, peers: [], protocols: [],
      countries: [] };
    for (const flow of set.kept) {
      if (self[flow] !== id) continue;
      mask[flow] = 1;
      const bytes = v.bytesOut[flow] + v.bytesIn[flow];
      result.flows++;
      result.packetsSent += out ? v.packetsOut[flow] : v.packetsIn[flow];
      result.packetsReceived += out ? v.packetsIn[flow] : v.packetsOut[flow];
      result.bytesSent += out ? v.bytesOut[flow] : v.bytesIn[flow];
      result.bytesReceived += out ? v.bytesIn[flow] : v.bytesOut[flow];
      const peer = other[flow];
      peerFlows[peer]++;
      peerBytes[peer] += bytes;
      const key = protocolKey(c, flow);
      protocolFlows[key]++;
      protocolBytes[key] += bytes;
      if (countries) {
        const code = countries.codes[countries.byAddress[peer]];
        countryFlows.set(code, (countryFlows.get(code) ?? 0) + 1);
        countryBytes.set(code, (countryBytes.get(code) ?? 0) + bytes);
      }
      if (!out && c.host[flow] >= 0) hosts.add(context.names[c.host[flow]]);
    }
    result.peers = topIndexes(peerBytes, peerLimit).map((peer) => ({
      address: addressText(index, peer),
      country: countryOf(countries, peer),
      flows: peerFlows[peer],
      bytes: peerBytes[peer],
    }));
    for (const key of topIndexes(protocolFlows, PROTOCOL_KEYS)) {
      result.protocols.push({ label: protocolLabel(key),
        filter: protocolFilter(key), flows: protocolFlows[key],
        bytes: protocolBytes[key] });
    }
    result.countries = [...countryFlows.entries()]
      .map(([code, flows]) => ({ label: code || 'unknown',
        filter: code ? `country == "${code}"` : null, flows,
        bytes: countryBytes.get(code) ?? 0 }))
      .sort((a, b) => b.bytes - a.bytes);
    return result;
  });

  return {
    address: addressText(index, id),
    country: countryOf(countries, id),
    names: [...hosts].filter((name) => name !== ''),
    asSource: roles[0],
    asDestination: roles[1],
    mask,
  };
}

function countryOf(countries: AddressCountries | null, id: number): string {
  return countries ? countries.codes[countries.byAddress[id]] : '';
}
