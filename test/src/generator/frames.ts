import type { ByteWriter } from './byte-writer.js';
import { invariant } from './invariant.js';
import type { Prng } from './prng.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

export const IP_PROTOCOL_ICMP = 1;
export const IP_PROTOCOL_TCP = 6;
export const IP_PROTOCOL_UDP = 17;
export const IP_PROTOCOL_ICMPV6 = 58;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

const ETHERNET_HEADER_BYTES = 14;
/**
 * The shortest Ethernet frame, less its 4-byte FCS. NICs pad shorter ones
 * with zeros and captures show the padding, so a reader has to take an IP
 * packet's length from its header, not from the frame.
 */
export const ETHERNET_MIN_FRAME_BYTES = 60;
const IPV4_HEADER_BYTES = 20;
const IPV6_HEADER_BYTES = 40;
const TCP_HEADER_BYTES = 20;
/** The data offset field counts 32-bit words, at most 15 of them. */
const TCP_MAX_OPTION_BYTES = 40;
const UDP_HEADER_BYTES = 8;
const ICMP_ECHO_HEADER_BYTES = 8;
const IPV4_DONT_FRAGMENT = 0x4000;
/**
 * Both IP versions cap their length field at 65535; IPv6 counts it after
 * its 40-byte header, so this is the largest frame either needs (there are
 * no jumbograms here).
 */
const MAX_FRAME_BYTES = ETHERNET_HEADER_BYTES + IPV6_HEADER_BYTES + 0xffff;

export interface Ipv4Addresses {
  version: 4;
  src: number;
  dst: number;
}

export interface Ipv6Addresses {
  version: 6;
  src: Uint8Array;
  dst: Uint8Array;
}

export type IpAddresses = Ipv4Addresses | Ipv6Addresses;

/** Link and IP fields of one direction of a flow; ipId changes per packet. */
export interface PacketHeaders {
  srcMac: Uint8Array;
  dstMac: Uint8Array;
  ip: IpAddresses;
  /** TTL (IPv4) or hop limit (IPv6) as seen where the capture is taken. */
  ttl: number;
  /** IPv4 identification; unused by IPv6. */
  ipId: number;
  /** IPv4 DF bit; unused by IPv6. */
  dontFragment: boolean;
  /** IPv6 flow label, 20 bits; unused by IPv4. */
  flowLabel: number;
}

export interface TcpFields {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP_* bits. */
  flags: number;
  window: number;
  /** Whole 32-bit words of options, or null. */
  options: Uint8Array | null;
}

/**
 * Builds Ethernet frames into one scratch buffer: each call returns a view
 * of it that stays valid until the next call, which is how a writer that
 * copies the frame at once wants it. Nothing is allocated per packet.
 *
 * IPv4 header checksums are always right. TCP, UDP and ICMPv6 checksums
 * are computed unless `transportChecksums` is false, which saves reading
 * every payload byte once more; they are then left zero, which Wireshark
 * flags only when checksum validation is on (it is off by default).
 */
export class FrameBuilder {
  private readonly bytes = new Uint8Array(MAX_FRAME_BYTES);
  private readonly view = new DataView(this.bytes.buffer);

  constructor(private readonly transportChecksums = true) {}

  tcp(h: PacketHeaders, f: TcpFields, payload: Uint8Array): Uint8Array {
    const optionBytes = f.options === null ? 0 : f.options.length;
    invariant(
      optionBytes % 4 === 0 && optionBytes <= TCP_MAX_OPTION_BYTES,
      `${optionBytes} bytes of TCP options`,
    );
    const headerBytes = TCP_HEADER_BYTES + optionBytes;
    const segmentBytes = headerBytes + payload.length;
    const at = this.writeIp(h, IP_PROTOCOL_TCP, segmentBytes);

    const view = this.view;
    view.setUint16(at, f.srcPort);
    view.setUint16(at + 2, f.dstPort);
    view.setUint32(at + 4, f.seq >>> 0);
    view.setUint32(at + 8, f.ack >>> 0);
    view.setUint8(at + 12, (headerBytes / 4) << 4);
    view.setUint8(at + 13, f.flags);
    view.setUint16(at + 14, f.window);
    view.setUint16(at + 16, 0); // checksum, below
    view.setUint16(at + 18, 0); // urgent pointer
    if (f.options !== null) this.bytes.set(f.options, at + TCP_HEADER_BYTES);
    this.bytes.set(payload, at + headerBytes);

    if (this.transportChecksums) {
      const sum = this.pseudoChecksum(h, IP_PROTOCOL_TCP, at, segmentBytes);
      view.setUint16(at + 16, sum);
    }
    return this.finish(at + segmentBytes);
  }

