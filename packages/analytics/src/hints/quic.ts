import { ascii } from './text.js';
import { readClientHelloServerName } from './tls.js';

export const QUIC_VERSION_1 = 0x00000001;
/** RFC 9369 3.1. */
export const QUIC_VERSION_2 = 0x6b3343cf;

/**
 * Long-header packet types as QUIC v1 numbers them. Version 2 puts other
 * numbers on the wire (RFC 9369 3.2); readQuicLongHeader maps them here.
 */
export const QUIC_PACKET_INITIAL = 0;
export const QUIC_PACKET_0RTT = 1;
export const QUIC_PACKET_HANDSHAKE = 2;
export const QUIC_PACKET_RETRY = 3;

export interface QuicLongHeader {
  version: number;
  /** A copy: the frame buffer it came from may be reused. */
  dcid: Uint8Array;
  /** One of QUIC_PACKET_*, for versions 1 and 2; the raw bits otherwise. */
  packetType: number;
}

const LONG_HEADER_BIT = 0x80;
const FIXED_BIT = 0x40;
/** RFC 9000 17.2: a v1 connection id is at most 20 bytes. */
const MAX_CID_BYTES = 20;
/** Header protection samples 16 bytes, 4 bytes after the packet number. */
const SAMPLE_BYTES = 16;
const MAX_PACKET_NUMBER_BYTES = 4;
const TAG_BYTES = 16;

const FRAME_PADDING = 0x00;
const FRAME_PING = 0x01;
const FRAME_ACK = 0x02;
const FRAME_ACK_ECN = 0x03;
const FRAME_CRYPTO = 0x06;
/**
 * CRYPTO bytes gathered from one packet. A ClientHello is a few hundred
 * bytes, some 2 KB with post-quantum key shares; the cap keeps a crafted
 * offset from making us allocate more than this.
 */
const MAX_CRYPTO_BYTES = 16384;
/** Chromium cuts its ClientHello into a handful of frames; far fewer. */
const MAX_CRYPTO_FRAMES = 64;

/** Initial salts and HKDF labels per version (RFC 9001 5.2, RFC 9369 3.3). */
const VERSION_V1_KEYS = {
  salt: hex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a'),
  key: 'quic key',
  iv: 'quic iv',
  hp: 'quic hp',
};
const VERSION_V2_KEYS = {
  salt: hex('0dede3def700a6db819381be6e269dcbf9bd2ed9'),
  key: 'quicv2 key',
  iv: 'quicv2 iv',
  hp: 'quicv2 hp',
};

function hex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

function u32(b: Uint8Array, at: number): number {
  return (
    ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0
  );
}

/** Bytes of the varint at `p` (1, 2, 4 or 8), or -1 when `end` cuts it. */
function varintSize(b: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const size = 1 << (b[p] >> 6);
  return size <= end - p ? size : -1;
}

/**
 * The varint at `p`, whose size varintSize has checked. Values past 2^53
 * lose precision, but every one we compare is bounded far below that.
 */
function varintAt(b: Uint8Array, p: number): number {
  const size = 1 << (b[p] >> 6);
  let value = b[p] & 0x3f;
  for (let i = 1; i < size; i++) value = value * 256 + b[p + i];
  return value;
}

/**
 * Long header (RFC 9000 17.2, RFC 8999 5.1):
 *   flags(1) version(4) dcid_len(1) dcid scid_len(1) scid ...
 * Returns the position after the source connection id, or -1.
 */
function skipLongHeaderIds(b: Uint8Array, at: number, end: number): number {
  if (at < 0 || end - at < 7) return -1;
  const form = LONG_HEADER_BIT | FIXED_BIT;
  if ((b[at] & form) !== form) return -1;
  // Version 0 is version negotiation, which has no packet types.
  if (u32(b, at + 1) === 0) return -1;
  const dcidLength = b[at + 5];
  if (dcidLength > MAX_CID_BYTES || dcidLength + 1 > end - (at + 6)) return -1;
  const scid = at + 6 + dcidLength;
  const scidLength = b[scid];
  if (scidLength > MAX_CID_BYTES || scidLength > end - (scid + 1)) return -1;
  return scid + 1 + scidLength;
}

function packetTypeOf(first: number, version: number): number {
  const bits = (first >> 4) & 3;
  // v2 numbers Retry 0, Initial 1, 0-RTT 2, Handshake 3.
  return version === QUIC_VERSION_2 ? (bits + 3) & 3 : bits;
}

