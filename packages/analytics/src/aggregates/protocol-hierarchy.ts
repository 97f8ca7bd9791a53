import { HEADER_NAMES, MAX_HEADERS } from '@capscope/parser/decode';
import type { DecodedPacket } from '@capscope/parser/decode';
import { APP_NAMES } from '../apps.js';
import type { FlowSet } from './flow-set.js';

/** Child codes at or above this are applications (APP_NAMES index + it). */
const APP_CODE_BASE = 128;
/** The code of frames whose link type is not decoded at all. */
const UNDECODED_CODE = 127;
/** Nodes to start with; a capture rarely has more than a few dozen. */
const INITIAL_NODES = 64;

/** One line of a protocol hierarchy, as `tshark -z io,phs` gives it. */
export interface HierarchyNode {
  /** Names from the outermost header, joined by "/": "eth/ip/tcp". */
  path: string;
  protocol: string;
  depth: number;
  frames: number;
  bytes: number;
}

/** A ProtocolHierarchy's trie; node 0 is the root, parents come first. */
export interface RawHierarchy {
  parent: Int32Array;
  code: Uint8Array;
  frames: Float64Array;
  bytes: Float64Array;
}

/**
 * Counts frames and bytes by the chain of headers each frame was decoded
 * through (Ethernet, VLAN, IP, TCP...) and, under the innermost transport,
 * by the application of its flow when the frame carries payload. Every
 * frame counts once at each level it reaches, so the top level adds up to
 * the capture's totals. A trie over typed arrays: counting allocates
 * nothing once a path has been seen.
 */
export class ProtocolHierarchy {
  private parent = new Int32Array(INITIAL_NODES);
  private code = new Uint8Array(INITIAL_NODES);
  private frames = new Float64Array(INITIAL_NODES);
  private bytes = new Float64Array(INITIAL_NODES);
  /** Node 0 is the root, above every link type. */
  private nodeCount = 1;
  /** (parent * 256 + code) -> node. */
  private readonly children = new Map<number, number>();
  /** The previous frame's headers and the nodes they led to. */
  private readonly lastPath = new Uint8Array(MAX_HEADERS);
  private readonly lastNodes = new Int32Array(MAX_HEADERS);
  private lastLength = 0;

  /**
   * Counts one frame of `bytes` on the wire. `app` is the APP_NAMES index
   * of its innermost flow (0 for none); it is counted only for a frame
   * whose innermost layer carries payload, as a dissector would see it.
   */
  count(decoded: DecodedPacket, bytes: number, app: number): void {
    const n = decoded.headerCount;
    if (n === 0) {
      this.step(0, UNDECODED_CODE, bytes);
      return;
    }
    // Most frames take the path of the frame before them: walk the nodes
    // remembered for that path as long as the headers agree, and look up
    // the trie only past the first difference.
    const headers = decoded.headers;
    const path = this.lastPath;
    let node = 0;
    let i = 0;
    for (; i < n && i < this.lastLength && path[i] === headers[i]; i++) {
      node = this.lastNodes[i];
      this.frames[node]++;
      this.bytes[node] += bytes;
    }
    for (; i < n; i++) {
      node = this.step(node, headers[i], bytes);
      path[i] = headers[i];
      this.lastNodes[i] = node;
    }
    this.lastLength = n;
    const inner = decoded.innermost;
    if (app > 0 && inner !== null && inner.payloadLength > 0 &&
      inner.carries === 0) {
      this.step(node, APP_CODE_BASE + app, bytes);
    }
  }

  /** Every node, depth first, children in order of frames (most first). */
  nodes(): HierarchyNode[] {
    const kids: number[][] = Array.from({ length: this.nodeCount }, () => []);
    for (let node = 1; node < this.nodeCount; node++) {
      kids[this.parent[node]].push(node);
    }
    const out: HierarchyNode[] = [];
    const visit = (node: number, path: string, depth: number) => {
      const order = kids[node].sort((a, b) =>
        this.frames[b] - this.frames[a] || this.code[a] - this.code[b]);
      for (const child of order) {
        const protocol = codeName(this.code[child]);
        const childPath = path ? `${path}/${protocol}` : protocol;
        out.push({ path: childPath, protocol, depth,
          frames: this.frames[child], bytes: this.bytes[child] });
        visit(child, childPath, depth + 1);
      }
    };
    visit(0, '', 0);
    return out;
  }

  /** The trie as arrays, for another worker's hierarchy to absorb. */
  raw(): RawHierarchy {
    const n = this.nodeCount;
    return {
      parent: this.parent.slice(0, n),
      code: this.code.slice(0, n),
      frames: this.frames.slice(0, n),
      bytes: this.bytes.slice(0, n),
    };
  }