  udp(
    h: PacketHeaders,
    srcPort: number,
    dstPort: number,
    payload: Uint8Array,
  ): Uint8Array {
    const datagramBytes = UDP_HEADER_BYTES + payload.length;
    const at = this.writeIp(h, IP_PROTOCOL_UDP, datagramBytes);

    const view = this.view;
    view.setUint16(at, srcPort);
    view.setUint16(at + 2, dstPort);
    view.setUint16(at + 4, datagramBytes);
    view.setUint16(at + 6, 0);
    this.bytes.set(payload, at + UDP_HEADER_BYTES);

    if (this.transportChecksums) {
      const sum = this.pseudoChecksum(h, IP_PROTOCOL_UDP, at, datagramBytes);
      // Zero means "no checksum" in UDP, so a true zero is sent as 0xffff.
      view.setUint16(at + 6, sum === 0 ? 0xffff : sum);
    }
    return this.finish(at + datagramBytes);
  }

  /** An ICMP echo over IPv4 or an ICMPv6 echo over IPv6, by `h.ip`. */
  icmpEcho(
    h: PacketHeaders,
    reply: boolean,
    identifier: number,
    sequence: number,
    payload: Uint8Array,
  ): Uint8Array {
    const v4 = h.ip.version === 4;
    const protocol = v4 ? IP_PROTOCOL_ICMP : IP_PROTOCOL_ICMPV6;
    const type = v4 ? (reply ? 0 : 8) : reply ? 129 : 128;
    const messageBytes = ICMP_ECHO_HEADER_BYTES + payload.length;
    const at = this.writeIp(h, protocol, messageBytes);

    const view = this.view;
    view.setUint8(at, type);
    view.setUint8(at + 1, 0); // code
    view.setUint16(at + 2, 0); // checksum, below
    view.setUint16(at + 4, identifier);
    view.setUint16(at + 6, sequence);
    this.bytes.set(payload, at + ICMP_ECHO_HEADER_BYTES);

    // ICMP sums the message alone; ICMPv6 adds the pseudo-header and is
    // mandatory, so it is computed whatever transportChecksums says.
    const checksum = v4
      ? finishChecksum(sumWords(this.bytes, at, at + messageBytes, 0))
      : this.pseudoChecksum(h, protocol, at, messageBytes);
    view.setUint16(at + 2, checksum);
    return this.finish(at + messageBytes);
  }

