// Flow columns to chunks and back. A part is one capture's flows or the
// merged flows of several: each column is cut into chunks of CHUNK_FLOWS
// flows, each chunk one ArrayBuffer value, so that a million flows are a
// few hundred records rather than a million.

import type {
  ColumnName,
  FlowColumns,
  FlowKeyPorts,
} from '@capscope/analytics/flow-table';
import { COLUMN_NAMES, COLUMN_SHAPES } from '@capscope/analytics/flow-table';
import { emptyValue } from '@capscope/analytics/merge';
import type { Problem } from '@capscope/parser/problems';
import { settle, StoreError } from './database';
import type {
  ArrayTypeName,
  CapscopeDb,
  ChunkKey,
  ColumnLayout,
  PartDetails,
  PartRecord,
} from './schema';

/**
 * 2^20 flows: an 8-byte column's chunk is 8 MiB and an address column's
 * 16 MiB. Values of 1-16 MiB read fastest in Chromium 156 here (December
 * 2026: 128 MiB in 170-250 ms, against up to 330 ms for 256 KiB values),
 * and a column of up to a million flows is one value, which becomes its
 * typed array without a copy.
 */
export const CHUNK_FLOWS = 1 << 20;

/**
 * Chunks written per transaction, by bytes: a transaction holds its values
 * until it commits, and a crash loses at most the batch in flight.
 */
const BATCH_BYTES = 16 * 1024 * 1024;

/**
 * A capture's bytes are kept in Blobs of this size, well below the 2 GiB
 * that a single read may not exceed (STACK.md).
 */
const CAPTURE_CHUNK_BYTES = 64 * 1024 * 1024;

const KEY_SRC = 'key:src';
const KEY_DST = 'key:dst';
const DETAILS = '~details';
const PROBLEMS = '~problems';
const CAPTURE = '~capture';

/** Flows as a part stores them: columns, key ports and names. */
export interface StoredFlows {
  columns: FlowColumns;
  keyPorts: FlowKeyPorts;
  names: readonly string[];
  addressNames: ReadonlyMap<string, string>;
}

type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

const ARRAY_TYPES: Record<
  ArrayTypeName,
  new (bufferOrLength: ArrayBuffer | number) => TypedArray
> = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
};

function typeName(array: TypedArray): ArrayTypeName {
  const name = array.constructor.name as ArrayTypeName;
  if (!(name in ARRAY_TYPES)) throw new Error(`cannot store a ${name}`);
  return name;
}

/** Every array a part stores, with its layout; arrays may be longer. */
function partColumns(flows: StoredFlows): Array<[ColumnLayout, TypedArray]> {
  const out: Array<[ColumnLayout, TypedArray]> = [];
  for (const name of COLUMN_NAMES) {
    const array = flows.columns[name] as TypedArray;
    const width = COLUMN_SHAPES[name][1];
    out.push([{ name, type: typeName(array), width }, array]);
  }
  out.push([{ name: KEY_SRC, type: 'Int32Array', width: 1 },
    flows.keyPorts.src]);
  out.push([{ name: KEY_DST, type: 'Int32Array', width: 1 },
    flows.keyPorts.dst]);
  return out;
}

/**
 * Writes a part's chunks in transactions of about BATCH_BYTES. Nothing
 * refers to them until the dataset record names the part, so a write cut
 * short leaves only chunks that sweepOrphans() removes.
 */
export async function writePart(
  db: CapscopeDb,
  datasetId: string,
  partId: string,
  flows: StoredFlows,
): Promise<PartRecord> {
  const count = flows.columns.count;
  const layout: ColumnLayout[] = [];
  let batch: Array<[ChunkKey, ArrayBuffer]> = [];
  let batchBytes = 0;
  let bytes = 0;

  for (const [column, array] of partColumns(flows)) {
    layout.push(column);
    // At least one chunk per column, empty for a part without flows.
    for (let first = 0, n = 0; n === 0 || first < count; n++) {
      const last = Math.min(count, first + CHUNK_FLOWS);
      // A slice owns its buffer: a view's whole buffer would be stored.
      const chunk = array.slice(first * column.width, last * column.width);
      batch.push([[datasetId, partId, column.name, n], chunk.buffer]);
      batchBytes += chunk.byteLength;
      bytes += chunk.byteLength;
      if (batchBytes >= BATCH_BYTES) {
        await putChunks(db, batch);
        batch = [];
        batchBytes = 0;
      }
      first = last;
    }
  }
  await putChunks(db, batch);

  const details: PartDetails = {
    names: [...flows.names],
    addressNames: [...flows.addressNames],
  };
  await putValue(db, [datasetId, partId, DETAILS, 0], details);
  return { id: partId, flows: count, chunkFlows: CHUNK_FLOWS, columns: layout,
    bytes };
}

async function putChunks(
  db: CapscopeDb,
  batch: Array<[ChunkKey, ArrayBuffer]>,
): Promise<void> {
  if (batch.length === 0) return;
  const tx = db.transaction('chunks', 'readwrite');
  await settle(tx, batch.map(([key, value]) => tx.store.put(value, key)));
}

async function putValue(
  db: CapscopeDb,
  key: ChunkKey,
  value: PartDetails | Problem[] | Blob,
): Promise<void> {
  const tx = db.transaction('chunks', 'readwrite');
  await settle(tx, [tx.store.put(value, key)]);
}

/** Flows as read back; key ports only when asked for (to merge). */
export type LoadedFlows = Omit<StoredFlows, 'keyPorts'> & {
  keyPorts: FlowKeyPorts | null;
};

/**
 * Reads a part back into columns of this version's types. A column this
 * version has and the part lacks (stored by an older version) holds its
 * empty value; a column stored with another type is converted. Key ports
 * are read only `withKeyPorts`: merging needs them, showing does not.
 */
