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
import type { FlowCountries } from './geo.js';

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
/**
 * Durations below this many seconds are written from whole nanoseconds:
 * up to 15 significant digits, which a double holds exactly, so the text
 * is the one Number(seconds.toFixed(9)) gives (flow-json.test.ts).
 */
const EXACT_DURATION_SECONDS = 1e6;
/** Nanoseconds of the smallest number JSON writes without an exponent. */
const MIN_PLAIN_FRACTION = 1000;
const BACKSLASH = 0x5c;
const encoder = new TextEncoder();

/**
 * JSON text written straight into bytes: the CLI prints a million flows,
 * and building each line as a string of sixty pieces, then joining and
 * encoding the lines, cost as much as analysing the capture.
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

  /** Text known to be printable ASCII that needs no escaping. */
  raw(text: string): void {
    this.reserve(text.length);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** Bytes [start, end) of `from`, printable ASCII that needs no escaping. */
  ascii(from: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = start; i < end; i++) bytes[at++] = from[i];
    this.length = at;
  }

  /** A JSON string, escaped as JSON.stringify escapes it. */
  string(text: string): void {
    if (!isPlain(text)) {
      const json = JSON.stringify(text);
      this.reserve(json.length * 3);
      this.length += encoder.encodeInto(json,
        this.bytes.subarray(this.length)).written;
      return;
    }
    this.reserve(text.length + 2);
    const bytes = this.bytes;
    let at = this.length;
    bytes[at++] = QUOTE;
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
    bytes[at++] = QUOTE;
    this.length = at;
  }

  /** A number as JSON.stringify writes it; null for null. */
  number(value: number | null): void {
    if (value === null) {
      this.raw('null');
      return;
    }
    if (!(value >= 0 && value <= Number.MAX_SAFE_INTEGER &&
      Math.floor(value) === value)) {
      this.raw(JSON.stringify(value));
      return;
    }
    // Counts and ports fit 31 bits: integer division is much cheaper than
    // Math.floor on a double.
    if (value < INT_LIMIT) {
      let digits = 1;
      for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
      this.digits(value, digits);
      return;
    }
    this.reserve(16);
    const bytes = this.bytes;
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.length + digits;
    this.length = at;
    let rest = value;
    do {
      bytes[--at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  /**
   * `digits` decimal digits of `value` (0 <= value < 10^digits), with
   * leading zeros.
   */
  digits(value: number, digits: number): void {
    this.reserve(digits);
    const bytes = this.bytes;
    let at = this.length + digits;
    this.length = at;
    for (let i = 0; i < digits; i++) {
      const tenth = (value / 10) | 0;
      bytes[--at] = 0x30 + value - tenth * 10;
      value = tenth;
    }
  }

  /** One byte of printable ASCII. */
  byte(code: number): void {
    this.reserve(1);
    this.bytes[this.length++] = code;
  }

  private reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = new Uint8Array(
      Math.max(this.bytes.length * 2, this.length + more));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/** Printable ASCII without a quote or backslash: written as it is. */
function isPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) {
      return false;
    }
  }
  return true;
}

/**
 * What writeFlowJson needs beyond FlowContext: every distinct address's
 * text, made once for all flows (addresses repeat across flows). The texts
 * are kept as bytes, not strings: tens of thousands of strings that live
 * through the output made the collector grow its young generation by
 * about 10 MB, a tenth of the command line's peak memory.
 */
export interface FlowJsonContext extends FlowContext {
  addresses: AddressIndex;
  /** Every address's text, one after the other (ASCII). */
  addressBytes: Uint8Array;
  /** Where address `id`'s text starts in addressBytes; count + 1 ends. */
  addressStarts: Uint32Array;
  /** The name DNS answers gave each address ('' for none). */
  addressNameTexts: readonly string[];
}