  /**
   * Writes the Ethernet and IP headers for `payloadBytes` of `protocol`;
   * returns where the transport header starts.
   */
  private writeIp(
    h: PacketHeaders,
    protocol: number,
    payloadBytes: number,
  ): number {
    const bytes = this.bytes;
    const view = this.view;
    bytes.set(h.dstMac, 0);
    bytes.set(h.srcMac, 6);

    const ip = h.ip;
    const at = ETHERNET_HEADER_BYTES;
    if (ip.version === 4) {
      const totalBytes = IPV4_HEADER_BYTES + payloadBytes;
      invariant(totalBytes <= 0xffff, `IPv4 packet of ${totalBytes} bytes`);
      view.setUint16(12, ETHERTYPE_IPV4);
      view.setUint8(at, 0x45); // version 4, header of 5 words
      view.setUint8(at + 1, 0); // DSCP and ECN
      view.setUint16(at + 2, totalBytes);
      view.setUint16(at + 4, h.ipId & 0xffff);
      view.setUint16(at + 6, h.dontFragment ? IPV4_DONT_FRAGMENT : 0);
      view.setUint8(at + 8, h.ttl);
      view.setUint8(at + 9, protocol);
      view.setUint16(at + 10, 0);
      view.setUint32(at + 12, ip.src);
      view.setUint32(at + 16, ip.dst);
      const sum = sumWords(bytes, at, at + IPV4_HEADER_BYTES, 0);
      view.setUint16(at + 10, finishChecksum(sum));
      return at + IPV4_HEADER_BYTES;
    }

    invariant(payloadBytes <= 0xffff, `IPv6 payload of ${payloadBytes} bytes`);
    view.setUint16(12, ETHERTYPE_IPV6);
    // version 6, traffic class 0, flow label
    view.setUint32(at, ((6 << 28) | (h.flowLabel & 0xfffff)) >>> 0);
    view.setUint16(at + 4, payloadBytes);
    view.setUint8(at + 6, protocol);
    view.setUint8(at + 7, h.ttl);
    bytes.set(ip.src, at + 8);
    bytes.set(ip.dst, at + 24);
    return at + IPV6_HEADER_BYTES;
  }

  /**
   * The checksum of TCP, UDP and ICMPv6: the pseudo-header (addresses,
   * protocol, length; RFC 9293 and RFC 8200), then the segment itself.
   */
  private pseudoChecksum(
    h: PacketHeaders,
    protocol: number,
    at: number,
    length: number,
  ): number {
    const ip = h.ip;
    let sum = protocol + (length >>> 16) + (length & 0xffff);
    if (ip.version === 4) {
      sum += (ip.src >>> 16) + (ip.src & 0xffff);
      sum += (ip.dst >>> 16) + (ip.dst & 0xffff);
    } else {
      sum = sumWords(ip.src, 0, 16, sum);
      sum = sumWords(ip.dst, 0, 16, sum);
    }
    return finishChecksum(sumWords(this.bytes, at, at + length, sum));
  }

  /** Pads to the Ethernet minimum and returns the frame as a view. */
  private finish(end: number): Uint8Array {
    if (end < ETHERNET_MIN_FRAME_BYTES) {
      this.bytes.fill(0, end, ETHERNET_MIN_FRAME_BYTES);
      end = ETHERNET_MIN_FRAME_BYTES;
    }
    return this.bytes.subarray(0, end);
  }
}

/**
 * Adds big-endian 16-bit words to `sum`, an odd last byte as the high half
 * of a word. No folding on the way: even 64 KiB of 0xffff words stay far
 * below 2^53.
 */
function sumWords(
  bytes: Uint8Array,
  start: number,
  end: number,
  sum: number,
): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  return sum;
}

/** Folds the carries back in and complements: the Internet checksum. */
function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/**
 * SYN options as Linux lays them out without timestamps, 12 bytes:
 * MSS | NOP | window scale | NOP | NOP | SACK permitted.
 */
export function tcpSynOptions(
  mssBytes: number,
  windowScale: number,
): Uint8Array {
  // prettier-ignore
  return Uint8Array.of(
    2, 4, mssBytes >>> 8, mssBytes & 0xff, // MSS
    1, // NOP
    3, 3, windowScale, // window scale
    1, 1, // NOP, NOP
    4, 2, // SACK permitted
  );
}

// ---------------------------------------------------------------------------
// DNS (RFC 1035)

export const DNS_TYPE_A = 1;
export const DNS_TYPE_AAAA = 28;
const DNS_CLASS_IN = 1;
/** Standard query with recursion desired: what a stub resolver sends. */
const DNS_FLAGS_QUERY = 0x0100;
/** Response, recursion desired and available, no error. */
const DNS_FLAGS_ANSWER = 0x8180;
/** A name pointer to offset 12: the question name after the header. */
const DNS_POINTER_TO_QUESTION = 0xc00c;
const DNS_MAX_LABEL_BYTES = 63;

