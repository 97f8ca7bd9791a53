import { DecodedPacket, decodePacket } from '@capscope/parser/decode';
import type { IpLayer } from '@capscope/parser/decode';
import type { CaptureSink } from '@capscope/parser/framer';
import { isDecodedLinkType, linkTypeName } from '@capscope/parser/linktypes';
import type { Problem } from '@capscope/parser/problems';
import { CaptureReader } from '@capscope/parser/reader';
import type {
  CaptureInfo,
  InterfaceInfo,
  PacketRecord,
} from '@capscope/parser/record';
import { formatTime, isTimeInRange } from '@capscope/parser/time';
import { FlowActivity } from './aggregates/flow-activity.js';
import { ProtocolHierarchy } from './aggregates/protocol-hierarchy.js';
import type { DnsName } from './app-hints.js';
import { AppHints } from './app-hints.js';
import { appFromPorts } from './apps.js';
import { TcpTracker } from './tcp-tracker.js';
import type { FlowColumns } from './flow-table.js';
import {
  FlowTable,
  TCP_FIN_FROM_DST,
  TCP_FIN_FROM_SRC,
  TCP_RST_SEEN,
} from './flow-table.js';

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

/**
 * Problems kept in full; past this, only counted, so that a file broken in
 * every record cannot fill memory with messages.
 */
export const MAX_PROBLEMS = 1000;
/**
 * Fragments that arrive before their datagram's first fragment wait for
 * it; past this many waiting datagrams the oldest are counted without
 * ports, so a flood of orphans stays bounded.
 */
const MAX_WAITING_DATAGRAMS = 10000;

export interface CaptureTotals {
  packets: number;
  bytes: number;
  capturedBytes: number;
  /** Frames that carry no IP (ARP, STP, LLDP...). */
  nonIpPackets: number;
  hasTime: boolean;
  firstSeconds: number;
  firstNanos: number;
  lastSeconds: number;
  lastNanos: number;
  timeDigits: number;
}

/** The `capscope summary` object; also what the page shows as totals. */
export interface CaptureSummary {
  format: 'pcap' | 'pcapng' | null;
  linkTypes: number[];
  packets: number;
  bytes: number;
  flows: number;
  firstSeen: string | null;
  lastSeen: string | null;
  problems: Array<Pick<Problem, 'kind' | 'offset' | 'packet'>>;
}

interface WaitingDatagram {
  packets: number;
  bytes: number;
  seconds: number;
  nanos: number;
}

/**
 * Turns a capture, pushed in chunks, into flows and totals. It is the one
 * pipeline the CLI, the worker and the tests all run.
 */
export class CaptureAnalysis implements CaptureSink {
  readonly flows = new FlowTable();
  readonly totals: CaptureTotals = {
    packets: 0,
    bytes: 0,
    capturedBytes: 0,
    nonIpPackets: 0,
    hasTime: false,
    firstSeconds: 0,
    firstNanos: 0,
    lastSeconds: 0,
    lastNanos: 0,
    timeDigits: 0,
  };
  readonly problems: Problem[] = [];
  private readonly hints = new AppHints();
  private readonly tcp = new TcpTracker();
  /** Host names flows carried; the `host` column indexes this list. */
  readonly names: readonly string[] = this.hints.names;
  /** DNS by name, and responses by code (index = rcode). */
  readonly dnsNames: ReadonlyMap<string, DnsName> = this.hints.dnsNames;
  readonly dnsResponseCodes: readonly number[] = this.hints.dnsResponseCodes;
  /** Names the capture's own DNS answers gave, by address text. */
  readonly addressNames: ReadonlyMap<string, string> =
    this.hints.addressNames;
  problemCount = 0;
  info: CaptureInfo | null = null;
  readonly interfaces: InterfaceInfo[] = [];
  /** Frames by header chain, and each flow's traffic over time. */
  readonly hierarchy = new ProtocolHierarchy();
  readonly activity = new FlowActivity();

  private readonly reader = new CaptureReader(this);
  private readonly decoded = new DecodedPacket();
  private readonly layerFlows = new Int32Array(4);
  private readonly unknownLinkTypesSeen = new Set<number>();
  /** First-fragment flows by datagram, and fragments still waiting. */
  private readonly datagramFlows = new Map<string, number>();
  private readonly waiting = new Map<string, WaitingDatagram>();

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  end(): void {
    this.reader.end();
    this.flushWaitingFragments();
  }

