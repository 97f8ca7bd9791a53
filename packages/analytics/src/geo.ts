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
}

/** Country codes and classes by flow end, as indexes into `codes`. */
export interface FlowCountries {
  src: Uint16Array;
  dst: Uint16Array;
  /** Index 0 is '' (unknown). */
  codes: string[];
}

/**
 * Names the country of each address: a class for special ranges, else
 * what the database says, else '' (unknown). It keeps no answers: its
 * callers ask once per distinct address (locateAddresses()).
 */
export class GeoLocator {
  constructor(private readonly reader: CountryReader | null) {}

  locate(version: number, words: ArrayLike<number>, at: number): string {
    const kind = classifyAddress(version, words, at);
    if (kind !== null) return kind;
    if (this.reader === null) return '';
    const record = this.reader.get(formatAddress(version, words, at));
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
