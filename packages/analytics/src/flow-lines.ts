import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { TUNNEL_NAMES } from '@capscope/parser/decode';
import { formatTime } from '@capscope/parser/time';
import type { WasmMemory, WasmModule } from '@capscope/parser/wasm-api';
import { WASM_PAGE_BYTES, wasmApi } from '@capscope/parser/wasm-api';
import type { AddressIndex } from './aggregates/address-index.js';
import { addressText } from './aggregates/address-index.js';
import { APP_NAMES } from './apps.js';
import type { FlowContext } from './flow-record.js';
import {
  dnsRcodeName,
  flowRecord,
  flowState,
  protocolName,
} from './flow-record.js';
import type { FlowColumns } from './flow-table.js';

/**
 * The command line's JSON lines, written by wasm/flow-lines.ts (built to
 * dist/flow-lines.wasm) from batches of flows copied into its memory:
 * JavaScript writes bytes one at a time at about 1.4 ns each, which made
 * the output of 120,000 flows take 215 ms. Each line is exactly
 * JSON.stringify(flowRecord(...)) (flow-lines.test.ts); a flow the module
 * leaves to JavaScript is written that way.
 */

/**
 * Flows per batch: their values take 148 bytes each in the module, and
 * their lines about 500, so that a batch's lines come to about as much as
 * the CLI writes at a time.
 */
const BATCH_FLOWS = 512;
/** The module's output area: a batch's lines, mostly. */
const OUTPUT_BYTES = 2 * 1024 * 1024;
/** Bytes kept past the last text (see TextArea.reserve()). */
const TEXT_SLACK_BYTES = 8;
/** Values per flow in the batch (wasm/flow-lines.ts F_, I_ and T_). */
const FLOATS = 8;
const INTS = 9;
const TEXT_FIELDS = 12;
/** Connection states flowState() gives, as the module's texts. */
const STATES = ['', 'S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR',
  'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'];
const encoder = new TextEncoder();

/** A compiled flow-lines.wasm. */
export type FlowLinesModule = WasmModule;

interface FlowLinesExports {
  memory: WasmMemory;
  heapBase(): number;
  piecesBytes(): number;
  configure(
    pieces: number,
    texts: number,
    starts: number,
    floats: number,
    ints: number,
    textIds: number,
    out: number,
    outBytes: number,
    digits: number,
  ): void;
  write(from: number, count: number): number;
  writtenBytes(): number;
  stoppedForCaller(): number;
}

/** Bytes written in turn into one buffer, grown as needed. */
export class LineBuffer {
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

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Text as UTF-8. */
  text(text: string): void {
    this.reserve(text.length * 3);
    this.length += encoder.encodeInto(text,
      this.bytes.subarray(this.length)).written;
  }

  private reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = new Uint8Array(
      Math.max(this.bytes.length * 2, this.length + more));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/** Where each kind of text starts among the module's texts. */
interface TextBases {
  proto: number;
  /** Address id a is text address + 2a; the name DNS gave it, + 1. */
  address: number;
  app: number;
  host: number;
  hosts: number;
  country: number;
  countries: number;
  tunnel: number;
  state: number;
  rcode: number;
}

/**
 * Writes flows as JSON lines for one capture's columns. Make it with
 * FlowLines.open(); every line appended is what JSON.stringify writes for
 * flowRecord(columns, flow, context), with its newline.
 */
export class FlowLines {
  private readonly floats: Float64Array;
  private readonly ints: Int32Array;
  private readonly textIds: Int32Array;
  private readonly output: Uint8Array;
  private readonly bases: TextBases;
  private readonly stateIds: Map<string, number>;
  /** Flows of the batch being gathered. */
  private readonly batch = new Int32Array(BATCH_FLOWS);
  private count = 0;

  private constructor(
    private readonly exports: FlowLinesExports,
    private readonly columns: FlowColumns,
    private readonly context: FlowContext,
    private readonly addresses: AddressIndex,
  ) {
    // heapBase | pieces | floats | ints | ids | output | starts | texts
    // The texts come last, written straight into the memory as it grows:
    // a capture's addresses can run to megabytes of text.
    const piecesAt = align(exports.heapBase());
    const floatsAt = align(piecesAt + exports.piecesBytes());
    const intsAt = align(floatsAt + BATCH_FLOWS * FLOATS * 8);
    const idsAt = align(intsAt + BATCH_FLOWS * INTS * 4);
    const outAt = align(idsAt + BATCH_FLOWS * TEXT_FIELDS * 4);
    const startsAt = align(outAt + OUTPUT_BYTES);
    const texts = new TextArea(exports.memory, startsAt, textCount(context,
      addresses));
    const bases = writeTexts(texts, context, addresses);
    this.bases = bases;
    this.stateIds = new Map(STATES.map((state, i) => [state, bases.state + i]));

    const buffer = exports.memory.buffer;
    this.floats = new Float64Array(buffer, floatsAt, BATCH_FLOWS * FLOATS);
    this.ints = new Int32Array(buffer, intsAt, BATCH_FLOWS * INTS);
    this.textIds = new Int32Array(buffer, idsAt, BATCH_FLOWS * TEXT_FIELDS);
    this.output = new Uint8Array(buffer, outAt, OUTPUT_BYTES);
    exports.configure(piecesAt, texts.textsAt, startsAt, floatsAt, intsAt,
      idsAt, outAt, OUTPUT_BYTES, context.timeDigits);
  }

