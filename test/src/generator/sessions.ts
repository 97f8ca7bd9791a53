import { ByteWriter } from './byte-writer.js';
import type { Filler } from './filler.js';
import {
  DNS_TYPE_A,
  DNS_TYPE_AAAA,
  NTP_MODE_CLIENT,
  NTP_MODE_SERVER,
  QUIC_PACKET_HANDSHAKE,
  QUIC_PACKET_INITIAL,
  SSH_MSG_KEX_ECDH_INIT,
  SSH_MSG_KEX_ECDH_REPLY,
  SSH_MSG_NEWKEYS,
  writeDnsQuery,
  writeDnsResponse,
  writeHttpGet,
  writeHttpResponseHead,
  writeNtp,
  writePingPayload,
  writeQuicLongHeader,
  writeQuicShortHeader,
  writeSshKexInit,
  writeSshPacket,
  writeTlsApplicationData,
  writeTlsChangeCipherSpec,
  writeTlsClientHello,
  writeTlsServerHello,
} from './frames.js';
import type { EchoPlan, PacketPlan, UdpPlan } from './packet-plan.js';
import type { Prng } from './prng.js';
import {
  sends,
  sendsBulk,
  tcpConversation,
  type TcpSetup,
  type Turn,
} from './tcp-conversation.js';

/** What every session script gets. */
export interface SessionContext {
  startMicros: number;
  /** Round trip to the peer: this session's own draw around the host's. */
  rttMicros: number;
  ipVersion: 4 | 6;
  /** This session's own generator, so sessions do not disturb each other. */
  prng: Prng;
  filler: Filler;
  /** Multiplies response volumes. */
  transferScale: number;
}

/**
 * A DNS lookup starts this long before the connection it is for, and ends
 * sooner: its two answers are back within 2.4 ms.
 */
export const DNS_LOOKUP_LEAD_MICROS = 3_000;
/** chrony's default minimum poll: 2^6 = 64 s. */
export const NTP_POLL_LOG2 = 6;
export const NTP_POLL_INTERVAL_MICROS = 2 ** NTP_POLL_LOG2 * 1e6;

/** A 1500-byte MTU less 20 bytes of TCP and 20 (IPv4) or 40 (IPv6). */
const MSS_IPV4_BYTES = 1460;
const MSS_IPV6_BYTES = 1440;
/**
 * The largest turn written whole: a TLS server's first flight (at most
 * about 4.6 KB here) or a KEXINIT (about 0.7 KB).
 */
const TURN_BYTES = 8 * 1024;
/** The classic DNS limit over UDP; our messages are far smaller. */
const DNS_MESSAGE_BYTES = 512;
const NTP_PACKET_BYTES = 48;
/**
 * Datagrams carrying a QUIC Initial are padded to at least 1200 bytes
 * (RFC 9000 section 14.1); Chrome sends 1250 bytes of UDP payload, and
 * servers answer in datagrams as large.
 */
const QUIC_DATAGRAM_BYTES = 1250;
/** Back-to-back 1250-byte datagrams at about 700 Mbit/s. */
const QUIC_GAP_MICROS = 15;
const QUIC_CONNECTION_ID_BYTES = 8;
/** The smallest datagram here: an ACK-sized short-header packet. */
const QUIC_MIN_DATAGRAM_BYTES = 40;
/** iputils ping's default: one echo a second. */
const PING_INTERVAL_MICROS = 1_000_000;

// ---------------------------------------------------------------------------
// HTTPS: TLS 1.3, one to three requests on the connection.

export function httpsSession(
  s: SessionContext,
  serverName: string,
): Generator<PacketPlan, void, void> {
  const closer = s.prng.chance(0.7) ? 'client' : 'server';
  const idleMicros = s.prng.int(100_000, 10_000_000);
  const setup = tcpSetup(s, closer, idleMicros);
  return tcpConversation(setup, httpsTurns(s, serverName));
}

