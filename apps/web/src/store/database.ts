import { deleteDB, openDB } from 'idb';
import {
  DB_NAME,
  SCHEMA_VERSION,
  upgradeSchema,
  type CapscopeDb,
  type CapscopeSchema,
} from './schema';

/**
 * Why the dataset store cannot be used or written:
 * - `full`: the browser refused the bytes (QuotaExceededError);
 * - `newer`: a newer Capscope wrote the database; this one cannot read it;
 * - `upgrade-failed`: the database could not be brought up to date;
 * - `unavailable`: IndexedDB is off (a private window, a policy);
 * - `missing`: no such dataset, or one that was never finished;
 * - `damaged`: a dataset whose chunks are not all there;
 * - `failed`: anything else the browser reported.
 */
export type StoreErrorKind =
  | 'full'
  | 'newer'
  | 'upgrade-failed'
  | 'unavailable'
  | 'missing'
  | 'damaged'
  | 'failed';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** True for a DOMException saying the disk or the quota is full. */
export function isQuotaError(error: unknown): boolean {
  if (error instanceof StoreError) return error.kind === 'full';
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

/** A thrown value as a StoreError, keeping quota errors recognisable. */
export function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  if (isQuotaError(error)) {
    return new StoreError('full', 'The browser has no room left.');
  }
  const text = error instanceof Error ? error.message : String(error);
  return new StoreError('failed', text.split('\n')[0].slice(0, 200));
}

/**
 * Waits for a write transaction. When it fails, throws the transaction's
 * own error (a QuotaExceededError, say), not the AbortError that its
 * requests get when it aborts.
 */
export async function settle(
  tx: { done: Promise<void> },
  requests: Array<Promise<unknown>>,
): Promise<void> {
  const results = await Promise.allSettled(requests);
  await tx.done;
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

let opening: Promise<CapscopeDb> | null = null;

/**
 * The dataset database of this page or worker, opened once and upgraded
 * when an older version wrote it.
 */
export function openStore(): Promise<CapscopeDb> {
  opening ??= connect().catch((error: unknown) => {
    opening = null;
    throw error;
  });
  return opening;
}

async function connect(): Promise<CapscopeDb> {
  if (typeof indexedDB === 'undefined') {
    throw new StoreError('unavailable',
      'This browser gives the page no IndexedDB, so nothing can be kept.');
  }
  let db: CapscopeDb;
  try {
    db = await openDB<CapscopeSchema>(DB_NAME, SCHEMA_VERSION, {
      upgrade(database, oldVersion, newVersion, tx) {
        upgradeSchema(database, oldVersion, newVersion ?? SCHEMA_VERSION, tx);
      },
      // A newer Capscope in another tab wants to upgrade: let it.
      blocking(_current, _next, event) {
        (event.target as IDBDatabase).close();
        opening = null;
      },
      terminated() {
        opening = null;
      },
    });
  } catch (error) {
    throw openError(error);
  }
  if (!db.objectStoreNames.contains('datasets') ||
    !db.objectStoreNames.contains('chunks')) {
    db.close();
    throw new StoreError('upgrade-failed',
      'The saved datasets are in a layout this version of Capscope does ' +
        'not know.');
  }
  return db;
}

function openError(error: unknown): StoreError {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'VersionError') {
    return new StoreError('newer',
      'The saved datasets were written by a newer version of Capscope, ' +
        'which this one cannot read.');
  }
  if (name === 'AbortError' || (error instanceof Error &&
    error.message.startsWith('no upgrade'))) {
    return new StoreError('upgrade-failed',
      'The saved datasets could not be brought up to date for this ' +
        'version of Capscope.');
  }
  if (name === 'InvalidStateError' || name === 'SecurityError') {
    return new StoreError('unavailable',
      'This browser does not let the page keep data (a private window?).');
  }
  return toStoreError(error);
}

/** Deletes every saved dataset: the way out of a database we cannot read. */
export async function clearStore(): Promise<void> {
  const current = opening;
  opening = null;
  if (current) await current.then((db) => db.close(), () => undefined);
  await deleteDB(DB_NAME);
}
