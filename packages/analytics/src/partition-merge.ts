/**
 * Merges the shares of one capture that several workers analysed (see
 * partition.ts) into the result one worker gives. Each share holds whole
 * flows, so merging puts flows in file order, renumbers what points at
 * flows or names, and resolves the references a worker could not: a
 * tunnelled flow's outer flow and an ICMP error's quoted flow kept by
 * another worker.
 *
 * Limits: the result equals one worker's exactly, except past bounds that
 * one worker applies to the whole capture and each share applies to its
 * own part: more than 20,000 QUIC connections waiting for their names,
 * more than 100,000 DNS names, an ICMP error flow that quotes more than 64
 * different flows in turn (its related flow may be an older one or none),
 * and a fragment inside a tunnel that waits for its first fragment (its
 * frame's time goes to no flow, not the tunnel's). The internal order of
 * host names, of DNS response times and of timeline cells may differ;
 * nothing shown depends on it.
 */

import type { Problem } from '@capscope/parser/problems';
import type { CaptureInfo, InterfaceInfo } from '@capscope/parser/record';
import type { ActivitySnapshot } from './aggregates/flow-activity.js';
import type { RawHierarchy } from './aggregates/protocol-hierarchy.js';
import { ProtocolHierarchy } from './aggregates/protocol-hierarchy.js';
import type { AnalysisResult } from './analysis-result.js';
import type { CaptureTotals } from './analysis.js';
import { MAX_PROBLEMS } from './analysis.js';
import type { DnsName } from './app-hints.js';
import { MAX_DNS_NAMES } from './app-hints.js';
import type { FlowColumns, FlowKeyPorts } from './flow-table.js';
import { COLUMN_NAMES, COLUMN_SHAPES, hashKey } from './flow-table.js';
import { emptyColumns } from './merge.js';
import type { Partition } from './partition.js';

/** A flow of another worker that one of this worker's flows points at. */
export interface FlowReference {
  kind: 'outer' | 'related';
  version: number;
  protocol: number;
  /** The address bytes (4 or 16) and key ports as the packet had them. */
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  /** Where it was seen: the flow it names was made at or before this. */
  origin: number;
}

/** One worker's share (CaptureAnalysis.part()); it can cross threads. */
export interface AnalysisPart {
  partition: Partition;
  info: CaptureInfo | null;
  interfaces: InterfaceInfo[];
  totals: CaptureTotals;
  stopped: boolean;
  problems: Problem[];
  problemOrder: number[];
  problemCount: number;
  columns: FlowColumns;
  keyPorts: FlowKeyPorts;
  /** Where each flow was made (ORIGIN_LAYERS in analysis.ts). */
  origins: Float64Array;
  /** References to resolve, by this share's flow. */
  references: Array<[number, FlowReference[]]>;
  names: string[];
  addressNames: Map<string, string>;
  addressNamePackets: Map<string, number>;
  dnsNames: Map<string, DnsName>;
  dnsNamePackets: Map<string, number>;
  dnsResponseCodes: number[];
  hierarchy: RawHierarchy;
  activity: ActivitySnapshot;
}

/**
 * The buffers of a share's typed arrays, to move rather than copy when it
 * crosses threads: part() makes each array own its buffer.
 */
export function partBuffers(part: AnalysisPart): ArrayBuffer[] {
  const { activity, hierarchy, columns } = part;
  const arrays: ArrayBufferView[] = [
    part.keyPorts.src, part.keyPorts.dst, part.origins,
    activity.totalPackets, activity.totalBytes, activity.cellFlow,
    activity.cellBin, activity.cellPackets, activity.cellBytes,
    hierarchy.parent, hierarchy.code, hierarchy.frames, hierarchy.bytes,
  ];
  for (const name of COLUMN_NAMES) arrays.push(columns[name]);
  return arrays.map((array) => array.buffer as ArrayBuffer);
}

