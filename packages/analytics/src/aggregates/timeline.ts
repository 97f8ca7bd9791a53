import type { FlowColumns } from '../flow-table.js';
import type { ActivitySnapshot } from './flow-activity.js';

/** A span of time as UTC epoch seconds (fractions included). */
export interface TimeRange {
  fromSeconds: number;
  toSeconds: number;
}

export interface TimelineSeries {
  /** Start of bin 0, UTC epoch seconds. */
  fromSeconds: number;
  binSeconds: number;
  packets: Float64Array;
  bytes: Float64Array;
  /** Flows with traffic in each bin. */
  flows: Float64Array;
  /**
   * True when the bins come from each flow's recorded traffic; false when
   * a flow's volume was spread evenly over its span (no record of it).
   */
  exact: boolean;
}

function epoch(seconds: number, nanos: number): number {
  return seconds + nanos / 1e9;
}

/**
 * The time span of the flows in `mask` (every flow when null), or null
 * when none has a time.
 */
export function flowsExtent(
  c: FlowColumns,
  mask: Uint8Array | null,
): TimeRange | null {
  let from = Infinity;
  let to = -Infinity;
  for (let flow = 0; flow < c.count; flow++) {
    if (mask !== null && mask[flow] === 0) continue;
    const first = epoch(c.firstSeconds[flow], c.firstNanos[flow]);
    const last = epoch(c.lastSeconds[flow], c.lastNanos[flow]);
    if (first < from) from = first;
    if (last > to) to = last;
  }
  return from <= to ? { fromSeconds: from, toSeconds: to } : null;
}

/**
 * Packets, bytes and active flows over `range` in at most `maxBins` bins.
 * From the activity record when there is one: display bins are whole
 * multiples of its fine bins, so no bin gets an uneven share; with `mask`
 * null the totals of every frame (non-IP ones too) are used. Without a
 * record, each flow's volume is spread evenly over its own span.
 */
export function timelineSeries(
  c: FlowColumns,
  activity: ActivitySnapshot | null,
  mask: Uint8Array | null,
  range: TimeRange,
  maxBins: number,
): TimelineSeries {
  if (activity === null || activity.binCount === 0) {
    return spreadFlows(c, mask, range, maxBins);
  }
  const fine = activity.binSeconds;
  const start = epoch(activity.startSeconds, activity.startNanos);
  const firstFine = Math.max(0, Math.floor((range.fromSeconds - start) / fine));
  const lastFine = Math.max(firstFine,
    Math.floor((range.toSeconds - start) / fine));
  let perBin = 1;
  while ((lastFine - firstFine + 1) / perBin > maxBins) perBin *= 2;
  const bins = Math.floor((lastFine - firstFine) / perBin) + 1;

  const series: TimelineSeries = {
    fromSeconds: start + firstFine * fine,
    binSeconds: fine * perBin,
    packets: new Float64Array(bins),
    bytes: new Float64Array(bins),
    flows: new Float64Array(bins),
    exact: true,
  };
  const binOf = (fineBin: number) => {
    if (fineBin < firstFine || fineBin > lastFine) return -1;
    return Math.floor((fineBin - firstFine) / perBin);
  };

  if (mask === null) {
    for (let fineBin = 0; fineBin < activity.binCount; fineBin++) {
      const bin = binOf(fineBin);
      if (bin < 0) continue;
      series.packets[bin] += activity.totalPackets[fineBin];
      series.bytes[bin] += activity.totalBytes[fineBin];
    }
  }
  // Cells come in packet order, so a flow's cells rise in time: counting a
  // flow when its bin changes counts it once per bin.
  const lastBin = new Int32Array(c.count).fill(-1);
  for (let cell = 0; cell < activity.cellCount; cell++) {
    const flow = activity.cellFlow[cell];
    if (mask !== null && mask[flow] === 0) continue;
    const bin = binOf(activity.cellBin[cell]);
    if (bin < 0) continue;
    if (mask !== null) {
      series.packets[bin] += activity.cellPackets[cell];
      series.bytes[bin] += activity.cellBytes[cell];
    }
    if (lastBin[flow] !== bin) {
      lastBin[flow] = bin;
      series.flows[bin]++;
    }
  }
  return series;
}

/** The fallback: each flow's volume spread evenly over its span. */
function spreadFlows(
  c: FlowColumns,
  mask: Uint8Array | null,
  range: TimeRange,
  maxBins: number,
): TimelineSeries {
  const span = Math.max(range.toSeconds - range.fromSeconds, 1e-6);
  const bins = Math.max(1, maxBins);
  const width = span / bins;
  const series: TimelineSeries = {
    fromSeconds: range.fromSeconds,
    binSeconds: width,
    packets: new Float64Array(bins),
    bytes: new Float64Array(bins),
    flows: new Float64Array(bins),
    exact: false,
  };
  const clamp = (bin: number) => Math.min(bins - 1, Math.max(0, bin));
  for (let flow = 0; flow < c.count; flow++) {
    if (mask !== null && mask[flow] === 0) continue;
    const first = epoch(c.firstSeconds[flow], c.firstNanos[flow]);
    const last = epoch(c.lastSeconds[flow], c.lastNanos[flow]);
    if (last < range.fromSeconds || first > range.toSeconds) continue;
    const from = clamp(Math.floor((first - range.fromSeconds) / width));
    const to = clamp(Math.floor((last - range.fromSeconds) / width));
    const share = 1 / (to - from + 1);
    const packets = (c.packetsOut[flow] + c.packetsIn[flow]) * share;
    const bytes = (c.bytesOut[flow] + c.bytesIn[flow]) * share;
    for (let bin = from; bin <= to; bin++) {
      series.packets[bin] += packets;
      series.bytes[bin] += bytes;
      series.flows[bin]++;
    }
  }
  return series;
}