  /**
   * Work that needs WebCrypto (QUIC Initials' server names), done once
   * after end(): the streaming part stays synchronous.
   */
  async finish(): Promise<void> {
    await this.hints.resolvePending(this.flows.columns);
  }

  get bytesRead(): number {
    return this.reader.bytesRead;
  }

  /** True once the file could not be framed any further. */
  get stopped(): boolean {
    return this.reader.stopped;
  }

  format(info: CaptureInfo): void {
    this.info = info;
  }

  interface(info: InterfaceInfo): void {
    this.interfaces.push(info);
  }

  problem(problem: Problem): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
  }

  packet(record: PacketRecord): void {
    const totals = this.totals;
    totals.packets++;
    totals.bytes += record.originalLength;
    totals.capturedBytes += record.capturedLength;
    if (record.hasTime) this.countTime(record);

    const decoded = this.decoded;
    decodePacket(record, decoded);
    if (decoded.unknownLink) {
      this.observe(record, -1);
      this.reportUnknownLink(record);
      return;
    }
    if (decoded.malformed !== null) {
      this.problem({
        kind: 'decode-error',
        offset: record.offset,
        packet: record.index,
        message: `Packet ${record.index}: ${decoded.malformed}; what ` +
          'could be read of it is counted.',
      });
    }
    if (decoded.layerCount === 0) {
      this.observe(record, -1);
      totals.nonIpPackets++;
      return;
    }
    let innermost = -1;
    for (let i = 0; i < decoded.layerCount; i++) {
      const flow = this.countLayer(record, decoded.layers[i]);
      if (flow < 0) break; // a fragment waiting for its first fragment
      this.layerFlows[i] = flow;
      innermost = flow;
      if (i > 0 && this.flows.created) {
        const c = this.flows.columns;
        c.outerFlow[flow] = this.layerFlows[i - 1];
        c.tunnel[flow] = decoded.layers[i - 1].carries;
      }
      if (this.flows.created && decoded.vlanId >= 0) {
        this.flows.columns.vlan[flow] = decoded.vlanId;
      }
    }
    this.observe(record, innermost);
  }

  /** Counts a frame in the hierarchy and, by time, in its innermost flow. */
  private observe(record: PacketRecord, flow: number): void {
    const app = flow >= 0 ? this.flows.columns.app[flow] : 0;
    this.hierarchy.count(this.decoded, record.originalLength, app);
    this.activity.add(flow, record);
  }

  summary(): CaptureSummary {
    const t = this.totals;
    const linkTypes = [...new Set(this.interfaces.map((i) => i.linkType))];
    return {
      format: this.info?.format ?? null,
      linkTypes,
      packets: t.packets,
      bytes: t.bytes,
      flows: this.flows.count,
      firstSeen: t.hasTime
        ? formatTime(t.firstSeconds, t.firstNanos, t.timeDigits)
        : null,
      lastSeen: t.hasTime
        ? formatTime(t.lastSeconds, t.lastNanos, t.timeDigits)
        : null,
      problems: this.problems.map(({ kind, offset, packet }) => ({
        kind,
        offset,
        packet,
      })),
    };
  }

  columns(): FlowColumns {
    return this.flows.snapshot();
  }

  private countTime(record: PacketRecord): void {
    const t = this.totals;
    const { seconds, nanos } = record;
    if (!isTimeInRange(seconds)) {
      this.problem({
        kind: 'time-out-of-range',
        offset: record.offset,
        packet: record.index,
        message: `Packet ${record.index} has a time outside years 0001-9999.`,
      });
    }
    if (record.timeDigits > t.timeDigits) t.timeDigits = record.timeDigits;
    if (!t.hasTime) {
      t.hasTime = true;
      t.firstSeconds = t.lastSeconds = seconds;
      t.firstNanos = t.lastNanos = nanos;
      return;
    }
    if (seconds < t.firstSeconds ||
      (seconds === t.firstSeconds && nanos < t.firstNanos)) {
      t.firstSeconds = seconds;
      t.firstNanos = nanos;
    }
    if (seconds > t.lastSeconds ||
      (seconds === t.lastSeconds && nanos > t.lastNanos)) {
      t.lastSeconds = seconds;
      t.lastNanos = nanos;
    }
  }

  /** Finds the flow of one IP layer and counts the frame in it. */
  private countLayer(record: PacketRecord, layer: IpLayer): number {
    const flows = this.flows;
    const protocol = layer.protocol;
    let keySrc = layer.srcPort;
    let keyDst = layer.dstPort;
    let shownSrc = layer.srcPort;
    let shownDst = layer.dstPort;
    if (layer.icmpType >= 0) {
      // Echo-like messages pair by identifier; others by type and code.
      keySrc = keyDst = layer.icmpId >= 0
        ? 0x10000 | layer.icmpId
        : 0x20000 | (layer.icmpType << 8) | layer.icmpCode;
      shownSrc = layer.icmpType;
      shownDst = layer.icmpCode;
    }

    if (layer.fragment) {
      const flow = this.countFragment(record, layer);
      if (flow >= 0) return flow;
      if (layer.fragmentOffset > 0) return -1;
    }

    const flags = layer.tcpFlags;
    const opening = protocol === 6 && flags >= 0 &&
      (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    const flow = flows.find(layer.version, protocol, record.data,
      layer.srcOffset, layer.dstOffset, keySrc, keyDst,
      opening ? layer.tcpSeq : -1);
    const c = flows.columns;
    const reversed = flows.reversed;
    if (flows.created) {
      c.srcPort[flow] = shownSrc;
      c.dstPort[flow] = shownDst;
      c.firstSeconds[flow] = c.lastSeconds[flow] = record.seconds;
      c.firstNanos[flow] = c.lastNanos[flow] = record.nanos;
      c.app[flow] = appFromPorts(protocol, layer.srcPort, layer.dstPort);
    }
    this.countFrame(flow, reversed, record.originalLength, record);
    if (layer.payloadLength > 0 && layer.carries === 0) {
      this.hints.read(c, flow, layer, record);
    }
    if (flags >= 0) this.tcp.track(c, flow, reversed, layer, record);

    if (flags >= 0) {
      if (flags & TCP_RST) c.tcpState[flow] |= TCP_RST_SEEN;
      if (flags & TCP_FIN) {
        c.tcpState[flow] |= reversed ? TCP_FIN_FROM_DST : TCP_FIN_FROM_SRC;
      }
    }
    if (layer.fragment && layer.fragmentOffset === 0) {
      this.rememberDatagram(record, layer, flow, reversed);
    }
    const quoted = layer.quoted;
    if (quoted.version !== 0) {
      const related = flows.lookup(quoted.version, quoted.protocol,
        record.data, quoted.srcOffset, quoted.dstOffset, quoted.srcPort,
        quoted.dstPort);
      if (related >= 0) c.relatedFlow[flow] = related;
    }
    return flow;
  }

  private countFrame(
    flow: number,
    reversed: boolean,
    bytes: number,
    record: PacketRecord,
  ): void {
    const c = this.flows.columns;
    if (reversed) {
      c.packetsIn[flow]++;
      c.bytesIn[flow] += bytes;
    } else {
      c.packetsOut[flow]++;
      c.bytesOut[flow] += bytes;
    }
    if (!record.hasTime) return;
    const { seconds, nanos } = record;
    if (seconds < c.firstSeconds[flow] ||
      (seconds === c.firstSeconds[flow] && nanos < c.firstNanos[flow])) {
      c.firstSeconds[flow] = seconds;
      c.firstNanos[flow] = nanos;
    }
    if (seconds > c.lastSeconds[flow] ||
      (seconds === c.lastSeconds[flow] && nanos > c.lastNanos[flow])) {
      c.lastSeconds[flow] = seconds;
      c.lastNanos[flow] = nanos;
    }
  }

  /**
   * A fragment after the first counts in the flow of its datagram, found
   * by addresses, protocol and identification; one that comes before its
   * first fragment waits for it. Returns the flow, or -1.
   */
  private countFragment(
    record: PacketRecord,
    layer: IpLayer,
  ): number {
    if (layer.fragmentOffset === 0) return -1;
    const key = datagramKey(record.data, layer);
    const known = this.datagramFlows.get(key);
    if (known !== undefined) {
      const flow = known >> 1;
      this.countFrame(flow, (known & 1) === 1, record.originalLength, record);
      return flow;
    }
    let waiting = this.waiting.get(key);
    if (!waiting) {
      if (this.waiting.size >= MAX_WAITING_DATAGRAMS) {
        return this.countPortless(record, layer);
      }
      waiting = { packets: 0, bytes: 0, seconds: 0, nanos: 0 };
      this.waiting.set(key, waiting);
    }
    if (waiting.packets === 0 || record.seconds < waiting.seconds ||
      (record.seconds === waiting.seconds && record.nanos < waiting.nanos)) {
      waiting.seconds = record.seconds;
      waiting.nanos = record.nanos;
    }
    waiting.packets++;
    waiting.bytes += record.originalLength;
    return -2;
  }

  private rememberDatagram(
    record: PacketRecord,
    layer: IpLayer,
    flow: number,
    reversed: boolean,
  ): void {
    const key = datagramKey(record.data, layer);
    this.datagramFlows.set(key, (flow << 1) | (reversed ? 1 : 0));
    const waiting = this.waiting.get(key);
    if (!waiting) return;
    this.waiting.delete(key);
    const c = this.flows.columns;
    if (reversed) {
      c.packetsIn[flow] += waiting.packets;
      c.bytesIn[flow] += waiting.bytes;
    } else {
      c.packetsOut[flow] += waiting.packets;
      c.bytesOut[flow] += waiting.bytes;
    }
    if (waiting.seconds < c.firstSeconds[flow] ||
      (waiting.seconds === c.firstSeconds[flow] &&
        waiting.nanos < c.firstNanos[flow])) {
      c.firstSeconds[flow] = waiting.seconds;
      c.firstNanos[flow] = waiting.nanos;
    }
  }

  /** Counts a fragment whose first fragment never came, without ports. */
  private countPortless(record: PacketRecord, layer: IpLayer): number {
    const flows = this.flows;
    const flow = flows.find(layer.version, layer.protocol, record.data,
      layer.srcOffset, layer.dstOffset, -1, -1, -1);
    if (flows.created) {
      const c = flows.columns;
      c.srcPort[flow] = -1;
      c.dstPort[flow] = -1;
      c.firstSeconds[flow] = c.lastSeconds[flow] = record.seconds;
      c.firstNanos[flow] = c.lastNanos[flow] = record.nanos;
    }
    this.countFrame(flow, flows.reversed, record.originalLength, record);
    return flow;
  }

  /** Fragments whose first fragment never came still count, portless. */
  private flushWaitingFragments(): void {
    for (const [key, waiting] of this.waiting) {
      const parts = key.split('|');
      const version = Number(parts[0]);
      const protocol = Number(parts[1]);
      const bytes = hexToBytes(parts[2] + parts[3]);
      const addressLength = version === 4 ? 4 : 16;
      const flows = this.flows;
      const flow = flows.find(version, protocol, bytes, 0, addressLength,
        -1, -1, -1);
      const c = flows.columns;
      if (flows.created) {
        c.firstSeconds[flow] = c.lastSeconds[flow] = waiting.seconds;
        c.firstNanos[flow] = c.lastNanos[flow] = waiting.nanos;
      }
      if (flows.reversed) {
        c.packetsIn[flow] += waiting.packets;
        c.bytesIn[flow] += waiting.bytes;
      } else {
        c.packetsOut[flow] += waiting.packets;
        c.bytesOut[flow] += waiting.bytes;
      }
    }
    this.waiting.clear();
  }

  private reportUnknownLink(record: PacketRecord): void {
    if (this.unknownLinkTypesSeen.has(record.linkType)) return;
    this.unknownLinkTypesSeen.add(record.linkType);
    const known = isDecodedLinkType(record.linkType);
    this.problem({
      kind: 'unknown-link-type',
      offset: record.offset,
      packet: record.index,
      message:
        `Packets on ${linkTypeName(record.linkType)} are counted but ` +
        (known ? 'could not be decoded.' : 'not decoded.'),
    });
  }
}

function hex(bytes: Uint8Array, at: number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    text += bytes[at + i].toString(16).padStart(2, '0');
  }
  return text;
}

function hexToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  }
  return out;
}

/** Identifies one IP datagram; built only for fragments, which are rare. */
function datagramKey(bytes: Uint8Array, layer: IpLayer): string {
  const length = layer.version === 4 ? 4 : 16;
  return `${layer.version}|${layer.protocol}|` +
    `${hex(bytes, layer.srcOffset, length)}|` +
    `${hex(bytes, layer.dstOffset, length)}|${layer.fragmentId}`;
}
