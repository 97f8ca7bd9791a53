import type { FlowColumns } from '../flow-table.js';
import type { ActivitySnapshot } from './flow-activity.js';

/** Past this many days, rows are days of the week instead of dates. */
export const MAX_DATE_ROWS = 31;
const SECONDS_PER_DAY = 86400;
/** Hours summed in flat arrays: ten years; longer spans use a map. */
const MAX_DENSE_HOURS = 24 * 366 * 10;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface HeatMap {
  /** Row labels: dates (YYYY-MM-DD) or weekdays, in the zone asked for. */
  rows: string[];
  mode: 'date' | 'weekday';
  /** rows × 24, by hour of the day. */
  bytes: number[][];
  packets: number[][];
  /** Flows by the hour they started. */
  flows: number[][];
}

/**
 * Traffic by day and hour, in a zone `offsetMinutes` east of UTC. Bytes
 * and packets come from each flow's recorded traffic when there is a
 * record (a flow that runs for hours fills each hour it was busy), else
 * from the hour the flow started.
 */
export function heatMap(
  c: FlowColumns,
  activity: ActivitySnapshot | null,
  mask: Uint8Array | null,
  offsetMinutes: number,
): HeatMap {
  const offset = offsetMinutes * 60;
  const hourOf = (seconds: number) => Math.floor((seconds + offset) / 3600);

  // The hours (since the epoch, in the zone) that can hold anything: from
  // the earliest flow start or bin to the latest.
  let firstHour = Infinity;
  let lastHour = -Infinity;
  for (let flow = 0; flow < c.count; flow++) {
    if (mask !== null && mask[flow] === 0) continue;
    const hour = hourOf(c.firstSeconds[flow] + c.firstNanos[flow] / 1e9);
    if (hour < firstHour) firstHour = hour;
    if (hour > lastHour) lastHour = hour;
  }
  const start = activity
    ? activity.startSeconds + activity.startNanos / 1e9 : 0;
  const middle = (bin: number) =>
    start + (bin + 0.5) * (activity?.binSeconds ?? 0);
  if (activity !== null && activity.binCount > 0) {
    firstHour = Math.min(firstHour, hourOf(middle(0)));
    lastHour = Math.max(lastHour, hourOf(middle(activity.binCount - 1)));
  }
  if (firstHour > lastHour) {
    return { rows: [], mode: 'date', bytes: [], packets: [], flows: [] };
  }

  // Sums by hour in flat arrays, or by a map over a span of years.
  const span = lastHour - firstHour + 1;
  const dense = span <= MAX_DENSE_HOURS;
  const bytesAt = dense ? new Float64Array(span) : null;
  const packetsAt = dense ? new Float64Array(span) : null;
  const flowsAt = dense ? new Float64Array(span) : null;
  const bytes = new Map<number, number>();
  const packets = new Map<number, number>();
  const flows = new Map<number, number>();
  const add = (hour: number, flowCount: number, b: number, p: number) => {
    if (dense) {
      const i = hour - firstHour;
      flowsAt![i] += flowCount;
      bytesAt![i] += b;
      packetsAt![i] += p;
      return;
    }
    if (flowCount > 0) flows.set(hour, (flows.get(hour) ?? 0) + flowCount);
    bytes.set(hour, (bytes.get(hour) ?? 0) + b);
    packets.set(hour, (packets.get(hour) ?? 0) + p);
  };

  for (let flow = 0; flow < c.count; flow++) {
    if (mask !== null && mask[flow] === 0) continue;
    const hour = hourOf(c.firstSeconds[flow] + c.firstNanos[flow] / 1e9);
    if (activity === null) {
      add(hour, 1, c.bytesOut[flow] + c.bytesIn[flow],
        c.packetsOut[flow] + c.packetsIn[flow]);
    } else {
      add(hour, 1, 0, 0);
    }
  }
  if (activity !== null) {
    if (mask === null) {
      for (let bin = 0; bin < activity.binCount; bin++) {
        add(hourOf(middle(bin)), 0, activity.totalBytes[bin],
          activity.totalPackets[bin]);
      }
    } else {
      for (let cell = 0; cell < activity.cellCount; cell++) {
        if (mask[activity.cellFlow[cell]] === 0) continue;
        add(hourOf(middle(activity.cellBin[cell])), 0,
          activity.cellBytes[cell], activity.cellPackets[cell]);
      }
    }
  }
  if (dense) {
    for (let i = 0; i < span; i++) {
      if (flowsAt![i] > 0) flows.set(firstHour + i, flowsAt![i]);
      if (bytesAt![i] > 0 || packetsAt![i] > 0) {
        bytes.set(firstHour + i, bytesAt![i]);
        packets.set(firstHour + i, packetsAt![i]);
      }
    }
  }

  const hours = [...bytes.keys(), ...flows.keys()];
  if (hours.length === 0) {
    return { rows: [], mode: 'date', bytes: [], packets: [], flows: [] };
  }
  const firstDay = Math.floor(Math.min(...hours) / 24);
  const lastDay = Math.floor(Math.max(...hours) / 24);
  const byDate = lastDay - firstDay < MAX_DATE_ROWS;
  const rowCount = byDate ? lastDay - firstDay + 1 : 7;
  // 1970-01-01 was a Thursday: day 0 is row 3 of a Monday-first week.
  const rowOf = (day: number) =>
    byDate ? day - firstDay : (((day + 3) % 7) + 7) % 7;
  const fill = (map: Map<number, number>) => {
    const out = Array.from({ length: rowCount },
      () => new Array<number>(24).fill(0));
    for (const [hour, value] of map) {
      const day = Math.floor(hour / 24);
      out[rowOf(day)][hour - day * 24] += value;
    }
    return out;
  };
  const rows = byDate
    ? Array.from({ length: rowCount }, (_, i) => dateText(firstDay + i))
    : WEEKDAYS;
  return { rows, mode: byDate ? 'date' : 'weekday', bytes: fill(bytes),
    packets: fill(packets), flows: fill(flows) };
}

/** YYYY-MM-DD of a day number (days since 1970-01-01). */
function dateText(day: number): string {
  return new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
}