function* httpsTurns(
  s: SessionContext,
  serverName: string,
): Generator<Turn, void, void> {
  const { prng, filler } = s;
  const out = new ByteWriter(TURN_BYTES);
  const sessionId = prng.bytes(32);

  writeTlsClientHello(
    out.reset(),
    serverName,
    prng.bytes(32),
    sessionId,
    prng.bytes(32),
  );
  yield sends(true, out.result(), prng.int(40, 250));

  // ServerHello, then encrypted: certificates, their proof, Finished.
  writeTlsServerHello(out.reset(), prng.bytes(32), sessionId, prng.bytes(32));
  writeTlsChangeCipherSpec(out);
  const flightBytes = prng.int(2_400, 4_400);
  writeTlsApplicationData(out, filler.randomAt(prng.nextUint32(), flightBytes));
  yield sends(false, out.result(), prng.int(150, 1_200));

  const requests = prng.int(1, 3);
  for (let i = 0; i < requests; i++) {
    out.reset();
    if (i === 0) {
      // The client's Finished rides with its first request.
      writeTlsChangeCipherSpec(out);
      writeTlsApplicationData(out, filler.randomAt(prng.nextUint32(), 53));
    }
    const requestBytes = prng.int(90, 900);
    writeTlsApplicationData(
      out,
      filler.randomAt(prng.nextUint32(), requestBytes),
    );
    const pauseMicros =
      i === 0 ? prng.int(200, 900) : prng.int(20_000, 3_000_000);
    yield sends(true, out.result(), pauseMicros);

    const responseBytes = scaled(s, prng.skewed(300, 14_000));
    yield sendsBulk(false, 'tls', responseBytes, prng.int(1_000, 80_000));
  }
}

// ---------------------------------------------------------------------------
// HTTP: apt fetching a release file from an Ubuntu mirror.

const APT_PATH = '/ubuntu/dists/noble-updates/InRelease';
const APT_USER_AGENT = 'Debian APT-HTTP/1.3 (2.7.14) non-interactive';

export function httpSession(
  s: SessionContext,
  hostName: string,
): Generator<PacketPlan, void, void> {
  const setup = tcpSetup(s, 'client', s.prng.int(1_000, 50_000));
  return tcpConversation(setup, httpTurns(s, hostName));
}

function* httpTurns(
  s: SessionContext,
  hostName: string,
): Generator<Turn, void, void> {
  const { prng } = s;
  const out = new ByteWriter(TURN_BYTES);

  writeHttpGet(out.reset(), hostName, APT_PATH, APT_USER_AGENT);
  yield sends(true, out.result(), prng.int(30, 200));

  const bodyBytes = scaled(s, prng.int(6_000, 16_000));
  writeHttpResponseHead(out.reset(), 'text/plain', bodyBytes);
  const thinkMicros = prng.int(500, 4_000);
  yield sendsBulk(false, 'text', bodyBytes, thinkMicros, out.result());
}

// ---------------------------------------------------------------------------
// SSH: git fetching over SSH, with the key exchange in clear.

const SSH_CLIENT_BANNER = 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n';
const SSH_SERVER_BANNER = 'SSH-2.0-babeld-6f4e2a91\r\n';
const SSH_CLIENT_ALGORITHMS = [
  'curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256,ext-info-c,kex-strict-c-v00@openssh.com',
  'ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256',
  'chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com',
  'chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com',
  'umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com',
  'umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com',
  'none,zlib@openssh.com',
  'none,zlib@openssh.com',
  '',
  '',
];
const SSH_SERVER_ALGORITHMS = [
  'curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,kex-strict-s-v00@openssh.com',
  'ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256',
  'chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com',
  'chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com',
  'hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com',
  'hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com',
  'none,zlib@openssh.com',
  'none,zlib@openssh.com',
  '',
  '',
];
/** An X25519 public key as an SSH string: length u32, then 32 bytes. */
const SSH_ECDH_KEY_BYTES = 4 + 32;

export function sshSession(
  s: SessionContext,
): Generator<PacketPlan, void, void> {
  const setup = tcpSetup(s, 'client', s.prng.int(10_000, 200_000));
  return tcpConversation(setup, sshTurns(s));
}

