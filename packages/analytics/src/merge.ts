/**
 * Flows of several captures of one incident, as one set of flows. A flow
 * seen in two captures (the same protocol, the same two endpoints in either
 * direction, the same key ports) becomes one flow: its counters add up, its
 * times span both, and the side that sent first in the earliest capture is
 * its src.
 *
 * Merging is associative: merging a merge with another capture gives what
 * merging all the captures at once gives, so a dataset adds a capture by
 * merging it into its current flows, and removes one by merging the
 * remaining captures afresh.
 */

import {
  hashKey,
  COLUMN_NAMES,
  COLUMN_SHAPES,
  TCP_FIN_FROM_DST,
  TCP_FIN_FROM_SRC,
  TCP_RST_SEEN,
  TCP_SYN_SEEN,
  type ColumnName,
  type FlowColumns,
  type FlowKeyPorts,
} from './flow-table.js';
import { HISTORY } from './tcp-tracker.js';

/** One capture's flows (or an earlier merge), as merge takes them. */
export interface MergeSource {
  columns: FlowColumns;
  keyPorts: FlowKeyPorts;
  /** Host names the `host` column indexes. */
  names: readonly string[];
}

export interface MergedFlows extends MergeSource {
  names: string[];
}

/**
 * How a column combines when flows merge:
 * - `lead`: the lead flow's (the earliest one; it gives the direction);
 * - `sum`, and `sum-out`/`sum-in` for a counter of one direction, which
 *   goes to the other direction's column for a flow seen the other way;
 * - `first-time`/`last-time`: the earliest first and latest last;
 * - `or-tcp-state`/`or-tcp-history`: bits of either side, per side;
 * - `attribute`: the lead's value, or where it has none, the first value
 *   another flow has; `flow-index` and `name-index` are attributes that
 *   point at a flow or a host name, renumbered.
 */
export type ColumnMerge =
  | 'lead'
  | 'sum'
  | 'sum-out'
  | 'sum-in'
  | 'first-time'
  | 'last-time'
  | 'or-tcp-state'
  | 'or-tcp-history'
  | 'attribute'
  | 'flow-index'
  | 'name-index';

/**
 * Every flow column's rule. A test checks that each column in COLUMN_NAMES
 * has one; a column without a rule merges as `lead`.
 */
export const COLUMN_MERGE: Partial<Record<ColumnName, ColumnMerge>> = {
  version: 'lead',
  protocol: 'lead',
  srcAddr: 'lead',
  dstAddr: 'lead',
  srcPort: 'lead',
  dstPort: 'lead',
  packetsOut: 'sum-out',
  packetsIn: 'sum-in',
  bytesOut: 'sum-out',
  bytesIn: 'sum-in',
  firstSeconds: 'first-time',
  firstNanos: 'first-time',
  lastSeconds: 'last-time',
  lastNanos: 'last-time',
  tcpState: 'or-tcp-state',
  vlan: 'attribute',
  tunnel: 'attribute',
  outerFlow: 'flow-index',
  app: 'attribute',
  host: 'name-index',
  relatedFlow: 'flow-index',
  tcpHistory: 'or-tcp-history',
  handshakeRtt: 'attribute',
  retransmissions: 'sum',
  outOfOrder: 'sum',
  zeroWindows: 'sum',
  lostSegments: 'sum',
  missingBytes: 'sum',
  dnsRcode: 'attribute',
};

/** The other direction's column of each one-way counter. */
const MIRROR: Partial<Record<ColumnName, ColumnName>> = {
  packetsOut: 'packetsIn',
  packetsIn: 'packetsOut',
  bytesOut: 'bytesIn',
  bytesIn: 'bytesOut',
};

/**
 * The value a column holds for a flow that has none, as FlowTable.append()
 * sets it; every other column starts at 0.
 */
const EMPTY: Partial<Record<ColumnName, number>> = {
  vlan: -1,
  outerFlow: -1,
  host: -1,
  relatedFlow: -1,
  handshakeRtt: -1,
  dnsRcode: -1,
};

export function emptyValue(name: ColumnName): number {
  return EMPTY[name] ?? 0;
}

/** Columns for `count` flows, each holding its empty value. */
export function emptyColumns(count: number): FlowColumns {
  const out: Record<string, unknown> = { count };
  for (const name of COLUMN_NAMES) {
    const [Type, width] = COLUMN_SHAPES[name];
    const column = new Type(count * width) as unknown as Float64Array;
    const empty = emptyValue(name);
    if (empty !== 0) column.fill(empty);
    out[name] = column;
  }
  return out as unknown as FlowColumns;
}

