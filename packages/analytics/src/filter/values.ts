import { parseTime } from '@capscope/parser/time';
import type { Value } from './ast.js';
import { FilterError } from './lexer.js';

/** An address with a prefix length, as words like the flow columns. */
export interface Network {
  version: 4 | 6;
  words: Uint32Array;
  prefix: number;
}

function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let word = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    word = word * 256 + Number(part);
  }
  return word;
}

function parseIpv6(text: string): Uint32Array | null {
  let head = text;
  let tail = '';
  const gap = text.indexOf('::');
  if (gap >= 0) {
    if (text.indexOf('::', gap + 1) >= 0) return null;
    head = text.slice(0, gap);
    tail = text.slice(gap + 2);
  }
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === null) return null;
        groups.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return groups;
  };
  const first = groupsOf(head);
  const last = groupsOf(tail);
  if (!first || !last) return null;
  const missing = 8 - first.length - last.length;
  if (gap < 0 ? missing !== 0 : missing < 1) return null;
  const groups = [...first, ...new Array<number>(gap < 0 ? 0 : missing).fill(0),
    ...last];
  const words = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    words[i] = ((groups[i * 2] << 16) | groups[i * 2 + 1]) >>> 0;
  }
  return words;
}

/** "10.0.0.0/8", "2001:db8::/32" or a single address. */
export function parseNetwork(value: Value): Network {
  const [address, prefixText, extra] = value.text.split('/');
  const v4 = parseIpv4(address);
  const v6 = v4 === null ? parseIpv6(address) : null;
  if (extra !== undefined || (v4 === null && v6 === null)) {
    throw new FilterError(`"${value.text}" is not an IP address or network.`,
      value.position, 'an address such as 192.0.2.1, 2001:db8::1 or ' +
        '10.0.0.0/8');
  }
  const version = v4 !== null ? 4 : 6;
  const bits = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? '0') || prefix > bits) {
    throw new FilterError(`"/${prefixText}" is not a prefix length.`,
      value.position + address.length, `a prefix length from 0 to ${bits}`);
  }
  const words = v6 ?? Uint32Array.of(v4 as number, 0, 0, 0);
  return { version, words: maskWords(words, prefix), prefix };
}

export function maskWords(words: Uint32Array, prefix: number): Uint32Array {
  const out = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const bits = Math.max(0, Math.min(32, prefix - i * 32));
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    out[i] = (words[i] & mask) >>> 0;
  }
  return out;
}

/** True when the address at `at` in `column` lies in `network`. */
export function inNetwork(
  column: Uint32Array,
  at: number,
  network: Network,
): boolean {
  const { words, prefix } = network;
  for (let i = 0; i < 4; i++) {
    const bits = prefix - i * 32;
    if (bits <= 0) return true;
    const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    if (((column[at + i] & mask) >>> 0) !== words[i]) return false;
  }
  return true;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  b: 1,
};

const DURATION_UNITS: Record<string, number> = {
  '': 1,
  ns: 1e-9,
  us: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86400,
};

function parseScaled(
  value: Value,
  units: Record<string, number>,
  what: string,
): number {
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(value.text);
  const unit = m ? units[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new FilterError(`"${value.text}" is not ${what}.`, value.position,
      what);
  }
  return Number(m[1]) * unit;
}

/** A count or size: 1500, 10k, 1M, 2GiB (k, M, G are powers of 1000). */
export function parseSize(value: Value): number {
  return parseScaled(value, SIZE_UNITS,
    'a number (units k, M, G or KiB, MiB, GiB)');
}

/** Seconds: 10s, 500ms, 5m, 1h, or a bare number of seconds. */
export function parseDuration(value: Value): number {
  return parseScaled(value, DURATION_UNITS,
    'a duration such as 500ms, 10s, 5m or 1h');
}

export function parsePort(value: Value): number {
  const n = Number(value.text);
  if (!/^\d+$/.test(value.text) || n > 65535) {
    throw new FilterError(`"${value.text}" is not a port.`, value.position,
      'a port number from 0 to 65535');
  }
  return n;
}

/** A time as UTC seconds and nanoseconds. */
export function parseTimeValue(value: Value): { seconds: number; nanos: number } {
  if (/^\d+(\.\d{1,9})?$/.test(value.text)) {
    const [whole, fraction = ''] = value.text.split('.');
    return { seconds: Number(whole), nanos: Number(fraction.padEnd(9, '0')) };
  }
  const time = parseTime(value.text);
  if (!time) {
    throw new FilterError(`"${value.text}" is not a time.`, value.position,
      'a time such as "2025-11-30 10:00:00" (UTC) or epoch seconds');
  }
  return time;
}