function* sshTurns(s: SessionContext): Generator<Turn, void, void> {
  const { prng } = s;
  const out = new ByteWriter(TURN_BYTES);
  const sealed = (fromClient: boolean, bytes: number, thinkMicros: number) =>
    sendsBulk(fromClient, 'ciphertext', bytes, thinkMicros);

  out.reset().ascii(SSH_CLIENT_BANNER);
  yield sends(true, out.result(), prng.int(20, 80));
  out.reset().ascii(SSH_SERVER_BANNER);
  yield sends(false, out.result(), prng.int(80, 400));

  writeSshKexInit(out.reset(), prng.bytes(16), SSH_CLIENT_ALGORITHMS, prng);
  yield sends(true, out.result(), prng.int(40, 200));
  writeSshKexInit(out.reset(), prng.bytes(16), SSH_SERVER_ALGORITHMS, prng);
  yield sends(false, out.result(), prng.int(40, 200));

  // ECDH: the client's key; the server's host key, key and signature.
  const clientKey = prng.bytes(SSH_ECDH_KEY_BYTES);
  new DataView(clientKey.buffer).setUint32(0, SSH_ECDH_KEY_BYTES - 4);
  writeSshPacket(out.reset(), SSH_MSG_KEX_ECDH_INIT, clientKey, prng);
  yield sends(true, out.result(), prng.int(50, 300));
  const reply = s.filler.randomAt(prng.nextUint32(), prng.int(300, 700));
  writeSshPacket(out.reset(), SSH_MSG_KEX_ECDH_REPLY, reply, prng);
  writeSshPacket(out, SSH_MSG_NEWKEYS, new Uint8Array(0), prng);
  yield sends(false, out.result(), prng.int(1_000, 5_000));

  // From here on everything is encrypted: only the sizes are telling.
  writeSshPacket(out.reset(), SSH_MSG_NEWKEYS, new Uint8Array(0), prng);
  const serviceRequestBytes = 52;
  const thinkMicros = prng.int(300, 1_500);
  yield sendsBulk(
    true,
    'ciphertext',
    serviceRequestBytes,
    thinkMicros,
    out.result(),
  );
  yield sealed(false, 52, prng.int(100, 500)); // service accept
  yield sealed(true, prng.int(400, 520), prng.int(200, 900)); // public key
  yield sealed(false, 36, prng.int(2_000, 9_000)); // auth success
  yield sealed(true, 120, prng.int(100, 400)); // session, exec upload-pack
  const refsBytes = scaled(s, prng.int(1_500, 4_000)); // ref advertisement
  yield sealed(false, refsBytes, prng.int(3_000, 20_000));
  yield sealed(true, prng.int(200, 700), prng.int(500, 5_000)); // wants
  const packBytes = scaled(s, prng.skewed(6_000, 36_000));
  yield sealed(false, packBytes, prng.int(5_000, 60_000));
  yield sealed(true, 36, prng.int(200, 2_000)); // channel close
}

// ---------------------------------------------------------------------------
// UDP

/**
 * A stub resolver's lookup, as getaddrinfo does it: A and AAAA from one
 * socket, then both answers. Always to Azure's resolver over IPv4.
 */
export function* dnsLookup(
  s: SessionContext,
  name: string,
  aRecords: readonly Uint8Array[],
  aaaaRecords: readonly Uint8Array[],
  ttlSeconds: number,
): Generator<UdpPlan, void, void> {
  const { prng } = s;
  const out = new ByteWriter(DNS_MESSAGE_BYTES);
  const idA = prng.int(0, 0xffff);
  const idAaaa = prng.int(0, 0xffff);
  let t = s.startMicros;

  writeDnsQuery(out.reset(), idA, name, DNS_TYPE_A);
  yield udp(t, true, out.result());
  t += prng.int(20, 60);
  writeDnsQuery(out.reset(), idAaaa, name, DNS_TYPE_AAAA);
  yield udp(t, true, out.result());

  t += prng.int(250, 2_000);
  writeDnsResponse(out.reset(), idA, name, DNS_TYPE_A, aRecords, ttlSeconds);
  yield udp(t, false, out.result());
  t += prng.int(5, 300);
  writeDnsResponse(
    out.reset(),
    idAaaa,
    name,
    DNS_TYPE_AAAA,
    aaaaRecords,
    ttlSeconds,
  );
  yield udp(t, false, out.result());
}

export interface NtpServerInfo {
  stratum: number;
  /** Four ASCII letters for stratum 1 ('NICT'), else an upstream IPv4. */
  referenceId: number;
  /** Root delay and dispersion in NTP short format (16.16 seconds). */
  rootDelay: number;
  rootDispersion: number;
}