  /**
   * The writer for these columns, with the module compiled from `module`
   * (see loadFlowLines()).
   */
  static async open(
    module: FlowLinesModule,
    columns: FlowColumns,
    context: FlowContext,
    addresses: AddressIndex,
  ): Promise<FlowLines> {
    // The module asks for a day's date when its times reach a new day.
    let memory: WasmMemory | null = null;
    const writeDay = (day: number, at: number): number => {
      const text = formatTime(day * 86400, 0, 0);
      if (text === null || memory === null) return 0;
      const bytes = new Uint8Array(memory.buffer, at, 12);
      bytes[0] = 0x22; // '"'
      for (let i = 0; i < 11; i++) bytes[i + 1] = text.charCodeAt(i);
      return 1;
    };
    const instance = await wasmApi.instantiate(module,
      { env: { writeDay } });
    const exports = instance.exports as unknown as FlowLinesExports;
    memory = exports.memory;
    return new FlowLines(exports, columns, context, addresses);
  }

  /** Adds `flow`'s line; lines go into `out` as each batch fills. */
  add(flow: number, out: LineBuffer): void {
    this.batch[this.count++] = flow;
    if (this.count === BATCH_FLOWS) this.flush(out);
  }

  /** Writes the lines of the flows added so far into `out`. */
  flush(out: LineBuffer): void {
    const count = this.count;
    this.count = 0;
    for (let k = 0; k < count; k++) this.gather(k, this.batch[k]);
    let from = 0;
    while (from < count) {
      const stopped = this.exports.write(from, count);
      out.append(this.output.subarray(0, this.exports.writtenBytes()));
      from = stopped;
      if (stopped < count && this.exports.stoppedForCaller()) {
        this.writeHere(this.batch[stopped], out);
        from++;
      }
    }
  }

  /** A line JavaScript writes: the module leaves it, or its state. */
  private writeHere(flow: number, out: LineBuffer): void {
    out.text(JSON.stringify(flowRecord(this.columns, flow,
      this.context)) + '\n');
  }

  /** Copies flow's values into place k of the batch. */
  private gather(k: number, flow: number): void {
    const c = this.columns;
    const f = this.floats;
    const n = this.ints;
    const t = this.textIds;
    const bases = this.bases;
    let at = k * FLOATS;
    f[at] = c.packetsOut[flow];
    f[at + 1] = c.packetsIn[flow];
    f[at + 2] = c.bytesOut[flow];
    f[at + 3] = c.bytesIn[flow];
    f[at + 4] = c.firstSeconds[flow];
    f[at + 5] = c.lastSeconds[flow];
    f[at + 6] = c.handshakeRtt[flow];
    f[at + 7] = c.missingBytes[flow];

    at = k * INTS;
    n[at] = c.firstNanos[flow];
    n[at + 1] = c.lastNanos[flow];
    n[at + 2] = c.srcPort[flow];
    n[at + 3] = c.dstPort[flow];
    n[at + 4] = c.vlan[flow];
    n[at + 5] = c.retransmissions[flow];
    n[at + 6] = c.outOfOrder[flow];
    n[at + 7] = c.zeroWindows[flow];
    n[at + 8] = c.lostSegments[flow];

    at = k * TEXT_FIELDS;
    const src = this.addresses.src[flow];
    const dst = this.addresses.dst[flow];
    const host = c.host[flow];
    const countries = this.context.countries;
    const rcode = c.dnsRcode[flow];
    t[at] = bases.proto + c.protocol[flow];
    t[at + 1] = bases.address + 2 * src;
    t[at + 2] = bases.address + 2 * dst;
    t[at + 3] = bases.app + c.app[flow];
    t[at + 4] = bases.host + (host >= 0 && host < bases.hosts
      ? host
      : bases.hosts);
    t[at + 5] = bases.address + 2 * src + 1;
    t[at + 6] = bases.address + 2 * dst + 1;
    t[at + 7] = bases.country + (countries ? countries.src[flow]
      : bases.countries);
    t[at + 8] = bases.country + (countries ? countries.dst[flow]
      : bases.countries);
    t[at + 9] = bases.tunnel + c.tunnel[flow];
    // A state not in STATES (none today): -1 leaves the line to writeHere.
    t[at + 10] = this.stateIds.get(flowState(c, flow)) ?? -1;
    t[at + 11] = bases.rcode + (rcode >= 0 ? rcode : 128);
  }
}

/**
 * Node only: compiles dist/flow-lines.wasm, which the package's build
 * makes from wasm/. It is found by the package's name, so that the
 * command line's bundle finds it too.
 */
export async function loadFlowLines(): Promise<FlowLinesModule> {
  let path: string;
  try {
    path = createRequire(import.meta.url)
      .resolve('@capscope/analytics/flow-lines.wasm');
  } catch {
    throw new Error('the flow line writer ' +
      '(@capscope/analytics/flow-lines.wasm) cannot be found');
  }
  return wasmApi.compile(await readFile(path));
}

/**
 * Texts written one after the other into a module's memory, from
 * `textsAt` on, each one's start in the u32 array at `startsAt` (one more
 * than the texts, for the last one's end); the memory grows as they need.
 */
class TextArea {
  readonly textsAt: number;
  private bytes: Uint8Array;
  private starts: Uint32Array;
  private at: number;
  private count = 0;

