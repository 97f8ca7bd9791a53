import type { IpLayer } from '@capscope/parser/decode';
import type { PacketRecord } from '@capscope/parser/record';
import { formatAddress } from './address.js';
import type { AppName } from './apps.js';
import { APP_NAMES } from './apps.js';
import type { FlowColumns } from './flow-table.js';
import type { DnsSink } from './hints/dns.js';
import { dnsResponseCode, readDns, readDnsOverTcp } from './hints/dns.js';
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
/**
 * Names kept with their DNS statistics; past this, a capture of random
 * names (a DNS tunnel, say) stops adding, so memory stays bounded.
 */
export const MAX_DNS_NAMES = 100_000;

/** What the capture's DNS said about one name. */
export interface DnsName {
  queries: number;
  responses: number;
  /** Failing responses by response code (3 NXDOMAIN, 2 SERVFAIL...). */
  failures: Record<number, number>;
  /** First query to first response, per flow that had both. */
  responseSeconds: number[];
}

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
  /**
   * The packet that first named each address and that first asked or
   * answered each DNS name: what merges workers' hints in file order.
   */
  readonly addressNamePackets = new Map<string, number>();
  readonly dnsNamePackets = new Map<string, number>();
  private readonly quicPending: Array<{ flow: number; packet: Uint8Array }> =
    [];
  private readonly quicFlows = new Set<number>();
  /** DNS by name: queries, responses and their codes (see DnsName). */
  readonly dnsNames = new Map<string, DnsName>();
  /** Responses in the whole capture by response code (index = rcode). */
  readonly dnsResponseCodes = new Array<number>(16).fill(0);
  /** The question of the DNS message being read. */
  private question = '';
  /** When each DNS flow's first query went out, until its answer. */
  private readonly dnsQueryTimes = new Map<number, [number, number]>();
  /** Flow and packet being read (for the DNS sink's callbacks). */
  private flow = -1;
  private packet = 0;
  private columns: FlowColumns | null = null;

  /**
   * Looks at one layer's payload when its flow is still young: `packets`
   * counted in it so far, this one included.
   */
  read(
    c: FlowColumns,
    flow: number,
    packets: number,
    layer: IpLayer,
    record: PacketRecord,
  ): void {
    const b = record.data;
    const at = layer.payloadOffset;
    const length = layer.payloadLength;
    if (length <= 0) return;
    const end = at + length;
    const protocol = layer.protocol;
    const young = packets <= HINT_PACKETS;
    const dnsPort = DNS_PORTS.has(layer.srcPort) ||
      DNS_PORTS.has(layer.dstPort);

    this.flow = flow;
    this.packet = record.index;
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
        this.timeDns(c, flow, dnsResponseCode(b, at, end), record);
        return;
      }
      if (young && c.host[flow] < 0 && isQuicInitial(b, at, end)) {
        c.app[flow] = APP_QUIC;
        if (this.quicPending.length < MAX_QUIC_PENDING &&
          !this.quicFlows.has(flow)) {
          this.quicFlows.add(flow);
          this.quicPending.push({ flow, packet: b.slice(at, end) });
        }
      }
      return;
    }
    if (protocol !== 6) return;
    if (dnsPort && readDnsOverTcp(b, at, end, this)) {
      c.app[flow] = APP_DNS;
      this.timeDns(c, flow, dnsResponseCode(b, at + 2, end), record);
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

  /**
   * A DNS flow keeps the first failure code its responses carried, and
   * the time from its first query to its first response.
   */
  private timeDns(
    c: FlowColumns,
    flow: number,
    rcode: number,
    record: PacketRecord,
  ): void {
    const stats = this.dnsName(this.question);
    this.question = '';
    if (rcode < 0) {
      if (stats) stats.queries++;
      if (!this.dnsQueryTimes.has(flow) && c.handshakeRtt[flow] < 0) {
        this.dnsQueryTimes.set(flow, [record.seconds, record.nanos]);
      }
      return;
    }
    if (c.dnsRcode[flow] <= 0) c.dnsRcode[flow] = rcode;
    this.dnsResponseCodes[rcode]++;
    if (stats) {
      stats.responses++;
      if (rcode !== 0) stats.failures[rcode] = (stats.failures[rcode] ?? 0) + 1;
    }
    const query = this.dnsQueryTimes.get(flow);
    if (query) {
      this.dnsQueryTimes.delete(flow);
      const seconds = record.seconds - query[0] +
        (record.nanos - query[1]) / 1e9;
      c.handshakeRtt[flow] = seconds;
      if (stats) stats.responseSeconds.push(seconds);
    }
  }

  private dnsName(name: string): DnsName | null {
    if (!name) return null;
    let stats = this.dnsNames.get(name);
    if (!stats) {
      if (this.dnsNames.size >= MAX_DNS_NAMES) return null;
      stats = { queries: 0, responses: 0, failures: {}, responseSeconds: [] };
      this.dnsNames.set(name, stats);
      this.dnsNamePackets.set(name, this.packet);
    }
    return stats;
  }

  /** DnsSink: the question names the flow's host. */
  query(name: string): void {
    this.question = name;
    const c = this.columns;
    if (c && this.flow >= 0 && c.host[this.flow] < 0 && name) {
      c.host[this.flow] = this.nameId(name);
    }
  }

  /** DnsSink: an answer names an address. */
  address(name: string, version: 4 | 6, b: Uint8Array, offset: number): void {
    const words = readWords(version, b, offset);
    const text = formatAddress(version, words, 0);
    if (!this.addressNames.has(text)) {
      this.addressNames.set(text, name);
      this.addressNamePackets.set(text, this.packet);
    }
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
