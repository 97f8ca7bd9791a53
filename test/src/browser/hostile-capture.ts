// A capture whose names attack whatever shows them: markup, script,
// control characters, a right-to-left override and names thousands of
// characters long, in DNS questions and answers, TLS server names and HTTP
// Host headers. Built with the generator's frame builders; the hostile
// bytes replace placeholders of the same length after the message is
// written, since the builders take ASCII only.

import { ByteWriter } from '../generator/byte-writer.js';
import {
  DNS_TYPE_A,
  FrameBuilder,
  TCP_ACK,
  TCP_PSH,
  TCP_SYN,
  writeDnsQuery,
  writeDnsResponse,
  writeHttpGet,
  writeTlsClientHello,
  type PacketHeaders,
} from '../generator/frames.js';
import { PcapWriter } from '../generator/pcap-writer.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Names a page would run if it put them into HTML. */
export const HOSTILE = {
  dnsLabels: [
    utf8('<img src=x onerror=window.__pwned=1>'),
    utf8('evil\u202Etxt'),
  ],
  tlsServerName: utf8('<script>window.__pwned=2</script>\x01\x1b[31m'),
  httpHost: utf8('<img src=x onerror=window.__pwned=3>\u202E\x07'),
  /** A name of 253 characters, the most DNS allows: shown, but clipped. */
  longDnsLabels: [
    utf8(`<b>${'x'.repeat(60)}`),
    utf8('y'.repeat(63)),
    utf8('z'.repeat(63)),
    utf8('w'.repeat(61)),
  ],
  /** Far past any real name: the analyser drops these. */
  hugeTlsServerName: utf8(`${'a'.repeat(5000)}<script>`),
  hugeHttpHost: utf8(`${'b'.repeat(5000)}<img src=x>`),
};

/** The server the DNS answer names, and whose flow gets that name. */
const TLS_SERVER = 0xcb007114; // 203.0.113.20

/**
 * How a name reads once decoded, as the analyser documents it (text.ts):
 * printable ASCII kept with letters in lower case; space, every byte
 * outside printable ASCII and the backslash itself as `\DDD`; in DNS
 * names, a dot inside a label as `\046`.
 */
export function expectedNameText(
  labels: readonly Uint8Array[],
  dns: boolean,
): string {
  return labels
    .map((label) =>
      Array.from(label, (byte) => {
        const escaped =
          byte <= 0x20 || byte > 0x7e || byte === 0x5c ||
          (dns && byte === 0x2e);
        if (escaped) return `\\${String(byte).padStart(3, '0')}`;
        return String.fromCharCode(byte).toLowerCase();
      }).join(''),
    )
    .join('.');
}

export interface HostileCapture {
  bytes: Uint8Array;
  /** Host column texts the table must show, each exactly once. */
  shownHosts: string[];
  /** The one of them long enough that its cell must clip it. */
  longHost: string;
  flows: number;
}

export function buildHostileCapture(): HostileCapture {
  const writer = new PcapWriter();
  const frames = new FrameBuilder();
  let tsMicros = 1_764_496_800_000_000;
  const write = (frame: Uint8Array) => writer.writeFrame((tsMicros += 1000), frame);

  // DNS: the hostile question and an answer naming the TLS server.
  dnsExchange(frames, write, 50001, HOSTILE.dnsLabels, TLS_SERVER);
  dnsExchange(frames, write, 50004, HOSTILE.longDnsLabels, TLS_SERVER + 1);

  // TLS: a ClientHello whose server name is hostile, or huge.
  const tls = (name: Uint8Array) => {
    const out = new ByteWriter(16 * 1024);
    const placeholder = 'q'.repeat(name.length);
    const zeros = new Uint8Array(32);
    writeTlsClientHello(out, placeholder, zeros, zeros, zeros);
    return patchPlaceholder(out.result(), placeholder, name);
  };
  tcpExchange(frames, write, 50002, TLS_SERVER, 443, tls(HOSTILE.tlsServerName));
  tcpExchange(frames, write, 50005, TLS_SERVER + 2, 443,
    tls(HOSTILE.hugeTlsServerName));

  // HTTP: a GET whose Host header is hostile, or huge.
  const http = (host: Uint8Array) => {
    const out = new ByteWriter(16 * 1024);
    const placeholder = 'q'.repeat(host.length);
    writeHttpGet(out, placeholder, '/', 'curl/8.5.0');
    return patchPlaceholder(out.result(), placeholder, host);
  };
  tcpExchange(frames, write, 50003, TLS_SERVER + 10, 80, http(HOSTILE.httpHost));
  tcpExchange(frames, write, 50006, TLS_SERVER + 11, 80,
    http(HOSTILE.hugeHttpHost));

  const longHost = expectedNameText(HOSTILE.longDnsLabels, true);
  return {
    bytes: writer.toUint8Array(),
    shownHosts: [
      expectedNameText(HOSTILE.dnsLabels, true),
      longHost,
      expectedNameText([HOSTILE.tlsServerName], false),
      expectedNameText([HOSTILE.httpHost], false),
    ],
    longHost,
    flows: 6,
  };
}