export async function readPart(
  db: CapscopeDb,
  datasetId: string,
  part: PartRecord,
  withKeyPorts: true,
): Promise<StoredFlows>;
export async function readPart(
  db: CapscopeDb,
  datasetId: string,
  part: PartRecord,
  withKeyPorts?: boolean,
): Promise<LoadedFlows>;
export async function readPart(
  db: CapscopeDb,
  datasetId: string,
  part: PartRecord,
  withKeyPorts = false,
): Promise<LoadedFlows> {
  const tx = db.transaction('chunks');
  const chunks = new Map<string, ArrayBuffer[]>();
  let details: PartDetails | undefined;
  const wanted = part.columns.filter((column) =>
    withKeyPorts || (column.name !== KEY_SRC && column.name !== KEY_DST));
  // One request per column, all in flight at once: each reads its chunks
  // in key order.
  const reads = wanted.map(async (column) => {
    const range = IDBKeyRange.bound(
      [datasetId, part.id, column.name, 0],
      [datasetId, part.id, column.name, Infinity],
    );
    chunks.set(column.name, (await tx.store.getAll(range)) as ArrayBuffer[]);
  });
  const detailsRead = tx.store
    .get([datasetId, part.id, DETAILS, 0])
    .then((value) => (details = value as PartDetails | undefined));
  await Promise.all([...reads, detailsRead, tx.done]);
  if (!details) throw damaged(part.id, DETAILS);

  const stored = new Map<string, TypedArray>();
  for (const column of wanted) {
    stored.set(column.name, assemble(part, column, chunks.get(column.name)));
  }

  const columns: Record<string, unknown> = { count: part.flows };
  for (const name of COLUMN_NAMES) {
    columns[name] = currentColumn(name, part.flows, stored.get(name));
  }
  let keyPorts: FlowKeyPorts | null = null;
  if (withKeyPorts) {
    const src = stored.get(KEY_SRC);
    const dst = stored.get(KEY_DST);
    if (!(src instanceof Int32Array) || !(dst instanceof Int32Array)) {
      throw damaged(part.id, 'key ports');
    }
    keyPorts = { src, dst };
  }
  return {
    columns: columns as unknown as FlowColumns,
    keyPorts,
    names: details.names,
    addressNames: new Map(details.addressNames),
  };
}

function assemble(
  part: PartRecord,
  column: ColumnLayout,
  chunks: ArrayBuffer[] | undefined,
): TypedArray {
  const Type = ARRAY_TYPES[column.type];
  const length = part.flows * column.width;
  const expected = Math.max(1, Math.ceil(part.flows / part.chunkFlows));
  if (!chunks || chunks.length !== expected) {
    throw damaged(part.id, column.name);
  }
  // One chunk of the right size is the column itself: no copy.
  const only = chunks.length === 1 ? new Type(chunks[0]) : null;
  if (only && only.length === length) return only;
  const out = new Type(length);
  let at = 0;
  for (const buffer of chunks) {
    const values = new Type(buffer);
    if (at + values.length > out.length) throw damaged(part.id, column.name);
    out.set(values, at);
    at += values.length;
  }
  if (at !== out.length) throw damaged(part.id, column.name);
  return out;
}

function currentColumn(
  name: ColumnName,
  flows: number,
  stored: TypedArray | undefined,
): TypedArray {
  const [Type, width] = COLUMN_SHAPES[name];
  if (stored && stored.constructor === Type) return stored;
  const out = new Type(flows * width) as unknown as TypedArray;
  if (stored && stored.length === out.length) out.set(stored);
  else out.fill(emptyValue(name));
  return out;
}

function damaged(partId: string, what: string): StoreError {
  return new StoreError('damaged',
    `Part of this dataset is missing from the browser's storage ` +
      `(${partId}, ${what}).`);
}

export async function writeProblems(
  db: CapscopeDb,
  datasetId: string,
  partId: string,
  problems: Problem[],
): Promise<void> {
  await putValue(db, [datasetId, partId, PROBLEMS, 0], problems);
}

export async function readProblems(
  db: CapscopeDb,
  datasetId: string,
  partId: string,
): Promise<Problem[]> {
  const value = await db.get('chunks', [datasetId, partId, PROBLEMS, 0]);
  return Array.isArray(value) ? value : [];
}

/** Keeps the capture's own bytes beside its flows; returns their count. */
export async function writeCapture(
  db: CapscopeDb,
  datasetId: string,
  partId: string,
  capture: Blob,
): Promise<number> {
  for (let at = 0, n = 0; at < capture.size; at += CAPTURE_CHUNK_BYTES, n++) {
    const slice = capture.slice(at, at + CAPTURE_CHUNK_BYTES);
    await putValue(db, [datasetId, partId, CAPTURE, n], slice);
  }
  return capture.size;
}

/**
 * The kept capture of a source, or null when it was not kept: what an
 * export of packets reads instead of the original file.
 */
export async function readCapture(
  db: CapscopeDb,
  datasetId: string,
  partId: string,
): Promise<Blob | null> {
  const range = IDBKeyRange.bound([datasetId, partId, CAPTURE, 0],
    [datasetId, partId, CAPTURE, Infinity]);
  const slices = (await db.getAll('chunks', range)) as Blob[];
  return slices.length > 0 ? new Blob(slices) : null;
}

/** The key range of every chunk of a part. */
export function partRange(datasetId: string, partId: string): IDBKeyRange {
  return IDBKeyRange.bound([datasetId, partId], [datasetId, partId, []]);
}

/** The key range of every chunk of a dataset. */
export function datasetRange(datasetId: string): IDBKeyRange {
  return IDBKeyRange.bound([datasetId], [datasetId, []]);
}
