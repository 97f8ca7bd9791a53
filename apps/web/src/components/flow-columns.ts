import type { FlowRecord } from '@capscope/analytics/flow-record';
import { createColumnHelper, type RowData } from '@tanstack/react-table';
import {
  formatCount,
  formatDuration,
  formatRtt,
  formatUtcTime,
} from '../format';
import type { FlowSortKey } from '../worker/protocol';

declare module '@tanstack/react-table' {
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Right-aligned, in tabular figures. */
    numeric?: boolean;
  }
}

/** One visible row: where it sits in the order, and its flow, formatted. */
export interface FlowRow {
  position: number;
  flow: number;
  record: FlowRecord;
  timeDigits: number;
}

const column = createColumnHelper<FlowRow>();

function text(
  id: FlowSortKey,
  header: string,
  size: number,
  value: (record: FlowRecord) => string,
) {
  return column.accessor((row) => value(row.record), {
    id,
    header,
    size,
    sortDescFirst: false,
  });
}

/** Counts and durations: biggest first is the useful first click. */
function count(
  id: FlowSortKey,
  header: string,
  size: number,
  value: (record: FlowRecord) => number,
) {
  return column.accessor((row) => value(row.record), {
    id,
    header,
    size,
    sortDescFirst: true,
    cell: (info) => formatCount(info.getValue()),
    meta: { numeric: true },
  });
}

function port(value: number | null): string {
  return value === null ? '' : String(value);
}

/**
 * The flow table's columns. Their ids are the worker's sort keys: sorting
 * happens there, over the columns, never over these rows.
 */
export const FLOW_COLUMNS = [
  column.accessor((row) => row.record.firstSeen, {
    id: 'firstSeen' satisfies FlowSortKey,
    header: 'First seen (UTC)',
    size: 212,
    sortDescFirst: false,
    cell: (info) => formatUtcTime(info.getValue()),
  }),
  text('src', 'Source', 136, (r) => r.src),
  text('srcPort', 'Src port', 64, (r) => port(r.srcPort)),
  text('dst', 'Destination', 136, (r) => r.dst),
  text('dstPort', 'Dst port', 64, (r) => port(r.dstPort)),
  text('protocol', 'Protocol', 64, (r) => r.proto),
  text('app', 'App', 48, (r) => r.app),
  text('host', 'Host', 160, (r) => r.host),
  count('packetsOut', 'Packets out', 84, (r) => r.packetsOut),
  count('bytesOut', 'Bytes out', 92, (r) => r.bytesOut),
  count('packetsIn', 'Packets in', 80, (r) => r.packetsIn),
  count('bytesIn', 'Bytes in', 92, (r) => r.bytesIn),
  column.accessor((row) => row.record.duration, {
    id: 'duration' satisfies FlowSortKey,
    header: 'Duration',
    size: 108,
    sortDescFirst: true,
    cell: (info) =>
      formatDuration(info.getValue(), info.row.original.timeDigits),
    meta: { numeric: true },
  }),
  text('state', 'State', 64, (r) => r.state),
  column.accessor((row) => row.record.rtt, {
    id: 'rtt' satisfies FlowSortKey,
    header: 'RTT',
    size: 76,
    sortDescFirst: true,
    cell: (info) => formatRtt(info.getValue()),
    meta: { numeric: true },
  }),
  // Only TCP retransmits; other flows leave the cell blank, not 0.
  column.accessor((row) => row.record.retransmissions, {
    id: 'retransmissions' satisfies FlowSortKey,
    // A soft hyphen lets the heading wrap as the two-word ones do.
    header: 'Retrans\u00admissions',
    size: 92,
    sortDescFirst: true,
    cell: (info) => info.row.original.record.proto === 'tcp'
      ? formatCount(info.getValue())
      : '',
    meta: { numeric: true },
  }),
];
