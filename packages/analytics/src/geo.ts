import { formatAddress } from './address.js';
import type { FlowColumns } from './flow-table.js';

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

/** [first word, mask bits, class] for IPv4, most specific first. */
const V4_CLASSES: Array<[number, number, AddressClass]> = [
  // Azure's platform address (DNS, DHCP, health probes) in every VNet.
  [0xa83f8110, 32, 'azure'], // 168.63.129.16
  [0xffffffff, 32, 'multicast'], // limited broadcast
  [0x0a000000, 8, 'private'],
  [0xac100000, 12, 'private'],
  [0xc0a80000, 16, 'private'],
  [0x7f000000, 8, 'loopback'],
  [0xa9fe0000, 16, 'link-local'],
  [0x64400000, 10, 'cgnat'],
  [0xc0000200, 24, 'documentation'],
  [0xc6336400, 24, 'documentation'],
  [0xcb007100, 24, 'documentation'],
  [0xe0000000, 4, 'multicast'],
  [0x00000000, 8, 'reserved'],
  [0xc6120000, 15, 'reserved'], // benchmarking
  [0xf0000000, 4, 'reserved'],
];

/** [first 32 bits, mask bits (<= 32), class] for IPv6. */
const V6_CLASSES: Array<[number, number, AddressClass]> = [
  [0xfc000000, 7, 'private'], // unique local
  [0xfe800000, 10, 'link-local'],
  [0xff000000, 8, 'multicast'],
  [0x20010db8, 32, 'documentation'],
];

function matches(word: number, prefix: number, bits: number): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((word & mask) >>> 0) === prefix;
}

/** The class of an address, or null when it is a public one. */
export function classifyAddress(
  version: number,
  words: ArrayLike<number>,
  at: number,
): AddressClass | null {
  const first = words[at] >>> 0;
  if (version === 4) {
    for (const [prefix, bits, kind] of V4_CLASSES) {
      if (matches(first, prefix, bits)) return kind;
    }
    return null;
  }
  const rest = (words[at + 1] | words[at + 2]) >>> 0;
  const last = words[at + 3] >>> 0;
  if (first === 0 && rest === 0 && (last === 0 || last === 1)) {
    return last === 1 ? 'loopback' : 'reserved';
  }
  if (first === 0 && words[at + 1] === 0 && words[at + 2] === 0xffff) {
    return classifyAddress(4, [last], 0); // IPv4-mapped
  }
  for (const [prefix, bits, kind] of V6_CLASSES) {
    if (matches(first, prefix, bits)) return kind;
  }
  return null;
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
 * what the database says, else '' (unknown). Answers are cached per
 * address, so a busy host costs one lookup.
 */
export class GeoLocator {
  private readonly cache = new Map<string, string>();
  /** IPv4 answers by address as a number: no text made to find them. */
  private readonly ipv4Cache = new Map<number, string>();

  constructor(private readonly reader: CountryReader | null) {}

  locate(version: number, words: ArrayLike<number>, at: number): string {
    if (version !== 4) return this.lookUp(version, words, at);
    const word = words[at] >>> 0;
    let code = this.ipv4Cache.get(word);
    if (code === undefined) {
      code = this.lookUp(4, words, at);
      this.ipv4Cache.set(word, code);
    }
    return code;
  }

  private lookUp(version: number, words: ArrayLike<number>, at: number) {
    const kind = classifyAddress(version, words, at);
    if (kind !== null) return kind;
    if (this.reader === null) return '';
    const text = formatAddress(version, words, at);
    let code = this.cache.get(text);
    if (code === undefined) {
      const record = this.reader.get(text);
      code = (record?.country_code ?? record?.country?.iso_code ??
        record?.registered_country?.iso_code ?? '').toUpperCase();
      this.cache.set(text, code);
    }
    return code;
  }

  /** Countries of both ends of every flow. */
  locateFlows(c: FlowColumns): FlowCountries {
    const codes = [''];
    const index = new Map<string, number>([['', 0]]);
    const indexOf = (code: string) => {
      let i = index.get(code);
      if (i === undefined) {
        i = codes.length;
        codes.push(code);
        index.set(code, i);
      }
      return i;
    };
    const src = new Uint16Array(c.count);
    const dst = new Uint16Array(c.count);
    for (let flow = 0; flow < c.count; flow++) {
      const version = c.version[flow];
      src[flow] = indexOf(this.locate(version, c.srcAddr, flow * 4));
      dst[flow] = indexOf(this.locate(version, c.dstAddr, flow * 4));
    }
    return { src, dst, codes };
  }
}