/**
 * Merges the flows of `sources`, in order. Flows of one source never merge
 * with each other: the flow table already told them apart (a port reused
 * after a close). A flow joins the newest merged flow of its key that has
 * no flow of its own source yet, unless that is a closed TCP connection
 * and this flow opens a new one (a SYN) after it ended.
 *
 * Limits: two captures of the same traffic (one at each end, say) count
 * its packets twice; an ICMP error's related flow and a tunnelled flow's
 * outer flow are kept only when they come from the same capture as the
 * lead. The inputs are not changed.
 */
export function mergeFlows(sources: readonly MergeSource[]): MergedFlows {
  const grouping = groupFlows(sources);
  const names = mergeNames(sources);
  const groups = grouping.groups;
  const out = emptyColumns(groups);

  for (const name of COLUMN_NAMES) {
    mergeColumn(name, COLUMN_MERGE[name] ?? 'lead', sources, grouping,
      names.maps, out);
  }

  const keySrc = new Int32Array(groups);
  const keyDst = new Int32Array(groups);
  for (let g = 0; g < groups; g++) {
    const lead = sources[grouping.leadSource[g]].keyPorts;
    const flow = grouping.leadFlow[g];
    keySrc[g] = lead.src[flow];
    keyDst[g] = lead.dst[flow];
  }
  return {
    columns: out,
    keyPorts: { src: keySrc, dst: keyDst },
    names: names.list,
  };
}

/** Which merged flow each source flow went into, and each one's lead. */
interface Grouping {
  groups: number;
  /** Per source, the merged flow of each of its flows. */
  target: Int32Array[];
  /** Per source, 1 where the flow runs opposite to its merged flow. */
  flipped: Uint8Array[];
  leadSource: Int32Array;
  leadFlow: Int32Array;
}

function groupFlows(sources: readonly MergeSource[]): Grouping {
  let total = 0;
  for (const source of sources) total += source.columns.count;

  const leadSource = new Int32Array(total);
  const leadFlow = new Int32Array(total);
  /** The last source that gave each merged flow a flow. */
  const lastSource = new Int32Array(total);
  /** TCP state bits of every flow merged so far, and the time span. */
  const state = new Uint8Array(total);
  const firstSeconds = new Float64Array(total);
  const firstNanos = new Uint32Array(total);
  const lastSeconds = new Float64Array(total);
  const lastNanos = new Uint32Array(total);
  const table = new KeyTable(total, sources, leadSource, leadFlow);
  const target = sources.map((s) => new Int32Array(s.columns.count));
  let groups = 0;

  for (let s = 0; s < sources.length; s++) {
    const c = sources[s].columns;
    for (let flow = 0; flow < c.count; flow++) {
      const slot = table.probe(s, flow);
      let g = table.group(slot);
      const first = c.firstSeconds[flow];
      const firstNs = c.firstNanos[flow];
      const joins =
        g >= 0 &&
        lastSource[g] !== s &&
        !opensAfterClose(c, flow, state[g], lastSeconds[g], lastNanos[g]);

      if (joins) {
        if (before(first, firstNs, firstSeconds[g], firstNanos[g])) {
          leadSource[g] = s;
          leadFlow[g] = flow;
          firstSeconds[g] = first;
          firstNanos[g] = firstNs;
        }
      } else {
        g = groups++;
        leadSource[g] = s;
        leadFlow[g] = flow;
        firstSeconds[g] = first;
        firstNanos[g] = firstNs;
        lastSeconds[g] = c.lastSeconds[flow];
        lastNanos[g] = c.lastNanos[flow];
        table.set(slot, g);
      }
      if (before(lastSeconds[g], lastNanos[g], c.lastSeconds[flow],
        c.lastNanos[flow])) {
        lastSeconds[g] = c.lastSeconds[flow];
        lastNanos[g] = c.lastNanos[flow];
      }
      state[g] |= c.tcpState[flow];
      lastSource[g] = s;
      target[s][flow] = g;
    }
  }

  const flipped = sources.map((source, s) => {
    const c = source.columns;
    const out = new Uint8Array(c.count);
    for (let flow = 0; flow < c.count; flow++) {
      const g = target[s][flow];
      const lead = sources[leadSource[g]];
      out[flow] = sameSrc(source, flow, lead, leadFlow[g]) ? 0 : 1;
    }
    return out;
  });
  return { groups, target, flipped, leadSource, leadFlow };
}

/** True when (s1, n1) is strictly earlier than (s2, n2). */
function before(s1: number, n1: number, s2: number, n2: number): boolean {
  return s1 < s2 || (s1 === s2 && n1 < n2);
}

