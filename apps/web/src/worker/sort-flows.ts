import { APP_NAMES } from '@capscope/analytics/apps';
import { flowState, protocolName } from '@capscope/analytics/flow-record';
import type { FlowColumns } from '@capscope/analytics/flow-table';
import type { FlowSortKey } from './protocol';

type Compare = (a: number, b: number) => number;

/**
 * Returns the indices of the first `count` flows ordered by `key`; flows
 * that tie keep their file order, in both directions. With `kept` (flow
 * indices in file order, a filter's), only those flows are ordered. Runs
 * in the worker: a million flows take a few hundred milliseconds.
 */
export function sortFlows(
  columns: FlowColumns,
  count: number,
  key: FlowSortKey,
  descending: boolean,
  names: readonly string[] = [],
  kept: Uint32Array | null = null,
): Uint32Array {
  let order: Uint32Array;
  if (kept) {
    order = kept.slice();
  } else {
    order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
  }

  const compare = comparator(columns, count, key, names);
  const sign = descending ? -1 : 1;
  return order.sort((a, b) => sign * compare(a, b) || a - b);
}

function comparator(
  c: FlowColumns,
  count: number,
  key: FlowSortKey,
  names: readonly string[],
): Compare {
  switch (key) {
    case 'firstSeen':
      return (a, b) =>
        c.firstSeconds[a] - c.firstSeconds[b] ||
        c.firstNanos[a] - c.firstNanos[b];
    case 'src':
      return (a, b) => compareAddresses(c.version, c.srcAddr, a, b);
    case 'dst':
      return (a, b) => compareAddresses(c.version, c.dstAddr, a, b);
    case 'srcPort':
      return byNumber(c.srcPort);
    case 'dstPort':
      return byNumber(c.dstPort);
    case 'protocol':
      return byRank(c.protocol, PROTOCOL_RANKS);
    case 'app':
      return byRank(c.app, APP_RANKS);
    case 'host': {
      // Flows without a host (-1) go last.
      const ranks = textRanks(names);
      const rank = (flow: number) =>
        c.host[flow] < 0 ? ranks.length : ranks[c.host[flow]];
      return (a, b) => rank(a) - rank(b);
    }
    case 'packetsOut':
      return byNumber(c.packetsOut);
    case 'bytesOut':
      return byNumber(c.bytesOut);
    case 'packetsIn':
      return byNumber(c.packetsIn);
    case 'bytesIn':
      return byNumber(c.bytesIn);
    case 'duration':
      return byNumber(durations(c, count));
    case 'state':
      return byStateText(c, count);
    case 'rtt':
      // No round trip measured (-1) sorts below the fastest one.
      return byNumber(c.handshakeRtt);
    case 'retransmissions':
      return byNumber(c.retransmissions);
    default:
      return assertNever(key);
  }
}

function byNumber(values: ArrayLike<number>): Compare {
  return (a, b) => values[a] - values[b];
}

function byRank(values: ArrayLike<number>, ranks: ArrayLike<number>): Compare {
  return (a, b) => ranks[values[a]] - ranks[values[b]];
}

/** IPv4 before IPv6, then the address words, most significant first. */
function compareAddresses(
  versions: Uint8Array,
  words: Uint32Array,
  a: number,
  b: number,
): number {
  const byVersion = versions[a] - versions[b];
  if (byVersion !== 0) return byVersion;
  for (let i = 0; i < 4; i++) {
    const diff = words[a * 4 + i] - words[b * 4 + i];
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Seconds, close enough to order by; the table shows them exactly. */
function durations(c: FlowColumns, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    out[i] =
      c.lastSeconds[i] -
      c.firstSeconds[i] +
      (c.lastNanos[i] - c.firstNanos[i]) / 1e9;
  }
  return out;
}

/** Connection states in text order; flows without one (other IP) last. */
function byStateText(c: FlowColumns, count: number): Compare {
  const codes = new Map<string, number>();
  const states = new Uint8Array(count);
  for (let flow = 0; flow < count; flow++) {
    const state = flowState(c, flow);
    let code = codes.get(state);
    if (code === undefined) {
      code = codes.size;
      codes.set(state, code);
    }
    states[flow] = code;
  }
  return byRank(states, textRanks([...codes.keys()]));
}

/**
 * Ranks of the names a column's small codes stand for, in text order, with
 * the empty name (unknown) last.
 */
function textRanks(names: readonly string[]): Uint32Array {
  const rankOf = (name: string) => (name === '' ? '\uffff' : name);
  const sorted = names
    .map((name, code) => ({ name: rankOf(name), code }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ranks = new Uint32Array(names.length);
  sorted.forEach(({ code }, rank) => (ranks[code] = rank));
  return ranks;
}

// Named protocols (icmp, tcp, udp...) sort by name; numbered ones, whose
// name is their number, by that number after them.
const PROTOCOL_RANKS = (() => {
  const codes = Array.from({ length: 256 }, (_, code) => code);
  const named = codes.filter((code) => protocolName(code) !== String(code));
  const numbered = codes.filter((code) => protocolName(code) === String(code));
  named.sort((a, b) => (protocolName(a) < protocolName(b) ? -1 : 1));
  const ranks = new Uint16Array(256);
  [...named, ...numbered].forEach((code, rank) => (ranks[code] = rank));
  return ranks;
})();

const APP_RANKS = textRanks(APP_NAMES);

function assertNever(value: never): never {
  throw new Error(`unhandled sort key: ${String(value)}`);
}