export type DnsType = typeof DNS_TYPE_A | typeof DNS_TYPE_AAAA;

export function writeDnsQuery(
  out: ByteWriter,
  id: number,
  name: string,
  type: DnsType,
): void {
  invariant(out.length === 0, 'a DNS message starts its buffer');
  writeDnsHeader(out, id, DNS_FLAGS_QUERY, 0);
  writeDnsQuestion(out, name, type);
}

/**
 * A response that repeats the question, then one record per entry of
 * `answers`: 4 bytes of address each for A, 16 for AAAA.
 */
export function writeDnsResponse(
  out: ByteWriter,
  id: number,
  name: string,
  type: DnsType,
  answers: readonly Uint8Array[],
  ttlSeconds: number,
): void {
  // The answers point back at the question's name, which only works when
  // the message starts at offset 0 of the buffer.
  invariant(out.length === 0, 'a DNS message starts its buffer');
  writeDnsHeader(out, id, DNS_FLAGS_ANSWER, answers.length);
  writeDnsQuestion(out, name, type);

  const dataBytes = type === DNS_TYPE_A ? 4 : 16;
  for (const address of answers) {
    invariant(address.length === dataBytes, `DNS answer of ${address.length}`);
    out.u16(DNS_POINTER_TO_QUESTION);
    out.u16(type).u16(DNS_CLASS_IN).u32(ttlSeconds);
    out.u16(dataBytes).append(address);
  }
}

function writeDnsHeader(
  out: ByteWriter,
  id: number,
  flags: number,
  answerCount: number,
): void {
  out.u16(id).u16(flags);
  out.u16(1); // questions
  out.u16(answerCount);
  out.u16(0).u16(0); // authority and additional records
}

function writeDnsQuestion(out: ByteWriter, name: string, type: number): void {
  for (const label of name.split('.')) {
    invariant(
      label.length > 0 && label.length <= DNS_MAX_LABEL_BYTES,
      `bad DNS label in ${name}`,
    );
    out.u8(label.length).ascii(label);
  }
  out.u8(0);
  out.u16(type).u16(DNS_CLASS_IN);
}

// ---------------------------------------------------------------------------
// TLS 1.3 as seen on the wire (RFC 8446): only the hellos are in clear.

const TLS_CONTENT_CHANGE_CIPHER_SPEC = 20;
const TLS_CONTENT_HANDSHAKE = 22;
const TLS_CONTENT_APPLICATION_DATA = 23;
const TLS_HANDSHAKE_CLIENT_HELLO = 1;
const TLS_HANDSHAKE_SERVER_HELLO = 2;
/** The record of a ClientHello claims TLS 1.0, for old middleboxes. */
const TLS_VERSION_1_0 = 0x0301;
const TLS_VERSION_1_2 = 0x0303;
const TLS_VERSION_1_3 = 0x0304;
export const TLS_RECORD_HEADER_BYTES = 5;
/** Largest record body: 16 KiB of plaintext plus 256 of expansion. */
const TLS_MAX_RECORD_BODY_BYTES = 16 * 1024 + 256;

const TLS_EXT_SERVER_NAME = 0x0000;
const TLS_EXT_SUPPORTED_GROUPS = 0x000a;
const TLS_EXT_EC_POINT_FORMATS = 0x000b;
const TLS_EXT_SIGNATURE_ALGORITHMS = 0x000d;
const TLS_EXT_ALPN = 0x0010;
const TLS_EXT_EXTENDED_MASTER_SECRET = 0x0017;
const TLS_EXT_SESSION_TICKET = 0x0023;
const TLS_EXT_SUPPORTED_VERSIONS = 0x002b;
const TLS_EXT_PSK_KEY_EXCHANGE_MODES = 0x002d;
const TLS_EXT_KEY_SHARE = 0x0033;
const TLS_SERVER_NAME_HOST = 0;
const TLS_GROUP_X25519 = 0x001d;
const TLS_AES_128_GCM_SHA256 = 0x1301;
const TLS_PSK_DHE_KE = 1;

