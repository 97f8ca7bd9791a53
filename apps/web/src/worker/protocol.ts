// The import worker's boundary: types only, imported by both threads. Bulk
// data crosses as transferred typed arrays; nothing here is one object per
// flow or per packet.

import type { FlowColumns } from '@capscope/analytics/flow-table';
import type { NotCaptureKind, Problem } from '@capscope/parser/problems';

/** Figures shown as totals, during an import and after it. */
export interface CaptureFigures {
  packets: number;
  bytes: number;
  flows: number;
  tcpFlows: number;
  udpFlows: number;
  /** RFC 3339 in UTC, or null when no packet had a usable time. */
  firstSeen: string | null;
  lastSeen: string | null;
  problemCount: number;
}

export interface ImportProgress {
  bytesRead: number;
  bytesTotal: number;
}

/**
 * Called by the worker through comlink while an import runs; neither call
 * is awaited, so a slow page never slows the import.
 */
export interface ImportListener {
  progress(progress: ImportProgress): void;
  partial(figures: CaptureFigures): void;
}

/**
 * Why an import failed or what damaged it. The NotACaptureError kinds come
 * from the parser; `corrupt` marks a capture read up to a bad spot,
 * `unreadable` a file the browser could not read, `internal` a bug.
 */
export type ImportErrorKind =
  NotCaptureKind | 'corrupt' | 'unreadable' | 'internal';

export interface ImportError {
  kind: ImportErrorKind;
  /** One or two sentences for people; never a stack trace. */
  message: string;
}

export interface ImportResult {
  /** Bytes of the file consumed; less than its size when reading stopped. */
  bytesRead: number;
  format: 'pcap' | 'pcapng' | null;
  linkTypes: number[];
  figures: CaptureFigures;
  /** The first problems in full; `figures.problemCount` counts them all. */
  problems: Problem[];
  /** Set when the file is damaged; everything before the damage is kept. */
  damage: ImportError | null;
  /** Fractional digits the capture's times resolve. */
  timeDigits: number;
  /** Host names (SNI, HTTP Host, DNS); the `host` column indexes them. */
  names: string[];
  /** Transferred, not copied. */
  columns: FlowColumns;
}

export type ImportOutcome =
  | { status: 'done'; result: ImportResult }
  | { status: 'error'; error: ImportError; bytesRead: number };

/** Table columns the worker can order flows by. */
export type FlowSortKey =
  | 'firstSeen'
  | 'src'
  | 'srcPort'
  | 'dst'
  | 'dstPort'
  | 'protocol'
  | 'app'
  | 'host'
  | 'packetsOut'
  | 'bytesOut'
  | 'packetsIn'
  | 'bytesIn'
  | 'duration';

/**
 * Everything the worker exposes: each feature adds its API here, made in
 * its own file over the shared WorkerState (see import.worker.ts).
 */
export type WorkerApi = ImporterApi;

/**
 * Import and ordering. One worker serves one capture: a new import gets a
 * new worker, so cancelling is terminating it.
 */
export interface ImporterApi {
  importFile(file: Blob, listener: ImportListener): Promise<ImportOutcome>;
  /**
   * Flow indices in the requested order (ties in file order), as a
   * transferred array; empty before an import finished.
   */
  sortFlows(key: FlowSortKey, descending: boolean): Uint32Array;
}
