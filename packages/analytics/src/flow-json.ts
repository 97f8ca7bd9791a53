import { TUNNEL_NAMES } from '@capscope/parser/decode';
import { formatTime } from '@capscope/parser/time';
import type { AddressIndex } from './aggregates/address-index.js';
import { addressText } from './aggregates/address-index.js';
import { APP_NAMES } from './apps.js';
import type { FlowContext } from './flow-record.js';
import {
  dnsRcodeName,
  flowDuration,
  flowState,
  protocolName,
} from './flow-record.js';
import type { FlowColumns } from './flow-table.js';

const QUOTE = 0x22;
const DOT = 0x2e;
const COLON = 0x3a;
const LETTER_Z = 0x5a;
/** Integers below this are written with 32-bit integer arithmetic. */
const INT_LIMIT = 2 ** 31;
/** Nanoseconds in a second, and the digits after a time's point. */
const NANOS_PER_SECOND = 1e9;
const NANO_DIGITS = 9;
const SECONDS_PER_DAY = 86400;
/** "2026-11-30T": a time's text up to its time of day. */
const DATE_CHARS = 11;
/** '"2026-11-30T10:00:00': a time's text up to its fraction. */
const SECOND_CHARS = 20;
/** 10^k for the digits of a fraction. */
const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/**
 * Durations below this many seconds are written from whole nanoseconds:
 * up to 15 significant digits, which a double holds exactly, so the text
 * is the one Number(seconds.toFixed(9)) gives (flow-json.test.ts).
 */
const EXACT_DURATION_SECONDS = 1e6;
/** Nanoseconds of the smallest number JSON writes without an exponent. */
const MIN_PLAIN_FRACTION = 1000;
/** The longest text JSON gives a number: "-1.7976931348623157e+308". */
const MAX_NUMBER_CHARS = 24;
/**
 * Room for a flow line beyond its addresses and the texts of the context's
 * tables: the keys (under 420 bytes), 16 numbers, two times (32 each), and
 * the short names of protocol, app, tunnel, state and DNS code (under 16
 * each). 1 KiB holds them with room to spare.
 */
const LINE_BYTES = 1024;
const encoder = new TextEncoder();

/**
 * JSON text written straight into bytes: the CLI prints a million flows,
 * and building each line as a string of sixty pieces, then joining and
 * encoding the lines, cost as much as analysing the capture. A flow line
 * makes room once and is then written by the put functions below, which
 * take the bytes and a position and return the next position.
 */
export class JsonBytes {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity = 1 << 20) {
    this.bytes = new Uint8Array(capacity);
  }

  /** The bytes written so far, as a copy; then starts over. */
  take(): Uint8Array {
    const out = this.bytes.slice(0, this.length);
    this.length = 0;
    return out;
  }

  /** A number as JSON.stringify writes it; null for null. */
  number(value: number | null): void {
    this.reserve(MAX_NUMBER_CHARS);
    this.length = putNumber(this.bytes, this.length, value);
  }

  /** Makes room for `more` bytes after what is written. */
  reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = new Uint8Array(
      Math.max(this.bytes.length * 2, this.length + more));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/**
 * Texts encoded once, one after the other: text `i` is bytes
 * [starts[i], starts[i + 1]).
 */
interface TextTable {
  bytes: Uint8Array;
  starts: Uint32Array;
}

/** Builds a TextTable text by text. */
class TextTableBuilder {
  private readonly out: JsonBytes;
  private readonly starts: Uint32Array;
  private count = 0;

  constructor(count: number, bytesEach: number) {
    this.out = new JsonBytes(count * bytesEach + 16);
    this.starts = new Uint32Array(count + 1);
  }

  /** Text known to be printable ASCII, as it is. */
  ascii(text: string): void {
    const out = this.out;
    out.reserve(text.length);
    out.length = putAscii(out.bytes, out.length, text);
    this.starts[++this.count] = out.length;
  }

  /** Any text, as a JSON string. */
  json(text: string): void {
    const out = this.out;
    if (text === '') {
      out.reserve(2);
      out.length = putBytes(out.bytes, out.length, EMPTY_STRING);
    } else {
      const json = JSON.stringify(text);
      out.reserve(json.length * 3);
      out.length += encoder.encodeInto(json,
        out.bytes.subarray(out.length)).written;
    }
    this.starts[++this.count] = out.length;
  }

  table(): TextTable {
    return {
      bytes: this.out.bytes.subarray(0, this.out.length),
      starts: this.starts,
    };
  }
}

/** `texts` as JSON strings, and the empty string after them. */
function jsonTable(texts: readonly string[]): TextTable {
  const table = new TextTableBuilder(texts.length + 1, 16);
  for (const text of texts) table.json(text);
  table.json('');
  return table.table();
}

