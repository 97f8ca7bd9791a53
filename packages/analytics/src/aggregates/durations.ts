import type { FlowSet } from './flow-set.js';
import {
  PROTOCOL_KEYS,
  protocolFilter,
  protocolKey,
  protocolLabel,
} from './protocols.js';

/** Upper edges of the duration buckets, in seconds; a last one holds longer. */
export const DURATION_EDGES = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Protocols shown in their own colour; the rest stack as "other". */
const STACKED_PROTOCOLS = 7;

export interface DurationBucket {
  label: string;
  /** Filter expression keeping the flows of this bucket. */
  filter: string;
}

export interface DurationSeries {
  label: string;
  /** Filter expression keeping this protocol's flows; null for "other". */
  filter: string | null;
  /** Flows per bucket. */
  flows: number[];
}

export interface DurationHistogram {
  buckets: DurationBucket[];
  series: DurationSeries[];
}

/** Flows by duration bucket, stacked by protocol (the busiest few). */
export function durationHistogram(set: FlowSet): DurationHistogram {
  const c = set.columns;
  const bucketCount = DURATION_EDGES.length + 1;
  const counts = new Float64Array(PROTOCOL_KEYS * bucketCount);
  const totals = new Float64Array(PROTOCOL_KEYS);
  for (const flow of set.kept) {
    const seconds = c.lastSeconds[flow] - c.firstSeconds[flow] +
      (c.lastNanos[flow] - c.firstNanos[flow]) / 1e9;
    const bucket = bucketOf(seconds);
    const key = protocolKey(c, flow);
    counts[key * bucketCount + bucket]++;
    totals[key]++;
  }

  const keys = [...totals.keys()].filter((key) => totals[key] > 0)
    .sort((a, b) => totals[b] - totals[a]);
  const shown = keys.slice(0, STACKED_PROTOCOLS);
  const series: DurationSeries[] = shown.map((key) => ({
    label: protocolLabel(key),
    filter: protocolFilter(key),
    flows: Array.from(counts.subarray(key * bucketCount,
      (key + 1) * bucketCount)),
  }));
  const rest = keys.slice(STACKED_PROTOCOLS);
  if (rest.length > 0) {
    const flows = new Array<number>(bucketCount).fill(0);
    for (const key of rest) {
      for (let b = 0; b < bucketCount; b++) {
        flows[b] += counts[key * bucketCount + b];
      }
    }
    series.push({ label: 'other', filter: null, flows });
  }
  return { buckets: durationBuckets(), series };
}

/** The bucket of a duration: the first edge it does not exceed. */
function bucketOf(seconds: number): number {
  if (seconds <= DURATION_EDGES[0]) return 0;
  let low = 0;
  let high = DURATION_EDGES.length;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (seconds > DURATION_EDGES[middle]) low = middle;
    else high = middle;
  }
  return high;
}

function durationBuckets(): DurationBucket[] {
  const text = (seconds: number) =>
    seconds >= 3600 ? `${seconds / 3600} h`
      : seconds >= 60 ? `${seconds / 60} min` : `${seconds} s`;
  const term = (seconds: number) =>
    seconds >= 60 ? `${seconds / 60}m` : `${seconds}s`;
  const buckets: DurationBucket[] = [];
  for (let i = 0; i <= DURATION_EDGES.length; i++) {
    const low = DURATION_EDGES[i - 1];
    const high = DURATION_EDGES[i];
    if (low === undefined) {
      buckets.push({ label: `≤ ${text(high)}`,
        filter: `duration <= ${term(high)}` });
    } else if (high === undefined) {
      buckets.push({ label: `> ${text(low)}`,
        filter: `duration > ${term(low)}` });
    } else {
      buckets.push({ label: `≤ ${text(high)}`,
        filter: `duration > ${term(low)} && duration <= ${term(high)}` });
    }
  }
  return buckets;
}