/** TLS 1.3 suites first, then the common 1.2 ECDHE ones. */
const CLIENT_CIPHER_SUITES = [
  0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
];
const CLIENT_GROUPS = [TLS_GROUP_X25519, 0x0017, 0x0018];
const SIGNATURE_SCHEMES = [
  0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
];
const ALPN_PROTOCOLS = ['h2', 'http/1.1'];

/**
 * A ClientHello in one record, with the server name (SNI) the analyser
 * reads, ALPN, and an X25519 key share:
 *
 *   record: type 22 | version | length u16 |
 *     handshake: type 1 | length u24 | version | random[32] |
 *       session id | cipher suites | compression | extensions
 */
export function writeTlsClientHello(
  out: ByteWriter,
  serverName: string,
  random: Uint8Array,
  sessionId: Uint8Array,
  keyShare: Uint8Array,
): void {
  invariant(random.length === 32, 'a TLS random is 32 bytes');
  invariant(sessionId.length <= 32, 'a TLS session id is at most 32 bytes');
  invariant(keyShare.length === 32, 'an X25519 key share is 32 bytes');

  out.u8(TLS_CONTENT_HANDSHAKE).u16(TLS_VERSION_1_0);
  const record = out.openLength(2);
  out.u8(TLS_HANDSHAKE_CLIENT_HELLO);
  const hello = out.openLength(3);
  out.u16(TLS_VERSION_1_2).append(random);
  out.u8(sessionId.length).append(sessionId);
  out.u16(CLIENT_CIPHER_SUITES.length * 2);
  for (const suite of CLIENT_CIPHER_SUITES) out.u16(suite);
  out.u8(1).u8(0); // compression methods: null only

  const extensions = out.openLength(2);
  writeExtension(out, TLS_EXT_SERVER_NAME, () => {
    const list = out.openLength(2);
    out.u8(TLS_SERVER_NAME_HOST);
    out.u16(serverName.length).ascii(serverName);
    out.closeLength(list);
  });
  writeExtension(out, TLS_EXT_EXTENDED_MASTER_SECRET, () => {});
  writeExtension(out, TLS_EXT_SUPPORTED_GROUPS, () => {
    out.u16(CLIENT_GROUPS.length * 2);
    for (const group of CLIENT_GROUPS) out.u16(group);
  });
  writeExtension(out, TLS_EXT_EC_POINT_FORMATS, () => out.u8(1).u8(0));
  writeExtension(out, TLS_EXT_SESSION_TICKET, () => {});
  writeExtension(out, TLS_EXT_ALPN, () => {
    const list = out.openLength(2);
    for (const protocol of ALPN_PROTOCOLS) {
      out.u8(protocol.length).ascii(protocol);
    }
    out.closeLength(list);
  });
  writeExtension(out, TLS_EXT_SIGNATURE_ALGORITHMS, () => {
    out.u16(SIGNATURE_SCHEMES.length * 2);
    for (const scheme of SIGNATURE_SCHEMES) out.u16(scheme);
  });
  writeExtension(out, TLS_EXT_KEY_SHARE, () => {
    const list = out.openLength(2);
    out.u16(TLS_GROUP_X25519).u16(keyShare.length).append(keyShare);
    out.closeLength(list);
  });
  writeExtension(out, TLS_EXT_PSK_KEY_EXCHANGE_MODES, () =>
    out.u8(1).u8(TLS_PSK_DHE_KE),
  );
  writeExtension(out, TLS_EXT_SUPPORTED_VERSIONS, () =>
    out.u8(4).u16(TLS_VERSION_1_3).u16(TLS_VERSION_1_2),
  );
  out.closeLength(extensions);

  out.closeLength(hello);
  out.closeLength(record);
}

