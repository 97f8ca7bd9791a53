import type { FlowColumns } from '@capscope/analytics/flow-table';
import { COLUMN_NAMES } from '@capscope/analytics/flow-table';

/**
 * Copies of the columns for the page, each owning its buffer so that it
 * can move, while the worker keeps its own.
 */
export function copyColumns(columns: FlowColumns): FlowColumns {
  const out: Record<string, unknown> = { count: columns.count };
  for (const name of COLUMN_NAMES) out[name] = columns[name].slice();
  return out as unknown as FlowColumns;
}

/**
 * The buffers of a snapshot's columns, to transfer rather than copy: every
 * typed array of a snapshot owns its buffer, so all of them can move.
 */
export function columnBuffers(columns: FlowColumns): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const value of Object.values(columns)) {
    if (ArrayBuffer.isView(value)) buffers.push(value.buffer as ArrayBuffer);
  }
  return buffers;
}