/**
 * What writeFlowJson needs beyond FlowContext: the texts it writes, each
 * encoded once for all flows (addresses, names and countries repeat
 * across flows). They are kept as bytes, not strings: tens of thousands
 * of strings that live through the output made the collector grow its
 * young generation by about 10 MB, a tenth of the command line's peak
 * memory.
 */
export interface FlowJsonContext extends FlowContext {
  addresses: AddressIndex;
  /** Every address's text (ASCII), by address id. */
  addressTexts: TextTable;
  /** The name DNS answers gave each address, as JSON ('""' for none). */
  addressNameTexts: TextTable;
  /** Host names by the `host` column, and '""' last for none. */
  hosts: TextTable;
  /** Country codes by FlowCountries' indexes, and '""' last for none. */
  countryCodes: TextTable;
}

/** The JSON writer's context for `index`: each text, once. */
export function flowJsonContext(
  context: FlowContext,
  index: AddressIndex,
): FlowJsonContext {
  // Each text is encoded as it is made, so that they never all live as
  // strings at once.
  const texts = new TextTableBuilder(index.count, 16);
  const names = new TextTableBuilder(index.count, 2);
  const addressNames = context.addressNames;
  for (let id = 0; id < index.count; id++) {
    const text = addressText(index, id);
    texts.ascii(text);
    names.json(addressNames?.get(text) ?? '');
  }
  return {
    ...context,
    addresses: index,
    addressTexts: texts.table(),
    addressNameTexts: names.table(),
    hosts: jsonTable(context.names),
    countryCodes: jsonTable(context.countries?.codes ?? []),
  };
}

/** Fixed pieces of a flow line, between its values. */
const PIECES = {
  proto: ascii('{"proto":"'),
  src: ascii('","src":"'),
  srcPort: ascii('","srcPort":'),
  dst: ascii(',"dst":"'),
  dstPort: ascii('","dstPort":'),
  packets: ascii(',"packets":'),
  bytes: ascii(',"bytes":'),
  packetsOut: ascii(',"packetsOut":'),
  bytesOut: ascii(',"bytesOut":'),
  packetsIn: ascii(',"packetsIn":'),
  bytesIn: ascii(',"bytesIn":'),
  firstSeen: ascii(',"firstSeen":'),
  lastSeen: ascii(',"lastSeen":'),
  duration: ascii(',"duration":'),
  app: ascii(',"app":'),
  host: ascii(',"host":'),
  srcName: ascii(',"srcName":'),
  dstName: ascii(',"dstName":'),
  srcCountry: ascii(',"srcCountry":'),
  dstCountry: ascii(',"dstCountry":'),
  tunnel: ascii(',"tunnel":'),
  vlan: ascii(',"vlan":'),
  state: ascii(',"state":'),
  rtt: ascii(',"rtt":'),
  retransmissions: ascii(',"retransmissions":'),
  outOfOrder: ascii(',"outOfOrder":'),
  zeroWindows: ascii(',"zeroWindows":'),
  lostSegments: ascii(',"lostSegments":'),
  dnsRcode: ascii(',"dnsRcode":'),
  missingBytes: ascii(',"missingBytes":'),
  end: ascii('}\n'),
};
const NULL = ascii('null');
const EMPTY_STRING = ascii('""');

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/**
 * One flow as a JSON line (with its newline), exactly what
 * JSON.stringify(flowRecord(...)) writes, from the columns without the
 * record. flow-json.test.ts holds the two together.
 */