/** A client polling one server every 64 s, from port 123 to port 123. */
export function* ntpPolls(
  s: SessionContext,
  server: NtpServerInfo,
  pollCount: number,
): Generator<UdpPlan, void, void> {
  const { prng } = s;
  const out = new ByteWriter(NTP_PACKET_BYTES);
  const halfRttMicros = Math.floor(s.rttMicros / 2);
  let sentMicros = s.startMicros;

  for (let i = 0; i < pollCount; i++) {
    writeNtp(out.reset(), {
      mode: NTP_MODE_CLIENT,
      stratum: 0,
      pollLog2: NTP_POLL_LOG2,
      precisionLog2: -24,
      rootDelay: 0,
      rootDispersion: 0,
      referenceId: 0,
      referenceMicros: 0,
      originMicros: 0,
      receiveMicros: 0,
      transmitMicros: sentMicros,
    });
    yield udp(sentMicros, true, out.result());

    // Both clocks agree here, so the offset the client computes is zero.
    const receivedMicros = sentMicros + halfRttMicros;
    const repliedMicros = receivedMicros + prng.int(10, 60);
    writeNtp(out.reset(), {
      mode: NTP_MODE_SERVER,
      stratum: server.stratum,
      pollLog2: NTP_POLL_LOG2,
      precisionLog2: -25,
      rootDelay: server.rootDelay,
      rootDispersion: server.rootDispersion,
      referenceId: server.referenceId,
      referenceMicros: receivedMicros - prng.int(1_000_000, 60_000_000),
      originMicros: sentMicros,
      receiveMicros: receivedMicros,
      transmitMicros: repliedMicros,
    });
    const arrivedMicros = repliedMicros + (s.rttMicros - halfRttMicros);
    yield udp(arrivedMicros, false, out.result());

    sentMicros += NTP_POLL_INTERVAL_MICROS + prng.int(0, 200_000);
  }
}

/**
 * A QUIC-like exchange on UDP 443: the long-header handshake (Initial and
 * Handshake packets), a request, a response in full-size short-header
 * datagrams acknowledged every second one, and a closing packet. Headers
 * are real QUIC v1; what they protect is random.
 */
