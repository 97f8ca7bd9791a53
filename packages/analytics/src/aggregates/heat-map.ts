import type { FlowColumns } from '../flow-table.js';
import type { ActivitySnapshot } from './flow-activity.js';

/** Past this many days, rows are days of the week instead of dates. */
export const MAX_DATE_ROWS = 31;
const SECONDS_PER_DAY = 86400;
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

  // Hours since the epoch (in the zone) with their sums, gathered sparsely.
  const bytes = new Map<number, number>();
  const packets = new Map<number, number>();
  const flows = new Map<number, number>();
  const bump = (map: Map<number, number>, hour: number, value: number) =>
    map.set(hour, (map.get(hour) ?? 0) + value);

  for (let flow = 0; flow < c.count; flow++) {
    if (mask !== null && mask[flow] === 0) continue;
    const hour = hourOf(c.firstSeconds[flow] + c.firstNanos[flow] / 1e9);
    bump(flows, hour, 1);
    if (activity === null) {
      bump(bytes, hour, c.bytesOut[flow] + c.bytesIn[flow]);
      bump(packets, hour, c.packetsOut[flow] + c.packetsIn[flow]);
    }
  }
  if (activity !== null) {
    const start = activity.startSeconds + activity.startNanos / 1e9;
    const middle = (bin: number) => start + (bin + 0.5) * activity.binSeconds;
    if (mask === null) {
      for (let bin = 0; bin < activity.binCount; bin++) {
        const hour = hourOf(middle(bin));
        bump(bytes, hour, activity.totalBytes[bin]);
        bump(packets, hour, activity.totalPackets[bin]);
      }
    } else {
      for (let cell = 0; cell < activity.cellCount; cell++) {
        if (mask[activity.cellFlow[cell]] === 0) continue;
        const hour = hourOf(middle(activity.cellBin[cell]));
        bump(bytes, hour, activity.cellBytes[cell]);
        bump(packets, hour, activity.cellPackets[cell]);
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