/** One HTTP GET flow per Host header given, to servers 198.51.100.1... */
export function buildHttpCapture(hosts: readonly string[]): Uint8Array {
  const writer = new PcapWriter();
  const frames = new FrameBuilder();
  let tsMicros = 1_764_496_800_000_000;
  const write = (frame: Uint8Array) => writer.writeFrame((tsMicros += 1000), frame);
  const out = new ByteWriter(4096);
  hosts.forEach((host, i) => {
    writeHttpGet(out.reset(), host, '/', 'curl/8.5.0');
    tcpExchange(frames, write, 51000 + i, 0xc6336401 + i, 80,
      Uint8Array.from(out.result()));
  });
  return writer.toUint8Array();
}

type Write = (frame: Uint8Array) => number;

const CLIENT = 0x0a000005; // 10.0.0.5
const RESOLVER = 0x0a000035; // 10.0.0.53

function headers(src: number, dst: number, fromClient: boolean): PacketHeaders {
  const clientMac = Uint8Array.of(0x00, 0x0d, 0x3a, 0x01, 0x02, 0x03);
  const gatewayMac = Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc);
  return {
    srcMac: fromClient ? clientMac : gatewayMac,
    dstMac: fromClient ? gatewayMac : clientMac,
    ip: { version: 4, src, dst },
    ttl: 64,
    ipId: 1,
    dontFragment: true,
    flowLabel: 0,
  };
}

/**
 * A query and its answer. The builders write the name from ASCII
 * placeholders; the real labels then go over the question, which starts
 * after the 12-byte header in both messages (answers point back at it).
 */
function dnsExchange(
  frames: FrameBuilder,
  write: Write,
  clientPort: number,
  labels: readonly Uint8Array[],
  answer: number,
): void {
  const placeholder = labels.map((l) => 'q'.repeat(l.length)).join('.');
  const encoded = encodeDnsName(labels);
  const out = new ByteWriter(1024);

  writeDnsQuery(out.reset(), 0x1234, placeholder, DNS_TYPE_A);
  const query = Uint8Array.from(out.result());
  query.set(encoded, 12);
  write(frames.udp(headers(CLIENT, RESOLVER, true), clientPort, 53, query));

  const address = Uint8Array.of(answer >>> 24, (answer >>> 16) & 0xff,
    (answer >>> 8) & 0xff, answer & 0xff);
  writeDnsResponse(out.reset(), 0x1234, placeholder, DNS_TYPE_A, [address], 300);
  const response = Uint8Array.from(out.result());
  response.set(encoded, 12);
  write(frames.udp(headers(RESOLVER, CLIENT, false), 53, clientPort, response));
}

function encodeDnsName(labels: readonly Uint8Array[]): Uint8Array {
  const parts: number[] = [];
  for (const label of labels) parts.push(label.length, ...label);
  parts.push(0);
  return Uint8Array.from(parts);
}

/** Handshake, one request from the client, and the server's ACK. */
function tcpExchange(
  frames: FrameBuilder,
  write: Write,
  clientPort: number,
  server: number,
  serverPort: number,
  request: Uint8Array,
): void {
  const out = headers(CLIENT, server, true);
  const back = headers(server, CLIENT, false);
  const none = new Uint8Array(0);
  const segment = (seq: number, ack: number, flags: number) => ({
    srcPort: clientPort,
    dstPort: serverPort,
    seq,
    ack,
    flags,
    window: 502,
    options: null,
  });
  const reply = (seq: number, ack: number, flags: number) => ({
    ...segment(seq, ack, flags),
    srcPort: serverPort,
    dstPort: clientPort,
  });

  write(frames.tcp(out, segment(1000, 0, TCP_SYN), none));
  write(frames.tcp(back, reply(5000, 1001, TCP_SYN | TCP_ACK), none));
  write(frames.tcp(out, segment(1001, 5001, TCP_ACK), none));
  write(frames.tcp(out, segment(1001, 5001, TCP_ACK | TCP_PSH), request));
  write(frames.tcp(back, reply(5001, 1001 + request.length, TCP_ACK), none));
}

/** A copy of `message` with the one run of `placeholder` replaced. */
function patchPlaceholder(
  message: Uint8Array,
  placeholder: string,
  real: Uint8Array,
): Uint8Array {
  const copy = Uint8Array.from(message);
  const at = Buffer.from(copy).indexOf(placeholder, 0, 'latin1');
  if (at < 0 || real.length !== placeholder.length) {
    throw new Error('placeholder not found, or of another length');
  }
  copy.set(real, at);
  return copy;
}
