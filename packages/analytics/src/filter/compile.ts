import { TUNNEL_NAMES } from '@capscope/parser/decode';
import { APP_NAMES } from '../apps.js';
import type { FlowColumns } from '../flow-table.js';
import type { FlowCountries } from '../geo.js';
import { protocolName } from '../flow-record.js';
import type { CompareOp, Expr, Value } from './ast.js';
import { FilterError } from './lexer.js';
import { parseFilter } from './parser.js';
import type { Network } from './values.js';
import {
  inNetwork,
  parseDuration,
  parseNetwork,
  parsePort,
  parseSize,
  parseTimeValue,
} from './values.js';

/** What a filter reads: the flow columns and the tables beside them. */
export interface FilterContext {
  columns: FlowColumns;
  /** Host names, indexed by the `host` column. */
  names: readonly string[];
  /** Country (or address class) of each flow's source and destination. */
  countries?: FlowCountries;
}

export type FlowPredicate = (flow: number) => boolean;

type FieldKind = 'address' | 'port' | 'number' | 'size' | 'duration' |
  'time' | 'text' | 'flag';

interface Field {
  kind: FieldKind;
  /** Which ends an address or port field looks at. */
  sides?: 'either' | 'src' | 'dst';
  /** Transport protocols a port field belongs to. */
  protocols?: number[];
  help: string;
}

const PORT_PROTOCOLS = [6, 17, 132, 136];

/** Every field the language knows; also the list suggestions come from. */
export const FIELDS: Record<string, Field> = {
  'ip.addr': { kind: 'address', sides: 'either', help: 'either address' },
  'ip.src': { kind: 'address', sides: 'src', help: 'source address' },
  'ip.dst': { kind: 'address', sides: 'dst', help: 'destination address' },
  'ipv6.addr': { kind: 'address', sides: 'either', help: 'either address' },
  'ipv6.src': { kind: 'address', sides: 'src', help: 'source address' },
  'ipv6.dst': { kind: 'address', sides: 'dst', help: 'destination address' },
  port: { kind: 'port', sides: 'either', protocols: PORT_PROTOCOLS,
    help: 'either port' },
  srcport: { kind: 'port', sides: 'src', protocols: PORT_PROTOCOLS,
    help: 'source port' },
  dstport: { kind: 'port', sides: 'dst', protocols: PORT_PROTOCOLS,
    help: 'destination port' },
  'tcp.port': { kind: 'port', sides: 'either', protocols: [6],
    help: 'TCP port' },
  'tcp.srcport': { kind: 'port', sides: 'src', protocols: [6],
    help: 'TCP source port' },
  'tcp.dstport': { kind: 'port', sides: 'dst', protocols: [6],
    help: 'TCP destination port' },
  'udp.port': { kind: 'port', sides: 'either', protocols: [17],
    help: 'UDP port' },
  'udp.srcport': { kind: 'port', sides: 'src', protocols: [17],
    help: 'UDP source port' },
  'udp.dstport': { kind: 'port', sides: 'dst', protocols: [17],
    help: 'UDP destination port' },
  'ip.proto': { kind: 'number', help: 'IP protocol number' },
  vlan: { kind: 'number', help: 'VLAN ID' },
  bytes: { kind: 'size', help: 'bytes both ways' },
  'bytes.out': { kind: 'size', help: 'bytes from source' },
  'bytes.in': { kind: 'size', help: 'bytes to source' },
  packets: { kind: 'size', help: 'packets both ways' },
  'packets.out': { kind: 'size', help: 'packets from source' },
  'packets.in': { kind: 'size', help: 'packets to source' },
  duration: { kind: 'duration', help: 'seconds from first to last packet' },
  'frame.time': { kind: 'time', help: 'time span of the flow (UTC)' },
  host: { kind: 'text', help: 'name the flow carried (SNI, Host, DNS)' },
  app: { kind: 'text', help: 'application protocol' },
  proto: { kind: 'text', help: 'transport protocol name' },
  tunnel: { kind: 'text', help: 'tunnel that carried the flow' },
  country: { kind: 'text', sides: 'either', help: 'country of either end' },
  'ip.src.country': { kind: 'text', sides: 'src', help: 'source country' },
  'ip.dst.country': { kind: 'text', sides: 'dst',
    help: 'destination country' },
  ip: { kind: 'flag', help: 'IPv4 flows' },
  ipv6: { kind: 'flag', help: 'IPv6 flows' },
  tcp: { kind: 'flag', help: 'TCP flows' },
  udp: { kind: 'flag', help: 'UDP flows' },
  icmp: { kind: 'flag', help: 'ICMP flows' },
  icmpv6: { kind: 'flag', help: 'ICMPv6 flows' },
  sctp: { kind: 'flag', help: 'SCTP flows' },
  gre: { kind: 'flag', help: 'GRE flows' },
  esp: { kind: 'flag', help: 'IPsec ESP flows' },
};
for (const app of APP_NAMES) {
  if (app) FIELDS[app] = { kind: 'flag', help: `${app} flows` };
}