/**
 * The long header a UDP payload starts with: long-header and fixed bits
 * set, a version other than 0, connection ids of at most 20 bytes. Null
 * for a short-header packet, version negotiation, or other bytes. About
 * one random payload in four passes (DNS headers often do): to recognise
 * QUIC off UDP 443, use isQuicInitial, which wants version 1 or 2.
 */
export function readQuicLongHeader(
  b: Uint8Array,
  at: number,
  end: number,
): QuicLongHeader | null {
  if (end > b.length) end = b.length;
  if (skipLongHeaderIds(b, at, end) < 0) return null;
  const version = u32(b, at + 1);
  return {
    version,
    dcid: b.slice(at + 6, at + 6 + b[at + 5]),
    packetType: packetTypeOf(b[at], version),
  };
}

/** Where an Initial packet's parts lie; filled by readInitialLayout. */
class InitialLayout {
  version = 0;
  dcidOffset = 0;
  dcidLength = 0;
  packetNumberOffset = 0;
  /** Where this packet ends; coalesced packets may follow. */
  packetEnd = 0;
}

/** Reused by isQuicInitial, which must not allocate. */
const scratchLayout = new InitialLayout();

/**
 * Initial packet (RFC 9000 17.2.2), after the connection ids:
 *   token_length(varint) token length(varint) packet_number payload
 * True when it is a v1 or v2 Initial whose Length lies within `end` and
 * leaves room for the header-protection sample.
 */
function readInitialLayout(
  b: Uint8Array,
  at: number,
  end: number,
  out: InitialLayout,
): boolean {
  let p = skipLongHeaderIds(b, at, end);
  if (p < 0) return false;
  const version = u32(b, at + 1);
  if (version !== QUIC_VERSION_1 && version !== QUIC_VERSION_2) return false;
  if (packetTypeOf(b[at], version) !== QUIC_PACKET_INITIAL) return false;

  const tokenSize = varintSize(b, p, end);
  if (tokenSize < 0) return false;
  const tokenLength = varintAt(b, p);
  p += tokenSize;
  if (tokenLength > end - p) return false;
  p += tokenLength;

  const lengthSize = varintSize(b, p, end);
  if (lengthSize < 0) return false;
  const length = varintAt(b, p);
  p += lengthSize;
  if (length > end - p || length < MAX_PACKET_NUMBER_BYTES + SAMPLE_BYTES) {
    return false;
  }

  out.version = version;
  out.dcidOffset = at + 6;
  out.dcidLength = b[at + 5];
  out.packetNumberOffset = p;
  out.packetEnd = p + length;
  return true;
}

/**
 * True when the payload starts with a whole QUIC v1 or v2 Initial packet,
 * from either side. Allocates nothing.
 */
export function isQuicInitial(
  b: Uint8Array,
  at: number,
  end: number,
): boolean {
  if (end > b.length) end = b.length;
  return readInitialLayout(b, at, end, scratchLayout);
}

/** WebCrypto, in the browser, its workers and Node 20 alike. */
function subtle() {
  return globalThis.crypto.subtle;
}

async function hmacSha256(
  key: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  const hmac = { name: 'HMAC', hash: 'SHA-256' };
  const k = await subtle().importKey('raw', key, hmac, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, data));
}

/**
 * HKDF-Expand-Label (RFC 8446 7.1) with an empty context, for outputs of
 * at most 32 bytes, which take one HMAC block: T(1) = HMAC(secret, info
 * || 0x01), where info is the HkdfLabel:
 *   length(2) label<7..255> = "tls13 " + label, context<0..255> = empty
 * WebCrypto's HKDF always runs Extract first, so Expand is done by hand.
 */
async function expandLabel(
  secret: Uint8Array,
  label: string,
  length: number,
): Promise<Uint8Array> {
  const fullLabel = ascii('tls13 ' + label);
  const info = new Uint8Array(2 + 1 + fullLabel.length + 1 + 1);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = fullLabel.length;
  info.set(fullLabel, 3);
  info[3 + fullLabel.length] = 0; // empty context
  info[4 + fullLabel.length] = 1; // HKDF block counter
  return (await hmacSha256(secret, info)).slice(0, length);
}