  /** Adds another hierarchy's counts, path by path. */
  absorb(other: RawHierarchy): void {
    const local = new Int32Array(other.parent.length);
    for (let node = 1; node < other.parent.length; node++) {
      const mine = this.child(local[other.parent[node]], other.code[node]);
      local[node] = mine;
      this.frames[mine] += other.frames[node];
      this.bytes[mine] += other.bytes[node];
    }
  }

  private step(parent: number, code: number, bytes: number): number {
    const node = this.child(parent, code);
    this.frames[node]++;
    this.bytes[node] += bytes;
    return node;
  }

  private child(parent: number, code: number): number {
    const key = parent * 256 + code;
    let node = this.children.get(key);
    if (node === undefined) {
      node = this.add(parent, code);
      this.children.set(key, node);
    }
    return node;
  }

  private add(parent: number, code: number): number {
    if (this.nodeCount === this.parent.length) {
      const size = this.parent.length * 2;
      const parents = new Int32Array(size);
      parents.set(this.parent);
      this.parent = parents;
      const codes = new Uint8Array(size);
      codes.set(this.code);
      this.code = codes;
      const frames = new Float64Array(size);
      frames.set(this.frames);
      this.frames = frames;
      const bytes = new Float64Array(size);
      bytes.set(this.bytes);
      this.bytes = bytes;
    }
    const node = this.nodeCount++;
    this.parent[node] = parent;
    this.code[node] = code;
    return node;
  }
}

function codeName(code: number): string {
  if (code === UNDECODED_CODE) return 'undecoded';
  if (code >= APP_CODE_BASE) return APP_NAMES[code - APP_CODE_BASE] ?? 'app';
  return HEADER_NAMES[code] ?? `header ${code}`;
}

/**
 * A hierarchy of flows rather than frames, for a filtered view, where
 * frames cannot be told apart by flow: IP version, transport, then
 * application, counting the flows' packets and bytes.
 */
export function flowHierarchy(set: FlowSet): HierarchyNode[] {
  const { columns: c, volumes: v } = set;
  // Sums by (IP version, protocol, application) in flat arrays: one slot
  // per combination, so a million flows cost no string or map per flow.
  const apps = APP_NAMES.length;
  const slots = 2 * 256 * apps;
  const packets = new Float64Array(slots);
  const bytes = new Float64Array(slots);
  for (const flow of set.kept) {
    const slot = ((c.version[flow] === 4 ? 0 : 1) * 256 + c.protocol[flow]) *
      apps + c.app[flow];
    packets[slot] += v.packetsOut[flow] + v.packetsIn[flow];
    bytes[slot] += v.bytesOut[flow] + v.bytesIn[flow];
  }

  interface Tree { node: HierarchyNode; children: Map<string, Tree> }
  const root = new Map<string, Tree>();
  const bump = (level: Map<string, Tree>, path: string, name: string,
    depth: number, frames: number, volume: number) => {
    let tree = level.get(name);
    if (!tree) {
      tree = { node: { path, protocol: name, depth, frames: 0, bytes: 0 },
        children: new Map() };
      level.set(name, tree);
    }
    tree.node.frames += frames;
    tree.node.bytes += volume;
    return tree.children;
  };
  for (let slot = 0; slot < slots; slot++) {
    if (packets[slot] === 0 && bytes[slot] === 0) continue;
    const app = slot % apps;
    const protocol = Math.floor(slot / apps) % 256;
    const ip = slot >= 256 * apps ? 'ipv6' : 'ip';
    const transport = protocolHeaderName(protocol);
    const under = bump(root, ip, ip, 0, packets[slot], bytes[slot]);
    const path = `${ip}/${transport}`;
    const inner = bump(under, path, transport, 1, packets[slot], bytes[slot]);
    if (app > 0) {
      bump(inner, `${path}/${APP_NAMES[app]}`, APP_NAMES[app], 2,
        packets[slot], bytes[slot]);
    }
  }
  const out: HierarchyNode[] = [];
  const visit = (level: Map<string, Tree>) => {
    const trees = [...level.values()].sort((a, b) =>
      b.node.frames - a.node.frames ||
      (a.node.protocol < b.node.protocol ? -1 : 1));
    for (const tree of trees) {
      out.push(tree.node);
      visit(tree.children);
    }
  };
  visit(root);
  return out;
}

const PROTOCOL_HEADER_NAMES: Record<number, string> = {
  1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp',
  58: 'icmpv6', 89: 'ospf', 103: 'pim', 132: 'sctp', 136: 'udplite',
};

function protocolHeaderName(protocol: number): string {
  return PROTOCOL_HEADER_NAMES[protocol] ?? `ip.proto ${protocol}`;
}
