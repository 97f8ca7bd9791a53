import { hostText } from './text.js';

const CONTENT_CHANGE_CIPHER_SPEC = 20;
const CONTENT_APPLICATION_DATA = 23;
const CONTENT_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;
const EXTENSION_SERVER_NAME = 0;
const NAME_TYPE_HOST_NAME = 0;

const RECORD_HEADER_BYTES = 5;
const HANDSHAKE_HEADER_BYTES = 4;
/** legacy_version (2) and random (32) open every ClientHello. */
const HELLO_FIXED_BYTES = 34;
/** RFC 8446 5.1 caps a session id at 32 bytes. */
const MAX_SESSION_ID_BYTES = 32;
/**
 * A record's fragment is at most 2^14 bytes, plus 2048 of expansion in
 * TLS 1.2 and earlier (RFC 5246 6.2.3); anything longer is not TLS.
 */
const MAX_RECORD_BYTES = 16384 + 2048;
/** A DNS name is at most 253 characters; an SNI longer is not a host. */
const MAX_HOST_NAME_BYTES = 253;

function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

/** Record versions run from SSL 3.0 (0x0300) to TLS 1.3's 0x0304. */
function isRecordVersion(b: Uint8Array, at: number): boolean {
  return b[at] === 3 && b[at + 1] <= 4;
}

/**
 * True when the payload starts with a TLS record header: a content type
 * from change_cipher_spec (20) to application_data (23), a version from
 * 0x0300 to 0x0304, and a length a record can have. Recognises TLS on any
 * port, from either side and at any point of a connection that starts on
 * a record boundary.
 */
export function isTlsRecord(b: Uint8Array, at: number, end: number): boolean {
  if (end > b.length) end = b.length;
  if (at < 0 || end - at < RECORD_HEADER_BYTES) return false;
  const type = b[at];
  if (type < CONTENT_CHANGE_CIPHER_SPEC || type > CONTENT_APPLICATION_DATA) {
    return false;
  }
  const length = u16(b, at + 3);
  return isRecordVersion(b, at + 1) && length > 0 && length <= MAX_RECORD_BYTES;
}

/**
 * The server name a TLS ClientHello asks for, from a payload that starts
 * with the handshake record, or null when it is not one or names no host.
 * A ClientHello longer than the payload (one record over several TCP
 * segments) is read as far as the payload goes: the name is found when it
 * lies in this segment. Names are lower-cased and escaped (see text.ts).
 *
 * Limits: a ClientHello split over several records is read only as far as
 * its first record goes; the SSL 2.0 compatible ClientHello is not read.
 */
export function readTlsServerName(
  b: Uint8Array,
  at: number,
  end: number,
): string | null {
  if (end > b.length) end = b.length;
  if (at < 0 || end - at < RECORD_HEADER_BYTES) return null;
  if (b[at] !== CONTENT_HANDSHAKE || !isRecordVersion(b, at + 1)) return null;
  const recordLength = u16(b, at + 3);
  if (recordLength > MAX_RECORD_BYTES) return null;

  const fragment = at + RECORD_HEADER_BYTES;
  const fragmentEnd = Math.min(end, fragment + recordLength);
  return readClientHelloServerName(b, fragment, fragmentEnd);
}

/**
 * The server name from a ClientHello handshake message (its 4-byte header
 * first, no record header), as TLS over TCP and QUIC's CRYPTO stream both
 * carry it. The message may be cut at `end`; null unless the server_name
 * extension's host_name lies whole before it.
 */
export function readClientHelloServerName(
  b: Uint8Array,
  at: number,
  end: number,
): string | null {
  if (end > b.length) end = b.length;
  if (at < 0 || end - at < HANDSHAKE_HEADER_BYTES) return null;
  if (b[at] !== HANDSHAKE_CLIENT_HELLO) return null;
  const bodyLength = (b[at + 1] << 16) | u16(b, at + 2);
  let p = at + HANDSHAKE_HEADER_BYTES;
  const bodyEnd = Math.min(end, p + bodyLength);

  // ClientHello: legacy_version(2) random(32) session_id<0..32>
  //   cipher_suites<2..2^16-2> compression_methods<1..2^8-1>
  //   extensions<8..2^16-1>
  if (bodyEnd - p < HELLO_FIXED_BYTES + 1 || b[p] !== 3) return null;
  p += HELLO_FIXED_BYTES;
  const sessionIdLength = b[p];
  if (sessionIdLength > MAX_SESSION_ID_BYTES) return null;
  if (1 + sessionIdLength + 2 > bodyEnd - p) return null;
  p += 1 + sessionIdLength;

  const suitesLength = u16(b, p);
  if (suitesLength < 2 || (suitesLength & 1) !== 0) return null;
  if (2 + suitesLength + 1 > bodyEnd - p) return null;
  p += 2 + suitesLength;

  const compressionLength = b[p];
  if (compressionLength < 1) return null;
  if (1 + compressionLength + 2 > bodyEnd - p) return null;
  p += 1 + compressionLength;

  const extensionsEnd = Math.min(bodyEnd, p + 2 + u16(b, p));
  p += 2;
  // Each extension: type(2) length(2) data. Only the length checks bound
  // this walk; it moves forward by at least 4 bytes a step.
  while (extensionsEnd - p >= 4) {
    const type = u16(b, p);
    const length = u16(b, p + 2);
    p += 4;
    if (type === EXTENSION_SERVER_NAME) {
      return readServerNameList(b, p, Math.min(extensionsEnd, p + length));
    }
    if (length > extensionsEnd - p) return null;
    p += length;
  }
  return null;
}

/**
 * server_name extension data (RFC 6066 3):
 *   server_name_list<1..2^16-1>, each entry name_type(1) HostName<1..2^16-1>
 */
function readServerNameList(
  b: Uint8Array,
  at: number,
  end: number,
): string | null {
  if (end - at < 2) return null;
  let p = at + 2;
  const listEnd = Math.min(end, p + u16(b, at));
  while (listEnd - p >= 3) {
    const nameType = b[p];
    const length = u16(b, p + 1);
    p += 3;
    if (length > listEnd - p) return null;
    if (nameType === NAME_TYPE_HOST_NAME) {
      if (length === 0 || length > MAX_HOST_NAME_BYTES) return null;
      return hostText(b, p, p + length);
    }
    p += length;
  }
  return null;
}