export interface QuicInitialSecrets {
  key: Uint8Array;
  iv: Uint8Array;
  hp: Uint8Array;
}

/**
 * The keys that protect a client's Initial packets, derived from the
 * Destination Connection ID of its first Initial (RFC 9001 5.2):
 *   initial_secret = HKDF-Extract(salt, dcid)
 *   client_secret = HKDF-Expand-Label(initial_secret, "client in", 32)
 * then key (16), iv (12) and hp (16) from client_secret. Null for a
 * version other than 1 and 2.
 */
export async function deriveQuicClientInitialSecrets(
  dcid: Uint8Array,
  version: number,
): Promise<QuicInitialSecrets | null> {
  const keys =
    version === QUIC_VERSION_1
      ? VERSION_V1_KEYS
      : version === QUIC_VERSION_2
        ? VERSION_V2_KEYS
        : null;
  if (keys === null) return null;
  // HKDF-Extract is HMAC with the salt as the key.
  const initialSecret = await hmacSha256(keys.salt, dcid);
  const clientSecret = await expandLabel(initialSecret, 'client in', 32);
  const [key, iv, hp] = await Promise.all([
    expandLabel(clientSecret, keys.key, 16),
    expandLabel(clientSecret, keys.iv, 12),
    expandLabel(clientSecret, keys.hp, 16),
  ]);
  return { key, iv, hp };
}

/**
 * The first 5 bytes of AES-128-ECB(hp, sample), the header-protection
 * mask (RFC 9001 5.4.3). WebCrypto has no ECB mode, but CTR mode with the
 * sample as its counter block gives the same block: CTR XORs the data
 * with AES(counter), so encrypting 5 zero bytes returns the first 5 bytes
 * of AES(sample). The counter only moves on after the first block, so its
 * width does not matter here.
 */
export async function headerProtectionMask(
  hp: Uint8Array,
  sample: Uint8Array,
): Promise<Uint8Array> {
  const key = await subtle().importKey('raw', hp, 'AES-CTR', false, [
    'encrypt',
  ]);
  const params = { name: 'AES-CTR', counter: sample, length: 128 };
  return new Uint8Array(
    await subtle().encrypt(params, key, new Uint8Array(5)),
  );
}

/**
 * The server name in a client's first QUIC v1 or v2 Initial packet: the
 * keys are derived from its Destination Connection ID, header protection
 * and AES-128-GCM removed, and the ClientHello gathered from its CRYPTO
 * frames (in any order within the packet) read as TLS. Null when the
 * packet is not such an Initial, does not decrypt, or names no host.
 * Never rejects.
 *
 * `packet` starts at the QUIC packet (the UDP payload). It is copied
 * before the first await, so its buffer may be reused as soon as this
 * returns its promise. Only the first packet of a coalesced datagram is
 * read.
 *
 * Limit: a ClientHello spread over two Initial packets (as Chrome's with
 * post-quantum key shares can be) gives a name only when it lies in the
 * CRYPTO bytes this packet carries from offset 0 on.
 */
export async function decryptQuicServerName(
  packet: Uint8Array,
): Promise<string | null> {
  const layout = new InitialLayout();
  if (!readInitialLayout(packet, 0, packet.length, layout)) return null;
  const { version, packetNumberOffset, packetEnd } = layout;
  // One copy, taken before any await: the header is unprotected in it,
  // and the caller's bytes stay as they were.
  const bytes = packet.slice(0, packetEnd);
  const dcid = bytes.subarray(
    layout.dcidOffset,
    layout.dcidOffset + layout.dcidLength,
  );
  const sampleOffset = packetNumberOffset + MAX_PACKET_NUMBER_BYTES;
  const sample = bytes.subarray(sampleOffset, sampleOffset + SAMPLE_BYTES);

  try {
    const secrets = await deriveQuicClientInitialSecrets(dcid, version);
    if (secrets === null) return null;
    const mask = await headerProtectionMask(secrets.hp, sample);

    // Long headers protect the low 4 bits of the first byte, which hold
    // the packet number's length, then the packet number itself.
    bytes[0] ^= mask[0] & 0x0f;
    const numberLength = (bytes[0] & 3) + 1;
    const nonce = secrets.iv;
    for (let i = 0; i < numberLength; i++) {
      const at = packetNumberOffset + i;
      bytes[at] ^= mask[1 + i];
      // A client's first packet numbers are small, so the full number is
      // the truncated one (RFC 9000 A.3, nothing received yet); the nonce
      // is the iv XOR the number, right-aligned.
      nonce[nonce.length - numberLength + i] ^= bytes[at];
    }

    const payloadOffset = packetNumberOffset + numberLength;
    const key = await subtle().importKey('raw', secrets.key, 'AES-GCM', false, [
      'decrypt',
    ]);
    const params = {
      name: 'AES-GCM',
      iv: nonce,
      additionalData: bytes.subarray(0, payloadOffset),
      tagLength: 8 * TAG_BYTES,
    };
    const plaintext = await subtle().decrypt(
      params,
      key,
      bytes.subarray(payloadOffset),
    );
    return readInitialServerName(new Uint8Array(plaintext));
  } catch {
    // A packet that fails authentication is not a client Initial (or not
    // for these keys); WebCrypto reports that by rejecting.
    return null;
  }
}