export function writeFlowJson(
  out: JsonBytes,
  c: FlowColumns,
  flow: number,
  context: FlowJsonContext,
): void {
  const srcId = context.addresses.src[flow];
  const dstId = context.addresses.dst[flow];
  const hostIndex = c.host[flow];
  const host = hostIndex >= 0 && hostIndex < context.names.length
    ? hostIndex
    : context.names.length;
  const countries = context.countries;
  const noCountry = context.countryCodes.starts.length - 2;
  const srcCountry = countries ? countries.src[flow] : noCountry;
  const dstCountry = countries ? countries.dst[flow] : noCountry;
  const { addressTexts, addressNameTexts, hosts, countryCodes } = context;
  out.reserve(LINE_BYTES +
    textLength(addressTexts, srcId) + textLength(addressTexts, dstId) +
    textLength(addressNameTexts, srcId) +
    textLength(addressNameTexts, dstId) + textLength(hosts, host) +
    textLength(countryCodes, srcCountry) +
    textLength(countryCodes, dstCountry));
  const b = out.bytes;
  let at = out.length;

  at = putBytes(b, at, PIECES.proto);
  at = putAscii(b, at, protocolName(c.protocol[flow]));
  at = putBytes(b, at, PIECES.src);
  at = putText(b, at, addressTexts, srcId);
  at = putBytes(b, at, PIECES.srcPort);
  at = putNumber(b, at, c.srcPort[flow] < 0 ? null : c.srcPort[flow]);
  at = putBytes(b, at, PIECES.dst);
  at = putText(b, at, addressTexts, dstId);
  at = putBytes(b, at, PIECES.dstPort);
  at = putNumber(b, at, c.dstPort[flow] < 0 ? null : c.dstPort[flow]);

  at = putBytes(b, at, PIECES.packets);
  at = putNumber(b, at, c.packetsOut[flow] + c.packetsIn[flow]);
  at = putBytes(b, at, PIECES.bytes);
  at = putNumber(b, at, c.bytesOut[flow] + c.bytesIn[flow]);
  at = putBytes(b, at, PIECES.packetsOut);
  at = putNumber(b, at, c.packetsOut[flow]);
  at = putBytes(b, at, PIECES.bytesOut);
  at = putNumber(b, at, c.bytesOut[flow]);
  at = putBytes(b, at, PIECES.packetsIn);
  at = putNumber(b, at, c.packetsIn[flow]);
  at = putBytes(b, at, PIECES.bytesIn);
  at = putNumber(b, at, c.bytesIn[flow]);

  at = putBytes(b, at, PIECES.firstSeen);
  at = putTime(b, at, c.firstSeconds[flow], c.firstNanos[flow],
    context.timeDigits);
  at = putBytes(b, at, PIECES.lastSeen);
  at = putTime(b, at, c.lastSeconds[flow], c.lastNanos[flow],
    context.timeDigits);
  at = putBytes(b, at, PIECES.duration);
  at = putDuration(b, at, c, flow);

  at = putBytes(b, at, PIECES.app);
  at = putQuoted(b, at, APP_NAMES[c.app[flow]] ?? '');
  at = putBytes(b, at, PIECES.host);
  at = putText(b, at, hosts, host);
  at = putBytes(b, at, PIECES.srcName);
  at = putText(b, at, addressNameTexts, srcId);
  at = putBytes(b, at, PIECES.dstName);
  at = putText(b, at, addressNameTexts, dstId);
  at = putBytes(b, at, PIECES.srcCountry);
  at = putText(b, at, countryCodes, srcCountry);
  at = putBytes(b, at, PIECES.dstCountry);
  at = putText(b, at, countryCodes, dstCountry);
  at = putBytes(b, at, PIECES.tunnel);
  at = putQuoted(b, at, TUNNEL_NAMES[c.tunnel[flow]] ?? '');

  at = putBytes(b, at, PIECES.vlan);
  at = putNumber(b, at, c.vlan[flow] >= 0 ? c.vlan[flow] : null);
  at = putBytes(b, at, PIECES.state);
  at = putQuoted(b, at, flowState(c, flow));
  at = putBytes(b, at, PIECES.rtt);
  const rtt = c.handshakeRtt[flow];
  at = putNumber(b, at, rtt >= 0 ? Number(rtt.toFixed(9)) : null);
  at = putBytes(b, at, PIECES.retransmissions);
  at = putNumber(b, at, c.retransmissions[flow]);
  at = putBytes(b, at, PIECES.outOfOrder);
  at = putNumber(b, at, c.outOfOrder[flow]);
  at = putBytes(b, at, PIECES.zeroWindows);
  at = putNumber(b, at, c.zeroWindows[flow]);
  at = putBytes(b, at, PIECES.lostSegments);
  at = putNumber(b, at, c.lostSegments[flow]);
  at = putBytes(b, at, PIECES.dnsRcode);
  const rcode = c.dnsRcode[flow];
  at = putQuoted(b, at, rcode >= 0 ? dnsRcodeName(rcode) : '');
  at = putBytes(b, at, PIECES.missingBytes);
  at = putNumber(b, at, c.missingBytes[flow]);
  at = putBytes(b, at, PIECES.end);
  out.length = at;
}

function textLength(table: TextTable, index: number): number {
  return table.starts[index + 1] - table.starts[index];
}

function putText(
  b: Uint8Array,
  at: number,
  table: TextTable,
  index: number,
): number {
  const from = table.bytes;
  const end = table.starts[index + 1];
  for (let i = table.starts[index]; i < end; i++) b[at++] = from[i];
  return at;
}

function putBytes(b: Uint8Array, at: number, from: Uint8Array): number {
  for (let i = 0; i < from.length; i++) b[at++] = from[i];
  return at;
}

/** Text known to be printable ASCII that needs no escaping. */
function putAscii(b: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) b[at++] = text.charCodeAt(i);
  return at;
}

