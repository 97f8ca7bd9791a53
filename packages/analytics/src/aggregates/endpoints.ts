import type { AddressIndex } from './address-index.js';
import type { FlowSet } from './flow-set.js';
import { topIndexes } from './flow-set.js';

/**
 * Per-address totals over the kept flows, by address index. An address
 * sends what it sent as a source (bytesOut) and as a destination
 * (bytesIn).
 */
export interface EndpointTotals {
  /** Addresses with at least one kept flow, in index order. */
  ids: Uint32Array;
  flows: Uint32Array;
  packetsSent: Float64Array;
  packetsReceived: Float64Array;
  bytesSent: Float64Array;
  bytesReceived: Float64Array;
}

export function endpointTotals(
  set: FlowSet,
  index: AddressIndex,
): EndpointTotals {
  const n = index.count;
  const t = {
    flows: new Uint32Array(n),
    packetsSent: new Float64Array(n),
    packetsReceived: new Float64Array(n),
    bytesSent: new Float64Array(n),
    bytesReceived: new Float64Array(n),
  };
  const v = set.volumes;
  for (const flow of set.kept) {
    const s = index.src[flow];
    const d = index.dst[flow];
    t.flows[s]++;
    t.packetsSent[s] += v.packetsOut[flow];
    t.packetsReceived[s] += v.packetsIn[flow];
    t.bytesSent[s] += v.bytesOut[flow];
    t.bytesReceived[s] += v.bytesIn[flow];
    if (d === s) continue;
    t.flows[d]++;
    t.packetsSent[d] += v.packetsIn[flow];
    t.packetsReceived[d] += v.packetsOut[flow];
    t.bytesSent[d] += v.bytesIn[flow];
    t.bytesReceived[d] += v.bytesOut[flow];
  }
  let used = 0;
  for (let id = 0; id < n; id++) if (t.flows[id] > 0) used++;
  const ids = new Uint32Array(used);
  for (let id = 0, at = 0; id < n; id++) if (t.flows[id] > 0) ids[at++] = id;
  return { ids, ...t };
}

/** The address with the most bytes sent and received, or -1. */
export function topTalker(totals: EndpointTotals): number {
  let best = -1;
  let bestBytes = -1;
  for (const id of totals.ids) {
    const bytes = totals.bytesSent[id] + totals.bytesReceived[id];
    if (bytes > bestBytes) {
      best = id;
      bestBytes = bytes;
    }
  }
  return best;
}

export type RoleMetric = 'flows' | 'bytesSent' | 'bytesReceived';

/** The busiest addresses in one role, by one measure. */
export interface RoleRanking {
  role: 'source' | 'destination';
  metric: RoleMetric;
  /** Address indexes and values, most first. */
  ids: number[];
  values: number[];
}

/**
 * Top sources and destinations by flows, bytes sent and bytes received:
 * six lists of `limit`. Bytes sent by a source are its flows' bytesOut;
 * by a destination, their bytesIn.
 */
export function roleRankings(
  set: FlowSet,
  index: AddressIndex,
  limit: number,
): RoleRanking[] {
  const n = index.count;
  const v = set.volumes;
  const out: RoleRanking[] = [];
  for (const role of ['source', 'destination'] as const) {
    const ends = role === 'source' ? index.src : index.dst;
    const sent = role === 'source' ? v.bytesOut : v.bytesIn;
    const received = role === 'source' ? v.bytesIn : v.bytesOut;
    const flows = new Float64Array(n);
    const bytesSent = new Float64Array(n);
    const bytesReceived = new Float64Array(n);
    for (const flow of set.kept) {
      const id = ends[flow];
      flows[id]++;
      bytesSent[id] += sent[flow];
      bytesReceived[id] += received[flow];
    }
    const measures = { flows, bytesSent, bytesReceived };
    for (const metric of ['flows', 'bytesSent', 'bytesReceived'] as const) {
      const values = measures[metric];
      const ids = topIndexes(values, limit);
      out.push({ role, metric, ids, values: ids.map((id) => values[id]) });
    }
  }
  return out;
}