/** Merges every worker's share of one capture, in any order given. */
export function mergeParts(given: readonly AnalysisPart[]): AnalysisResult {
  const parts = [...given].sort(
    (a, b) => a.partition.index - b.partition.index);
  const leader = parts[0];
  if (parts.some((p, i) => p.partition.index !== i ||
    p.partition.count !== parts.length)) {
    throw new Error('mergeParts needs exactly one share per worker');
  }

  const { order, globalOf, origins } = fileOrder(parts);
  const { columns, keyPorts } = gatherColumns(parts, order);
  renumberFlows(parts, order, globalOf, columns);
  const names = renumberNames(parts, order, columns);
  resolveReferences(parts, globalOf, origins, columns, keyPorts);

  const hierarchy = new ProtocolHierarchy();
  for (const part of parts) hierarchy.absorb(part.hierarchy);

  return {
    info: leader.info,
    interfaces: leader.interfaces,
    totals: leader.totals,
    stopped: leader.stopped,
    ...mergeProblems(parts),
    columns,
    keyPorts,
    names,
    ...mergeDns(parts),
    hierarchy: hierarchy.nodes(),
    activity: mergeActivity(parts, globalOf),
  };
}

interface FlowOrder {
  /** Merged flow -> its share and its index there. */
  order: { part: Uint8Array; flow: Int32Array };
  /** Per share: its flow -> merged flow. */
  globalOf: Int32Array[];
  origins: Float64Array;
}

/**
 * Flows in the order one worker makes them: by origin. Each share's flows
 * are already in that order, so this merges sorted runs.
 */
function fileOrder(parts: readonly AnalysisPart[]): FlowOrder {
  const total = parts.reduce((n, p) => n + p.columns.count, 0);
  const part = new Uint8Array(total);
  const flow = new Int32Array(total);
  const origins = new Float64Array(total);
  const globalOf = parts.map((p) => new Int32Array(p.columns.count));
  const next = new Int32Array(parts.length);
  for (let g = 0; g < total; g++) {
    let best = -1;
    let bestOrigin = Infinity;
    for (let p = 0; p < parts.length; p++) {
      const i = next[p];
      if (i < parts[p].columns.count && parts[p].origins[i] < bestOrigin) {
        best = p;
        bestOrigin = parts[p].origins[i];
      }
    }
    const local = next[best]++;
    part[g] = best;
    flow[g] = local;
    origins[g] = bestOrigin;
    globalOf[best][local] = g;
  }
  return { order: { part, flow }, globalOf, origins };
}

function gatherColumns(
  parts: readonly AnalysisPart[],
  order: FlowOrder['order'],
): { columns: FlowColumns; keyPorts: FlowKeyPorts } {
  const total = order.part.length;
  const columns = emptyColumns(total);
  const keyPorts = { src: new Int32Array(total), dst: new Int32Array(total) };
  for (const name of COLUMN_NAMES) {
    const out = wordView(columns[name]);
    const bytes = (columns[name] as { BYTES_PER_ELEMENT: number })
      .BYTES_PER_ELEMENT;
    const width = COLUMN_SHAPES[name][1] * (bytes / out.BYTES_PER_ELEMENT);
    const sources = parts.map((p) => wordView(p.columns[name]));
    for (let g = 0; g < total; g++) {
      const from = sources[order.part[g]];
      const at = order.flow[g] * width;
      for (let w = 0; w < width; w++) out[g * width + w] = from[at + w];
    }
  }
  for (let g = 0; g < total; g++) {
    const from = parts[order.part[g]].keyPorts;
    keyPorts.src[g] = from.src[order.flow[g]];
    keyPorts.dst[g] = from.dst[order.flow[g]];
  }
  return { columns, keyPorts };
}

/**
 * A column as unsigned words of at most four bytes: copying every column
 * through three array types keeps the copy loop fast, where thirty
 * columns of eight types would make it slow for every one of them.
 */
