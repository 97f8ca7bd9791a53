// The import worker's boundary: types only, imported by both threads. Bulk
// data crosses as transferred typed arrays; nothing here is one object per
// flow or per packet.

import type { InterfaceInfo } from '@capscope/parser/record';
import type { FlowColumns } from '@capscope/analytics/flow-table';
import type { KernelChoice } from '@capscope/analytics/kernel-choice';
import type { NotCaptureKind, Problem } from '@capscope/parser/problems';
import type { CorsAdvice, UrlErrorKind } from '../import/url/errors';
import type { DatasetApi, DatasetErrorKind } from './dataset-protocol';
import type { FindingsApi } from './findings-protocol';
import type { ViewsApi } from './views-protocol';

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
  /** 0 while unknown (a download before its headers). */
  bytesTotal: number;
  /** Times a dropped download was resumed; absent for files. */
  resumes?: number;
}

/**
 * Called by the worker through comlink while an import runs; neither call
 * is awaited, so a slow page never slows the import.
 */
export interface ImportListener {
  progress(progress: ImportProgress): void;
  partial(figures: CaptureFigures): void;
  /**
   * Copies of the flows found so far, every few seconds of a long import
   * (flow-snapshots.ts), so that they outlive a worker that crashes.
   */
  flows(snapshot: FlowSnapshot): void;
}

/** The flows an import has found so far, with the figures they give. */
export interface FlowSnapshot {
  figures: CaptureFigures;
  /** Transferred, not copied. */
  columns: FlowColumns;
  names: string[];
  timeDigits: number;
}

/**
 * Why an import failed or what damaged it. The NotACaptureError kinds come
 * from the parser; `corrupt` marks a capture read up to a bad spot,
 * `unreadable` a file the browser could not read, `internal` a bug.
 */
export type ImportErrorKind =
  | NotCaptureKind
  | 'corrupt'
  | 'unreadable'
  | 'internal'
  | UrlErrorKind
  | DatasetErrorKind;

export interface ImportError {
  kind: ImportErrorKind;
  /** One or two sentences for people; never a stack trace. */
  message: string;
  /** For a URL the browser kept from the page: the CORS rule to add. */
  cors?: CorsAdvice;
}

export interface ImportResult {
  /** Bytes of the file consumed; less than its size when reading stopped. */
  bytesRead: number;
  /**
   * The source's size: the file's, or a download's Content-Length, which
   * only the worker learns. Absent where the page knew it beforehand.
   */
  bytesTotal?: number;
  format: 'pcap' | 'pcapng' | null;
  /** The format's version, as the file gives it ("2.4", "1.0"). */
  formatVersion?: string;
  linkTypes: number[];
  /** Every interface the file described, with link type and snap length. */
  interfaces?: InterfaceInfo[];
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
  /** Workers that shared the analysis; absent for a reopened dataset. */
  workers?: number;
  /**
   * What read classic pcap (kernel-choice.ts): 'decoder' unless a kernel
   * was asked for and loaded; absent for a reopened dataset.
   */
  kernel?: KernelChoice;
  /** Set when the flows come from a saved dataset (dataset-api.ts). */
  datasetId?: string;
}

export type ImportOutcome =
  | { status: 'done'; result: ImportResult }
  | {
      status: 'error';
      error: ImportError;
      bytesRead: number;
      /** As in ImportResult. */
      bytesTotal?: number;
    };

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
  | 'duration'
  | 'state'
  | 'rtt'
  | 'retransmissions';

/**
 * Everything the worker exposes: each feature adds its API here, made in
 * its own file over the shared WorkerState (see import.worker.ts).
 */
export type WorkerApi = ImporterApi & UrlImporterApi & DatasetApi & FilterApi &
  ViewsApi & FindingsApi;

/**
 * Import and ordering. One worker serves one capture: a new import gets a
 * new worker, so cancelling is terminating it.
 */
export interface ImporterApi {
  importFile(
    file: Blob,
    listener: ImportListener,
    options?: ImportOptions,
  ): Promise<ImportOutcome>;
  /**
   * Flow indices in the requested order (ties in file order), as a
   * transferred array; only the flows the current filter keeps; empty
   * before an import finished.
   */
  sortFlows(key: FlowSortKey, descending: boolean): Uint32Array;
}

/** How a local file is read (importer.ts). */
export interface ImportOptions {
  /** Workers to share a big file's flows among; 1 by default. */
  workers?: number;
  /** Exactly this many workers, whatever the file's size (tests). */
  exactWorkers?: number;
  /** What reads classic pcap (kernel-choice.ts); 'decoder' by default. */
  kernel?: KernelChoice;
}

/** Opening a capture by URL (importer.ts, url-source.ts). */
export interface UrlImporterApi {
  /**
   * Downloads `href` (a blob URL with its SAS token) and imports it as it
   * arrives, resuming a dropped connection with a Range request. The token
   * is used for the requests only: no message, log line or result holds
   * it.
   */
  importUrl(href: string, listener: ImportListener): Promise<ImportOutcome>;
}

/** Figures of the flows the current filter keeps. */
export interface FilterFigures {
  /** False when no filter is set: the figures are the capture's own. */
  filtered: boolean;
  flows: number;
  tcpFlows: number;
  udpFlows: number;
  /** Sums over the kept flows; with no filter, the capture's totals. */
  packets: number;
  bytes: number;
  /** RFC 3339 in UTC: the earliest and latest packet of the kept flows. */
  firstSeen: string | null;
  lastSeen: string | null;
}

/** A filter that does not parse or compile, with where and what was due. */
export interface FilterProblem {
  message: string;
  /** Character offset into the expression. */
  position: number;
  expected: string;
}

export type FilterOutcome =
  | { ok: true; figures: FilterFigures }
  | { ok: false; error: FilterProblem };

/** The filter shared by every view (filter-api.ts). */
export interface FilterApi {
  /**
   * Parses, compiles and applies a filter expression; blank clears it. A
   * filter with an error leaves the previous one in force.
   */
  setFilter(text: string): Promise<FilterOutcome>;
  /**
   * The kept flows' indices in file order, transferred; null when no
   * filter is set (every flow is kept).
   */
  keptFlows(): Uint32Array | null;
}