/**
 * ACK frame (RFC 9000 19.3), after its type:
 *   largest(i) delay(i) range_count(i) first_range(i)
 *   range_count x (gap(i) length(i)) [ect0(i) ect1(i) ce(i)]
 * Returns the position after it, or -1.
 */
function skipAckFrame(
  b: Uint8Array,
  p: number,
  end: number,
  hasEcn: boolean,
): number {
  let rangeCount = 0;
  for (let field = 0; field < 4; field++) {
    const size = varintSize(b, p, end);
    if (size < 0) return -1;
    if (field === 2) rangeCount = varintAt(b, p);
    p += size;
  }
  // Each further range takes at least 2 bytes; more than fit is garbage.
  if (rangeCount > (end - p) / 2) return -1;
  const fields = 2 * rangeCount + (hasEcn ? 3 : 0);
  for (let field = 0; field < fields; field++) {
    const size = varintSize(b, p, end);
    if (size < 0) return -1;
    p += size;
  }
  return p;
}

/**
 * The server name from a decrypted Initial payload: CRYPTO frames are put
 * at their offsets, and the ClientHello is read as far as the bytes from
 * offset 0 run without a gap. PADDING, PING and ACK are skipped; any other
 * frame ends the walk, as does a malformed one.
 */
export function readInitialServerName(frames: Uint8Array): string | null {
  const end = frames.length;
  // Triples of (stream offset, position in frames, length).
  const pieces: number[] = [];
  let helloLength = 0;
  let p = 0;
  walk: while (p < end) {
    // Frame types are varints in their shortest form; the ones we read
    // are all below 64, so one byte.
    const type = frames[p++];
    switch (type) {
      case FRAME_PADDING:
      case FRAME_PING:
        continue;
      case FRAME_ACK:
      case FRAME_ACK_ECN:
        p = skipAckFrame(frames, p, end, type === FRAME_ACK_ECN);
        if (p < 0) break walk;
        continue;
      case FRAME_CRYPTO: {
        // CRYPTO: offset(i) length(i) data
        const offsetSize = varintSize(frames, p, end);
        if (offsetSize < 0) break walk;
        const offset = varintAt(frames, p);
        p += offsetSize;
        const lengthSize = varintSize(frames, p, end);
        if (lengthSize < 0) break walk;
        const length = varintAt(frames, p);
        p += lengthSize;
        if (length > end - p || offset + length > MAX_CRYPTO_BYTES) break walk;
        if (pieces.length === 3 * MAX_CRYPTO_FRAMES) break walk;
        pieces.push(offset, p, length);
        helloLength = Math.max(helloLength, offset + length);
        p += length;
        continue;
      }
      default:
        break walk;
    }
  }
  if (helloLength === 0) return null;

  const hello = new Uint8Array(helloLength);
  for (let i = 0; i < pieces.length; i += 3) {
    const at = pieces[i + 1];
    hello.set(frames.subarray(at, at + pieces[i + 2]), pieces[i]);
  }
  // Grow the gap-free prefix until no piece extends it; at most one pass
  // per piece.
  let covered = 0;
  for (let grew = true; grew; ) {
    grew = false;
    for (let i = 0; i < pieces.length; i += 3) {
      const pieceEnd = pieces[i] + pieces[i + 2];
      if (pieces[i] <= covered && pieceEnd > covered) {
        covered = pieceEnd;
        grew = true;
      }
    }
  }
  return readClientHelloServerName(hello, 0, covered);
}