const FLAG_PROTOCOLS: Record<string, number> = {
  tcp: 6, udp: 17, icmp: 1, icmpv6: 58, sctp: 132, gre: 47, esp: 50,
};

/** Field names that start with what was typed, for completion. */
export function suggestFields(prefix: string): string[] {
  const lower = prefix.toLowerCase();
  return Object.keys(FIELDS).filter((name) => name.startsWith(lower)).sort();
}

/** Parses and compiles in one step; null text or blank keeps every flow. */
export function compileFilterText(
  text: string,
  context: FilterContext,
): FlowPredicate {
  return compileFilter(parseFilter(text), context);
}

/**
 * Compiles to one predicate per flow index. The work per flow is what a
 * million flows cost (scripts/bench-filter.mjs): tests read columns held
 * in closure variables, text fields go through tables made once per
 * filter, and nothing is allocated per flow.
 */
export function compileFilter(
  expr: Expr | null,
  context: FilterContext,
): FlowPredicate {
  if (expr === null) return () => true;
  return new Compiler(context).compile(expr);
}

/** Indices of the flows the filter keeps, in flow order. */
export function filterFlows(
  predicate: FlowPredicate,
  count: number,
): Uint32Array {
  const kept = new Uint32Array(count);
  let n = 0;
  for (let flow = 0; flow < count; flow++) {
    if (predicate(flow)) kept[n++] = flow;
  }
  return kept.slice(0, n);
}

class Compiler {
  constructor(private readonly context: FilterContext) {}

  compile(expr: Expr): FlowPredicate {
    switch (expr.type) {
      case 'and':
        // A chain "a and b and c" is one loop, not nested closures.
        return allOf(this.chain('and', expr).map((e) => this.compile(e)));
      case 'or':
        return anyOf(this.chain('or', expr).map((e) => this.compile(e)));
      case 'not': {
        const operand = this.compile(expr.operand);
        return (flow) => !operand(flow);
      }
      case 'test':
        return this.test(expr.field, expr.position);
      case 'compare': {
        const field = this.field(expr.field, expr.position);
        if (expr.op === '!=') {
          const equal = this.compare(expr.field, field, '==', expr.value);
          return (flow) => !equal(flow);
        }
        return this.compare(expr.field, field, expr.op, expr.value);
      }
      case 'in': {
        const field = this.field(expr.field, expr.position);
        if (field.kind === 'port') {
          // One table for the whole set of ports and ranges.
          const wanted = new Uint8Array(PORT_COUNT);
          for (const value of expr.values) this.markPorts(wanted, value);
          return this.portTest(field, wanted);
        }
        return anyOf(expr.values.map((value) =>
          this.member(expr.field, field, value)));
      }
      default: {
        const never: never = expr;
        throw new Error(`unknown expression ${JSON.stringify(never)}`);
      }
    }
  }

  /** The operands of a chain of one operator, left to right. */
  private chain(type: 'and' | 'or', expr: Expr): Expr[] {
    return expr.type === type
      ? [...this.chain(type, expr.left), ...this.chain(type, expr.right)]
      : [expr];
  }

  private field(name: string, position: number): Field {
    const field = FIELDS[name];
    if (!field) {
      const close = suggestFields(name.slice(0, 2)).slice(0, 4);
      throw new FilterError(`"${name}" is not a field.`, position,
        close.length > 0 ? `a field such as ${close.join(', ')}`
          : 'a field name');
    }
    return field;
  }

