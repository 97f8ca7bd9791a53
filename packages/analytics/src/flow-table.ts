/**
 * Flows as columns: one typed array per field, one row per flow. A flow is
 * bidirectional; the side that sent its first packet in file order is
 * `src`. An open-addressing hash over the key columns finds a packet's flow
 * without building a string or an object per packet.
 */

import { grownArray, grownLength } from './growth.js';

/** TCP state bits kept per flow for port reuse. */
export const TCP_SYN_SEEN = 1;
export const TCP_FIN_FROM_SRC = 2;
export const TCP_FIN_FROM_DST = 4;
export const TCP_RST_SEEN = 8;

/** Key port value that marks "no ports" (cut away or none). */
export const NO_PORT = -1;

/** Start small: most captures hold few flows; columns grow as needed. */
const INITIAL_FLOWS = 1024;

export interface FlowColumns {
  count: number;
  /** 4 or 6. */
  version: Uint8Array;
  /** IP protocol number. */
  protocol: Uint8Array;
  /** Four words per flow; see address.ts. */
  srcAddr: Uint32Array;
  dstAddr: Uint32Array;
  /** Ports as shown (ICMP: type and code); -1 where there are none. */
  srcPort: Int32Array;
  dstPort: Int32Array;
  packetsOut: Float64Array;
  packetsIn: Float64Array;
  bytesOut: Float64Array;
  bytesIn: Float64Array;
  firstSeconds: Float64Array;
  firstNanos: Uint32Array;
  lastSeconds: Float64Array;
  lastNanos: Uint32Array;
  tcpState: Uint8Array;
  /** Outermost VLAN ID, -1 for none. */
  vlan: Int32Array;
  /** How this flow was carried (TUNNEL_* of the parser), 0 for none. */
  tunnel: Uint8Array;
  /** The flow one level out for a tunnelled flow, -1 for none. */
  outerFlow: Int32Array;
  /** Application (index into APP_NAMES), 0 for unknown. */
  app: Uint8Array;
  /** Host name the flow carried (index into the name list), -1 for none. */
  host: Int32Array;
  /** For an ICMP error flow, the flow whose packet it quoted, or -1. */
  relatedFlow: Int32Array;
  /** TCP: what each side did (HISTORY bits of tcp-tracker.ts). */
  tcpHistory: Uint16Array;
  /** TCP: SYN to the originator's ACK; DNS: first query to first
   * response. Seconds; -1 when not seen. */
  handshakeRtt: Float64Array;
  /** TCP: segments sent again, and segments that came out of order. */
  retransmissions: Uint32Array;
  outOfOrder: Uint32Array;
  /** TCP: segments advertising a zero receive window. */
  zeroWindows: Uint32Array;
  /** TCP: segments after a hole in the sequence ("previous segment not
   * captured"). */
  lostSegments: Uint32Array;
  /** TCP: payload bytes the capture never saw (gaps never filled). */
  missingBytes: Float64Array;
  /** DNS: the first failing response code (else 0); -1 without answer. */
  dnsRcode: Int8Array;
}

export type ColumnName = Exclude<keyof FlowColumns, 'count'>;

/** Each column's array type and values per flow (4 for addresses). */
export const COLUMN_SHAPES: Record<
  ColumnName,
  [new (length: number) => ArrayLike<number> & { set(a: ArrayLike<number>): void }, number]