/** A TLS 1.3 ServerHello choosing TLS_AES_128_GCM_SHA256 and X25519. */
export function writeTlsServerHello(
  out: ByteWriter,
  random: Uint8Array,
  sessionId: Uint8Array,
  keyShare: Uint8Array,
): void {
  invariant(random.length === 32, 'a TLS random is 32 bytes');
  invariant(keyShare.length === 32, 'an X25519 key share is 32 bytes');

  out.u8(TLS_CONTENT_HANDSHAKE).u16(TLS_VERSION_1_2);
  const record = out.openLength(2);
  out.u8(TLS_HANDSHAKE_SERVER_HELLO);
  const hello = out.openLength(3);
  out.u16(TLS_VERSION_1_2).append(random);
  out.u8(sessionId.length).append(sessionId);
  out.u16(TLS_AES_128_GCM_SHA256).u8(0);

  const extensions = out.openLength(2);
  writeExtension(out, TLS_EXT_SUPPORTED_VERSIONS, () =>
    out.u16(TLS_VERSION_1_3),
  );
  writeExtension(out, TLS_EXT_KEY_SHARE, () =>
    out.u16(TLS_GROUP_X25519).u16(keyShare.length).append(keyShare),
  );
  out.closeLength(extensions);

  out.closeLength(hello);
  out.closeLength(record);
}

/** The one-byte record TLS 1.3 still sends for middleboxes. */
export function writeTlsChangeCipherSpec(out: ByteWriter): void {
  out.u8(TLS_CONTENT_CHANGE_CIPHER_SPEC).u16(TLS_VERSION_1_2).u16(1).u8(1);
}

/** An encrypted record; `body` stands for the ciphertext. */
export function writeTlsApplicationData(
  out: ByteWriter,
  body: Uint8Array,
): void {
  const at = out.skip(TLS_RECORD_HEADER_BYTES);
  putTlsApplicationDataHeader(out.bytes, at, body.length);
  out.append(body);
}

/** Writes an application-data record header in place, for bulk data. */
export function putTlsApplicationDataHeader(
  bytes: Uint8Array,
  at: number,
  bodyBytes: number,
): void {
  invariant(
    bodyBytes > 0 && bodyBytes <= TLS_MAX_RECORD_BODY_BYTES,
    `TLS record body of ${bodyBytes} bytes`,
  );
  bytes[at] = TLS_CONTENT_APPLICATION_DATA;
  bytes[at + 1] = TLS_VERSION_1_2 >>> 8;
  bytes[at + 2] = TLS_VERSION_1_2 & 0xff;
  bytes[at + 3] = bodyBytes >>> 8;
  bytes[at + 4] = bodyBytes & 0xff;
}

function writeExtension(
  out: ByteWriter,
  type: number,
  writeBody: () => void,
): void {
  out.u16(type);
  const length = out.openLength(2);
  writeBody();
  out.closeLength(length);
}

// ---------------------------------------------------------------------------
// HTTP/1.1

export function writeHttpGet(
  out: ByteWriter,
  host: string,
  path: string,
  userAgent: string,
): void {
  out.ascii(`GET ${path} HTTP/1.1\r\n`);
  out.ascii(`Host: ${host}\r\n`);
  out.ascii(`User-Agent: ${userAgent}\r\n`);
  out.ascii('Accept: */*\r\n');
  out.ascii('\r\n');
}

/** A 200 response's head; the body of `contentLengthBytes` follows. */
export function writeHttpResponseHead(
  out: ByteWriter,
  contentType: string,
  contentLengthBytes: number,
): void {
  out.ascii('HTTP/1.1 200 OK\r\n');
  out.ascii(`Content-Type: ${contentType}\r\n`);
  out.ascii(`Content-Length: ${contentLengthBytes}\r\n`);
  out.ascii('Connection: keep-alive\r\n');
  out.ascii('\r\n');
}

// ---------------------------------------------------------------------------
// SSH (RFC 4253): banners and the key exchange are in clear.

export const SSH_MSG_KEXINIT = 20;
export const SSH_MSG_NEWKEYS = 21;
export const SSH_MSG_KEX_ECDH_INIT = 30;
export const SSH_MSG_KEX_ECDH_REPLY = 31;
/**
 * Before keys exist, packets are padded to a multiple of 8 bytes, with at
 * least 4 bytes of padding (section 6).
 */
