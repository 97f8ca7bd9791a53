import { TUNNEL_NAMES } from '@capscope/parser/decode';
import { formatTime } from '@capscope/parser/time';
import { formatAddress } from './address.js';
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
 * One flow as a JSON line (with its newline), exactly what
 * JSON.stringify(flowRecord(...)) writes, from the columns without the
 * record. flow-json.test.ts holds the two together.
 */
export function writeFlowJson(
  out: JsonBytes,
  c: FlowColumns,
  flow: number,
  context: FlowContext,
): void {
  const version = c.version[flow];
  const src = addressText(version, c.srcAddr, flow * 4);
  const dst = addressText(version, c.dstAddr, flow * 4);
  const hostIndex = c.host[flow];
  const names = context.addressNames;
  const countries = context.countries;
  const rtt = c.handshakeRtt[flow];
  const rcode = c.dnsRcode[flow];
  out.raw('{"proto":"');
  out.raw(protocolName(c.protocol[flow]));
  out.raw('","src":"');
  out.raw(src);
  out.raw('","srcPort":');
  out.number(c.srcPort[flow] < 0 ? null : c.srcPort[flow]);
  out.raw(',"dst":"');
  out.raw(dst);
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
  out.number(flowDuration(c, flow));
  out.raw(',"app":');
  out.string(APP_NAMES[c.app[flow]] ?? '');
  out.raw(',"host":');
  out.string(hostIndex >= 0 ? (context.names[hostIndex] ?? '') : '');
  out.raw(',"srcName":');
  out.string(names?.get(src) ?? '');
  out.raw(',"dstName":');
  out.string(names?.get(dst) ?? '');
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

function writeTime(
  out: JsonBytes,
  seconds: number,
  nanos: number,
  digits: number,
): void {
  const text = formatTime(seconds, nanos, digits);
  if (text === null) out.raw('null');
  else out.string(text);
}

function countryOf(
  countries: FlowCountries | undefined,
  index: number | undefined,
): string {
  return countries && index !== undefined ? countries.codes[index] : '';
}

/**
 * IPv4 addresses as text, remembered: flows share their ends, and a
 * lookup is several times cheaper than formatting. Bounded, so a capture
 * of random addresses cannot grow it without end.
 */
const ipv4Texts = new Map<number, string>();
const MAX_REMEMBERED_ADDRESSES = 1 << 20;

function addressText(
  version: number,
  words: Uint32Array,
  at: number,
): string {
  if (version !== 4) return formatAddress(version, words, at);
  const word = words[at];
  let text = ipv4Texts.get(word);
  if (text === undefined) {
    if (ipv4Texts.size >= MAX_REMEMBERED_ADDRESSES) ipv4Texts.clear();
    text = formatAddress(4, words, at);
    ipv4Texts.set(word, text);
  }
  return text;
}