> = {
  version: [Uint8Array, 1],
  protocol: [Uint8Array, 1],
  srcAddr: [Uint32Array, 4],
  dstAddr: [Uint32Array, 4],
  srcPort: [Int32Array, 1],
  dstPort: [Int32Array, 1],
  packetsOut: [Float64Array, 1],
  packetsIn: [Float64Array, 1],
  bytesOut: [Float64Array, 1],
  bytesIn: [Float64Array, 1],
  firstSeconds: [Float64Array, 1],
  firstNanos: [Uint32Array, 1],
  lastSeconds: [Float64Array, 1],
  lastNanos: [Uint32Array, 1],
  tcpState: [Uint8Array, 1],
  vlan: [Int32Array, 1],
  tunnel: [Uint8Array, 1],
  outerFlow: [Int32Array, 1],
  app: [Uint8Array, 1],
  host: [Int32Array, 1],
  relatedFlow: [Int32Array, 1],
  tcpHistory: [Uint16Array, 1],
  handshakeRtt: [Float64Array, 1],
  retransmissions: [Uint32Array, 1],
  outOfOrder: [Uint32Array, 1],
  zeroWindows: [Uint32Array, 1],
  lostSegments: [Uint32Array, 1],
  missingBytes: [Float64Array, 1],
  dnsRcode: [Int8Array, 1],
};

export const COLUMN_NAMES = Object.keys(COLUMN_SHAPES) as ColumnName[];

/** Murmur3's finaliser: spreads every input bit over the whole word. */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Address words, signed or not: the hash sees the same bits. */
type AddressWords = Int32Array | Uint32Array;

/**
 * A random start for every hash in this thread. A capture crafted so that
 * its flows share one hash made each lookup walk all of them: with an
 * unseeded hash that can be worked out offline, 65,535 such flows took
 * 8.7 s instead of 0.2 s, and 200,000 IPv6 ones 131 s. Hashes are only
 * compared within the thread that made them, and the output never depends
 * on them.
 */
const HASH_SEED = crypto.getRandomValues(new Uint32Array(1))[0];

/**
 * One end's hash: each word mixed into the seeded state in turn (IPv4
 * uses one word), so that ends that share a hash cannot be found without
 * the seed.
 */
function hashEndpoint(
  version: number,
  words: AddressWords,
  at: number,
  port: number,
): number {
  let h = mix(words[at] ^ HASH_SEED);
  if (version !== 4) {
    h = mix(h ^ words[at + 1]);
    h = mix(h ^ words[at + 2]);
    h = mix(h ^ words[at + 3]);
  }
  return mix(h ^ port);
}

/**
 * A flow key's hash. The two endpoints' hashes are added, so that either
 * direction of the flow lands in the same place.
 */
export function hashKey(
  version: number,
  protocol: number,
  srcWords: AddressWords,
  srcAt: number,
  srcPort: number,
  dstWords: AddressWords,
  dstAt: number,
  dstPort: number,
): number {
  return mix(
    (hashEndpoint(version, srcWords, srcAt, srcPort) +
      hashEndpoint(version, dstWords, dstAt, dstPort)) ^
      ((version << 8) | protocol),
  );
}

/**
 * A flow's key as one row of KEY_WORDS words, so that comparing a
 * packet's key touches one or two cache lines, not six columns:
 *
 *   | version << 8 | protocol | src port | dst port | src address (4) |
 *   | dst address (4) | SYN sequence | unused |
 *
 * Ports are the key ports (what the flow is found by, which may differ
 * from the ports shown); the SYN sequence is the opening SYN's of a TCP
 * flow (see isReopened()).
 */
const KEY_WORDS = 12;
/**
 * What every frame updates, side by side per flow: a frame then touches
 * one cache line for its counts instead of one per column, which on a
 * capture of 100,000 concurrent flows was a sixth of the analysis. The
 * columns get these values when they are read (see `columns`).
 *
 *   | packets out | packets in | bytes out | bytes in |
 *   | first seconds | last seconds | first nanos | last nanos |
 */
const COUNT_WORDS = 8;
const N_PACKETS = 0; // + 1 for the direction dst -> src
const N_BYTES = 2; // the same
const N_FIRST_SECONDS = 4;
const N_LAST_SECONDS = 5;
const N_FIRST_NANOS = 6;
const N_LAST_NANOS = 7;
/**
 * Count rows come in chunks of this many flows (1 MiB), made as flows are:
 * never copied to grow, so no outgrown copy waits for the collector (at a
 * million flows one array grown eightfold left 33 MB of them).
 */