  /** A bare field: true when the flow has it. */
  private test(name: string, position: number): FlowPredicate {
    const field = this.field(name, position);
    const { version, protocol, app, srcPort, vlan } = this.context.columns;
    if (field.kind === 'flag') {
      if (name === 'ip') return (flow) => version[flow] === 4;
      if (name === 'ipv6') return (flow) => version[flow] === 6;
      const number = FLAG_PROTOCOLS[name];
      if (number !== undefined) {
        return (flow) => protocol[flow] === number;
      }
      const code = APP_NAMES.indexOf(name as (typeof APP_NAMES)[number]);
      return (flow) => app[flow] === code;
    }
    switch (field.kind) {
      case 'port': {
        const protocols = protocolTable(field.protocols ?? PORT_PROTOCOLS);
        return (flow) => protocols[protocol[flow]] === 1 &&
          srcPort[flow] >= 0;
      }
      case 'text':
        return this.textTest(name, field, (t) => t !== '');
      case 'number':
        if (name === 'vlan') return (flow) => vlan[flow] >= 0;
        return () => true;
      default:
        return () => true;
    }
  }

  private compare(
    name: string,
    field: Field,
    op: CompareOp,
    value: Value,
  ): FlowPredicate {
    const c = this.context.columns;
    if (field.kind === 'flag') {
      throw new FilterError(`"${name}" is a protocol, not a value to ` +
        'compare.', value.position, `"${name}" alone, or a field such as ` +
        `${name === 'tcp' || name === 'udp' ? `${name}.port` : 'app'}`);
    }
    if (op === 'contains' || op === 'matches') {
      if (field.kind !== 'text') {
        throw new FilterError(`"${op}" works on text fields such as host.`,
          value.position, 'a comparison such as == or >');
      }
      return this.textMatch(name, field, op, value);
    }
    switch (field.kind) {
      case 'address': {
        if (op !== '==') this.onlyEquality(op, value, 'An address');
        const network = parseNetwork(value);
        return this.addressTest(field, network);
      }
      case 'port': {
        const port = parsePort(value);
        const wanted = new Uint8Array(PORT_COUNT);
        for (let p = 0; p < PORT_COUNT; p++) {
          if (compareNumbers(p, op, port)) wanted[p] = 1;
        }
        return this.portTest(field, wanted);
      }
      case 'number': {
        const n = parseSize(value);
        const { vlan, protocol } = c;
        if (name === 'vlan') {
          return (flow) => vlan[flow] >= 0 &&
            compareNumbers(vlan[flow], op, n);
        }
        return (flow) => compareNumbers(protocol[flow], op, n);
      }
      case 'size': {
        const n = parseSize(value);
        return sizeTest(name, c, op, n);
      }
      case 'duration': {
        const n = parseDuration(value);
        const { firstSeconds, firstNanos, lastSeconds, lastNanos } = c;
        return (flow) => compareNumbers(lastSeconds[flow] -
          firstSeconds[flow] + (lastNanos[flow] - firstNanos[flow]) / 1e9,
        op, n);
      }
      case 'time':
        return this.timeTest(op, value);
      case 'text': {
        if (op !== '==') this.onlyEquality(op, value, 'Text');
        const wanted = normaliseText(name, value.text);
        return this.textTest(name, field,
          (t) => normaliseText(name, t) === wanted);
      }
      default:
        throw new Error(`unhandled field kind ${field.kind}`);
    }
  }

  /** Marks a port set's member: a port, "a..b" or "a-b". */
  private markPorts(wanted: Uint8Array, value: Value): void {
    let low = value;
    let high = value.upTo;
    const dash = /^(\d+)-(\d+)$/.exec(value.text);
    if (!high && dash && !value.quoted) {
      low = { ...value, text: dash[1] };
      high = { ...value, text: dash[2] };
    }
    const from = parsePort(low);
    const to = high ? parsePort(high) : from;
    wanted.fill(1, from, to + 1);
  }

