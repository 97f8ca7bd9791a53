import { formatAddress } from './address.js';
import { flowCountries, locateAddresses } from
  './aggregates/address-countries.js';
import type { AddressIndex } from './aggregates/address-index.js';

/**
 * Where no country applies: the address class, shown instead of a place,
 * so that a private address is never drawn at 0,0 or in a random country.
 */
export type AddressClass =
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'documentation'
  | 'azure'
  | 'reserved';

export const ADDRESS_CLASSES: readonly AddressClass[] = ['private',
  'loopback', 'link-local', 'cgnat', 'multicast', 'documentation', 'azure',
  'reserved'];

/**
 * Special IPv4 ranges, most specific first, as parallel columns (first
 * word, mask bits, class): classifyAddress runs once per address.
 */
const V4_PREFIXES = Uint32Array.of(
  0xa83f8110, // 168.63.129.16: Azure's platform address (DNS, DHCP, probes)
  0xffffffff, // limited broadcast
  0x0a000000, 0xac100000, 0xc0a80000,
  0x7f000000,
  0xa9fe0000,
  0x64400000,
  0xc0000200, 0xc6336400, 0xcb007100,
  0xe0000000,
  0x00000000, 0xc6120000, 0xf0000000,
);
const V4_BITS = Uint8Array.of(32, 32, 8, 12, 16, 8, 16, 10, 24, 24, 24, 4,
  8, 15, 4);
const V4_KINDS: readonly AddressClass[] = ['azure', 'multicast', 'private',
  'private', 'private', 'loopback', 'link-local', 'cgnat', 'documentation',
  'documentation', 'documentation', 'multicast', 'reserved',
  'reserved' /* benchmarking */, 'reserved'];

/** The same for IPv6, on the first 32 bits (masks of 32 bits or fewer). */
const V6_PREFIXES = Uint32Array.of(
  0xfc000000, // unique local
  0xfe800000,
  0xff000000,
  0x20010db8,
);
const V6_BITS = Uint8Array.of(7, 10, 8, 32);
const V6_KINDS: readonly AddressClass[] = ['private', 'link-local',
  'multicast', 'documentation'];

function classOf(
  word: number,
  prefixes: Uint32Array,
  bits: Uint8Array,
  kinds: readonly AddressClass[],
): AddressClass | null {
  for (let i = 0; i < prefixes.length; i++) {
    const mask = bits[i] === 0 ? 0 : (0xffffffff << (32 - bits[i])) >>> 0;
    if (((word & mask) >>> 0) === prefixes[i]) return kinds[i];
  }
  return null;
}

/** The class of an address, or null when it is a public one. */
export function classifyAddress(
  version: number,
  words: ArrayLike<number>,
  at: number,
): AddressClass | null {
  const first = words[at] >>> 0;
  if (version === 4) return classOf(first, V4_PREFIXES, V4_BITS, V4_KINDS);
  const rest = (words[at + 1] | words[at + 2]) >>> 0;
  const last = words[at + 3] >>> 0;
  if (first === 0 && rest === 0 && (last === 0 || last === 1)) {
    return last === 1 ? 'loopback' : 'reserved';
  }
  if (first === 0 && words[at + 1] === 0 && words[at + 2] === 0xffff) {
    return classOf(last, V4_PREFIXES, V4_BITS, V4_KINDS); // IPv4-mapped
  }
  return classOf(first, V6_PREFIXES, V6_BITS, V6_KINDS);
}

/**
 * What an mmdb reader (mmdb-lib's Reader, or maxmind's) gives back:
 * country databases carry `country_code`, MaxMind's `country.iso_code`.
 */
export interface CountryRecord {
  country_code?: string;
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
}

export interface CountryReader {
  get(address: string): CountryRecord | null;
  /** 4 for a database of IPv4 addresses only (mmdb metadata). */
  metadata?: { ipVersion: number };
}

/** Country codes and classes by flow end, as indexes into `codes`. */
export interface FlowCountries {
  src: Uint16Array;
  dst: Uint16Array;
  /** Index 0 is '' (unknown). */
  codes: string[];
}

/** What SearchTree needs of an mmdb file: its bytes and its metadata. */
export interface MmdbTree {
  bytes: Uint8Array;
  nodeCount: number;
  /** Bits per record: 24, 28 or 32. */
  recordSize: number;
  /** 4 for an IPv4-only tree, 6 for one that holds both. */
  ipVersion: number;
}

