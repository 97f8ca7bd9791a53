import { TUNNEL_NAMES } from '@capscope/parser/decode';
import { APP_NAMES } from '../apps.js';
import type { FlowColumns } from '../flow-table.js';
import type { FlowCountries } from '../geo.js';
import { dnsRcodeName, flowState, protocolName } from '../flow-record.js';
import type { FlowFindings } from '../findings/finding.js';
import type { CompareOp, Expr, Value } from './ast.js';
import { FilterError } from './lexer.js';
import { parseFilter } from './parser.js';
import type { FlowTest, TimeBound } from './kernels.js';
import {
  ALWAYS,
  allOf,
  anyOf,
  codeTest,
  columnTest,
  compareNumbers,
  durationTest,
  ipv4Test,
  ipv6Test,
  negate,
  portTest,
  selectFlows,
  sidedCodeTest,
  spanTest,
  sumTest,
} from './kernels.js';
import type { Network } from './values.js';
import {
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
  /** Which findings name each flow, once the rules ran (findings/run.ts). */
  findings?: FlowFindings;
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
  retransmissions: { kind: 'number', help: 'TCP segments sent again' },
  'dns.rcode': { kind: 'number',
    help: 'DNS response code (0 NOERROR, 3 NXDOMAIN... or the name)' },
  rtt: { kind: 'duration',
    help: 'TCP handshake or DNS response time' },
  'tcp.state': { kind: 'text',
    help: 'connection state: S0 REJ S1 SF S2 S3 RSTO RSTR SH OTH...' },
  finding: { kind: 'text',
    help: 'flows a finding names: scan, failed-connections...' },
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

/** The block form of each compiled predicate, for filterFlows. */
const BLOCK_TESTS = new WeakMap<FlowPredicate, FlowTest>();

/**
 * Compiles to one predicate over a flow index. filterFlows runs the same
 * filter block by block instead (kernels.ts), which is what keeps a
 * million flows under 50 ms (scripts/bench-filter.mjs).
 */
export function compileFilter(
  expr: Expr | null,
  context: FilterContext,
): FlowPredicate {
  const test = expr === null ? ALWAYS : new Compiler(context).compile(expr);
  const predicate: FlowPredicate = test.match;
  BLOCK_TESTS.set(predicate, test);
  return predicate;
}

/** Indices of the flows the filter keeps, in flow order. */
export function filterFlows(
  predicate: FlowPredicate,
  count: number,
): Uint32Array {
  const test = BLOCK_TESTS.get(predicate);
  if (test) return selectFlows(test, count);
  const kept = new Uint32Array(count);
  let n = 0;
  for (let flow = 0; flow < count; flow++) {
    if (predicate(flow)) kept[n++] = flow;
  }
  return kept.slice(0, n);
}

/** Turns a parsed filter into tests over the context's columns. */
class Compiler {
  constructor(private readonly context: FilterContext) {}

  compile(expr: Expr): FlowTest {
    switch (expr.type) {
      case 'and':
        // A chain "a and b and c" is one node, not nested ones.
        return allOf(this.chain('and', expr).map((e) => this.compile(e)));
      case 'or':
        return anyOf(this.chain('or', expr).map((e) => this.compile(e)));
      case 'not':
        return negate(this.compile(expr.operand));
      case 'test':
        return this.test(expr.field, expr.position);
      case 'compare': {
        const field = this.field(expr.field, expr.position);
        if (expr.op === '!=') {
          return negate(this.compare(expr.field, field, '==', expr.value));
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
  private test(name: string, position: number): FlowTest {
    const field = this.field(name, position);
    const { version, protocol, app, vlan } = this.context.columns;
    if (field.kind === 'flag') {
      if (name === 'ip') return codeTest(version, codeTable(256, [4]));
      if (name === 'ipv6') return codeTest(version, codeTable(256, [6]));
      const number = FLAG_PROTOCOLS[name];
      if (number !== undefined) {
        return codeTest(protocol, codeTable(256, [number]));
      }
      const code = APP_NAMES.indexOf(name as (typeof APP_NAMES)[number]);
      return codeTest(app, codeTable(APP_NAMES.length, [code]));
    }
    switch (field.kind) {
      case 'port': {
        // A flow with ports has a source port.
        const any = new Uint8Array(PORT_COUNT).fill(1);
        return this.portTest({ ...field, sides: 'src' }, any);
      }
      case 'text':
        return this.textTest(name, field, (t) => t !== '');
      case 'number':
        if (name === 'vlan') return columnTest(vlan, '>=', 0, false);
        if (name === 'dns.rcode') {
          return columnTest(this.context.columns.dnsRcode, '>=', 0, false);
        }
        if (name === 'retransmissions') {
          return columnTest(this.context.columns.retransmissions, '>', 0,
            false);
        }
        return ALWAYS;
      default:
        return ALWAYS;
    }
  }

  private compare(
    name: string,
    field: Field,
    op: CompareOp,
    value: Value,
  ): FlowTest {
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
        if (name === 'dns.rcode') {
          return columnTest(c.dnsRcode, op, parseRcode(value), true);
        }
        const n = parseSize(value);
        if (name === 'vlan') return columnTest(c.vlan, op, n, true);
        if (name === 'retransmissions') {
          return columnTest(c.retransmissions, op, n, false);
        }
        return columnTest(c.protocol, op, n, false);
      }
      case 'size': {
        const n = parseSize(value);
        const [first, second] = sizeColumns(name, c);
        return sumTest(first, second, op, n);
      }
      case 'duration': {
        const n = parseDuration(value);
        if (name === 'rtt') return columnTest(c.handshakeRtt, op, n, true);
        return durationTest(c.firstSeconds, c.firstNanos, c.lastSeconds,
          c.lastNanos, op, n);
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
  private member(name: string, field: Field, value: Value): FlowTest {
    const low = value;
    const high = value.upTo;
    if (!high) return this.compare(name, field, '==', value);

    if (field.kind === 'time') {
      // Flows whose span overlaps the range.
      const from = parseTimeValue(low);
      const to = parseTimeValue(high);
      return this.spanTest({ ...from, strict: false },
        { ...to, strict: false });
    }
    return allOf([this.compare(name, field, '>=', low),
      this.compare(name, field, '<=', high)]);
  }

  private onlyEquality(op: CompareOp, value: Value, what: string): never {
    throw new FilterError(`${what} can be compared with == or != only, ` +
      `not ${op}.`, value.position, '== or !=');
  }

  private addressTest(field: Field, network: Network): FlowTest {
    const { version, srcAddr, dstAddr } = this.context.columns;
    const bySrc = field.sides !== 'dst';
    const byDst = field.sides !== 'src';
    if (network.version === 4) {
      return ipv4Test(version, srcAddr, dstAddr, prefixMask(network.prefix),
        network.words[0], bySrc, byDst);
    }
    return ipv6Test(version, srcAddr, dstAddr, network, bySrc, byDst);
  }

  /** `wanted` has a 1 for each port that matches, 65536 entries. */
  private portTest(field: Field, wanted: Uint8Array): FlowTest {
    const { protocol, srcPort, dstPort } = this.context.columns;
    const protocols = codeTable(256, field.protocols ?? PORT_PROTOCOLS);
    return portTest(protocol, srcPort, dstPort, protocols, wanted,
      field.sides !== 'dst', field.sides !== 'src');
  }

  /** A flow matches a time when its span [first, last] relates to it. */
  private timeTest(op: CompareOp, value: Value): FlowTest {
    const t = parseTimeValue(value);
    const at = { ...t, strict: false };
    const past = { ...t, strict: true };
    switch (op) {
      case '>=':
        return this.spanTest(at, null);
      case '>':
        return this.spanTest(past, null);
      case '<=':
        return this.spanTest(null, at);
      case '<':
        return this.spanTest(null, past);
      case '==':
        return this.spanTest(at, at);
      default:
        throw new Error(`unhandled time operator ${op}`);
    }
  }

  /** The last packet at or after `low`, the first at or before `high`. */
  private spanTest(low: TimeBound | null, high: TimeBound | null): FlowTest {
    const c = this.context.columns;
    return spanTest(c.firstSeconds, c.firstNanos, c.lastSeconds,
      c.lastNanos, low, high);
  }

  private textMatch(
    name: string,
    field: Field,
    op: 'contains' | 'matches',
    value: Value,
  ): FlowTest {
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
  ): FlowTest {
    const { columns: c, names, countries } = this.context;
    const table = (texts: ArrayLike<string>) =>
      Uint8Array.from({ length: texts.length }, (_, i) => +test(texts[i]));
    switch (name) {
      case 'host':
        // No host (-1) reads as undefined, which is not 1.
        return codeTest(c.host, table(names));
      case 'app':
        return codeTest(c.app, table(APP_NAMES));
      case 'proto':
        return codeTest(c.protocol, table(PROTOCOL_NAMES));
      case 'tunnel': {
        const tunnels = table(TUNNEL_NAMES);
        tunnels[0] = 0; // not tunnelled
        return codeTest(c.tunnel, tunnels);
      }
      case 'tcp.state': {
        const states = table(STATE_NAMES);
        states[0] = 0; // not TCP, UDP or ICMP: no state
        return codeTest(stateCodes(c), states);
      }
      case 'finding': {
        const findings = this.context.findings;
        if (!findings) return negate(ALWAYS);
        const wanted = table(findings.kinds);
        let mask = 0;
        wanted.forEach((hit, bit) => (mask |= hit << bit));
        const masks = new Uint8Array(1 << findings.kinds.length);
        for (let m = 0; m < masks.length; m++) masks[m] = m & mask ? 1 : 0;
        return codeTest(findings.flowKinds, masks);
      }
      default: {
        if (!countries) return negate(ALWAYS);
        return sidedCodeTest(countries.src, countries.dst,
          table(countries.codes), field.sides !== 'dst',
          field.sides !== 'src');
      }
    }
  }
}

/** Connection states as `tcp.state` compares them; index 0 is none. */
const STATE_NAMES = ['', 'S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR',
  'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'];

/**
 * Each TCP flow's state as an index into STATE_NAMES (0 for other
 * protocols: `tcp.state` is TCP's), made once per filter.
 */
function stateCodes(c: FlowColumns): Uint8Array {
  const codes = new Uint8Array(c.count);
  for (let flow = 0; flow < c.count; flow++) {
    if (c.protocol[flow] !== 6) continue;
    codes[flow] = Math.max(0, STATE_NAMES.indexOf(flowState(c, flow)));
  }
  return codes;
}

/** A DNS response code, as a number or a name (NXDOMAIN, SERVFAIL...). */
function parseRcode(value: Value): number {
  for (let code = 0; code < 16; code++) {
    if (dnsRcodeName(code) === value.text.toUpperCase()) return code;
  }
  const n = Number(value.text);
  if (!/^\d+$/.test(value.text) || n > 15) {
    throw new FilterError(`"${value.text}" is not a DNS response code.`,
      value.position, 'a code from 0 to 15, or a name such as NXDOMAIN');
  }
  return n;
}

/** Protocol names by number, as the `proto` field compares them. */
const PROTOCOL_NAMES = Array.from({ length: 256 }, (_, p) => protocolName(p));

/** Ports are 16-bit: a port set is a table of this many entries. */
const PORT_COUNT = 65536;

/** A table of `size` entries with a 1 for each listed code. */
function codeTable(size: number, codes: readonly number[]): Uint8Array {
  const table = new Uint8Array(size);
  for (const code of codes) table[code] = 1;
  return table;
}

/** The mask of the first word of a prefix of `prefix` bits. */
function prefixMask(prefix: number): number {
  const bits = Math.min(32, prefix);
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

function normaliseText(name: string, text: string): string {
  return name.includes('country') ? text.toUpperCase() : text.toLowerCase();
}

/** The column a size field reads, or the two it sums (out + in). */
function sizeColumns(
  name: string,
  c: FlowColumns,
): [Float64Array, Float64Array | null] {
  switch (name) {
    case 'bytes.out':
      return [c.bytesOut, null];
    case 'bytes.in':
      return [c.bytesIn, null];
    case 'packets':
      return [c.packetsOut, c.packetsIn];
    case 'packets.out':
      return [c.packetsOut, null];
    case 'packets.in':
      return [c.packetsIn, null];
    default:
      return [c.bytesOut, c.bytesIn];
  }
}