const CHUNK_SHIFT = 14;
const CHUNK_FLOWS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_FLOWS - 1;
const K_KIND = 0;
const K_SRC_PORT = 1;
const K_DST_PORT = 2;
const K_SRC_ADDR = 3;
const K_DST_ADDR = 7;
const K_SYN_SEQ = 11;

export class FlowTable {
  /**
   * The columns as the table keeps them while it counts: packets, bytes
   * and first and last seen are stale here (see COUNT_WORDS); the other
   * columns are current. Per frame, or to read those other columns
   * without the cost of writing every flow's counts (`columns`).
   */
  working: FlowColumns;
  /** Each flow's counts (see COUNT_WORDS), CHUNK_FLOWS rows a chunk. */
  private readonly countChunks: Float64Array[] = [];
  /** True when `counts` holds what `working` does not yet. */
  private countsAhead = false;
  /** Each flow's key (see KEY_WORDS). */
  private keys: Int32Array;
  private capacity = 0;
  /**
   * Two words per slot: flow index + 1 (0 for an empty slot), and the
   * key's hash, compared first so that a probe reads a flow's key only for
   * the flow it finds. Side by side, a probe reads one cache line.
   */
  private slots: Int32Array;
  /** Slots - 1: slot counts are powers of two. */
  private slotMask: number;
  /** The hash of the key probe() last looked for. */
  private probedHash = 0;

  /** Scratch words for the endpoints of the packet being looked up. */
  private readonly a = new Int32Array(4);
  private readonly b = new Int32Array(4);
  /** Set by find(): true when the packet goes dst -> src. */
  reversed = false;
  /** Set by find(): true when the flow was made for this packet. */
  created = false;

  constructor() {
    this.working = allocateColumns(INITIAL_FLOWS, null);
    this.capacity = INITIAL_FLOWS;
    this.keys = new Int32Array(INITIAL_FLOWS * KEY_WORDS);
    this.slots = new Int32Array(INITIAL_FLOWS * 2 * 2);
    this.slotMask = INITIAL_FLOWS * 2 - 1;
  }

  /** All the columns, current. */
  get columns(): FlowColumns {
    if (this.countsAhead) this.writeCounts();
    return this.working;
  }

  get count(): number {
    return this.working.count;
  }

  /** Frames counted in `flow`, both ways. */
  packets(flow: number): number {
    const counts = this.countChunks[flow >>> CHUNK_SHIFT];
    const at = (flow & CHUNK_MASK) * COUNT_WORDS + N_PACKETS;
    return counts[at] + counts[at + 1];
  }

  /**
   * Counts a frame of `bytes` in `flow` (`reversed`: dst -> src), and its
   * time when it has one.
   */
  countFrame(
    flow: number,
    reversed: boolean,
    bytes: number,
    hasTime: boolean,
    seconds: number,
    nanos: number,
  ): void {
    const counts = this.countChunks[flow >>> CHUNK_SHIFT];
    const at = (flow & CHUNK_MASK) * COUNT_WORDS;
    const way = reversed ? 1 : 0;
    counts[at + N_PACKETS + way]++;
    counts[at + N_BYTES + way] += bytes;
    this.countsAhead = true;
    if (!hasTime) return;
    widenFirstAt(counts, at, seconds, nanos);
    const last = counts[at + N_LAST_SECONDS];
    if (seconds > last ||
      (seconds === last && nanos > counts[at + N_LAST_NANOS])) {
      counts[at + N_LAST_SECONDS] = seconds;
      counts[at + N_LAST_NANOS] = nanos;
    }
  }

  /** Adds frames counted elsewhere (fragments that waited), times aside. */
  addFrames(
    flow: number,
    reversed: boolean,
    packets: number,
    bytes: number,
  ): void {
    const counts = this.countChunks[flow >>> CHUNK_SHIFT];
    const at = (flow & CHUNK_MASK) * COUNT_WORDS + (reversed ? 1 : 0);
    counts[at + N_PACKETS] += packets;
    counts[at + N_BYTES] += bytes;
    this.countsAhead = true;
  }