  constructor(
    private readonly memory: WasmMemory,
    private readonly startsAt: number,
    private readonly texts: number,
  ) {
    this.textsAt = align(startsAt + (texts + 1) * 4);
    this.at = this.textsAt;
    // Views of the memory, made by reserve().
    this.bytes = new Uint8Array(0);
    this.starts = new Uint32Array(0);
    // A first guess: the memory grows on from there as texts need.
    this.reserve(texts * 16);
  }

  /** Text known to be ASCII, as it is. */
  ascii(text: string): void {
    this.reserve(text.length);
    const bytes = this.bytes;
    let at = this.at;
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
    this.end(at);
  }

  /** Any text, as a JSON string. */
  json(text: string): void {
    if (text === '') {
      this.ascii('""');
      return;
    }
    const json = JSON.stringify(text);
    this.reserve(json.length * 3);
    const { written } = encoder.encodeInto(json,
      this.bytes.subarray(this.at));
    this.end(this.at + written);
  }

  /** The number of the next text. */
  get next(): number {
    return this.count;
  }

  private end(at: number): void {
    this.at = at;
    this.starts[++this.count] = at - this.textsAt;
  }

  /**
   * Room for `more` bytes and TEXT_SLACK_BYTES past them: the module reads
   * texts eight bytes at a time, up to 7 past a text's end.
   */
  private reserve(more: number): void {
    const memory = this.memory;
    const missing = this.at + more + TEXT_SLACK_BYTES -
      memory.buffer.byteLength;
    if (missing <= 0 && this.bytes.buffer === memory.buffer) return;
    // At least doubling, so that the texts cost few grows.
    if (missing > 0) {
      memory.grow(Math.max(Math.ceil(missing / WASM_PAGE_BYTES),
        memory.buffer.byteLength / WASM_PAGE_BYTES));
    }
    // Growing detaches the old buffer and every view of it.
    this.bytes = new Uint8Array(memory.buffer);
    this.starts = new Uint32Array(memory.buffer, this.startsAt,
      this.texts + 1);
  }
}

/** How many texts writeTexts() writes. */
function textCount(context: FlowContext, addresses: AddressIndex): number {
  const codes = context.countries?.codes.length ?? 0;
  return 3 * 256 + 2 * addresses.count + context.names.length + 1 +
    codes + 1 + STATES.length + 129;
}

/**
 * Every text a line takes whole: protocols, addresses (as they are) each
 * with the name DNS gave it, apps, hosts, countries, tunnels, states and
 * DNS codes (as JSON strings). Returns where each kind starts.
 */
function writeTexts(
  texts: TextArea,
  context: FlowContext,
  addresses: AddressIndex,
): TextBases {
  const byte = (name: (value: number) => string | undefined) => {
    for (let value = 0; value < 256; value++) texts.json(name(value) ?? '');
  };

  const proto = texts.next;
  byte(protocolName);
  const address = texts.next;
  const names = context.addressNames;
  for (let id = 0; id < addresses.count; id++) {
    const text = addressText(addresses, id);
    texts.ascii(text);
    texts.json(names?.get(text) ?? '');
  }
  const app = texts.next;
  byte((value) => APP_NAMES[value]);
  const host = texts.next;
  for (const name of context.names) texts.json(name);
  texts.json('');
  const country = texts.next;
  const codes = context.countries?.codes ?? [];
  for (const code of codes) texts.json(code);
  texts.json('');
  const tunnel = texts.next;
  byte((value) => TUNNEL_NAMES[value]);
  const state = texts.next;
  for (const name of STATES) texts.json(name);
  const rcode = texts.next;
  for (let value = 0; value < 128; value++) texts.json(dnsRcodeName(value));
  texts.json('');

  return {
    proto, address, app, host, hosts: context.names.length,
    country, countries: codes.length, tunnel, state, rcode,
  };
}

function align(at: number): number {
  return Math.ceil(at / 16) * 16;
}
