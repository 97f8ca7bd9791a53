// Dataset records: listing, renaming, deleting, and the one transaction
// that makes a finished write visible. Used by the page and the worker.

import { openStore, settle, StoreError } from './database';
import { datasetRange, partRange } from './parts';
import type { DatasetRecord } from './schema';

const LOCK_PREFIX = 'capscope-dataset:';

/**
 * Runs `write` holding the dataset's lock, so that no other tab deletes or
 * sweeps the dataset meanwhile. The lock ends with the tab or worker that
 * holds it: an incomplete dataset whose lock is free was cut short.
 */
export async function withDatasetLock<T>(
  datasetId: string,
  write: () => Promise<T>,
): Promise<T> {
  if (typeof navigator === 'undefined' || !navigator.locks) return write();
  return navigator.locks.request(LOCK_PREFIX + datasetId, write);
}

/** Runs `task` under the dataset's lock; false, not run, if it is held. */
async function withDatasetLockIfFree(
  datasetId: string,
  task: () => Promise<void>,
): Promise<boolean> {
  if (typeof navigator === 'undefined' || !navigator.locks) {
    await task();
    return true;
  }
  return navigator.locks.request(LOCK_PREFIX + datasetId,
    { ifAvailable: true }, async (lock) => {
      if (!lock) return false;
      await task();
      return true;
    });
}

/** Ids of datasets some tab or worker is writing right now. */
export async function datasetsBeingWritten(): Promise<Set<string>> {
  const busy = new Set<string>();
  if (typeof navigator === 'undefined' || !navigator.locks) return busy;
  const { held = [], pending = [] } = await navigator.locks.query();
  for (const lock of [...held, ...pending]) {
    const name = lock.name ?? '';
    if (name.startsWith(LOCK_PREFIX)) busy.add(name.slice(LOCK_PREFIX.length));
  }
  return busy;
}

/** Twelve hex digits: short in the address bar, unique in one browser. */
export function newDatasetId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function getDataset(id: string): Promise<DatasetRecord | null> {
  const db = await openStore();
  return (await db.get('datasets', id)) ?? null;
}

/** Every dataset, the most recently opened first. */
export async function listDatasets(): Promise<DatasetRecord[]> {
  const db = await openStore();
  const records = await db.getAll('datasets');
  return records.sort((a, b) => b.lastOpened - a.lastOpened);
}

/** Writes a record; `strict` waits until it is on disk. */
export async function putDataset(
  record: DatasetRecord,
  strict = false,
): Promise<void> {
  const db = await openStore();
  const tx = db.transaction('datasets', 'readwrite', {
    durability: strict ? 'strict' : 'default',
  });
  await settle(tx, [tx.store.put(record)]);
}

/**
 * Makes a finished write visible: the record that names the new parts and
 * the deletion of the parts it no longer names, in one transaction, so a
 * crash leaves either the old dataset or the new one.
 */
export async function commitDataset(
  record: DatasetRecord,
  dropped: string[],
): Promise<void> {
  const db = await openStore();
  const tx = db.transaction(['datasets', 'chunks'], 'readwrite', {
    durability: 'strict',
  });
  const chunks = tx.objectStore('chunks');
  await settle(tx, [
    tx.objectStore('datasets').put(record),
    ...dropped.map((part) => chunks.delete(partRange(record.id, part))),
  ]);
}

/** Deletes a dataset's chunks of these parts (cleaning up a failed write). */
export async function dropParts(
  datasetId: string,
  parts: string[],
): Promise<void> {
  if (parts.length === 0) return;
  const db = await openStore();
  const tx = db.transaction('chunks', 'readwrite');
  await settle(tx,
    parts.map((part) => tx.store.delete(partRange(datasetId, part))));
}

export async function renameDataset(id: string, name: string): Promise<void> {
  const db = await openStore();
  const tx = db.transaction('datasets', 'readwrite');
  const record = await tx.store.get(id);
  if (!record) throw new StoreError('missing', 'This dataset is gone.');
  await settle(tx, [tx.store.put({ ...record, name })]);
}

/**
 * Deletes a dataset, record and chunks, in one transaction; not while a
 * tab or worker is writing it.
 */
export async function deleteDataset(id: string): Promise<void> {
  const db = await openStore();
  const deleted = await withDatasetLockIfFree(id, async () => {
    const tx = db.transaction(['datasets', 'chunks'], 'readwrite');
    await settle(tx, [
      tx.objectStore('datasets').delete(id),
      tx.objectStore('chunks').delete(datasetRange(id)),
    ]);
  });
  if (!deleted) {
    throw new StoreError('failed',
      'This dataset is being saved right now; wait for that to finish.');
  }
}

/**
 * Deletes chunks no record names: left by a write that was cut short
 * before its last transaction. Each dataset is swept holding its lock, so
 * chunks that a writer has not named yet are never taken for orphans.
 */
export async function sweepOrphans(): Promise<void> {
  const db = await openStore();
  const records = new Map(
    (await db.getAll('datasets')).map((record) => [record.id, record]),
  );
  const candidates = new Map<string, Set<string>>();
  let cursor = await db.transaction('chunks').store.openKeyCursor();
  while (cursor) {
    const [datasetId, partId] = cursor.key;
    const record = records.get(datasetId);
    if (!record || !namedParts(record).has(partId)) {
      const parts = candidates.get(datasetId) ?? new Set<string>();
      parts.add(partId);
      candidates.set(datasetId, parts);
    }
    // Skip the rest of this part: its chunks share the first two keys.
    cursor = await cursor.continue([datasetId, partId, []] as never);
  }

  for (const [datasetId, parts] of candidates) {
    await withDatasetLockIfFree(datasetId, async () => {
      const record = await db.get('datasets', datasetId);
      const named = record ? namedParts(record) : new Set<string>();
      await dropParts(datasetId, [...parts].filter((p) => !named.has(p)));
    });
  }
}

function namedParts(record: DatasetRecord): Set<string> {
  const parts = new Set(record.sources.map((source) => source.part.id));
  if (record.merged) parts.add(record.merged.id);
  return parts;
}

export interface StorageFigures {
  /** Bytes this site uses, and may use, by the browser's estimate. */
  usage: number | null;
  quota: number | null;
  /** True when the browser promised not to evict this site's data. */
  persisted: boolean;
}

export async function storageFigures(): Promise<StorageFigures> {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : null;
  if (!storage?.estimate) return { usage: null, quota: null, persisted: false };
  const [estimate, persisted] = await Promise.all([
    storage.estimate(),
    storage.persisted ? storage.persisted() : Promise.resolve(false),
  ]);
  return {
    usage: estimate.usage ?? null,
    quota: estimate.quota ?? null,
    persisted,
  };
}

/**
 * Asks the browser not to evict the datasets when space runs short
 * (Chromium decides without asking, from how the site is used).
 */
export async function requestPersistence(): Promise<boolean> {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : null;
  if (!storage?.persist) return false;
  if (await storage.persisted()) return true;
  return storage.persist();
}