  /** One member of an "in" set (ports aside): a value, or "a..b". */
  private member(name: string, field: Field, value: Value): FlowPredicate {
    const low = value;
    const high = value.upTo;
    if (!high) return this.compare(name, field, '==', value);

    if (field.kind === 'time') {
      // Flows whose span overlaps the range.
      const from = parseTimeValue(low);
      const to = parseTimeValue(high);
      const { firstSeconds, firstNanos, lastSeconds, lastNanos } =
        this.context.columns;
      return (flow) =>
        !before(lastSeconds[flow], lastNanos[flow], from) &&
        !after(firstSeconds[flow], firstNanos[flow], to);
    }
    const lower = this.compare(name, field, '>=', low);
    const upper = this.compare(name, field, '<=', high);
    return (flow) => lower(flow) && upper(flow);
  }

  private onlyEquality(op: CompareOp, value: Value, what: string): never {
    throw new FilterError(`${what} can be compared with == or != only, ` +
      `not ${op}.`, value.position, '== or !=');
  }

  private addressTest(field: Field, network: Network): FlowPredicate {
    const { version, srcAddr, dstAddr } = this.context.columns;
    const src = field.sides !== 'dst';
    const dst = field.sides !== 'src';
    const wanted = network.version;
    if (wanted === 4) {
      // An IPv4 address is the first of its four words.
      const mask = prefixMask(network.prefix);
      const word = network.words[0];
      return (flow) => version[flow] === 4 &&
        ((src && ((srcAddr[flow * 4] & mask) >>> 0) === word) ||
          (dst && ((dstAddr[flow * 4] & mask) >>> 0) === word));
    }
    return (flow) => version[flow] === wanted &&
      ((src && inNetwork(srcAddr, flow * 4, network)) ||
        (dst && inNetwork(dstAddr, flow * 4, network)));
  }

  /** `wanted` has a 1 for each port that matches, 65536 entries. */
  private portTest(field: Field, wanted: Uint8Array): FlowPredicate {
    const { protocol, srcPort, dstPort } = this.context.columns;
    const protocols = protocolTable(field.protocols ?? PORT_PROTOCOLS);
    const src = field.sides !== 'dst';
    const dst = field.sides !== 'src';
    // No port (-1) reads as undefined, which is not 1.
    return (flow) => protocols[protocol[flow]] === 1 &&
      ((src && wanted[srcPort[flow]] === 1) ||
        (dst && wanted[dstPort[flow]] === 1));
  }

  private timeTest(op: CompareOp, value: Value): FlowPredicate {
    const t = parseTimeValue(value);
    const { firstSeconds, firstNanos, lastSeconds, lastNanos } =
      this.context.columns;
    // A flow matches a time when its span [first, last] relates to it.
    switch (op) {
      case '>=':
        return (flow) => !before(lastSeconds[flow], lastNanos[flow], t);
      case '>':
        return (flow) => after(lastSeconds[flow], lastNanos[flow], t);
      case '<=':
        return (flow) => !after(firstSeconds[flow], firstNanos[flow], t);
      case '<':
        return (flow) => before(firstSeconds[flow], firstNanos[flow], t);
      case '==':
        return (flow) => !after(firstSeconds[flow], firstNanos[flow], t) &&
          !before(lastSeconds[flow], lastNanos[flow], t);
      default:
        throw new Error(`unhandled time operator ${op}`);
    }
  }

  private textMatch(
    name: string,
    field: Field,
    op: 'contains' | 'matches',
    value: Value,
  ): FlowPredicate {
    if (op === 'contains') {
      const wanted = value.text.toLowerCase();
      return this.textTest(name, field,
        (t) => t.toLowerCase().includes(wanted));
    }
    let pattern: RegExp;
    try {
      // Case-insensitive, as Wireshark's "matches" is by default.
      pattern = new RegExp(value.text, 'i');
    } catch (error) {
      throw new FilterError(`"${value.text}" is not a valid pattern: ` +
        `${(error as Error).message}`, value.position, 'a regular expression');
    }
    return this.textTest(name, field, (t) => pattern.test(t));
  }

