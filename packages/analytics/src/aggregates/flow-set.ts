import type { FlowColumns } from '../flow-table.js';
import type { FlowVolumes } from './volumes.js';

/** The flows an aggregate counts: the current filter's, with their volumes. */
export interface FlowSet {
  columns: FlowColumns;
  /** Indices of the flows to count, in flow order. */
  kept: Uint32Array;
  volumes: FlowVolumes;
}

/** Packets, bytes and flows of one group. */
export interface Volume {
  flows: number;
  packets: number;
  bytes: number;
}

/** 1 for each kept flow, for aggregates that walk something else. */
export function keptMask(set: FlowSet): Uint8Array {
  const mask = new Uint8Array(set.columns.count);
  for (const flow of set.kept) mask[flow] = 1;
  return mask;
}

/**
 * The `limit` largest indexes of `values` (ties in index order), skipping
 * zeros. A single pass keeping a short sorted list: top-10 lists over a
 * million entries need no full sort.
 */
export function topIndexes(values: ArrayLike<number>, limit: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value <= 0) continue;
    if (top.length === limit && value <= values[top[limit - 1]]) continue;
    let at = top.length;
    while (at > 0 && values[top[at - 1]] < value) at--;
    top.splice(at, 0, i);
    if (top.length > limit) top.pop();
  }
  return top;
}
