import type { CompareOp } from './ast.js';
import type { Network } from './values.js';
import { inNetwork } from './values.js';

/**
 * The tests a compiled filter is made of, each over flow columns, each in
 * two forms: `match` answers for one flow (the CLI's loop), `fill` writes
 * 1 or 0 for every flow of a block, out[i] for flow from + i.
 *
 * Why both: a filter is a tree of tests, and calling a different closure
 * for each flow and node costs more than the tests themselves (V8 cannot
 * inline a call that sees many functions). Each `fill` below is its own
 * function literal whose loop calls only its own `match`, which V8 then
 * inlines; and/or/not work on whole blocks of bytes. That keeps a million
 * flows well under 50 ms (scripts/bench-filter.mjs).
 */
export interface FlowTest {
  match: (flow: number) => boolean;
  fill: (out: Uint8Array, from: number, to: number) => void;
}

/** Flows per block: the block's masks stay in the L1 cache. */
export const BLOCK_FLOWS = 4096;

export const ALWAYS: FlowTest = {
  match: () => true,
  fill: (out, from, to) => out.fill(1, 0, to - from),
};

/** A test that answers one flow at a time, and fills a block the same way. */
function perFlow(match: (flow: number) => boolean): FlowTest {
  return {
    match,
    fill: (out, from, to) => {
      for (let f = from; f < to; f++) out[f - from] = match(f) ? 1 : 0;
    },
  };
}

/** `table[column[flow]] === 1`: a small code (protocol, app, host...). */
export function codeTest(
  column: ArrayLike<number>,
  table: Uint8Array,
): FlowTest {
  const match = (flow: number) => table[column[flow]] === 1;
  return perFlow(match);
}

/** A code at either end (countries): source, destination or both. */
export function sidedCodeTest(
  src: ArrayLike<number>,
  dst: ArrayLike<number>,
  table: Uint8Array,
  bySrc: boolean,
  byDst: boolean,
): FlowTest {
  const match = (flow: number) =>
    (bySrc && table[src[flow]] === 1) || (byDst && table[dst[flow]] === 1);
  return perFlow(match);
}

/** A column compared with a number; `present` skips negative values. */
export function columnTest(
  column: ArrayLike<number>,
  op: CompareOp,
  n: number,
  present: boolean,
): FlowTest {
  const match = (flow: number) =>
    (!present || column[flow] >= 0) && compareNumbers(column[flow], op, n);
  return perFlow(match);
}

/** One column, or the sum of two (out + in), compared with a number. */
export function sumTest(
  first: Float64Array,
  second: Float64Array | null,
  op: CompareOp,
  n: number,
): FlowTest {
  const match = (flow: number) => compareNumbers(
    second === null ? first[flow] : first[flow] + second[flow], op, n);
  return perFlow(match);
}

/** Seconds from first to last packet, compared with `n` seconds. */
export function durationTest(
  firstSeconds: Float64Array,
  firstNanos: Uint32Array,
  lastSeconds: Float64Array,
  lastNanos: Uint32Array,
  op: CompareOp,
  n: number,
): FlowTest {
  const match = (flow: number) => compareNumbers(
    lastSeconds[flow] - firstSeconds[flow] +
      (lastNanos[flow] - firstNanos[flow]) / 1e9, op, n);
  return perFlow(match);
}

/** A time bound: `strict` excludes the time itself. */
export interface TimeBound {
  seconds: number;
  nanos: number;
  strict: boolean;
}

/**
 * Flows whose span [first, last] reaches a time: the last packet at or
 * after `low`, the first at or before `high`; either bound may be absent.
 */
export function spanTest(
  firstSeconds: Float64Array,
  firstNanos: Uint32Array,
  lastSeconds: Float64Array,
  lastNanos: Uint32Array,
  low: TimeBound | null,
  high: TimeBound | null,
): FlowTest {
  const match = (flow: number) =>
    (low === null || notBefore(lastSeconds[flow], lastNanos[flow], low)) &&
    (high === null || notAfter(firstSeconds[flow], firstNanos[flow], high));
  return perFlow(match);
}

/** An IPv4 network: the first of an address's four words, masked. */
export function ipv4Test(
  version: Uint8Array,
  srcAddr: Uint32Array,
  dstAddr: Uint32Array,
  mask: number,
  word: number,
  bySrc: boolean,
  byDst: boolean,
): FlowTest {
  const match = (flow: number) => version[flow] === 4 &&
    ((bySrc && ((srcAddr[flow * 4] & mask) >>> 0) === word) ||
      (byDst && ((dstAddr[flow * 4] & mask) >>> 0) === word));
  return perFlow(match);
}

