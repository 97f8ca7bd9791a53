import { DecodedPacket, decodePacket } from '@capscope/parser/decode';
import type { IpLayer } from '@capscope/parser/decode';
import type { CaptureSink } from '@capscope/parser/framer';
import type { RecordLoop } from '@capscope/parser/header-kernel-engine';
import {
  decodeFromHeaderRecord,
  packetFromHeader,
} from '@capscope/parser/header-kernel-decoded';
import type { HeaderBatch } from '@capscope/parser/header-kernel-layout';
import { RECORD_WORDS } from '@capscope/parser/header-kernel-layout';
import type { HeaderSink } from '@capscope/parser/header-kernel-reader';
import { HeaderReader } from '@capscope/parser/header-kernel-reader';
import { isDecodedLinkType, linkTypeName } from '@capscope/parser/linktypes';
import { plainIpHeader } from '@capscope/parser/plain-ip';
import type { Problem } from '@capscope/parser/problems';
import { CaptureReader } from '@capscope/parser/reader';
import type {
  CaptureInfo,
  InterfaceInfo,
  PacketRecord,
} from '@capscope/parser/record';
import { newPacketRecord } from '@capscope/parser/record';
import { isTimeInRange } from '@capscope/parser/time';
import type { AnalysisResult } from './analysis-result.js';
import { summarize } from './analysis-result.js';
import { FlowActivity } from './aggregates/flow-activity.js';
import { ProtocolHierarchy } from './aggregates/protocol-hierarchy.js';
import type { DnsName } from './app-hints.js';
import { AppHints } from './app-hints.js';
import { appFromPorts } from './apps.js';
import { TcpTracker } from './tcp-tracker.js';
import { grownArray, grownLength } from './growth.js';
import type { FlowColumns } from './flow-table.js';
import type { AnalysisPart, FlowReference } from './partition-merge.js';
import type { Partition } from './partition.js';
import { partitionOf } from './partition.js';
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
  /** Where its first waiting fragment came (see flowOrigin). */
  origin: number;
}

/** An IP header as far as a flow key needs it (a layer, or a quoted one). */
interface AddressedHeader {
  version: number;
  protocol: number;
  srcOffset: number;
  dstOffset: number;
}

export interface AnalysisOptions {
  /** Analyse one share of the flows only; see partition.ts. */
  partition?: Partition;
  /**
   * A header kernel's record loop (TypeScript or WebAssembly): classic
   * pcap is then framed and its plain frames decoded by the kernel, the
   * rest by decodePacket(). The result is the same either way
   * (analysis-kernel.test.ts); without one, CaptureReader and
   * decodePacket() read everything.
   */
  recordLoop?: RecordLoop;
  /**
   * False: skip what only the page's views read, the protocol hierarchy
   * and the activity timeline (the command line prints neither); the
   * result then holds them empty. Flows and totals are the same.
   */
  views?: boolean;
}

/**
 * Layers per frame in a flow's origin: a flow made at packet p, layer l
 * has origin p * ORIGIN_LAYERS + l, so sorting by origin is file order.
 */
export const ORIGIN_LAYERS = 16;
/** Origins of flows made by end() for fragments that waited to the end. */
export const ORIGIN_AT_END = 2 ** 51;
/** A layer another worker counts (see Partition). */
const FOREIGN_LAYER = -3;
/**
 * ICMP errors' references to another worker's flows, kept per flow: the
 * latest ones; only a flow quoting more different flows than this in turn
 * could lose one.
 */
const MAX_REFERENCES_PER_FLOW = 64;

/**
 * Turns a capture, pushed in chunks, into flows and totals. It is the one
 * pipeline the CLI, the worker and the tests all run.
 */
export class CaptureAnalysis implements CaptureSink, HeaderSink {
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
  /** Where each kept problem falls in file order (see report()). */
  private readonly problemOrder: number[] = [];
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

  private readonly reader: CaptureReader | HeaderReader;
  /** The packet of a kernel record being counted (see records()). */
  private readonly batchRecord = newPacketRecord();
  private readonly decoded = new DecodedPacket();
  private readonly layerFlows = new Int32Array(4);
  private readonly unknownLinkTypesSeen = new Set<number>();
  /** First-fragment flows by datagram, and fragments still waiting. */
  private readonly datagramFlows = new Map<string, number>();
  private readonly waiting = new Map<string, WaitingDatagram>();
  /**
   * Other workers' datagrams, by key: those whose first fragment came, and
   * those still waiting for it. The bound on waiting datagrams counts
   * every worker's, so that all of them apply it where one worker would.
   */
  private readonly othersFirsts = new Set<string>();
  private readonly othersWaiting = new Set<string>();

