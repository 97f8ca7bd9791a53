import type { FlowColumns } from '@capscope/analytics/flow-table';

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