export function ipv6Test(
  version: Uint8Array,
  srcAddr: Uint32Array,
  dstAddr: Uint32Array,
  network: Network,
  bySrc: boolean,
  byDst: boolean,
): FlowTest {
  const match = (flow: number) => version[flow] === 6 &&
    ((bySrc && inNetwork(srcAddr, flow * 4, network)) ||
      (byDst && inNetwork(dstAddr, flow * 4, network)));
  return perFlow(match);
}

/**
 * A port at either end through tables: `protocols` (256 entries) marks
 * the transports, `wanted` (65536 entries) the ports. A missing port (-1)
 * reads as undefined, which is not 1.
 */
export function portTest(
  protocol: Uint8Array,
  srcPort: Int32Array,
  dstPort: Int32Array,
  protocols: Uint8Array,
  wanted: Uint8Array,
  bySrc: boolean,
  byDst: boolean,
): FlowTest {
  const match = (flow: number) => protocols[protocol[flow]] === 1 &&
    ((bySrc && wanted[srcPort[flow]] === 1) ||
      (byDst && wanted[dstPort[flow]] === 1));
  return perFlow(match);
}

export function negate(part: FlowTest): FlowTest {
  const { match, fill } = part;
  return {
    match: (flow) => !match(flow),
    fill: (out, from, to) => {
      fill(out, from, to);
      for (let i = 0; i < to - from; i++) out[i] ^= 1;
    },
  };
}

/** True when every part is; later parts only run on a block some kept. */
export function allOf(parts: FlowTest[]): FlowTest {
  if (parts.length === 1) return parts[0];
  const matches = parts.map((part) => part.match);
  const scratch = new Uint8Array(BLOCK_FLOWS);
  return {
    match: (flow) => {
      for (let i = 0; i < matches.length; i++) {
        if (!matches[i](flow)) return false;
      }
      return true;
    },
    fill: (out, from, to) => {
      const n = to - from;
      parts[0].fill(out, from, to);
      for (let p = 1; p < parts.length; p++) {
        // Stale bytes past n are ignored: a first 1 past n means none.
        const one = out.indexOf(1);
        if (one < 0 || one >= n) return;
        parts[p].fill(scratch, from, to);
        for (let i = 0; i < n; i++) out[i] &= scratch[i];
      }
    },
  };
}

/** True when any part is; later parts only run on a block not all kept. */
export function anyOf(parts: FlowTest[]): FlowTest {
  if (parts.length === 1) return parts[0];
  const matches = parts.map((part) => part.match);
  const scratch = new Uint8Array(BLOCK_FLOWS);
  return {
    match: (flow) => {
      for (let i = 0; i < matches.length; i++) {
        if (matches[i](flow)) return true;
      }
      return false;
    },
    fill: (out, from, to) => {
      const n = to - from;
      parts[0].fill(out, from, to);
      for (let p = 1; p < parts.length; p++) {
        const zero = out.indexOf(0);
        if (zero < 0 || zero >= n) return;
        parts[p].fill(scratch, from, to);
        for (let i = 0; i < n; i++) out[i] |= scratch[i];
      }
    },
  };
}

/** Indices of the flows the test keeps, in flow order, block by block. */
export function selectFlows(test: FlowTest, count: number): Uint32Array {
  const kept = new Uint32Array(count);
  const mask = new Uint8Array(BLOCK_FLOWS);
  let n = 0;
  for (let from = 0; from < count; from += BLOCK_FLOWS) {
    const to = Math.min(count, from + BLOCK_FLOWS);
    test.fill(mask, from, to);
    // Written always, kept by counting: no branch to mispredict.
    for (let i = 0; i < to - from; i++) {
      kept[n] = from + i;
      n += mask[i];
    }
  }
  return kept.slice(0, n);
}

export function compareNumbers(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    default:
      return false;
  }
}

function notBefore(seconds: number, nanos: number, t: TimeBound): boolean {
  return t.strict
    ? seconds > t.seconds || (seconds === t.seconds && nanos > t.nanos)
    : seconds > t.seconds || (seconds === t.seconds && nanos >= t.nanos);
}

function notAfter(seconds: number, nanos: number, t: TimeBound): boolean {
  return t.strict
    ? seconds < t.seconds || (seconds === t.seconds && nanos < t.nanos)
    : seconds < t.seconds || (seconds === t.seconds && nanos <= t.nanos);
}
