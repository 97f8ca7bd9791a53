/** Flow columns built by hand, for the aggregate tests. */
import { APP_NAMES } from '../apps.js';
import type { FlowColumns } from '../flow-table.js';
import { COLUMN_NAMES, FlowTable } from '../flow-table.js';
import type { FlowSet } from './flow-set.js';
import { ownVolumes } from './volumes.js';

export interface TestFlow {
  src: string;
  dst: string;
  /** IP protocol number; TCP by default. */
  protocol?: number;
  app?: (typeof APP_NAMES)[number];
  srcPort?: number;
  dstPort?: number;
  /** Packets and bytes from src, and back. */
  out?: [number, number];
  back?: [number, number];
  /** Epoch seconds of the first and last packet. */
  first?: number;
  last?: number;
  outer?: number;
  host?: number;
}

function words(text: string): number[] {
  if (text.includes('.')) {
    return [text.split('.').reduce((w, p) => w * 256 + Number(p), 0), 0, 0, 0];
  }
  const [head, tail = ''] = text.split('::');
  const groups = (part: string) => (part ? part.split(':') : [])
    .map((g) => parseInt(g, 16));
  const a = groups(head);
  const b = groups(tail);
  const all = [...a, ...new Array<number>(8 - a.length - b.length).fill(0),
    ...b];
  return [0, 1, 2, 3].map((i) => ((all[i * 2] << 16) | all[i * 2 + 1]) >>> 0);
}

export function testColumns(flows: TestFlow[]): FlowColumns {
  const n = flows.length;
  // Shaped like a FlowTable's own columns, whatever columns it gains.
  const empty = new FlowTable().columns;
  const capacity = empty.version.length;
  const c = { count: n } as FlowColumns;
  for (const name of COLUMN_NAMES) {
    const column = empty[name];
    const width = column.length / capacity;
    const Type = column.constructor as new (length: number) => typeof column;
    (c as unknown as Record<string, unknown>)[name] = new Type(n * width);
  }
  for (const name of ['vlan', 'outerFlow', 'host', 'relatedFlow'] as const) {
    c[name].fill(-1);
  }
  flows.forEach((f, i) => {
    c.version[i] = f.src.includes(':') ? 6 : 4;
    c.protocol[i] = f.protocol ?? 6;
    c.srcAddr.set(words(f.src), i * 4);
    c.dstAddr.set(words(f.dst), i * 4);
    c.srcPort[i] = f.srcPort ?? 50000 + i;
    c.dstPort[i] = f.dstPort ?? 443;
    c.packetsOut[i] = f.out?.[0] ?? 1;
    c.bytesOut[i] = f.out?.[1] ?? 100;
    c.packetsIn[i] = f.back?.[0] ?? 0;
    c.bytesIn[i] = f.back?.[1] ?? 0;
    c.firstSeconds[i] = f.first ?? 1764496800;
    c.lastSeconds[i] = f.last ?? f.first ?? 1764496800;
    c.app[i] = f.app ? APP_NAMES.indexOf(f.app) : 0;
    c.outerFlow[i] = f.outer ?? -1;
    c.host[i] = f.host ?? -1;
  });
  return c;
}

/** Every flow kept. */
export function allFlows(c: FlowColumns): FlowSet {
  const kept = new Uint32Array(c.count).map((_, i) => i);
  return { columns: c, kept, volumes: ownVolumes(c) };
}
