import type { IpLayer } from '@capscope/parser/decode';
import { formatAddress } from './address.js';
import type { AppName } from './apps.js';
import { APP_NAMES } from './apps.js';
import type { FlowColumns } from './flow-table.js';
import type { DnsSink } from './hints/dns.js';
import { readDns, readDnsOverTcp } from './hints/dns.js';
import { isHttpResponse, readHttpRequest } from './hints/http.js';
import { decryptQuicServerName, isQuicInitial } from './hints/quic.js';
import { readSshBanner } from './hints/ssh.js';
import { isTlsRecord, readTlsServerName } from './hints/tls.js';

/**
 * Content is read only in a flow's first packets: names and banners come
 * early, and the hot path stays free of parsing for the millions after.
 */
const HINT_PACKETS = 8;
/**
 * QUIC Initials wait for WebCrypto after the import; at most this many,
 * so a flood of Initials cannot hold the whole file in memory.
 */
const MAX_QUIC_PENDING = 20000;
/** Ports whose UDP payload is read as DNS (plain, mDNS, LLMNR). */
const DNS_PORTS = new Set([53, 5353, 5355]);

const app = (name: AppName) => APP_NAMES.indexOf(name);
const APP_DNS = app('dns');
const APP_MDNS = app('mdns');
const APP_LLMNR = app('llmnr');
const APP_TLS = app('tls');
const APP_HTTP = app('http');
const APP_SSH = app('ssh');
const APP_QUIC = app('quic');

/**
 * Reads application protocols from payloads, content first and port
 * second: the `app` and `host` of flows, and the names the capture's own
 * DNS answers gave to addresses.
 */
export class AppHints implements DnsSink {
  /** Host names; the `host` column indexes this list. */
  readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  /** Address text -> the first name a DNS answer gave it. */
  readonly addressNames = new Map<string, string>();
  private readonly quicPending: Array<{ flow: number; packet: Uint8Array }> =
    [];
  /** Flow whose packet is being read (for the DNS sink's callbacks). */
  private flow = -1;
  private columns: FlowColumns | null = null;

  /** Looks at one layer's payload when its flow is still young. */
  read(c: FlowColumns, flow: number, layer: IpLayer, b: Uint8Array): void {
    const at = layer.payloadOffset;
    const length = layer.payloadLength;
    if (length <= 0) return;
    const end = at + length;
    const protocol = layer.protocol;
    const young = c.packetsOut[flow] + c.packetsIn[flow] <= HINT_PACKETS;
    const dnsPort = DNS_PORTS.has(layer.srcPort) ||
      DNS_PORTS.has(layer.dstPort);

    this.flow = flow;
    this.columns = c;
    if (protocol === 17) {
      // DNS answers name addresses all through a capture, so every DNS
      // packet is read, not only a young flow's.
      if (dnsPort && readDns(b, at, end, this)) {
        c.app[flow] = layer.srcPort === 5353 || layer.dstPort === 5353
          ? APP_MDNS
          : layer.srcPort === 5355 || layer.dstPort === 5355
            ? APP_LLMNR
            : APP_DNS;
        return;
      }
      if (young && c.host[flow] < 0 && isQuicInitial(b, at, end)) {
        c.app[flow] = APP_QUIC;
        if (this.quicPending.length < MAX_QUIC_PENDING &&
          !this.quicPending.some((p) => p.flow === flow)) {
          this.quicPending.push({ flow, packet: b.slice(at, end) });
        }
      }
      return;
    }
    if (protocol !== 6) return;
    if (dnsPort && readDnsOverTcp(b, at, end, this)) {
      c.app[flow] = APP_DNS;
      return;
    }
    if (!young) return;
    this.readTcp(c, flow, b, at, end);
  }

  private readTcp(
    c: FlowColumns,
    flow: number,
    b: Uint8Array,
    at: number,
    end: number,
  ): void {
    if (isTlsRecord(b, at, end)) {
      c.app[flow] = APP_TLS;
      if (c.host[flow] < 0) {
        const name = readTlsServerName(b, at, end);
        if (name) c.host[flow] = this.nameId(name);
      }
      return;
    }
    const request = readHttpRequest(b, at, end);
    if (request) {
      c.app[flow] = APP_HTTP;
      if (request.host && c.host[flow] < 0) {
        c.host[flow] = this.nameId(request.host);
      }
      return;
    }
    if (isHttpResponse(b, at, end)) {
      c.app[flow] = APP_HTTP;
      return;
    }
    if (readSshBanner(b, at, end) !== null) c.app[flow] = APP_SSH;
  }

  /** DnsSink: the question names the flow's host. */
  query(name: string): void {
    const c = this.columns;
    if (c && this.flow >= 0 && c.host[this.flow] < 0 && name) {
      c.host[this.flow] = this.nameId(name);
    }
  }

  /** DnsSink: an answer names an address. */
  address(name: string, version: 4 | 6, b: Uint8Array, offset: number): void {
    const words = readWords(version, b, offset);
    const text = formatAddress(version, words, 0);
    if (!this.addressNames.has(text)) this.addressNames.set(text, name);
  }

  /** Decrypts waiting QUIC Initials for their server names. */
  async resolvePending(c: FlowColumns): Promise<void> {
    const pending = this.quicPending.splice(0);
    for (const { flow, packet } of pending) {
      if (c.host[flow] >= 0) continue;
      const name = await decryptQuicServerName(packet);
      if (name) c.host[flow] = this.nameId(name);
    }
  }

  get pendingCount(): number {
    return this.quicPending.length;
  }

  private nameId(name: string): number {
    let id = this.nameIndex.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, id);
    }
    return id;
  }
}

function readWords(version: number, b: Uint8Array, at: number): number[] {
  const words = [0, 0, 0, 0];
  const count = version === 4 ? 1 : 4;
  for (let i = 0; i < count; i++) {
    const p = at + i * 4;
    words[i] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) |
      b[p + 3]) >>> 0;
  }
  return words;
}