function wordView(column: ArrayBufferView): Uint8Array | Uint16Array |
  Uint32Array {
  const { buffer, byteOffset, byteLength } = column;
  const size = Math.min(4,
    (column as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
  if (size === 1) return new Uint8Array(buffer, byteOffset, byteLength);
  if (size === 2) return new Uint16Array(buffer, byteOffset, byteLength / 2);
  return new Uint32Array(buffer, byteOffset, byteLength / 4);
}

/** Outer flows a share could point at itself, in merged numbers. */
function renumberFlows(
  parts: readonly AnalysisPart[],
  order: FlowOrder['order'],
  globalOf: Int32Array[],
  columns: FlowColumns,
): void {
  for (let g = 0; g < columns.count; g++) {
    const map = globalOf[order.part[g]];
    if (columns.outerFlow[g] >= 0) {
      columns.outerFlow[g] = map[columns.outerFlow[g]];
    }
    if (columns.relatedFlow[g] >= 0) {
      columns.relatedFlow[g] = map[columns.relatedFlow[g]];
    }
  }
}

/** One list of host names, in the order merged flows first use them. */
function renumberNames(
  parts: readonly AnalysisPart[],
  order: FlowOrder['order'],
  columns: FlowColumns,
): string[] {
  const names: string[] = [];
  const ids = new Map<string, number>();
  for (let g = 0; g < columns.count; g++) {
    const local = columns.host[g];
    if (local < 0) continue;
    const name = parts[order.part[g]].names[local];
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      ids.set(name, id);
    }
    columns.host[g] = id;
  }
  return names;
}

/**
 * Finds the flows references name: of the flows with the reference's key
 * (either way round), the newest made at or before the reference. An ICMP
 * error's flow takes its newest reference that names a flow, as one
 * worker overwrites it packet by packet.
 */
function resolveReferences(
  parts: readonly AnalysisPart[],
  globalOf: Int32Array[],
  origins: Float64Array,
  columns: FlowColumns,
  keyPorts: FlowKeyPorts,
): void {
  const pending: Array<[number, FlowReference[]]> = [];
  const wanted = new Set<number>();
  const words = { src: new Uint32Array(4), dst: new Uint32Array(4) };
  for (const part of parts) {
    for (const [flow, references] of part.references) {
      pending.push([globalOf[part.partition.index][flow], references]);
      for (const reference of references) {
        wanted.add(referenceHash(reference, words));
      }
    }
  }
  if (pending.length === 0) return;

  const byHash = new Map<number, number[]>();
  for (let g = 0; g < columns.count; g++) {
    const hash = hashKey(columns.version[g], columns.protocol[g],
      columns.srcAddr, g * 4, keyPorts.src[g], columns.dstAddr, g * 4,
      keyPorts.dst[g]);
    if (!wanted.has(hash)) continue;
    const list = byHash.get(hash);
    if (list) list.push(g);
    else byHash.set(hash, [g]);
  }

  const find = (reference: FlowReference): number => {
    const hash = referenceHash(reference, words);
    const candidates = byHash.get(hash) ?? [];
    for (let i = candidates.length - 1; i >= 0; i--) {
      const g = candidates[i];
      if (origins[g] <= reference.origin &&
        sameKey(columns, keyPorts, g, reference, words)) {
        return g;
      }
    }
    return -1;
  };
  for (const [flow, references] of pending) {
    for (let i = references.length - 1; i >= 0; i--) {
      const found = find(references[i]);
      if (found < 0) continue;
      if (references[i].kind === 'outer') columns.outerFlow[flow] = found;
      else columns.relatedFlow[flow] = found;
      break;
    }
  }
}

function referenceHash(
  reference: FlowReference,
  words: { src: Uint32Array; dst: Uint32Array },
): number {
  toWords(reference.src, words.src);
  toWords(reference.dst, words.dst);
  return hashKey(reference.version, reference.protocol, words.src, 0,
    reference.srcPort, words.dst, 0, reference.dstPort);
}

function toWords(bytes: Uint8Array, out: Uint32Array): void {
  out.fill(0);
  for (let i = 0; i < bytes.length / 4; i++) {
    const p = i * 4;
    out[i] = ((bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) |
      bytes[p + 3]) >>> 0;
  }
}

/**
 * Compares a flow's key with a reference; `words` holds the reference's
 * addresses as referenceHash() left them.
 */
function sameKey(
  c: FlowColumns,
  keyPorts: FlowKeyPorts,
  g: number,
  reference: FlowReference,
  words: { src: Uint32Array; dst: Uint32Array },
): boolean {
  if (c.version[g] !== reference.version ||
    c.protocol[g] !== reference.protocol) {
    return false;
  }
  const forward = keyPorts.src[g] === reference.srcPort &&
    keyPorts.dst[g] === reference.dstPort &&
    sameWords(c.srcAddr, g, words.src) && sameWords(c.dstAddr, g, words.dst);
  return forward || (keyPorts.src[g] === reference.dstPort &&
    keyPorts.dst[g] === reference.srcPort &&
    sameWords(c.srcAddr, g, words.dst) && sameWords(c.dstAddr, g, words.src));
}

function sameWords(column: Uint32Array, g: number, words: Uint32Array) {
  const at = g * 4;
  return column[at] === words[0] && column[at + 1] === words[1] &&
    column[at + 2] === words[2] && column[at + 3] === words[3];
}

/** Problems in file order, the first MAX_PROBLEMS kept, all counted. */
function mergeProblems(
  parts: readonly AnalysisPart[],
): { problems: Problem[]; problemCount: number } {
  const all: Array<{ order: number; part: number; problem: Problem }> = [];
  for (const part of parts) {
    part.problems.forEach((problem, i) => all.push({
      order: part.problemOrder[i],
      part: part.partition.index,
      problem,
    }));
  }
  all.sort((a, b) => a.order - b.order || a.part - b.part);
  return {
    problems: all.slice(0, MAX_PROBLEMS).map((p) => p.problem),
    problemCount: parts.reduce((n, p) => n + p.problemCount, 0),
  };
}

/**
 * DNS by name and names by address, in file order: a name's counts add
 * up over the shares; an address keeps the name the earliest answer gave.
 */
function mergeDns(parts: readonly AnalysisPart[]): Pick<AnalysisResult,
  'addressNames' | 'dnsNames' | 'dnsResponseCodes'> {
  const dnsResponseCodes = new Array<number>(16).fill(0);
  for (const part of parts) {
    part.dnsResponseCodes.forEach((n, code) => {
      dnsResponseCodes[code] += n;
    });
  }

  const firstAsked = new Map<string, number>();
  for (const part of parts) {
    for (const [name, packet] of part.dnsNamePackets) {
      const known = firstAsked.get(name);
      if (known === undefined || packet < known) firstAsked.set(name, packet);
    }
  }
  const dnsNames = new Map<string, DnsName>();
  const byFirst = [...firstAsked].sort((a, b) => a[1] - b[1]);
  for (const [name] of byFirst.slice(0, MAX_DNS_NAMES)) {
    const merged: DnsName = {
      queries: 0, responses: 0, failures: {}, responseSeconds: [],
    };
    for (const part of parts) {
      const stats = part.dnsNames.get(name);
      if (!stats) continue;
      merged.queries += stats.queries;
      merged.responses += stats.responses;
      for (const [code, n] of Object.entries(stats.failures)) {
        const rcode = Number(code);
        merged.failures[rcode] = (merged.failures[rcode] ?? 0) + n;
      }
      merged.responseSeconds.push(...stats.responseSeconds);
    }
    dnsNames.set(name, merged);
  }

  const named: Array<[string, string, number]> = [];
  const seen = new Map<string, number>();
  for (const part of parts) {
    for (const [address, name] of part.addressNames) {
      const packet = part.addressNamePackets.get(address) ?? 0;
      const at = seen.get(address);
      if (at === undefined) {
        seen.set(address, named.length);
        named.push([address, name, packet]);
      } else if (packet < named[at][2]) {
        named[at] = [address, name, packet];
      }
    }
  }
  named.sort((a, b) => a[2] - b[2]);
  const addressNames = new Map(named.map(([a, n]) => [a, n] as const));
  return { addressNames, dnsNames, dnsResponseCodes };
}

/**
 * Every share timed every frame, so their bins agree and the leader's
 * totals by bin are the capture's; each flow's cells come from its share.
 */
function mergeActivity(
  parts: readonly AnalysisPart[],
  globalOf: Int32Array[],
): ActivitySnapshot {
  const lead = parts[0].activity;
  let cellCount = 0;
  for (const part of parts) {
    const a = part.activity;
    if (a.binSeconds !== lead.binSeconds ||
      a.startSeconds !== lead.startSeconds ||
      a.startNanos !== lead.startNanos) {
      throw new Error('workers disagree on the timeline bins');
    }
    cellCount += a.cellCount;
  }
  const cellFlow = new Uint32Array(cellCount);
  const cellBin = new Uint16Array(cellCount);
  const cellPackets = new Uint32Array(cellCount);
  const cellBytes = new Float64Array(cellCount);
  let at = 0;
  for (const part of parts) {
    const a = part.activity;
    const map = globalOf[part.partition.index];
    for (let i = 0; i < a.cellCount; i++) cellFlow[at + i] = map[a.cellFlow[i]];
    cellBin.set(a.cellBin, at);
    cellPackets.set(a.cellPackets, at);
    cellBytes.set(a.cellBytes, at);
    at += a.cellCount;
  }
  return { ...lead, cellCount, cellFlow, cellBin, cellPackets, cellBytes };
}
