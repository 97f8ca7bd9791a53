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
      case 'and': {
        const left = this.compile(expr.left);
        const right = this.compile(expr.right);
        return (flow) => left(flow) && right(flow);
      }
      case 'or': {
        const left = this.compile(expr.left);
        const right = this.compile(expr.right);
        return (flow) => left(flow) || right(flow);
      }
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
        const parts = expr.values.map((value) =>
          this.member(expr.field, field, value));
        return (flow) => parts.some((part) => part(flow));
      }
      default: {
        const never: never = expr;
        throw new Error(`unknown expression ${JSON.stringify(never)}`);
      }
    }
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
    const c = this.context.columns;
    if (field.kind === 'flag') {
      if (name === 'ip') return (flow) => c.version[flow] === 4;
      if (name === 'ipv6') return (flow) => c.version[flow] === 6;
      const protocol = FLAG_PROTOCOLS[name];
      if (protocol !== undefined) {
        return (flow) => c.protocol[flow] === protocol;
      }
      const app = APP_NAMES.indexOf(name as (typeof APP_NAMES)[number]);
      return (flow) => c.app[flow] === app;
    }
    switch (field.kind) {
      case 'port': {
        const protocols = field.protocols ?? PORT_PROTOCOLS;
        return (flow) => protocols.includes(c.protocol[flow]) &&
          c.srcPort[flow] >= 0;
      }
      case 'text':
        return (flow) => this.texts(name, field, flow).some((t) => t !== '');
      case 'number':
        if (name === 'vlan') return (flow) => c.vlan[flow] >= 0;
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
        return this.portTest(field, (p) => compareNumbers(p, op, port));
      }
      case 'number': {
        const n = parseSize(value);
        if (name === 'vlan') {
          return (flow) => c.vlan[flow] >= 0 &&
            compareNumbers(c.vlan[flow], op, n);
        }
        return (flow) => compareNumbers(c.protocol[flow], op, n);
      }
      case 'size': {
        const n = parseSize(value);
        const read = sizeReader(name, c);
        return (flow) => compareNumbers(read(flow), op, n);
      }
      case 'duration': {
        const n = parseDuration(value);
        return (flow) => compareNumbers(duration(c, flow), op, n);
      }
      case 'time':
        return this.timeTest(op, value);
      case 'text': {
        if (op !== '==') this.onlyEquality(op, value, 'Text');
        const wanted = normaliseText(name, value.text);
        return (flow) => this.texts(name, field, flow)
          .some((t) => normaliseText(name, t) === wanted);
      }
      default:
        throw new Error(`unhandled field kind ${field.kind}`);
    }
  }

  /** One member of an "in" set: a value, or a range "a..b" ("a-b" for ports). */
  private member(name: string, field: Field, value: Value): FlowPredicate {
    let low = value;
    let high = value.upTo;
    const dash = /^(\d+)-(\d+)$/.exec(value.text);
    if (!high && dash && !value.quoted && field.kind === 'port') {
      low = { ...value, text: dash[1] };
      high = { ...value, text: dash[2] };
    }
    if (!high) return this.compare(name, field, '==', value);

    if (field.kind === 'port') {
      const from = parsePort(low);
      const to = parsePort(high);
      return this.portTest(field, (port) => port >= from && port <= to);
    }
    if (field.kind === 'time') {
      // Flows whose span overlaps the range.
      const from = parseTimeValue(low);
      const to = parseTimeValue(high);
      const c = this.context.columns;
      return (flow) =>
        !before(c.lastSeconds[flow], c.lastNanos[flow], from) &&
        !after(c.firstSeconds[flow], c.firstNanos[flow], to);
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
    const c = this.context.columns;
    const src = field.sides !== 'dst';
    const dst = field.sides !== 'src';
    return (flow) => c.version[flow] === network.version &&
      ((src && inNetwork(c.srcAddr, flow * 4, network)) ||
        (dst && inNetwork(c.dstAddr, flow * 4, network)));
  }

  private portTest(field: Field, test: (port: number) => boolean) {
    const c = this.context.columns;
    const protocols = field.protocols ?? PORT_PROTOCOLS;
    const src = field.sides !== 'dst';
    const dst = field.sides !== 'src';
    return (flow: number) => protocols.includes(c.protocol[flow]) &&
      ((src && c.srcPort[flow] >= 0 && test(c.srcPort[flow])) ||
        (dst && c.dstPort[flow] >= 0 && test(c.dstPort[flow])));
  }

  private timeTest(op: CompareOp, value: Value): FlowPredicate {
    const t = parseTimeValue(value);
    const c = this.context.columns;
    // A flow matches a time when its span [first, last] relates to it.
    const first = (flow: number) =>
      [c.firstSeconds[flow], c.firstNanos[flow]] as const;
    const last = (flow: number) =>
      [c.lastSeconds[flow], c.lastNanos[flow]] as const;
    switch (op) {
      case '>=':
        return (flow) => !before(...last(flow), t);
      case '>':
        return (flow) => after(...last(flow), t);
      case '<=':
        return (flow) => !after(...first(flow), t);
      case '<':
        return (flow) => before(...first(flow), t);
      case '==':
        return (flow) => !after(...first(flow), t) && !before(...last(flow), t);
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
      return (flow) => this.texts(name, field, flow)
        .some((t) => t.toLowerCase().includes(wanted));
    }
    let pattern: RegExp;
    try {
      // Case-insensitive, as Wireshark's "matches" is by default.
      pattern = new RegExp(value.text, 'i');
    } catch (error) {
      throw new FilterError(`"${value.text}" is not a valid pattern: ` +
        `${(error as Error).message}`, value.position, 'a regular expression');
    }
    return (flow) => this.texts(name, field, flow).some((t) => pattern.test(t));
  }

  /** The text values a text field has for one flow. */
  private texts(name: string, field: Field, flow: number): string[] {
    const { columns: c, names, countries } = this.context;
    switch (name) {
      case 'host':
        return c.host[flow] >= 0 ? [names[c.host[flow]] ?? ''] : [];
      case 'app':
        return [APP_NAMES[c.app[flow]] ?? ''];
      case 'proto':
        return [protocolName(c.protocol[flow])];
      case 'tunnel':
        return c.tunnel[flow] > 0 ? [TUNNEL_NAMES[c.tunnel[flow]] ?? ''] : [];
      default: {
        if (!countries) return [];
        const out: string[] = [];
        const codes = countries.codes;
        if (field.sides !== 'dst') out.push(codes[countries.src[flow]]);
        if (field.sides !== 'src') out.push(codes[countries.dst[flow]]);
        return out;
      }
    }
  }
}

function normaliseText(name: string, text: string): string {
  return name.includes('country') ? text.toUpperCase() : text.toLowerCase();
}

function sizeReader(name: string, c: FlowColumns): (flow: number) => number {
  switch (name) {
    case 'bytes.out':
      return (flow) => c.bytesOut[flow];
    case 'bytes.in':
      return (flow) => c.bytesIn[flow];
    case 'packets':
      return (flow) => c.packetsOut[flow] + c.packetsIn[flow];
    case 'packets.out':
      return (flow) => c.packetsOut[flow];
    case 'packets.in':
      return (flow) => c.packetsIn[flow];
    default:
      return (flow) => c.bytesOut[flow] + c.bytesIn[flow];
  }
}

function duration(c: FlowColumns, flow: number): number {
  return c.lastSeconds[flow] - c.firstSeconds[flow] +
    (c.lastNanos[flow] - c.firstNanos[flow]) / 1e9;
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
