// What Capscope keeps in IndexedDB, and how each version of that layout
// becomes the next. Both threads import this: the worker writes datasets,
// the page lists, renames and deletes them.

import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { Problem } from '@capscope/parser/problems';
import type { InterfaceInfo } from '@capscope/parser/record';
import type { CaptureFigures, ImportError } from '../worker/protocol';

export const DB_NAME = 'capscope-datasets';

/**
 * The layout's version: IndexedDB's own database version. Raise it with a
 * new step in MIGRATIONS whenever an object store, a key or a record's
 * shape changes.
 */
export const SCHEMA_VERSION = 1;

/** A typed array's constructor, by name, as a stored column records it. */
export type ArrayTypeName =
  | 'Uint8Array'
  | 'Int8Array'
  | 'Uint16Array'
  | 'Int16Array'
  | 'Uint32Array'
  | 'Int32Array'
  | 'Float32Array'
  | 'Float64Array';

/** One stored column: its array type and values per flow. */
export interface ColumnLayout {
  name: string;
  type: ArrayTypeName;
  width: number;
}

/**
 * A set of flow columns in the chunks store: one capture's flows (a
 * source), or the flows of all sources merged. Stored as chunks of
 * `chunkFlows` flows per column, never one record per flow.
 */
export interface PartRecord {
  /** Second element of its chunk keys: `s1`, `s2`... or `m3`... */
  id: string;
  flows: number;
  chunkFlows: number;
  columns: ColumnLayout[];
  /** Bytes of its chunks, for the storage figures. */
  bytes: number;
}

/** How a capture read, without its flows: what its import reported. */
export interface SourceSummary {
  bytesRead: number;
  format: 'pcap' | 'pcapng' | null;
  /**
   * The format's version and the file's interfaces, for its properties.
   * Optional, so records written without them still read: absent there.
   */
  formatVersion?: string;
  interfaces?: InterfaceInfo[];
  linkTypes: number[];
  figures: CaptureFigures;
  damage: ImportError | null;
  timeDigits: number;
}

export interface SourceRecord {
  /** File name, or URL without its query (a SAS token is never kept). */
  label: string;
  /** Bytes of the capture file. */
  fileBytes: number;
  /** When it was added, in ms since 1970. */
  added: number;
  summary: SourceSummary;
  part: PartRecord;
  /** Bytes of the original capture kept beside the flows; 0 for none. */
  captureBytes: number;
}

export type DatasetState = 'incomplete' | 'complete';

/** One dataset's metadata; its flows are in the chunks store. */
export interface DatasetRecord {
  id: string;
  /** Layout of this record, for a change that needs no new store. */
  layout: 1;
  name: string;
  /**
   * `incomplete` from the first write until the last: a dataset still in
   * this state after its writer stopped was cut short, and is only
   * offered for deletion.
   */
  state: DatasetState;
  created: number;
  lastOpened: number;
  sources: SourceRecord[];
  /** The merged flows of several sources; null when there is one. */
  merged: PartRecord | null;
  /** Totals of all sources, as the page shows them. */
  figures: CaptureFigures;
  timeDigits: number;
  /** Bytes of all its chunks. */
  storedBytes: number;
  /** Numbers the next part id, so that ids are never reused. */
  nextPart: number;
}

/**
 * Chunk keys: [dataset id, part id, column, chunk number]. Besides flow
 * columns a part holds `key:src`/`key:dst` (key ports), `~details` (host
 * names and DNS names), `~problems` and, when asked for, `~capture`
 * (the capture's bytes, as Blobs).
 */
export type ChunkKey = [string, string, string, number];

export interface PartDetails {
  names: string[];
  addressNames: Array<[string, string]>;
}

export type ChunkValue = ArrayBuffer | Blob | PartDetails | Problem[];

export interface CapscopeSchema extends DBSchema {
  datasets: { key: string; value: DatasetRecord };
  chunks: { key: ChunkKey; value: ChunkValue };
}

export type CapscopeDb = IDBPDatabase<CapscopeSchema>;

type UpgradeTransaction = IDBPTransaction<
  CapscopeSchema,
  ArrayLike<StoreNames<CapscopeSchema>>,
  'versionchange'
>;

/**
 * One step per version: MIGRATIONS[n] turns layout n into layout n + 1.
 * Steps only ever get added, so a database of any earlier version is
 * brought up to date by running the steps it missed, in order.
 */
export const MIGRATIONS: Array<
  (db: CapscopeDb, tx: UpgradeTransaction) => void
> = [
  // 0 -> 1: the first layout.
  (db) => {
    db.createObjectStore('datasets', { keyPath: 'id' });
    db.createObjectStore('chunks');
  },
];

export function upgradeSchema(
  db: CapscopeDb,
  oldVersion: number,
  newVersion: number,
  tx: UpgradeTransaction,
): void {
  for (let version = oldVersion; version < newVersion; version++) {
    const step = MIGRATIONS[version];
    if (!step) throw new Error(`no upgrade from layout ${version}`);
    step(db, tx);
  }
}