/**
 * An mmdb file's search tree, walked from an address's words: the same
 * walk mmdb-lib's reader makes from the address's text, without making
 * the text, parsing it back and decoding the record each time.
 *
 *   node n, at n * (recordSize / 4) bytes: | left record | right record |
 *
 * A record below nodeCount is the next node; nodeCount itself means no
 * data; above it, a pointer into the data section.
 */
export class SearchTree {
  private readonly bytes: Uint8Array;
  private readonly nodeCount: number;
  private readonly recordSize: number;
  private readonly nodeBytes: number;
  /** The node an IPv4 address starts from: 96 zero bits in. */
  private readonly ipv4Start: number;

  constructor(tree: MmdbTree) {
    if (![24, 28, 32].includes(tree.recordSize)) {
      throw new Error(`mmdb: records of ${tree.recordSize} bits`);
    }
    this.bytes = tree.bytes;
    this.nodeCount = tree.nodeCount;
    this.recordSize = tree.recordSize;
    this.nodeBytes = tree.recordSize / 4;
    let start = 0;
    if (tree.ipVersion !== 4) {
      for (let i = 0; i < 96 && start < this.nodeCount; i++) {
        start = this.record(start, 0);
      }
    }
    this.ipv4Start = start;
  }

  /** The data pointer of an address (4 words, as in the flow columns), or 0. */
  find(version: number, words: ArrayLike<number>, at: number): number {
    const bits = version === 4 ? 32 : 128;
    const nodeCount = this.nodeCount;
    let node = version === 4 ? this.ipv4Start : 0;
    for (let depth = 0; depth < bits && node < nodeCount; depth++) {
      const word = words[at + (depth >>> 5)];
      node = this.record(node, (word >>> (31 - (depth & 31))) & 1);
    }
    return node > nodeCount ? node : 0;
  }

  /** Node `node`'s left (side 0) or right (side 1) record. */
  private record(node: number, side: number): number {
    const b = this.bytes;
    const at = node * this.nodeBytes;
    switch (this.recordSize) {
      case 24: {
        const p = at + side * 3;
        return (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
      }
      case 28:
        return side === 0
          ? ((b[at + 3] & 0xf0) << 20) | (b[at] << 16) | (b[at + 1] << 8) |
            b[at + 2]
          : ((b[at + 3] & 0x0f) << 24) | (b[at + 4] << 16) |
            (b[at + 5] << 8) | b[at + 6];
      default: {
        const p = at + side * 4;
        return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) |
          b[p + 3]) >>> 0;
      }
    }
  }
}

/**
 * Names the country of each address: a class for special ranges, else
 * what the database says, else '' (unknown). With the database's search
 * tree, an address is walked to its record's pointer and the reader is
 * asked once per record (a country database has a few hundred); without
 * it, the reader is asked once per address. Callers ask once per distinct
 * address (locateAddresses()).
 */
export class GeoLocator {
  /** Codes by data pointer (see SearchTree). */
  private readonly byPointer = new Map<number, string>();
  /**
   * An IPv4 database knows no IPv6 address; asked for one, mmdb-lib walks
   * its first 32 bits as if they were an IPv4 address and names that
   * address's country.
   */
  private readonly ipv4Only: boolean;

  constructor(
    private readonly reader: CountryReader | null,
    private readonly tree: SearchTree | null = null,
  ) {
    this.ipv4Only = reader?.metadata?.ipVersion === 4;
  }

  locate(version: number, words: ArrayLike<number>, at: number): string {
    const kind = classifyAddress(version, words, at);
    if (kind !== null) return kind;
    if (this.reader === null || (version !== 4 && this.ipv4Only)) return '';
    if (this.tree === null) return this.lookUp(version, words, at);
    const pointer = this.tree.find(version, words, at);
    if (pointer === 0) return '';
    let code = this.byPointer.get(pointer);
    if (code === undefined) {
      code = this.lookUp(version, words, at);
      this.byPointer.set(pointer, code);
    }
    return code;
  }

  private lookUp(version: number, words: ArrayLike<number>, at: number) {
    const record = (this.reader as CountryReader).get(
      formatAddress(version, words, at));
    return (record?.country_code ?? record?.country?.iso_code ??
      record?.registered_country?.iso_code ?? '').toUpperCase();
  }

  /**
   * Countries of both ends of every flow, each distinct address located
   * once.
   */
  locateFlows(index: AddressIndex): FlowCountries {
    const located = locateAddresses(index,
      (version, words, at) => this.locate(version, words, at));
    return flowCountries(index, located);
  }
}
