import type { FlowColumns } from '@capscope/analytics/flow-table';

/**
 * The capture a worker holds once it is read, whether it came from a file,
 * a URL or IndexedDB. Every query (sorting, filtering, views) reads it;
 * nothing here is sent to the page except through a query's answer.
 */
export interface WorkerDataset {
  /** The worker's own columns; the page gets transferred copies. */
  columns: FlowColumns;
  /** Host names; the `host` column indexes them. */
  names: readonly string[];
  /** Names the capture's DNS answers gave, by address text. */
  addressNames: ReadonlyMap<string, string>;
  /** Fractional digits the capture's times resolve. */
  timeDigits: number;
}

/**
 * What the worker's APIs share. Each feature's API is made from it by a
 * factory in its own file, and import.worker.ts exposes them together.
 */
export class WorkerState {
  dataset: WorkerDataset | null = null;
}