/** The JSON writer's context for `index`: each address's text, once. */
export function flowJsonContext(
  context: FlowContext,
  index: AddressIndex,
): FlowJsonContext {
  const texts = new JsonBytes(index.count * 16);
  const addressStarts = new Uint32Array(index.count + 1);
  const names = context.addressNames;
  const addressNameTexts: string[] = new Array(index.count);
  for (let id = 0; id < index.count; id++) {
    const text = addressText(index, id);
    texts.raw(text);
    addressStarts[id + 1] = texts.length;
    addressNameTexts[id] = names?.get(text) ?? '';
  }
  return {
    ...context,
    addresses: index,
    addressBytes: texts.bytes.subarray(0, texts.length),
    addressStarts,
    addressNameTexts,
  };
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
  const countries = context.countries;
  const rtt = c.handshakeRtt[flow];
  const rcode = c.dnsRcode[flow];
  out.raw('{"proto":"');
  out.raw(protocolName(c.protocol[flow]));
  out.raw('","src":"');
  writeAddress(out, srcId, context);
  out.raw('","srcPort":');
  out.number(c.srcPort[flow] < 0 ? null : c.srcPort[flow]);
  out.raw(',"dst":"');
  writeAddress(out, dstId, context);
  out.raw('","dstPort":');
  out.number(c.dstPort[flow] < 0 ? null : c.dstPort[flow]);
  out.raw(',"packets":');
  out.number(c.packetsOut[flow] + c.packetsIn[flow]);
  out.raw(',"bytes":');
  out.number(c.bytesOut[flow] + c.bytesIn[flow]);
  out.raw(',"packetsOut":');
  out.number(c.packetsOut[flow]);
  out.raw(',"bytesOut":');
  out.number(c.bytesOut[flow]);
  out.raw(',"packetsIn":');
  out.number(c.packetsIn[flow]);
  out.raw(',"bytesIn":');
  out.number(c.bytesIn[flow]);
  out.raw(',"firstSeen":');
  writeTime(out, c.firstSeconds[flow], c.firstNanos[flow],
    context.timeDigits);
  out.raw(',"lastSeen":');
  writeTime(out, c.lastSeconds[flow], c.lastNanos[flow], context.timeDigits);
  out.raw(',"duration":');
  writeDuration(out, c, flow);
  out.raw(',"app":');
  out.string(APP_NAMES[c.app[flow]] ?? '');
  out.raw(',"host":');
  out.string(hostIndex >= 0 ? (context.names[hostIndex] ?? '') : '');
  out.raw(',"srcName":');
  out.string(context.addressNameTexts[srcId]);
  out.raw(',"dstName":');
  out.string(context.addressNameTexts[dstId]);
  out.raw(',"srcCountry":');
  out.string(countryOf(countries, countries?.src[flow]));
  out.raw(',"dstCountry":');
  out.string(countryOf(countries, countries?.dst[flow]));
  out.raw(',"tunnel":');
  out.string(TUNNEL_NAMES[c.tunnel[flow]] ?? '');
  out.raw(',"vlan":');
  out.number(c.vlan[flow] >= 0 ? c.vlan[flow] : null);
  out.raw(',"state":');
  out.string(flowState(c, flow));
  out.raw(',"rtt":');
  out.number(rtt >= 0 ? Number(rtt.toFixed(9)) : null);
  out.raw(',"retransmissions":');
  out.number(c.retransmissions[flow]);
  out.raw(',"outOfOrder":');
  out.number(c.outOfOrder[flow]);
  out.raw(',"zeroWindows":');
  out.number(c.zeroWindows[flow]);
  out.raw(',"lostSegments":');
  out.number(c.lostSegments[flow]);
  out.raw(',"dnsRcode":');
  out.string(rcode >= 0 ? dnsRcodeName(rcode) : '');
  out.raw(',"missingBytes":');
  out.number(c.missingBytes[flow]);
  out.raw('}\n');
}

function writeAddress(
  out: JsonBytes,
  id: number,
  context: FlowJsonContext,
): void {
  const start = context.addressStarts[id];
  out.ascii(context.addressBytes, start, context.addressStarts[id + 1]);
}

/**
 * The date of the last day written ("2026-11-30T"): flows mostly share
 * their day, and working out the calendar is the slow part. The time of
 * day is written as digits.
 */
let lastDay = NaN;
let lastDayText = '';

function writeTime(
  out: JsonBytes,
  seconds: number,
  nanos: number,
  digits: number,
): void {
  const day = Math.floor(seconds / SECONDS_PER_DAY);
  if (day !== lastDay) {
    // The range (years 0001-9999) ends at midnights, so a day is in it
    // or out of it whole: the first time written for it decides.
    const text = formatTime(seconds, 0, 0);
    if (text === null) {
      out.raw('null');
      return;
    }
    lastDay = day;
    lastDayText = text.slice(0, DATE_CHARS);
  }
  const secondOfDay = seconds - day * SECONDS_PER_DAY;
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay - hour * 3600) / 60);
  out.byte(QUOTE);
  out.raw(lastDayText);
  out.digits(hour, 2);
  out.byte(COLON);
  out.digits(minute, 2);
  out.byte(COLON);
  out.digits(secondOfDay - hour * 3600 - minute * 60, 2);
  if (digits > 0) {
    const shown = Math.min(digits, NANO_DIGITS);
    out.byte(DOT);
    out.digits(Math.floor(nanos / 10 ** (NANO_DIGITS - shown)), shown);
  }
  out.byte(LETTER_Z);
  out.byte(QUOTE);
}

/** flowDuration(), written without making its number's text. */
function writeDuration(out: JsonBytes, c: FlowColumns, flow: number): void {
  const seconds = c.lastSeconds[flow] - c.firstSeconds[flow];
  const nanos = c.lastNanos[flow] - c.firstNanos[flow];
  const total = seconds * NANOS_PER_SECOND + nanos;
  if (!(seconds >= 0 && seconds < EXACT_DURATION_SECONDS && total >= 0)) {
    out.number(flowDuration(c, flow));
    return;
  }
  const whole = Math.floor(total / NANOS_PER_SECOND);
  let fraction = total - whole * NANOS_PER_SECOND;
  // Below a microsecond JSON switches to exponents ("1e-7").
  if (whole === 0 && fraction > 0 && fraction < MIN_PLAIN_FRACTION) {
    out.number(flowDuration(c, flow));
    return;
  }
  out.number(whole);
  if (fraction === 0) return;
  let shown = NANO_DIGITS;
  while (fraction % 10 === 0) {
    fraction /= 10;
    shown--;
  }
  out.byte(DOT);
  out.digits(fraction, shown);
}

function countryOf(
  countries: FlowCountries | undefined,
  index: number | undefined,
): string {
  return countries && index !== undefined ? countries.codes[index] : '';
}