export function* quicExchange(
  s: SessionContext,
): Generator<UdpPlan, void, void> {
  const { prng, filler } = s;
  const out = new ByteWriter(QUIC_DATAGRAM_BYTES);
  const initialDcid = prng.bytes(QUIC_CONNECTION_ID_BYTES);
  const clientCid = prng.bytes(QUIC_CONNECTION_ID_BYTES);
  const serverCid = prng.bytes(QUIC_CONNECTION_ID_BYTES);
  let noiseOffset = prng.nextUint32();
  let clientPacketNumber = 0;
  let serverPacketNumber = 0;
  let t = s.startMicros;

  const noise = (length: number): Uint8Array => {
    noiseOffset += length;
    return filler.randomAt(noiseOffset, length);
  };
  const longPacket = (
    type: typeof QUIC_PACKET_INITIAL | typeof QUIC_PACKET_HANDSHAKE,
    fromClient: boolean,
    packetBytes: number,
  ): void => {
    const dcid = fromClient ? serverCid : clientCid;
    const scid = fromClient ? clientCid : serverCid;
    const packetNumber = fromClient
      ? clientPacketNumber++
      : serverPacketNumber++;
    const payloadBytes = writeQuicLongHeader(
      out,
      type,
      dcid,
      scid,
      packetNumber,
      packetBytes,
    );
    out.append(noise(payloadBytes));
  };
  const shortPacket = (fromClient: boolean, datagramBytes: number): void => {
    const dcid = fromClient ? serverCid : clientCid;
    const packetNumber = fromClient
      ? clientPacketNumber++
      : serverPacketNumber++;
    writeQuicShortHeader(out, dcid, packetNumber);
    out.append(noise(datagramBytes - out.length));
  };

  // The client's first Initial goes to a connection ID of its choosing.
  out.reset();
  const payloadBytes = writeQuicLongHeader(
    out,
    QUIC_PACKET_INITIAL,
    initialDcid,
    clientCid,
    clientPacketNumber++,
    QUIC_DATAGRAM_BYTES,
  );
  out.append(noise(payloadBytes));
  yield udp(t, true, out.result());

  // ServerHello in an Initial, certificates in Handshake packets.
  t += s.rttMicros + prng.int(200, 1_500);
  out.reset();
  longPacket(QUIC_PACKET_INITIAL, false, 150);
  longPacket(QUIC_PACKET_HANDSHAKE, false, QUIC_DATAGRAM_BYTES - out.length);
  yield udp(t, false, out.result());
  t += QUIC_GAP_MICROS;
  out.reset();
  longPacket(QUIC_PACKET_HANDSHAKE, false, QUIC_DATAGRAM_BYTES);
  yield udp(t, false, out.result());
  t += QUIC_GAP_MICROS;
  out.reset();
  longPacket(QUIC_PACKET_HANDSHAKE, false, prng.int(300, 900));
  yield udp(t, false, out.result());

  // The client acknowledges the Initial in a padded datagram, sends its
  // Finished, then the request in a short-header packet.
  t += prng.int(300, 1_500);
  out.reset();
  longPacket(QUIC_PACKET_INITIAL, true, QUIC_DATAGRAM_BYTES - 90);
  longPacket(QUIC_PACKET_HANDSHAKE, true, 90);
  yield udp(t, true, out.result());
  t += QUIC_GAP_MICROS;
  out.reset();
  shortPacket(true, prng.int(80, 300));
  yield udp(t, true, out.result());

  t += s.rttMicros + prng.int(1_000, 30_000);
  let leftBytes = scaled(s, prng.skewed(4_000, 40_000));
  let unacked = 0;
  while (leftBytes > 0) {
    const datagramBytes = Math.max(
      Math.min(QUIC_DATAGRAM_BYTES, leftBytes),
      QUIC_MIN_DATAGRAM_BYTES,
    );
    out.reset();
    shortPacket(false, datagramBytes);
    yield udp(t, false, out.result());
    leftBytes -= datagramBytes;
    unacked++;

    if (unacked === 2 || leftBytes <= 0) {
      t += 30;
      out.reset();
      shortPacket(true, prng.int(24, 40));
      yield udp(t, true, out.result());
      unacked = 0;
    }
    t += QUIC_GAP_MICROS;
  }

  // CONNECTION_CLOSE after a while.
  t += prng.int(50_000, 2_000_000);
  out.reset();
  shortPacket(true, prng.int(24, 40));
  yield udp(t, true, out.result());
}

// ---------------------------------------------------------------------------
// ICMP and ICMPv6

/** `count` echoes a second apart, each answered a round trip later. */
export function* echoRun(
  s: SessionContext,
  count: number,
): Generator<EchoPlan, void, void> {
  const { prng } = s;
  const out = new ByteWriter(64);
  let sentMicros = s.startMicros;

  for (let sequence = 1; sequence <= count; sequence++) {
    writePingPayload(out.reset(), sentMicros);
    const payload = out.result();
    yield echo(sentMicros, true, payload, sequence);

    const jitterMicros = prng.int(0, Math.floor(s.rttMicros / 10));
    const repliedMicros = sentMicros + s.rttMicros + jitterMicros;
    yield echo(repliedMicros, false, payload, sequence);

    sentMicros += PING_INTERVAL_MICROS + prng.int(50, 400);
  }
}

// ---------------------------------------------------------------------------

function tcpSetup(
  s: SessionContext,
  closer: 'client' | 'server',
  idleBeforeCloseMicros: number,
): TcpSetup {
  return {
    startMicros: s.startMicros,
    rttMicros: s.rttMicros,
    mssBytes: s.ipVersion === 4 ? MSS_IPV4_BYTES : MSS_IPV6_BYTES,
    prng: s.prng,
    filler: s.filler,
    closer,
    idleBeforeCloseMicros,
  };
}

function udp(
  tsMicros: number,
  fromClient: boolean,
  payload: Uint8Array,
): UdpPlan {
  return { kind: 'udp', tsMicros, fromClient, payload };
}

function echo(
  tsMicros: number,
  fromClient: boolean,
  payload: Uint8Array,
  sequence: number,
): EchoPlan {
  return { kind: 'echo', tsMicros, fromClient, payload, sequence };
}

/** A volume times the scale, never below the 22 bytes a TLS record needs. */
function scaled(s: SessionContext, bytes: number): number {
  return Math.max(22, Math.round(bytes * s.transferScale));
}