const SSH_BLOCK_BYTES = 8;
const SSH_MIN_PADDING_BYTES = 4;
const SSH_KEXINIT_NAME_LISTS = 10;
const SSH_COOKIE_BYTES = 16;

/**
 * A binary packet in clear:
 *
 *   packet_length u32 | padding_length u8 | type u8 | body | padding
 */
export function writeSshPacket(
  out: ByteWriter,
  messageType: number,
  body: Uint8Array,
  prng: Prng,
): void {
  const lengthAt = out.skip(5); // packet_length and padding_length
  out.u8(messageType).append(body);
  finishSshPacket(out, lengthAt, prng);
}

/**
 * KEXINIT: a random cookie, then ten name-lists (key exchange, host key,
 * ciphers, MACs and compression each way, languages each way).
 */
export function writeSshKexInit(
  out: ByteWriter,
  cookie: Uint8Array,
  nameLists: readonly string[],
  prng: Prng,
): void {
  invariant(cookie.length === SSH_COOKIE_BYTES, 'a KEXINIT cookie is 16 bytes');
  invariant(
    nameLists.length === SSH_KEXINIT_NAME_LISTS,
    'KEXINIT has ten name-lists',
  );

  const lengthAt = out.skip(5);
  out.u8(SSH_MSG_KEXINIT).append(cookie);
  for (const list of nameLists) out.u32(list.length).ascii(list);
  out.u8(0); // first_kex_packet_follows
  out.u32(0); // reserved
  finishSshPacket(out, lengthAt, prng);
}

function finishSshPacket(out: ByteWriter, lengthAt: number, prng: Prng): void {
  const unpaddedBytes = out.length - lengthAt;
  let paddingBytes = SSH_BLOCK_BYTES - (unpaddedBytes % SSH_BLOCK_BYTES);
  if (paddingBytes < SSH_MIN_PADDING_BYTES) paddingBytes += SSH_BLOCK_BYTES;

  const paddingAt = out.skip(paddingBytes);
  prng.fill(out.bytes.subarray(paddingAt, paddingAt + paddingBytes));
  out.setU32(lengthAt, out.length - lengthAt - 4);
  out.setU8(lengthAt + 4, paddingBytes);
}

// ---------------------------------------------------------------------------
// NTP version 4 (RFC 5905)

export const NTP_MODE_CLIENT = 3;
export const NTP_MODE_SERVER = 4;
const NTP_VERSION = 4;
/** Seconds from the NTP era's start (1900-01-01) to the Unix epoch. */
const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;

export interface NtpFields {
  mode: typeof NTP_MODE_CLIENT | typeof NTP_MODE_SERVER;
  stratum: number;
  pollLog2: number;
  /** Clock precision as a power of two, usually negative. */
  precisionLog2: number;
  /** Root delay and dispersion in NTP short format (16.16 seconds). */
  rootDelay: number;
  rootDispersion: number;
  referenceId: number;
  /** Unix times in microseconds; 0 writes the all-zero "unset" value. */
  referenceMicros: number;
  originMicros: number;
  receiveMicros: number;
  transmitMicros: number;
}

/** A 48-byte NTP packet without extensions. */
export function writeNtp(out: ByteWriter, f: NtpFields): void {
  out.u8((NTP_VERSION << 3) | f.mode); // leap indicator 0: no warning
  out.u8(f.stratum);
  out.u8(f.pollLog2);
  out.u8(f.precisionLog2 & 0xff);
  out.u32(f.rootDelay).u32(f.rootDispersion).u32(f.referenceId);
  writeNtpTimestamp(out, f.referenceMicros);
  writeNtpTimestamp(out, f.originMicros);
  writeNtpTimestamp(out, f.receiveMicros);
  writeNtpTimestamp(out, f.transmitMicros);
}

/**
 * Seconds since 1900 and a 32-bit binary fraction. The seconds wrap at
 * 2^32 in 2036, which is exactly what NTP's eras expect, and what
 * DataView's setUint32 does with a larger number.
 */