  /** Sets a new flow's first and last seen. */
  startTimes(flow: number, seconds: number, nanos: number): void {
    const counts = this.countChunks[flow >>> CHUNK_SHIFT];
    const at = (flow & CHUNK_MASK) * COUNT_WORDS;
    counts[at + N_FIRST_SECONDS] = counts[at + N_LAST_SECONDS] = seconds;
    counts[at + N_FIRST_NANOS] = counts[at + N_LAST_NANOS] = nanos;
    this.countsAhead = true;
  }

  /** Moves a flow's first seen back to (seconds, nanos) when earlier. */
  widenFirst(flow: number, seconds: number, nanos: number): void {
    const counts = this.countChunks[flow >>> CHUNK_SHIFT];
    if (widenFirstAt(counts, (flow & CHUNK_MASK) * COUNT_WORDS, seconds,
      nanos)) {
      this.countsAhead = true;
    }
  }

  /** Writes the counts into their columns. */
  private writeCounts(): void {
    const c = this.working;
    for (let flow = 0; flow < c.count; flow++) {
      const counts = this.countChunks[flow >>> CHUNK_SHIFT];
      const at = (flow & CHUNK_MASK) * COUNT_WORDS;
      c.packetsOut[flow] = counts[at + N_PACKETS];
      c.packetsIn[flow] = counts[at + N_PACKETS + 1];
      c.bytesOut[flow] = counts[at + N_BYTES];
      c.bytesIn[flow] = counts[at + N_BYTES + 1];
      c.firstSeconds[flow] = counts[at + N_FIRST_SECONDS];
      c.lastSeconds[flow] = counts[at + N_LAST_SECONDS];
      c.firstNanos[flow] = counts[at + N_FIRST_NANOS];
      c.lastNanos[flow] = counts[at + N_LAST_NANOS];
    }
    this.countsAhead = false;
  }

  /**
   * Finds or makes the flow of a packet whose addresses are at `srcAt` and
   * `dstAt` in `bytes` (4 or 16 bytes by `version`), with key ports (-1
   * for none). Sets `reversed` and `created`. A SYN (`tcpSynSeq` >= 0) on
   * a closed TCP connection opens a fresh flow on the same key.
   */
  find(
    version: number,
    protocol: number,
    bytes: Uint8Array,
    srcAt: number,
    dstAt: number,
    srcPort: number,
    dstPort: number,
    tcpSynSeq: number,
  ): number {
    const slot = this.probe(version, protocol, bytes, srcAt, dstAt, srcPort,
      dstPort);
    const found = this.slots[2 * slot] - 1;
    if (found >= 0 && !(tcpSynSeq >= 0 && this.isReopened(found, tcpSynSeq))) {
      this.created = false;
      return found;
    }

    const flow = this.append(version, protocol, srcPort, dstPort);
    if (tcpSynSeq >= 0) {
      this.keys[flow * KEY_WORDS + K_SYN_SEQ] = tcpSynSeq;
      this.working.tcpState[flow] = TCP_SYN_SEEN;
    }
    this.slots[2 * slot] = flow + 1;
    this.slots[2 * slot + 1] = this.probedHash;
    this.reversed = false;
    this.created = true;
    if (this.count * 2 > this.slotMask + 1) this.rehash();
    return flow;
  }

  /** The flow of these endpoints, or -1; never makes one. */
  lookup(
    version: number,
    protocol: number,
    bytes: Uint8Array,
    srcAt: number,
    dstAt: number,
    srcPort: number,
    dstPort: number,
  ): number {
    const slot = this.probe(version, protocol, bytes, srcAt, dstAt, srcPort,
      dstPort);
    return this.slots[2 * slot] - 1;
  }

