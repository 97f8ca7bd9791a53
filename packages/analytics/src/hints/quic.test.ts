import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decryptQuicServerName,
  deriveQuicClientInitialSecrets,
  headerProtectionMask,
  isQuicInitial,
  QUIC_PACKET_HANDSHAKE,
  QUIC_PACKET_INITIAL,
  QUIC_PACKET_RETRY,
  QUIC_VERSION_1,
  QUIC_VERSION_2,
  readInitialServerName,
  readQuicLongHeader,
} from './quic.js';
import {
  capturePayloads,
  clientHello,
  concat,
  guarded,
  randomBytes,
  u16be,
} from './testing.js';

function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** The Destination Connection ID of RFC 9001 Appendix A. */
const RFC_DCID = hex('8394c8f03e515708');
/** RFC 9001 A.2 and RFC 9369 A.2 pad the client Initial to this. */
const PAYLOAD_BYTES = 1162;

const PING = [0x01];

function cryptoFrame(hello: Uint8Array, from: number, to: number): number[] {
  const offset = [0x40 | (from >> 8), from & 0xff];
  const length = [0x40 | ((to - from) >> 8), (to - from) & 0xff];
  return [0x06, ...offset, ...length, ...hello.subarray(from, to)];
}

/**
 * Frames as Chromium sends them: the ClientHello cut into CRYPTO frames
 * that come out of order, with PING, PADDING and an ACK between them.
 */
function shuffledFrames(hello: Uint8Array, cuts = [40, 100]): Uint8Array {
  const [a, b] = cuts;
  const ack = [0x02, 0, 0, 0, 0]; // largest 0, delay 0, no ranges, first 0
  return concat(
    PING,
    cryptoFrame(hello, b, hello.length),
    [0, 0, 0],
    cryptoFrame(hello, 0, a),
    ack,
    cryptoFrame(hello, a, b),
  );
}

/**
 * A client Initial built the way RFC 9001 5 says (and A.2 shows): header
 * with a 4-byte packet number, payload padded to 1162 bytes, AES-128-GCM
 * with the header as associated data, then header protection. Encrypted
 * here with WebCrypto, independently of the reader's own code paths
 * except for the key derivation and mask checked against the RFCs below.
 */
async function protect(
  version: number,
  dcid: Uint8Array,
  frames: Uint8Array,
  packetNumber = 2,
): Promise<Uint8Array> {
  const secrets = await deriveQuicClientInitialSecrets(dcid, version);
  assert.ok(secrets);
  const payload = new Uint8Array(PAYLOAD_BYTES);
  payload.set(frames, 0);
  const length = 4 + payload.length + 16;
  // Long header, fixed bit, Initial (v1: 00, v2: 01), 4-byte number.
  const first = version === QUIC_VERSION_2 ? 0xd3 : 0xc3;
  const pn = [0, 0, packetNumber >> 8, packetNumber & 0xff];
  const header = Uint8Array.from([
    first,
    ...[24, 16, 8, 0].map((shift) => (version >>> shift) & 0xff),
    dcid.length,
    ...dcid,
    0, // source connection id length
    0, // token length
    0x40 | (length >> 8),
    length & 0xff,
    ...pn,
  ]);
  const nonce = secrets.iv.slice();
  for (let i = 0; i < 4; i++) nonce[8 + i] ^= pn[i];

  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', secrets.key, 'AES-GCM', false, [
    'encrypt',
  ]);
  const sealed = await subtle.encrypt(
    { name: 'AES-GCM', iv: nonce, additionalData: header },
    key,
    payload,
  );
  const packet = concat(header, new Uint8Array(sealed));

  const pnOffset = header.length - 4;
  const sample = packet.slice(pnOffset + 4, pnOffset + 20);
  const mask = await headerProtectionMask(secrets.hp, sample);
  packet[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < 4; i++) packet[pnOffset + i] ^= mask[1 + i];
  return packet;
}