function writeNtpTimestamp(out: ByteWriter, unixMicros: number): void {
  if (unixMicros === 0) {
    out.u32(0).u32(0);
    return;
  }
  const micros = unixMicros % 1e6;
  const seconds = (unixMicros - micros) / 1e6;
  out.u32(seconds + NTP_UNIX_OFFSET_SECONDS);
  out.u32(Math.floor((micros * 4294967296) / 1e6));
}

// ---------------------------------------------------------------------------
// QUIC version 1 (RFC 9000) headers. What follows a header is encrypted, so
// callers fill it with random bytes: the result looks like QUIC to a
// dissector but cannot be decrypted (there are no real keys behind it).

export const QUIC_PACKET_INITIAL = 0;
export const QUIC_PACKET_HANDSHAKE = 2;
const QUIC_VERSION_1 = 0x00000001;
/**
 * Packet numbers take 2 bytes here; real ones are masked by header
 * protection, so any value looks right.
 */
const QUIC_PACKET_NUMBER_BYTES = 2;
/** Largest value of a 2-byte variable-length integer (section 16). */
const QUIC_VARINT2_MAX = 0x3fff;
/** The AEAD tag every protected packet ends with. */
const QUIC_AEAD_TAG_BYTES = 16;

/**
 * A long header of `packetBytes` in all, for an Initial (with an empty
 * token) or a Handshake packet. Returns how many payload bytes the caller
 * must append to make the packet that long.
 *
 *   flags u8 | version u32 | dcid len u8 | dcid | scid len u8 | scid |
 *   [token len varint | token] | length varint | packet number | payload
 */
export function writeQuicLongHeader(
  out: ByteWriter,
  type: typeof QUIC_PACKET_INITIAL | typeof QUIC_PACKET_HANDSHAKE,
  dcid: Uint8Array,
  scid: Uint8Array,
  packetNumber: number,
  packetBytes: number,
): number {
  const start = out.length;
  out.u8(0xc0 | (type << 4) | (QUIC_PACKET_NUMBER_BYTES - 1));
  out.u32(QUIC_VERSION_1);
  out.u8(dcid.length).append(dcid);
  out.u8(scid.length).append(scid);
  if (type === QUIC_PACKET_INITIAL) out.u8(0); // token length

  // The Length field counts the packet number and the payload.
  const lengthFieldBytes = 2;
  const counted = packetBytes - (out.length - start) - lengthFieldBytes;
  invariant(
    counted >= QUIC_PACKET_NUMBER_BYTES + QUIC_AEAD_TAG_BYTES &&
      counted <= QUIC_VARINT2_MAX,
    `QUIC long packet of ${packetBytes} bytes`,
  );
  out.u16(0x4000 | counted);
  out.u16(packetNumber & 0xffff);
  return counted - QUIC_PACKET_NUMBER_BYTES;
}

/** A 1-RTT short header: flags | dcid | packet number. */
export function writeQuicShortHeader(
  out: ByteWriter,
  dcid: Uint8Array,
  packetNumber: number,
): void {
  out.u8(0x40 | (QUIC_PACKET_NUMBER_BYTES - 1));
  out.append(dcid);
  out.u16(packetNumber & 0xffff);
}

// ---------------------------------------------------------------------------
// ping

/**
 * iputils ping sends 56 data bytes: a struct timeval (two 64-bit
 * little-endian fields on 64-bit Linux), then the byte values 0x10 to
 * 0x37, each at its own offset.
 */
const PING_DATA_BYTES = 56;
const TIMEVAL_BYTES = 16;

export function writePingPayload(out: ByteWriter, tsMicros: number): void {
  const micros = tsMicros % 1e6;
  const seconds = (tsMicros - micros) / 1e6;
  out.u32le(seconds).u32le(0); // tv_sec, fits 32 bits until 2106
  out.u32le(micros).u32le(0); // tv_usec
  for (let i = TIMEVAL_BYTES; i < PING_DATA_BYTES; i++) out.u8(i);
}