  /**
   * The slot that holds these endpoints' flow, or the empty slot where it
   * would go. Sets `reversed` when the packet runs dst -> src.
   */
  private probe(
    version: number,
    protocol: number,
    bytes: Uint8Array,
    srcAt: number,
    dstAt: number,
    srcPort: number,
    dstPort: number,
  ): number {
    const a = this.a;
    const b = this.b;
    readAddress(version, bytes, srcAt, a);
    readAddress(version, bytes, dstAt, b);
    const hash = hashKey(version, protocol, a, 0, srcPort, b, 0, dstPort) |
      0;
    this.probedHash = hash;

    const slots = this.slots;
    const keys = this.keys;
    const kind = (version << 8) | protocol;
    let slot = hash & this.slotMask;
    for (;;) {
      const entry = slots[2 * slot];
      if (entry === 0) return slot;
      const at = (entry - 1) * KEY_WORDS;
      if (slots[2 * slot + 1] === hash && keys[at + K_KIND] === kind) {
        if (
          keys[at + K_SRC_PORT] === srcPort &&
          keys[at + K_DST_PORT] === dstPort &&
          sameAddress(keys, at + K_SRC_ADDR, a) &&
          sameAddress(keys, at + K_DST_ADDR, b)
        ) {
          this.reversed = false;
          return slot;
        }
        if (
          keys[at + K_SRC_PORT] === dstPort &&
          keys[at + K_DST_PORT] === srcPort &&
          sameAddress(keys, at + K_SRC_ADDR, b) &&
          sameAddress(keys, at + K_DST_ADDR, a)
        ) {
          this.reversed = true;
          return slot;
        }
      }
      slot = (slot + 1) & this.slotMask;
    }
  }

  /**
   * A SYN without ACK on a connection that closed (FIN both ways, or a
   * reset) starts a new one, unless it repeats the opening SYN.
   */
  private isReopened(flow: number, synSeq: number): boolean {
    const state = this.working.tcpState[flow];
    const finBoth = TCP_FIN_FROM_SRC | TCP_FIN_FROM_DST;
    const closed =
      (state & finBoth) === finBoth || (state & TCP_RST_SEEN) !== 0;
    if (!closed) return false;
    return (state & TCP_SYN_SEEN) === 0 ||
      (this.keys[flow * KEY_WORDS + K_SYN_SEQ] >>> 0) !== synSeq;
  }

  private append(
    version: number,
    protocol: number,
    srcPort: number,
    dstPort: number,
  ): number {
    if (this.count === this.capacity) this.grow();
    const c = this.working;
    const flow = c.count++;
    if ((flow & CHUNK_MASK) === 0) {
      this.countChunks.push(new Float64Array(CHUNK_FLOWS * COUNT_WORDS));
    }
    c.version[flow] = version;
    c.protocol[flow] = protocol;
    const a = this.a;
    const b = this.b;
    // Word by word: set() from a 4-word array costs more than 4 stores.
    for (let i = 0; i < 4; i++) {
      c.srcAddr[flow * 4 + i] = a[i];
      c.dstAddr[flow * 4 + i] = b[i];
    }
    c.srcPort[flow] = srcPort;
    c.dstPort[flow] = dstPort;
    c.vlan[flow] = -1;
    c.outerFlow[flow] = -1;
    c.host[flow] = -1;
    c.relatedFlow[flow] = -1;
    c.handshakeRtt[flow] = -1;
    c.dnsRcode[flow] = -1;
    const keys = this.keys;
    const at = flow * KEY_WORDS;
    keys[at + K_KIND] = (version << 8) | protocol;
    keys[at + K_SRC_PORT] = srcPort;
    keys[at + K_DST_PORT] = dstPort;
    for (let i = 0; i < 4; i++) {
      keys[at + K_SRC_ADDR + i] = a[i];
      keys[at + K_DST_ADDR + i] = b[i];
    }
    return flow;
  }

  private grow(): void {
    const capacity = grownLength(this.capacity, this.capacity + 1);
    this.working = allocateColumns(capacity, this.working);
    this.keys = grownArray(this.keys, capacity * KEY_WORDS);
    this.capacity = capacity;
  }