/** A JSON string of text known to need no escaping (a fixed name). */
function putQuoted(b: Uint8Array, at: number, text: string): number {
  b[at++] = QUOTE;
  at = putAscii(b, at, text);
  b[at++] = QUOTE;
  return at;
}

/** A number as JSON.stringify writes it; null for null. */
function putNumber(b: Uint8Array, at: number, value: number | null): number {
  if (value === null) return putBytes(b, at, NULL);
  // Counts and ports fit 31 bits: integer division is much cheaper than
  // Math.floor on a double.
  if (value >= 0 && value < INT_LIMIT && (value | 0) === value) {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
    return putDigits(b, at, value, digits);
  }
  if (!(value >= 0 && value <= Number.MAX_SAFE_INTEGER &&
    Math.floor(value) === value)) {
    return putAscii(b, at, JSON.stringify(value));
  }
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  const end = at + digits;
  let rest = value;
  for (let i = end - 1; i >= at; i--) {
    b[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return end;
}

/**
 * `digits` decimal digits of `value` (0 <= value < 10^digits, below
 * 2^31), with leading zeros.
 */
function putDigits(
  b: Uint8Array,
  at: number,
  value: number,
  digits: number,
): number {
  const end = at + digits;
  for (let i = end - 1; i >= at; i--) {
    const tenth = (value / 10) | 0;
    b[i] = 0x30 + value - tenth * 10;
    value = tenth;
  }
  return end;
}

/**
 * The text of the last second written, '"2026-11-30T10:00:00': flows
 * mostly start and end in seconds that neighbouring flows share, and
 * working out the calendar is the slow part. Out of range (years
 * 0001-9999) the second is written as null.
 */
let lastSecond = NaN;
let lastSecondInRange = false;
const lastSecondText = new Uint8Array(SECOND_CHARS);
/** The date of the last day worked out, "2026-11-30T", as bytes. */
let lastDay = NaN;
const lastDayText = new Uint8Array(DATE_CHARS);

function putTime(
  b: Uint8Array,
  at: number,
  seconds: number,
  nanos: number,
  digits: number,
): number {
  if (seconds !== lastSecond) rememberSecond(seconds);
  if (!lastSecondInRange) return putBytes(b, at, NULL);
  at = putBytes(b, at, lastSecondText);
  if (digits > 0) {
    const shown = Math.min(digits, NANO_DIGITS);
    b[at++] = DOT;
    at = putDigits(b, at,
      Math.floor(nanos / POWERS_OF_TEN[NANO_DIGITS - shown]), shown);
  }
  b[at++] = LETTER_Z;
  b[at++] = QUOTE;
  return at;
}

function rememberSecond(seconds: number): void {
  lastSecond = seconds;
  const day = Math.floor(seconds / SECONDS_PER_DAY);
  if (day !== lastDay) {
    // The range ends at midnights, so a day is in it or out of it whole.
    const text = formatTime(seconds, 0, 0);
    lastSecondInRange = text !== null;
    if (text === null) return;
    lastDay = day;
    putAscii(lastDayText, 0, text.slice(0, DATE_CHARS));
  }
  lastSecondInRange = true;
  const secondOfDay = seconds - day * SECONDS_PER_DAY;
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay - hour * 3600) / 60);
  const t = lastSecondText;
  t[0] = QUOTE;
  let at = putBytes(t, 1, lastDayText);
  at = putDigits(t, at, hour, 2);
  t[at++] = COLON;
  at = putDigits(t, at, minute, 2);
  t[at++] = COLON;
  putDigits(t, at, secondOfDay - hour * 3600 - minute * 60, 2);
}

/** flowDuration(), written without making its number's text. */
function putDuration(
  b: Uint8Array,
  at: number,
  c: FlowColumns,
  flow: number,
): number {
  const seconds = c.lastSeconds[flow] - c.firstSeconds[flow];
  const nanos = c.lastNanos[flow] - c.firstNanos[flow];
  const total = seconds * NANOS_PER_SECOND + nanos;
  if (!(seconds >= 0 && seconds < EXACT_DURATION_SECONDS && total >= 0)) {
    return putNumber(b, at, flowDuration(c, flow));
  }
  const whole = Math.floor(total / NANOS_PER_SECOND);
  let fraction = total - whole * NANOS_PER_SECOND;
  // Below a microsecond JSON switches to exponents ("1e-7").
  if (whole === 0 && fraction > 0 && fraction < MIN_PLAIN_FRACTION) {
    return putNumber(b, at, flowDuration(c, flow));
  }
  at = putNumber(b, at, whole);
  if (fraction === 0) return at;
  let shown = NANO_DIGITS;
  while (fraction % 10 === 0) {
    fraction /= 10;
    shown--;
  }
  b[at++] = DOT;
  return putDigits(b, at, fraction, shown);
}