  /**
   * A text field tested through a table: each column stores small codes
   * for its texts (a name list, APP_NAMES, protocol numbers...), so `test`
   * runs once per distinct text, never once per flow. A flow matches when
   * any of its texts does; an absent text (no host, no tunnel) never does.
   */
  private textTest(
    name: string,
    field: Field,
    test: (text: string) => boolean,
  ): FlowPredicate {
    const { columns: c, names, countries } = this.context;
    const table = (texts: ArrayLike<string>) =>
      Uint8Array.from({ length: texts.length }, (_, i) => +test(texts[i]));
    switch (name) {
      case 'host': {
        const { host } = c;
        const matches = table(names);
        return (flow) => matches[host[flow]] === 1;
      }
      case 'app': {
        const { app } = c;
        const matches = table(APP_NAMES);
        return (flow) => matches[app[flow]] === 1;
      }
      case 'proto': {
        const { protocol } = c;
        const matches = table(PROTOCOL_NAMES);
        return (flow) => matches[protocol[flow]] === 1;
      }
      case 'tunnel': {
        const { tunnel } = c;
        const matches = table(TUNNEL_NAMES);
        return (flow) => tunnel[flow] > 0 && matches[tunnel[flow]] === 1;
      }
      default: {
        if (!countries) return () => false;
        const { src, dst, codes } = countries;
        const matches = table(codes);
        const bySrc = field.sides !== 'dst';
        const byDst = field.sides !== 'src';
        return (flow) => (bySrc && matches[src[flow]] === 1) ||
          (byDst && matches[dst[flow]] === 1);
      }
    }
  }
}

/** Protocol names by number, as the `proto` field compares them. */
const PROTOCOL_NAMES = Array.from({ length: 256 }, (_, p) => protocolName(p));

/** Ports are 16-bit: a port set is a table of this many entries. */
const PORT_COUNT = 65536;

/** A 256-entry table with a 1 for each listed IP protocol number. */
function protocolTable(protocols: readonly number[]): Uint8Array {
  const table = new Uint8Array(256);
  for (const p of protocols) table[p] = 1;
  return table;
}

/** The mask of the first word of a prefix of `prefix` bits. */
function prefixMask(prefix: number): number {
  const bits = Math.min(32, prefix);
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

function allOf(parts: FlowPredicate[]): FlowPredicate {
  if (parts.length === 2) {
    const [left, right] = parts;
    return (flow) => left(flow) && right(flow);
  }
  return (flow) => {
    for (let i = 0; i < parts.length; i++) {
      if (!parts[i](flow)) return false;
    }
    return true;
  };
}

function anyOf(parts: FlowPredicate[]): FlowPredicate {
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) {
    const [left, right] = parts;
    return (flow) => left(flow) || right(flow);
  }
  return (flow) => {
    for (let i = 0; i < parts.length; i++) {
      if (parts[i](flow)) return true;
    }
    return false;
  };
}

function normaliseText(name: string, text: string): string {
  return name.includes('country') ? text.toUpperCase() : text.toLowerCase();
}

/** A count compared with a number; each case reads its own columns. */
function sizeTest(
  name: string,
  c: FlowColumns,
  op: CompareOp,
  n: number,
): FlowPredicate {
  const { bytesOut, bytesIn, packetsOut, packetsIn } = c;
  switch (name) {
    case 'bytes.out':
      return (flow) => compareNumbers(bytesOut[flow], op, n);
    case 'bytes.in':
      return (flow) => compareNumbers(bytesIn[flow], op, n);
    case 'packets':
      return (flow) => compareNumbers(packetsOut[flow] + packetsIn[flow],
        op, n);
    case 'packets.out':
      return (flow) => compareNumbers(packetsOut[flow], op, n);
    case 'packets.in':
      return (flow) => compareNumbers(packetsIn[flow], op, n);
    default:
      return (flow) => compareNumbers(bytesOut[flow] + bytesIn[flow], op, n);
  }
}

function compareNumbers(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    default:
      return false;
  }
}

type Time = { seconds: number; nanos: number };

function before(seconds: number, nanos: number, t: Time): boolean {
  return seconds < t.seconds || (seconds === t.seconds && nanos < t.nanos);
}

function after(seconds: number, nanos: number, t: Time): boolean {
  return seconds > t.seconds || (seconds === t.seconds && nanos > t.nanos);
}
