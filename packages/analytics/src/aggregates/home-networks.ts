import type { Value } from '../filter/ast.js';
import { FilterError } from '../filter/lexer.js';
import type { Network } from '../filter/values.js';
import { inNetwork, parseNetwork } from '../filter/values.js';
import type { AddressIndex } from './address-index.js';

/**
 * Networks that are "here" by default: private, CGNAT and link-local
 * ranges. The user may add a VNet's own prefixes, or take these away.
 */
export const DEFAULT_HOME_NETWORKS: readonly string[] = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10',
  '169.254.0.0/16', 'fc00::/7', 'fe80::/10',
];

/** Which end of a flow is the remote one. */
export const REMOTE_DST = 0;
export const REMOTE_SRC = 1;
/** Both ends are home: the flow stays inside. */
export const REMOTE_NONE = 2;

export interface ParsedNetworks {
  networks: Network[];
  /** One message per entry that is no network, naming it. */
  errors: string[];
}

/** One network per entry; blank entries and `#` comments are skipped. */
export function parseHomeNetworks(lines: readonly string[]): ParsedNetworks {
  const networks: Network[] = [];
  const errors: string[] = [];
  for (const line of lines) {
    const text = line.replace(/#.*/, '').trim();
    if (text === '') continue;
    const value: Value = { text, quoted: false, position: 0 };
    try {
      networks.push(parseNetwork(value));
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      errors.push(`"${text}" is not a network such as 10.1.0.0/16`);
    }
  }
  return { networks, errors };
}

/** 1 for each indexed address inside one of `networks`. */
export function homeMask(
  index: AddressIndex,
  networks: readonly Network[],
): Uint8Array {
  const mask = new Uint8Array(index.count);
  for (let id = 0; id < index.count; id++) {
    const version = index.version[id];
    for (const network of networks) {
      if (network.version === version &&
        inNetwork(index.words, id * 4, network)) {
        mask[id] = 1;
        break;
      }
    }
  }
  return mask;
}

/**
 * The remote end of every flow: the end outside the home networks. When
 * both ends are outside (a VM with a public address not listed as home),
 * the destination, the side that was contacted, counts as remote; when
 * both are inside, neither does.
 */
export function remoteSides(index: AddressIndex, home: Uint8Array): Uint8Array {
  const sides = new Uint8Array(index.src.length);
  for (let flow = 0; flow < sides.length; flow++) {
    const srcHome = home[index.src[flow]] === 1;
    const dstHome = home[index.dst[flow]] === 1;
    sides[flow] = srcHome && dstHome ? REMOTE_NONE
      : dstHome ? REMOTE_SRC : REMOTE_DST;
  }
  return sides;
}