test('client Initial keys match RFC 9001 A.1 and RFC 9369 A.1', async () => {
  const v1 = await deriveQuicClientInitialSecrets(RFC_DCID, QUIC_VERSION_1);
  assert.ok(v1);
  assert.equal(toHex(v1.key), '1f369613dd76d5467730efcbe3b1a22d');
  assert.equal(toHex(v1.iv), 'fa044b2f42a3fd3b46fb255c');
  assert.equal(toHex(v1.hp), '9f50449e04a0e810283a1e9933adedd2');

  const v2 = await deriveQuicClientInitialSecrets(RFC_DCID, QUIC_VERSION_2);
  assert.ok(v2);
  assert.equal(toHex(v2.key), '8b1a0bc121284290a29e0971b5cd045d');
  assert.equal(toHex(v2.iv), '91f73e2351d8fa91660e909f');
  assert.equal(toHex(v2.hp), '45b95e15235d6f45a6b19cbcb0294ba9');

  const draft29 = 0xff00001d;
  assert.equal(await deriveQuicClientInitialSecrets(RFC_DCID, draft29), null);
});

test('the header-protection mask matches RFC 9001 A.2', async () => {
  const hp = hex('9f50449e04a0e810283a1e9933adedd2');
  const sample = hex('d1b1c98dd7689fb8ec11d242b123dc9b');
  assert.equal(toHex(await headerProtectionMask(hp, sample)), '437b9aec36');
});

test('the SNI of an RFC-style client Initial, v1 and v2', async () => {
  const frames = shuffledFrames(clientHello('example.com'));
  for (const version of [QUIC_VERSION_1, QUIC_VERSION_2]) {
    const packet = await protect(version, RFC_DCID, frames);
    assert.equal(packet.length, 1200);
    assert.equal(isQuicInitial(packet, 0, packet.length), true);
    const header = readQuicLongHeader(packet, 0, packet.length);
    assert.deepEqual(header, {
      version,
      dcid: RFC_DCID,
      packetType: QUIC_PACKET_INITIAL,
    });
    assert.equal(await decryptQuicServerName(packet), 'example.com');

    // Coalesced bytes after the packet are left alone, and the caller's
    // bytes are not changed.
    const datagram = concat(packet, randomBytes(9, 40));
    const before = datagram.slice();
    assert.equal(await decryptQuicServerName(datagram), 'example.com');
    assert.deepEqual(datagram, before);
  }
});

test('a damaged or foreign packet gives null, never a rejection', async () => {
  const frames = shuffledFrames(clientHello('example.com'));
  const packet = await protect(QUIC_VERSION_1, RFC_DCID, frames);

  const tag = packet.slice();
  tag[tag.length - 1] ^= 1;
  assert.equal(await decryptQuicServerName(tag), null);

  // Another DCID gives other keys.
  const dcid = packet.slice();
  dcid[6] ^= 0x80;
  assert.equal(await decryptQuicServerName(dcid), null);

  // A version we have no salt for.
  const draft = packet.slice();
  draft.set([0xff, 0, 0, 0x1d], 1);
  assert.equal(isQuicInitial(draft, 0, draft.length), false);
  assert.equal(await decryptQuicServerName(draft), null);

  // A short-header packet, and empty input.
  const short = packet.slice();
  short[0] &= 0x7f;
  assert.equal(readQuicLongHeader(short, 0, short.length), null);
  assert.equal(await decryptQuicServerName(short), null);
  assert.equal(await decryptQuicServerName(new Uint8Array(0)), null);
});

test('every cut of the packet: no throw, no read past end', async () => {
  const frames = shuffledFrames(clientHello('cut.example'));
  const packet = await protect(QUIC_VERSION_1, RFC_DCID, frames);
  for (let end = 0; end < packet.length; end++) {
    assert.equal(isQuicInitial(guarded(packet, 0, end), 0, end), false);
    const header = readQuicLongHeader(packet.subarray(0, end), 0, end);
    // Flags, version, dcid length and dcid, scid length: 15 bytes.
    assert.equal(header !== null, end >= 15, `cut at ${end}`);
    assert.equal(await decryptQuicServerName(packet.subarray(0, end)), null);
  }
});