  /** Doubles the slots, moving each entry with its stored hash. */
  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = old.length - 1; // twice the slots, two words each
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === 0) continue;
      const hash = old[i + 1];
      let slot = hash & mask;
      while (slots[2 * slot] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = old[i];
      slots[2 * slot + 1] = hash;
    }
    this.slots = slots;
    this.slotMask = mask;
  }

  /** The columns cut to the flow count, as copies that can be transferred. */
  snapshot(): FlowColumns {
    return this.cut(true);
  }

  /**
   * The columns cut to the flow count, as views of the table's own arrays:
   * no copy, for a table that takes no more packets.
   */
  view(): FlowColumns {
    return this.cut(false);
  }

  private cut(copy: boolean): FlowColumns {
    const c = this.columns;
    const out = { count: c.count } as FlowColumns;
    for (const name of COLUMN_NAMES) {
      const length = c.count * COLUMN_SHAPES[name][1];
      const column = c[name] as unknown as Uint8Array;
      (out as unknown as Record<string, unknown>)[name] = copy
        ? column.slice(0, length)
        : column.subarray(0, length);
    }
    return out;
  }

  /**
   * Key ports of each flow, as copies cut to the flow count: what flows
   * are matched by (ICMP's identifier or type and code, not the shown
   * ports), so that flows of several captures can be merged later.
   */
  keyPorts(): FlowKeyPorts {
    const count = this.working.count;
    const src = new Int32Array(count);
    const dst = new Int32Array(count);
    for (let flow = 0; flow < count; flow++) {
      src[flow] = this.keys[flow * KEY_WORDS + K_SRC_PORT];
      dst[flow] = this.keys[flow * KEY_WORDS + K_DST_PORT];
    }
    return { src, dst };
  }
}

/** Key ports per flow; -1 for none. See FlowTable.keyPorts(). */
export interface FlowKeyPorts {
  src: Int32Array;
  dst: Int32Array;
}

/**
 * Moves the first seen of the count row at `at` back to (seconds, nanos)
 * when that is earlier; true when it did.
 */
function widenFirstAt(
  counts: Float64Array,
  at: number,
  seconds: number,
  nanos: number,
): boolean {
  const first = counts[at + N_FIRST_SECONDS];
  const earlier = seconds < first ||
    (seconds === first && nanos < counts[at + N_FIRST_NANOS]);
  if (earlier) {
    counts[at + N_FIRST_SECONDS] = seconds;
    counts[at + N_FIRST_NANOS] = nanos;
  }
  return earlier;
}

/** An address's bytes as words, most significant first (signed). */
function readAddress(
  version: number,
  bytes: Uint8Array,
  at: number,
  out: Int32Array,
): void {
  out[0] = (bytes[at] << 24) | (bytes[at + 1] << 16) |
    (bytes[at + 2] << 8) | bytes[at + 3];
  if (version === 4) {
    out[1] = 0;
    out[2] = 0;
    out[3] = 0;
    return;
  }
  for (let i = 1; i < 4; i++) {
    const p = at + i * 4;
    out[i] = (bytes[p] << 24) | (bytes[p + 1] << 16) |
      (bytes[p + 2] << 8) | bytes[p + 3];
  }
}

/** Four key words at `at` against an address's words (as signed words). */
function sameAddress(
  keys: Int32Array,
  at: number,
  words: Int32Array,
): boolean {
  return keys[at] === words[0] && keys[at + 1] === words[1] &&
    keys[at + 2] === words[2] && keys[at + 3] === words[3];
}

function allocateColumns(
  capacity: number,
  previous: FlowColumns | null,
): FlowColumns {
  const out = { count: previous?.count ?? 0 } as FlowColumns;
  for (const name of COLUMN_NAMES) {
    const [Type, width] = COLUMN_SHAPES[name];
    const column = new Type(capacity * width);
    if (previous) column.set(previous[name]);
    (out as unknown as Record<string, unknown>)[name] = column;
  }
  return out;
}