/**
 * A TCP flow that began with a SYN after a closed connection on the same
 * key ended is a new connection, as the flow table decides within one
 * capture.
 */
function opensAfterClose(
  c: FlowColumns,
  flow: number,
  mergedState: number,
  lastSeconds: number,
  lastNanos: number,
): boolean {
  if (c.protocol[flow] !== 6) return false;
  const finBoth = TCP_FIN_FROM_SRC | TCP_FIN_FROM_DST;
  const closed =
    (mergedState & finBoth) === finBoth || (mergedState & TCP_RST_SEEN) !== 0;
  if (!closed || (c.tcpState[flow] & TCP_SYN_SEEN) === 0) return false;
  return !before(c.firstSeconds[flow], c.firstNanos[flow], lastSeconds,
    lastNanos);
}

/** True when both flows have the same src endpoint (address, key port). */
function sameSrc(
  a: MergeSource,
  aFlow: number,
  b: MergeSource,
  bFlow: number,
): boolean {
  if (a.keyPorts.src[aFlow] !== b.keyPorts.src[bFlow]) return false;
  return sameWords(a.columns.srcAddr, aFlow * 4, b.columns.srcAddr,
    bFlow * 4);
}

/**
 * Open addressing over flow keys, the way the flow table finds a packet's
 * flow: a slot holds merged flow + 1 (0 is empty), the newest of its key.
 */
class KeyTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(
    flows: number,
    private readonly sources: readonly MergeSource[],
    private readonly leadSource: Int32Array,
    private readonly leadFlow: Int32Array,
  ) {
    // Load at most one half, so that probes stay short.
    let size = 16;
    while (size < flows * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The slot of this flow's key: holding its merged flow, or empty. */
  probe(s: number, flow: number): number {
    const source = this.sources[s];
    const c = source.columns;
    const a = flow * 4;
    const srcPort = source.keyPorts.src[flow];
    const dstPort = source.keyPorts.dst[flow];
    const hash = hashKey(c.version[flow], c.protocol[flow], c.srcAddr, a,
      srcPort, c.dstAddr, a, dstPort);
    let slot = hash & this.mask;
    for (;;) {
      const g = this.slots[slot] - 1;
      if (g < 0 || this.sameKey(source, flow, g)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  group(slot: number): number {
    return this.slots[slot] - 1;
  }

  set(slot: number, group: number): void {
    this.slots[slot] = group + 1;
  }

  private sameKey(source: MergeSource, flow: number, g: number): boolean {
    const lead = this.sources[this.leadSource[g]];
    const other = this.leadFlow[g];
    const c = source.columns;
    const d = lead.columns;
    if (c.protocol[flow] !== d.protocol[other]) return false;
    if (c.version[flow] !== d.version[other]) return false;
    const ks = source.keyPorts;
    const kl = lead.keyPorts;
    const a = flow * 4;
    const b = other * 4;
    const straight =
      ks.src[flow] === kl.src[other] && ks.dst[flow] === kl.dst[other] &&
      sameWords(c.srcAddr, a, d.srcAddr, b) &&
      sameWords(c.dstAddr, a, d.dstAddr, b);
    if (straight) return true;
    return ks.src[flow] === kl.dst[other] && ks.dst[flow] === kl.src[other] &&
      sameWords(c.srcAddr, a, d.dstAddr, b) &&
      sameWords(c.dstAddr, a, d.srcAddr, b);
  }
}

function sameWords(
  x: Uint32Array,
  i: number,
  y: Uint32Array,
  j: number,
): boolean {
  return x[i] === y[j] && x[i + 1] === y[j + 1] && x[i + 2] === y[j + 2] &&
    x[i + 3] === y[j + 3];
}

/** Every source's host names in one list, and each source's renumbering. */
function mergeNames(sources: readonly MergeSource[]): {
  list: string[];
  maps: Int32Array[];
} {
  const list: string[] = [];
  const index = new Map<string, number>();
  const maps = sources.map((source) => {
    const map = new Int32Array(source.names.length);
    source.names.forEach((name, i) => {
      let at = index.get(name);
      if (at === undefined) {
        at = list.length;
        list.push(name);
        index.set(name, at);
      }
      map[i] = at;
    });
    return map;
  });
  return { list, maps };
}

type NumberColumn = { [i: number]: number; length: number };

function mergeColumn(
  name: ColumnName,
  rule: ColumnMerge,
  sources: readonly MergeSource[],
  grouping: Grouping,
  nameMaps: Int32Array[],
  out: FlowColumns,
): void {
  const width = COLUMN_SHAPES[name][1];
  const { target, flipped, leadSource, leadFlow, groups } = grouping;
  const into = out[name] as NumberColumn;
  const column = (s: number) => sources[s].columns[name] as NumberColumn;

  switch (rule) {
    case 'lead':
      for (let g = 0; g < groups; g++) {
        const from = column(leadSource[g]);
        const at = leadFlow[g] * width;
        for (let k = 0; k < width; k++) into[g * width + k] = from[at + k];
      }
      return;

    case 'sum':
    case 'sum-out':
    case 'sum-in': {
      const mirrorName = MIRROR[name];
      const mirror = mirrorName ? (out[mirrorName] as NumberColumn) : into;
      sources.forEach((_, s) => {
        const from = column(s);
        const t = target[s];
        const f = flipped[s];
        for (let flow = 0; flow < t.length; flow++) {
          if (f[flow]) mirror[t[flow]] += from[flow];
          else into[t[flow]] += from[flow];
        }
      });
      return;
    }

    case 'first-time':
    case 'last-time':
      // Seconds and nanoseconds are one value: merged as a pair, once.
      if (name === 'firstSeconds' || name === 'lastSeconds') {
        mergeTimes(rule === 'first-time', sources, grouping, out);
      }
      return;

    case 'or-tcp-state':
    case 'or-tcp-history': {
      const swap = rule === 'or-tcp-state' ? swapTcpState : swapTcpHistory;
      sources.forEach((_, s) => {
        const from = column(s);
        const t = target[s];
        const f = flipped[s];
        for (let flow = 0; flow < t.length; flow++) {
          into[t[flow]] |= f[flow] ? swap(from[flow]) : from[flow];
        }
      });
      return;
    }

    case 'attribute':
    case 'flow-index':
    case 'name-index': {
      const empty = emptyValue(name);
      const renumber = (s: number, value: number) => {
        if (value === empty) return empty;
        if (rule === 'flow-index') return target[s][value] ?? empty;
        if (rule === 'name-index') return nameMaps[s][value] ?? empty;
        return value;
      };
      // The lead's value first; then the first one set, in source order.
      for (let g = 0; g < groups; g++) {
        const s = leadSource[g];
        into[g] = renumber(s, column(s)[leadFlow[g]]);
      }
      sources.forEach((_, s) => {
        const from = column(s);
        const t = target[s];
        for (let flow = 0; flow < t.length; flow++) {
          if (into[t[flow]] === empty) into[t[flow]] = renumber(s, from[flow]);
        }
      });
      return;
    }

    default:
      assertNever(rule);
  }
}

function mergeTimes(
  first: boolean,
  sources: readonly MergeSource[],
  grouping: Grouping,
  out: FlowColumns,
): void {
  const seconds = first ? out.firstSeconds : out.lastSeconds;
  const nanos = first ? out.firstNanos : out.lastNanos;
  const seen = new Uint8Array(grouping.groups);
  sources.forEach((source, s) => {
    const c = source.columns;
    const fromSeconds = first ? c.firstSeconds : c.lastSeconds;
    const fromNanos = first ? c.firstNanos : c.lastNanos;
    const t = grouping.target[s];
    for (let flow = 0; flow < t.length; flow++) {
      const g = t[flow];
      const sec = fromSeconds[flow];
      const ns = fromNanos[flow];
      const better = first
        ? before(sec, ns, seconds[g], nanos[g])
        : before(seconds[g], nanos[g], sec, ns);
      if (!seen[g] || better) {
        seen[g] = 1;
        seconds[g] = sec;
        nanos[g] = ns;
      }
    }
  });
}

function swapTcpState(state: number): number {
  const fins = TCP_FIN_FROM_SRC | TCP_FIN_FROM_DST;
  const swapped =
    (state & TCP_FIN_FROM_SRC ? TCP_FIN_FROM_DST : 0) |
    (state & TCP_FIN_FROM_DST ? TCP_FIN_FROM_SRC : 0);
  return (state & ~fins) | swapped;
}

/** Pairs of HISTORY bits: each originator's bit and its responder's. */
const HISTORY_PAIRS: Array<[number, number]> = Object.entries(HISTORY)
  .filter(([key]) => key.endsWith('_O'))
  .map(([key, bit]) => [
    bit,
    HISTORY[`${key.slice(0, -2)}_R` as keyof typeof HISTORY],
  ]);

function swapTcpHistory(history: number): number {
  let out = history;
  for (const [originator, responder] of HISTORY_PAIRS) {
    out &= ~(originator | responder);
    if (history & originator) out |= responder;
    if (history & responder) out |= originator;
  }
  return out;
}

function assertNever(value: never): never {
  throw new Error(`unhandled merge rule: ${String(value)}`);
}