test('long headers: types in v1 and v2, ids up to 20 bytes', () => {
  const make = (first: number, version: number, dcidLength = 8) =>
    Uint8Array.from([
      first,
      ...[24, 16, 8, 0].map((shift) => (version >>> shift) & 0xff),
      dcidLength,
      ...new Array<number>(dcidLength).fill(7),
      0,
    ]);
  const type = (b: Uint8Array) =>
    readQuicLongHeader(b, 0, b.length)?.packetType;
  assert.equal(type(make(0xe0, QUIC_VERSION_1)), QUIC_PACKET_HANDSHAKE);
  assert.equal(type(make(0xf0, QUIC_VERSION_1)), QUIC_PACKET_RETRY);
  assert.equal(type(make(0xd0, QUIC_VERSION_2)), QUIC_PACKET_INITIAL);
  assert.equal(type(make(0xf0, QUIC_VERSION_2)), QUIC_PACKET_HANDSHAKE);
  assert.equal(type(make(0xc0, QUIC_VERSION_2)), QUIC_PACKET_RETRY);
  assert.equal(type(make(0xc0, QUIC_VERSION_1, 20)), QUIC_PACKET_INITIAL);
  assert.equal(type(make(0xc0, QUIC_VERSION_1, 21)), undefined);
  // No fixed bit, and version negotiation (version 0).
  assert.equal(type(make(0x80, QUIC_VERSION_1)), undefined);
  assert.equal(type(make(0xc0, 0)), undefined);
  // The dcid is a copy, not a view of the frame.
  const b = make(0xc0, QUIC_VERSION_1);
  const header = readQuicLongHeader(b, 0, b.length);
  b[6] = 99;
  assert.equal(header?.dcid[0], 7);
});

test('CRYPTO frames: reassembled in order, a gap stops the read', () => {
  const hello = clientHello('gap.example');
  const whole = shuffledFrames(hello);
  assert.equal(readInitialServerName(whole), 'gap.example');
  // The name lies past offset 100; without bytes 40-100 it is not read.
  const gap = concat(
    cryptoFrame(hello, 100, hello.length),
    cryptoFrame(hello, 0, 40),
  );
  assert.equal(readInitialServerName(gap), null);
  // A frame that cannot be in an Initial ends the walk.
  const stray = concat([0x07, 0, 0], whole);
  assert.equal(readInitialServerName(stray), null);
  // An offset past what we gather ends it too.
  const far = concat([0x06, 0x80, 0x01, 0, 0, 0x01, 0x00], whole);
  assert.equal(readInitialServerName(far), null);
  // Overlapping frames are fine.
  const overlap = concat(
    cryptoFrame(hello, 0, 90),
    cryptoFrame(hello, 50, hello.length),
  );
  assert.equal(readInitialServerName(overlap), 'gap.example');
});

test('zeek chromium-115 api.cirrus-ci.com: the first Initial', async () => {
  const payloads = capturePayloads(
    'zeek__chromium-115.0.5790.110-api-cirrus-com.pcap',
  );
  const first = payloads.find((p) => p.protocol === 17 && p.dstPort === 443);
  assert.ok(first);
  assert.equal(isQuicInitial(first.payload, 0, first.payload.length), true);
  assert.equal(await decryptQuicServerName(first.payload), 'api.cirrus-ci.com');
  // The server's Initial is not protected with the client's keys.
  const reply = payloads.find((p) => p.srcPort === 443);
  assert.ok(reply);
  assert.equal(await decryptQuicServerName(reply.payload), null);
});

test('tcpdump quic_handshake (loopback, IPv6): SNI localhost', async () => {
  const payloads = capturePayloads('tcpdump__quic_handshake.pcap');
  const first = payloads.find((p) => p.protocol === 17 && p.dstPort === 443);
  assert.ok(first);
  assert.equal(first.index, 1);
  assert.equal(await decryptQuicServerName(first.payload), 'localhost');
});

test('random and mutated input never throws or rejects', async () => {
  const frames = shuffledFrames(clientHello('fuzz.example'));
  const packet = await protect(QUIC_VERSION_1, RFC_DCID, frames);
  for (let seed = 1; seed <= 150; seed++) {
    const mutated = packet.slice();
    const flips = randomBytes(seed, 4);
    mutated[((flips[0] << 8) | flips[1]) % mutated.length] ^= flips[2] | 1;
    assert.equal(await decryptQuicServerName(mutated), null, `seed ${seed}`);
  }
  for (let seed = 1; seed <= 3000; seed++) {
    const b = randomBytes(seed, seed % 1300);
    if (seed % 2 === 0 && b.length > 6) b.set([0xc3, 0, 0, 0, 1], 0);
    isQuicInitial(guarded(b, 0, b.length), 0, b.length);
    readQuicLongHeader(b, 0, b.length);
    const name = readInitialServerName(b);
    assert.ok(name === null || name.length <= 253 * 4);
  }
  for (let seed = 1; seed <= 50; seed++) {
    const b = randomBytes(seed, 1200);
    b.set([0xc3, 0, 0, 0, 1, 8], 0);
    b.set([0, 0, ...u16be(0x4000 | 1180)], 14);
    assert.equal(await decryptQuicServerName(b), null);
  }
});
