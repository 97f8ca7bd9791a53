// The user's own MaxMind-format database (City, Country or ASN), kept in
// IndexedDB so that it is there on the next visit. Its own database, apart
// from the datasets', holding one record.

import { openDB } from 'idb';

const DB_NAME = 'capscope-geoip';
const STORE = 'databases';
const KEY = 'user';

export interface StoredGeoDatabase {
  name: string;
  bytes: ArrayBuffer;
}

function open() {
  return openDB(DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore(STORE);
    },
  });
}

export async function loadGeoDatabase(): Promise<StoredGeoDatabase | null> {
  try {
    const db = await open();
    const record = (await db.get(STORE, KEY)) as StoredGeoDatabase | undefined;
    db.close();
    return record ?? null;
  } catch {
    return null; // IndexedDB unavailable: the bundled database serves
  }
}

export async function saveGeoDatabase(
  record: StoredGeoDatabase | null,
): Promise<void> {
  const db = await open();
  if (record) await db.put(STORE, record, KEY);
  else await db.delete(STORE, KEY);
  db.close();
}
