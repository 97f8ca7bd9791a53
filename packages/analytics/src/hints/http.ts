import { ascii, hostText, startsWith } from './text.js';

export interface HttpRequestHint {
  method: string;
  /** The Host header, trimmed and lower-cased; null when absent or cut. */
  host: string | null;
}

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'CONNECT',
  'TRACE',
];
/** The same names as bytes, so matching a payload allocates nothing. */
const METHOD_BYTES = METHODS.map(ascii);

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const HOST = ascii('host');
const HTTP_SLASH = ascii('HTTP/');
const HTTP_1_DOT = ascii('HTTP/1.');
/** "HTTP/1.1": every HTTP/1.x version token has 8 bytes. */
const VERSION_BYTES = 8;
/** A name of 253 characters and a port; longer is not a host. */
const MAX_HOST_BYTES = 253 + 6;

/** The index in METHODS of the method the payload starts with, or -1. */
function matchMethod(b: Uint8Array, at: number, end: number): number {
  for (let m = 0; m < METHOD_BYTES.length; m++) {
    const name = METHOD_BYTES[m];
    if (end - at > name.length && b[at + name.length] === SPACE) {
      if (startsWith(b, at, end, name)) return m;
    }
  }
  return -1;
}

/** Position of the next LF in [at, end), or -1. */
function findLineFeed(b: Uint8Array, at: number, end: number): number {
  for (let i = at; i < end; i++) if (b[i] === LF) return i;
  return -1;
}

/** The bytes at `at`, ASCII letters folded to lower case, are `lower`. */
function startsWithFolded(b: Uint8Array, at: number, lower: Uint8Array) {
  for (let i = 0; i < lower.length; i++) {
    // OR-ing 0x20 folds only letters onto `lower`'s letters.
    if ((b[at + i] | 0x20) !== lower[i]) return false;
  }
  return true;
}

/**
 * An HTTP/1.x request at the start of a payload: its method (GET, POST,
 * PUT, DELETE, HEAD, OPTIONS, PATCH, CONNECT or TRACE) and its Host
 * header, trimmed, lower-cased and escaped (see text.ts), port included.
 * Null when the payload does not start with such a request line. A
 * request line cut by `end` still gives the method; a Host header counts
 * only when its line ends before `end`, so a cut name is never reported.
 */
export function readHttpRequest(
  b: Uint8Array,
  at: number,
  end: number,
): HttpRequestHint | null {
  if (end > b.length) end = b.length;
  if (at < 0) return null;
  const method = matchMethod(b, at, end);
  if (method < 0) return null;

  // Request line: method SP request-target SP HTTP-version CRLF
  const target = at + METHOD_BYTES[method].length + 1;
  if (target >= end || b[target] <= SPACE) return null;
  const requestEnd = findLineFeed(b, target, end);
  if (requestEnd < 0) return { method: METHODS[method], host: null };
  let versionEnd = requestEnd;
  if (b[versionEnd - 1] === CR) versionEnd--;
  const version = versionEnd - VERSION_BYTES;
  if (version <= target || b[version - 1] !== SPACE) return null;
  if (!startsWith(b, version, versionEnd, HTTP_SLASH)) return null;

  // Header lines up to the empty one; the first Host wins.
  let host: string | null = null;
  let p = requestEnd + 1;
  while (p < end) {
    const lineFeed = findLineFeed(b, p, end);
    if (lineFeed < 0) break;
    let lineEnd = lineFeed;
    if (lineEnd > p && b[lineEnd - 1] === CR) lineEnd--;
    if (lineEnd === p) break;
    const colon = p + HOST.length;
    const isHost =
      lineEnd > colon && b[colon] === COLON && startsWithFolded(b, p, HOST);
    if (isHost) {
      host = readHeaderValue(b, colon + 1, lineEnd);
      break;
    }
    p = lineFeed + 1;
  }
  return { method: METHODS[method], host };
}

/** A header value without the spaces and tabs around it, or null. */
function readHeaderValue(
  b: Uint8Array,
  at: number,
  end: number,
): string | null {
  while (at < end && (b[at] === SPACE || b[at] === TAB)) at++;
  while (end > at && (b[end - 1] === SPACE || b[end - 1] === TAB)) end--;
  if (at === end || end - at > MAX_HOST_BYTES) return null;
  return hostText(b, at, end);
}

/** True when the payload starts with an HTTP/1.x status line's version. */
export function isHttpResponse(
  b: Uint8Array,
  at: number,
  end: number,
): boolean {
  if (end > b.length) end = b.length;
  if (at < 0 || !startsWith(b, at, end, HTTP_1_DOT)) return false;
  // "HTTP/1." digit SP
  const minor = at + HTTP_1_DOT.length;
  if (end - minor < 2) return false;
  return b[minor] >= 0x30 && b[minor] <= 0x39 && b[minor + 1] === SPACE;
}