  private readonly partIndex: number;
  private readonly partCount: number;
  /** The worker that keeps what every worker sees (framing, time). */
  private readonly leader: boolean;
  private readonly views: boolean;
  /** Each flow's origin: where in the file it was made. */
  private origins = new Float64Array(1024);
  /** References to flows another worker keeps, by this worker's flow. */
  private readonly references = new Map<number, FlowReference[]>();
  constructor(options: AnalysisOptions = {}) {
    const partition = options.partition ?? { index: 0, count: 1 };
    this.partIndex = partition.index;
    this.partCount = partition.count;
    this.leader = partition.index === 0;
    this.views = options.views ?? true;
    this.reader = options.recordLoop
      ? new HeaderReader(this, options.recordLoop)
      : new CaptureReader(this);
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  /**
   * No more bytes. `cut` when the input stopped short because reading it
   * failed: a record the last bytes began is then no damage of the file's,
   * and is neither reported nor looked into.
   */
  end(cut = false): void {
    if (!cut) this.reader.end();
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

  /** CaptureSink: a framing problem, after the packets before it. */
  problem(problem: Problem): void {
    if (this.leader) this.report(problem, 3);
  }

  /**
   * Keeps a problem with its place in file order: the packet it came
   * with, then `phase` (0 time, 1 decoding, 3 framing after the packet),
   * so that workers' problems merge into the order one worker gives.
   */
  private report(problem: Problem, phase: number): void {
    this.problemCount++;
    if (this.problems.length >= MAX_PROBLEMS) return;
    this.problems.push(problem);
    this.problemOrder.push(this.totals.packets * 4 + phase);
  }

  /** CaptureSink: one packet, from CaptureReader. */
  packet(record: PacketRecord): void {
    if (this.countPacket(record)) return;
    decodePacket(record, this.decoded);
    this.countDecoded(record);
  }

  /**
   * HeaderSink: packets as a kernel's header records. A plain frame's
   * record says all decodePacket() would find in it, so it is not decoded
   * again; any other frame is.
   */
  records(batch: HeaderBatch): void {
    const record = this.batchRecord;
    const words = batch.words;
    for (let i = 0; i < batch.count; i++) {
      packetFromHeader(batch, i, record);
      if (this.countPacket(record)) continue;
      if (!decodeFromHeaderRecord(record, words, i * RECORD_WORDS,
        this.decoded)) {
        decodePacket(record, this.decoded);
      }
      this.countDecoded(record);
    }
  }

  /**
   * Counts a packet in the totals and the time range; true when that is
   * all there is to do with it here.
   */
  private countPacket(record: PacketRecord): boolean {
    const totals = this.totals;
    totals.packets++;
    totals.bytes += record.originalLength;
    totals.capturedBytes += record.capturedLength;
    if (record.hasTime) this.countTime(record);

    // Another worker's plain frame needs no decoding here: only its time,
    // which every worker's timeline sees.
    if (this.partCount > 1 && this.othersPlainFrame(record)) {
      if (this.views) this.activity.add(-1, record);
      return true;
    }
    return false;
  }

  /** Counts a packet once `this.decoded` holds its headers. */
  private countDecoded(record: PacketRecord): void {
    const totals = this.totals;
    const decoded = this.decoded;
    if (decoded.unknownLink) {
      this.observe(record, -1, this.leader);
      if (this.leader) this.reportUnknownLink(record);
      return;
    }
    // The frame as a whole (its problem, hierarchy and timeline) belongs
    // to the worker of its innermost layer; frames without IP, to the
    // leader.
    const layerCount = decoded.layerCount;
    const ownsFrame = layerCount === 0
      ? this.leader
      : this.owns(record.data, decoded.layers[layerCount - 1]);
    if (decoded.malformed !== null && ownsFrame) {
      this.report({
        kind: 'decode-error',
        offset: record.offset,
        packet: record.index,
        message: `Packet ${record.index}: ${decoded.malformed}; what ` +
          'could be read of it is counted.',
      }, 1);
    }
    if (layerCount === 0) {
      this.observe(record, -1, ownsFrame);
      totals.nonIpPackets++;
      return;
    }
    let innermost = -1;
    for (let i = 0; i < layerCount; i++) {
      const layer = decoded.layers[i];
      if (!this.owns(record.data, layer)) {
        if (layer.fragment) this.followOthersFragment(record, layer);
        this.layerFlows[i] = FOREIGN_LAYER;
        innermost = -1;
        continue;
      }
      const flow = this.countLayer(record, layer, i);
      if (flow < 0) break; // a fragment waiting for its first fragment
      this.layerFlows[i] = flow;
      innermost = flow;
      if (i > 0 && this.flows.created) {
        const c = this.flows.working;
        const outer = this.layerFlows[i - 1];
        if (outer >= 0) c.outerFlow[flow] = outer;
        else this.referOuter(flow, record, decoded.layers[i - 1], i - 1);
        c.tunnel[flow] = decoded.layers[i - 1].carries;
      }
      if (this.flows.created && decoded.vlanId >= 0) {
        this.flows.working.vlan[flow] = decoded.vlanId;
      }
    }
    this.observe(record, innermost, ownsFrame);
  }

  private othersPlainFrame(record: PacketRecord): boolean {
    const at = plainIpHeader(record);
    if (at < 0) return false;
    const data = record.data;
    const v4 = data[at] >> 4 === 4;
    // A fragment is decoded all the same, for followOthersFragment().
    if (v4 && ((data[at + 6] & 0x3f) | data[at + 7]) !== 0) return false;
    return partitionOf(data, v4 ? 4 : 6, at + (v4 ? 12 : 8),
      at + (v4 ? 16 : 24), this.partCount) !== this.partIndex;
  }

  /** True when this worker keeps the flows of this layer's addresses. */
  private owns(data: Uint8Array, layer: AddressedHeader): boolean {
    return this.partCount === 1 ||
      partitionOf(data, layer.version, layer.srcOffset, layer.dstOffset,
        this.partCount) === this.partIndex;
  }

  /**
   * Counts a frame in the hierarchy and, by time, in its innermost flow.
   * Every worker times every frame, so that all of them widen their
   * timeline's bins alike; only the frame's own worker counts it.
   */
  private observe(record: PacketRecord, flow: number, owned: boolean): void {
    if (!this.views) return;
    if (owned) {
      const app = flow >= 0 ? this.flows.working.app[flow] : 0;
      this.hierarchy.count(this.decoded, record.originalLength, app);
    }
    this.activity.add(owned ? flow : -1, record);
  }

  /** Notes where a new flow was made, for merging workers' flows. */
  private originate(flow: number, origin: number): void {
    if (this.partCount === 1) return;
    if (flow >= this.origins.length) {
      this.origins = grownArray(this.origins,
        grownLength(this.origins.length, flow + 1));
    }
    this.origins[flow] = origin;
  }

  /**
   * Remembers that `flow` points at the flow of another worker's layer
   * (its tunnel's outer flow, or the flow an ICMP error quoted), to be
   * resolved when the workers' flows merge.
   */
  private refer(
    flow: number,
    kind: FlowReference['kind'],
    record: PacketRecord,
    layer: AddressedHeader,
    layerIndex: number,
    srcPort: number,
    dstPort: number,
  ): void {
    const length = layer.version === 4 ? 4 : 16;
    const data = record.data;
    const reference: FlowReference = {
      kind,
      version: layer.version,
      protocol: layer.protocol,
      src: data.slice(layer.srcOffset, layer.srcOffset + length),
      dst: data.slice(layer.dstOffset, layer.dstOffset + length),
      srcPort,
      dstPort,
      origin: record.index * ORIGIN_LAYERS + layerIndex,
    };
    let list = this.references.get(flow);
    if (!list) {
      list = [];
      this.references.set(flow, list);
    }
    const last = list[list.length - 1];
    if (last && sameReference(last, reference)) {
      last.origin = reference.origin;
      return;
    }
    if (list.length >= MAX_REFERENCES_PER_FLOW) list.shift();
    list.push(reference);
  }

  private referOuter(
    flow: number,
    record: PacketRecord,
    outer: IpLayer,
    layerIndex: number,
  ): void {
    const icmp = outer.icmpType >= 0;
    this.refer(flow, 'outer', record, outer, layerIndex,
      icmp ? icmpKey(outer) : outer.srcPort,
      icmp ? icmpKey(outer) : outer.dstPort);
  }

  /**
   * This worker's share of the analysis, for partition-merge.ts; call
   * after end() and finish().
   */
  part(): AnalysisPart {
    const count = this.flows.count;
    return {
      partition: { index: this.partIndex, count: this.partCount },
      info: this.info,
      interfaces: this.interfaces,
      totals: this.totals,
      stopped: this.stopped,
      problems: this.problems,
      problemOrder: this.problemOrder,
      problemCount: this.problemCount,
      columns: this.flows.snapshot(),
      keyPorts: this.flows.keyPorts(),
      origins: this.origins.slice(0, count),
      references: [...this.references],
      names: this.hints.names,
      addressNames: this.hints.addressNames,
      addressNamePackets: this.hints.addressNamePackets,
      dnsNames: this.hints.dnsNames,
      dnsNamePackets: this.hints.dnsNamePackets,
      dnsResponseCodes: this.hints.dnsResponseCodes,
      hierarchy: this.hierarchy.raw(),
      activity: this.activity.snapshot(),
    };
  }

  summary(): CaptureSummary {
    return summarize({
      info: this.info,
      interfaces: this.interfaces,
      totals: this.totals,
      problems: this.problems,
      columns: this.flows.columns,
    });
  }

  /**
   * The finished analysis; call after end() and finish(). Its columns and
   * activity are views of the analysis's own arrays, not copies.
   */
  result(): AnalysisResult {
    return {
      info: this.info,
      interfaces: this.interfaces,
      totals: this.totals,
      stopped: this.stopped,
      problems: this.problems,
      problemCount: this.problemCount,
      columns: this.flows.view(),
      keyPorts: this.flows.keyPorts(),
      names: this.hints.names,
      addressNames: this.hints.addressNames,
      dnsNames: this.hints.dnsNames,
      dnsResponseCodes: this.hints.dnsResponseCodes,
      hierarchy: this.hierarchy.nodes(),
      activity: this.activity.view(),
    };
  }

  columns(): FlowColumns {
    return this.flows.snapshot();
  }

  private countTime(record: PacketRecord): void {
    const t = this.totals;
    const { seconds, nanos } = record;
    if (!isTimeInRange(seconds) && this.leader) {
      this.report({
        kind: 'time-out-of-range',
        offset: record.offset,
        packet: record.index,
        message: `Packet ${record.index} has a time outside years 0001-9999.`,
      }, 0);
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
  private countLayer(
    record: PacketRecord,
    layer: IpLayer,
    layerIndex: number,
  ): number {
    const flows = this.flows;
    const protocol = layer.protocol;
    const icmp = layer.icmpType >= 0;
    const keySrc = icmp ? icmpKey(layer) : layer.srcPort;
    const keyDst = icmp ? keySrc : layer.dstPort;
    const shownSrc = icmp ? layer.icmpType : layer.srcPort;
    const shownDst = icmp ? layer.icmpCode : layer.dstPort;
    const origin = record.index * ORIGIN_LAYERS + layerIndex;

    if (layer.fragment) {
      const flow = this.countFragment(record, layer, origin);
      if (flow >= 0) return flow;
      if (layer.fragmentOffset > 0) return -1;
    }

    const flags = layer.tcpFlags;
    const opening = protocol === 6 && flags >= 0 &&
      (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    const flow = flows.find(layer.version, protocol, record.data,
      layer.srcOffset, layer.dstOffset, keySrc, keyDst,
      opening ? layer.tcpSeq : -1);
    const c = flows.working;
    const reversed = flows.reversed;
    if (flows.created) {
      this.originate(flow, origin);
      c.srcPort[flow] = shownSrc;
      c.dstPort[flow] = shownDst;
      flows.startTimes(flow, record.seconds, record.nanos);
      c.app[flow] = appFromPorts(protocol, layer.srcPort, layer.dstPort);
    }
    this.countFrame(flow, reversed, record.originalLength, record);
    if (layer.payloadLength > 0 && layer.carries === 0) {
      this.hints.read(c, flow, flows.packets(flow), layer, record);
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
      // With several workers every quoted flow is found at the merge, so
      // that the newest reference wins wherever its flow is kept.
      if (this.partCount === 1) {
        const related = flows.lookup(quoted.version, quoted.protocol,
          record.data, quoted.srcOffset, quoted.dstOffset, quoted.srcPort,
          quoted.dstPort);
        if (related >= 0) c.relatedFlow[flow] = related;
      } else {
        this.refer(flow, 'related', record, quoted, layerIndex,
          quoted.srcPort, quoted.dstPort);
      }
    }
    return flow;
  }

  private countFrame(
    flow: number,
    reversed: boolean,
    bytes: number,
    record: PacketRecord,
  ): void {
    this.flows.countFrame(flow, reversed, bytes, record.hasTime,
      record.seconds, record.nanos);
  }

  /**
   * A fragment after the first counts in the flow of its datagram, found
   * by addresses, protocol and identification; one that comes before its
   * first fragment waits for it. Returns the flow, or -1.
   */
  private countFragment(
    record: PacketRecord,
    layer: IpLayer,
    origin: number,
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
      if (this.waitingDatagrams() >= MAX_WAITING_DATAGRAMS) {
        return this.countPortless(record, layer, origin);
      }
      waiting = { packets: 0, bytes: 0, seconds: 0, nanos: 0, origin };
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

  /** Datagrams waiting for their first fragment, in every worker. */
  private waitingDatagrams(): number {
    return this.waiting.size + this.othersWaiting.size;
  }

  /** Keeps the count of another worker's waiting datagrams (see above). */
  private followOthersFragment(record: PacketRecord, layer: IpLayer): void {
    const key = datagramKey(record.data, layer);
    if (layer.fragmentOffset === 0) {
      this.othersFirsts.add(key);
      this.othersWaiting.delete(key);
      return;
    }
    if (this.othersFirsts.has(key) || this.othersWaiting.has(key)) return;
    // Past the bound its worker counts it without ports; it waits nowhere.
    if (this.waitingDatagrams() < MAX_WAITING_DATAGRAMS) {
      this.othersWaiting.add(key);
    }
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
    this.flows.addFrames(flow, reversed, waiting.packets, waiting.bytes);
    this.flows.widenFirst(flow, waiting.seconds, waiting.nanos);
  }

  /** Counts a fragment whose first fragment never came, without ports. */
  private countPortless(
    record: PacketRecord,
    layer: IpLayer,
    origin: number,
  ): number {
    const flows = this.flows;
    const flow = flows.find(layer.version, layer.protocol, record.data,
      layer.srcOffset, layer.dstOffset, -1, -1, -1);
    if (flows.created) {
      this.originate(flow, origin);
      const c = flows.working;
      c.srcPort[flow] = -1;
      c.dstPort[flow] = -1;
      flows.startTimes(flow, record.seconds, record.nanos);
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
      if (flows.created) {
        this.originate(flow, ORIGIN_AT_END + waiting.origin);
        flows.startTimes(flow, waiting.seconds, waiting.nanos);
      }
      flows.addFrames(flow, flows.reversed, waiting.packets, waiting.bytes);
    }
    this.waiting.clear();
  }

  private reportUnknownLink(record: PacketRecord): void {
    if (this.unknownLinkTypesSeen.has(record.linkType)) return;
    this.unknownLinkTypesSeen.add(record.linkType);
    const known = isDecodedLinkType(record.linkType);
    this.report({
      kind: 'unknown-link-type',
      offset: record.offset,
      packet: record.index,
      message:
        `Packets on ${linkTypeName(record.linkType)} are counted but ` +
        (known ? 'could not be decoded.' : 'not decoded.'),
    }, 1);
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

/**
 * An ICMP message's key port (both sides): echo-like messages pair by
 * identifier, others by type and code.
 */
function icmpKey(layer: IpLayer): number {
  return layer.icmpId >= 0
    ? 0x10000 | layer.icmpId
    : 0x20000 | (layer.icmpType << 8) | layer.icmpCode;
}

function sameReference(a: FlowReference, b: FlowReference): boolean {
  if (a.kind !== b.kind || a.version !== b.version ||
    a.protocol !== b.protocol || a.srcPort !== b.srcPort ||
    a.dstPort !== b.dstPort) {
    return false;
  }
  for (let i = 0; i < a.src.length; i++) {
    if (a.src[i] !== b.src[i] || a.dst[i] !== b.dst[i]) return false;
  }
  return true;
}

/** Identifies one IP datagram; built only for fragments, which are rare. */
function datagramKey(bytes: Uint8Array, layer: IpLayer): string {
  const length = layer.version === 4 ? 4 : 16;
  return `${layer.version}|${layer.protocol}|` +
    `${hex(bytes, layer.srcOffset, length)}|` +
    `${hex(bytes, layer.dstOffset, length)}|${layer.fragmentId}`;
}
