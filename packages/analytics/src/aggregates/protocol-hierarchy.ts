import { HEADER_NAMES } from '@capscope/parser/decode';
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

  /**
   * Counts one frame of `bytes` on the wire. `app` is the APP_NAMES index
   * of its innermost flow (0 for none); it is counted only for a frame
   * whose innermost layer carries payload, as a dissector would see it.
   */
  count(decoded: DecodedPacket, bytes: number, app: number): void {
    let node = 0;
    if (decoded.headerCount === 0) {
      this.step(node, UNDECODED_CODE, bytes);
      return;
    }
    for (let i = 0; i < decoded.headerCount; i++) {
      node = this.step(node, decoded.headers[i], bytes);
    }
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

  private step(parent: number, code: number, bytes: number): number {
    const key = parent * 256 + code;
    let node = this.children.get(key);
    if (node === undefined) {
      node = this.add(parent, code);
      this.children.set(key, node);
    }
    this.frames[node]++;
    this.bytes[node] += bytes;
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
  const totals = new Map<string, { frames: number; bytes: number }>();
  const bump = (path: string, frames: number, bytes: number) => {
    const entry = totals.get(path) ?? { frames: 0, bytes: 0 };
    entry.frames += frames;
    entry.bytes += bytes;
    totals.set(path, entry);
  };
  for (const flow of set.kept) {
    const packets = v.packetsOut[flow] + v.packetsIn[flow];
    const bytes = v.bytesOut[flow] + v.bytesIn[flow];
    const ip = c.version[flow] === 4 ? 'ip' : 'ipv6';
    const transport = protocolHeaderName(c.protocol[flow]);
    bump(ip, packets, bytes);
    bump(`${ip}/${transport}`, packets, bytes);
    const app = APP_NAMES[c.app[flow]];
    if (app) bump(`${ip}/${transport}/${app}`, packets, bytes);
  }
  const paths = [...totals.keys()];
  const frames = (path: string) => totals.get(path)?.frames ?? 0;
  // Depth first, siblings by frames: sort on the chain of ancestors.
  const key = (path: string) => path.split('/').map((_, i, parts) =>
    parts.slice(0, i + 1).join('/'));
  paths.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      if (ka[i] !== kb[i]) {
        return frames(kb[i]) - frames(ka[i]) || (ka[i] < kb[i] ? -1 : 1);
      }
    }
    return ka.length - kb.length;
  });
  return paths.map((path) => {
    const parts = path.split('/');
    const entry = totals.get(path) ?? { frames: 0, bytes: 0 };
    return { path, protocol: parts[parts.length - 1], depth: parts.length - 1,
      frames: entry.frames, bytes: entry.bytes };
  });
}

const PROTOCOL_HEADER_NAMES: Record<number, string> = {
  1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp',
  58: 'icmpv6', 89: 'ospf', 103: 'pim', 132: 'sctp', 136: 'udplite',
};

function protocolHeaderName(protocol: number): string {
  return PROTOCOL_HEADER_NAMES[protocol] ?? `ip.proto ${protocol}`;
}
