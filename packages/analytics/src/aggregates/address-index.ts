import { formatAddress } from '../address.js';
import type { FlowColumns } from '../flow-table.js';

/**
 * Every distinct address of a capture, once, and each flow's two ends as
 * indexes into that list. Per-address work (GeoIP, home networks, the
 * endpoints table) then runs once per address, and per-address totals are
 * plain array sums instead of map lookups per flow.
 */
export interface AddressIndex {
  count: number;
  /** 4 or 6, per address. */
  version: Uint8Array;
  /** Four words per address, as in the flow columns. */
  words: Uint32Array;
  /** Per flow: the address index of its source and destination. */
  src: Uint32Array;
  dst: Uint32Array;
}

/** Builds the index in one pass; about 2 map lookups per flow. */
export function indexAddresses(c: FlowColumns): AddressIndex {
  const v4 = new Map<number, number>();
  const v6 = new Map<string, number>();
  let version = new Uint8Array(1024);
  let words = new Uint32Array(4096);
  let count = 0;

  const idOf = (flowVersion: number, column: Uint32Array, at: number) => {
    let id: number | undefined;
    let key = '';
    if (flowVersion === 4) {
      id = v4.get(column[at]);
    } else {
      key = v6Key(column, at);
      id = v6.get(key);
    }
    if (id !== undefined) return id;
    if (count === version.length) {
      const grownVersion = new Uint8Array(count * 2);
      grownVersion.set(version);
      version = grownVersion;
      const grownWords = new Uint32Array(count * 8);
      grownWords.set(words);
      words = grownWords;
    }
    id = count++;
    version[id] = flowVersion;
    for (let i = 0; i < 4; i++) words[id * 4 + i] = column[at + i];
    if (flowVersion === 4) v4.set(column[at], id);
    else v6.set(key, id);
    return id;
  };

  const src = new Uint32Array(c.count);
  const dst = new Uint32Array(c.count);
  for (let flow = 0; flow < c.count; flow++) {
    src[flow] = idOf(c.version[flow], c.srcAddr, flow * 4);
    dst[flow] = idOf(c.version[flow], c.dstAddr, flow * 4);
  }
  return {
    count,
    version: version.slice(0, count),
    words: words.slice(0, count * 4),
    src,
    dst,
  };
}

/**
 * An IPv6 address as a map key: its eight 16-bit groups as the eight
 * UTF-16 units of a string, cheaper to make than any text of it.
 */
function v6Key(words: Uint32Array, at: number): string {
  const a = words[at];
  const b = words[at + 1];
  const c = words[at + 2];
  const d = words[at + 3];
  return String.fromCharCode(a >>> 16, a & 0xffff, b >>> 16, b & 0xffff,
    c >>> 16, c & 0xffff, d >>> 16, d & 0xffff);
}

/** RFC 5952 text of one indexed address. */
export function addressText(index: AddressIndex, id: number): string {
  return formatAddress(index.version[id], index.words, id * 4);
}

/** The index of an address given as text, or -1 when the capture lacks it. */
export function findAddress(index: AddressIndex, text: string): number {
  const wanted = text.trim().toLowerCase();
  for (let id = 0; id < index.count; id++) {
    if (addressText(index, id) === wanted) return id;
  }
  return -1;
}
