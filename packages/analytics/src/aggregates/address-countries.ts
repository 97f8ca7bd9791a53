import type { FlowCountries } from '../geo.js';
import type { AddressIndex } from './address-index.js';

/** Country (or class) codes per indexed address. */
export interface AddressCountries {
  /** Index 0 is '' (unknown). */
  codes: string[];
  /** Per address, an index into `codes`. */
  byAddress: Uint16Array;
}

/**
 * Locates every distinct address once (a GeoLocator's `locate`), then
 * gives each flow end its address's code: a busy capture's cost is its
 * address count, not its flow count.
 */
export function locateAddresses(
  index: AddressIndex,
  locate: (version: number, words: Uint32Array, at: number) => string,
): AddressCountries {
  const codes = [''];
  const codeIndex = new Map<string, number>([['', 0]]);
  const byAddress = new Uint16Array(index.count);
  for (let id = 0; id < index.count; id++) {
    const code = locate(index.version[id], index.words, id * 4);
    let i = codeIndex.get(code);
    if (i === undefined) {
      i = codes.length;
      codes.push(code);
      codeIndex.set(code, i);
    }
    byAddress[id] = i;
  }
  return { codes, byAddress };
}

/** The per-flow form the filter and the flow records read. */
export function flowCountries(
  index: AddressIndex,
  located: AddressCountries,
): FlowCountries {
  const src = new Uint16Array(index.src.length);
  const dst = new Uint16Array(index.dst.length);
  for (let flow = 0; flow < src.length; flow++) {
    src[flow] = located.byAddress[index.src[flow]];
    dst[flow] = located.byAddress[index.dst[flow]];
  }
  return { src, dst, codes: located.codes };
}
