import { parseMac } from './addresses.js';
import { ByteWriter } from './byte-writer.js';
import {
  DNS_TYPE_A,
  DNS_TYPE_AAAA,
  type DnsType,
  ETHERNET_MIN_FRAME_BYTES,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  IP_PROTOCOL_ICMP,
  IP_PROTOCOL_ICMPV6,
  IP_PROTOCOL_TCP,
  IP_PROTOCOL_UDP,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  tcpSynOptions,
  writeDnsQuery,
  writeDnsResponse,
  writeHttpGet,
  writeTlsClientHello,
} from './frames.js';
import { GATEWAY_MAC, VM_MAC, VM_TTL } from './hosts.js';
import { assertNever, invariant } from './invariant.js';
import {
  GLOBAL_HEADER_BYTES,
  PcapWriter,
  RECORD_HEADER_BYTES,
} from './pcap-writer.js';
import { Prng } from './prng.js';
import { SAMPLE_START_MICROS } from './scenario.js';

// The benchmark capture: a busy gateway's traffic, sized by the caller.
//
// A pool of concurrent sessions (100,000 by default) is kept full: each
// slot holds one TCP connection, DNS lookup, ICMP echo run or QUIC-like UDP
// exchange, and a binary heap hands out the slot whose next packet is due
// first, so flows interleave the way they do on a real link. A session that
// ends is replaced at once by a new one in the same slot. The capture
// starts while the pool is already busy: each slot's first session is
// fast-forwarded by a random number of packets, and the pool runs for 16
// simulated seconds before anything is written, so the file starts
// mid-flow, with the same mix as it goes on.
//
// Session state lives in typed arrays indexed by slot (no object per
// session or per packet). Frames are built in one reused buffer that also
// holds the payload sources (random filler and prebuilt TLS, HTTP and DNS
// messages), and payloads are copied with copyWithin. The state advances
// (drawing every random number) separately from the rendering of a
// packet, which draws none: fast-forwarding is advancing without
// rendering, and it draws the same numbers.
//
// Every checksum is right: IPv4 headers, TCP, UDP and ICMP(v6). Payload
// sums come from prefix sums over the filler, so they cost nothing per
// byte.

/** Any capture of this generator starts here: 2026-11-30T10:00:00Z. */
export const BENCH_START_MICROS = SAMPLE_START_MICROS;
export const BENCH_DEFAULT_SEED = 20261204;
/** Sessions open at once: the size of the pool. */
export const BENCH_CONCURRENT_FLOWS = 100_000;
/** A frame of at most this many bytes counts as small (ACKs, DNS). */
export const SMALL_FRAME_BYTES = 100;

export interface BenchCaptureOptions {
  /** The file stops before its size would pass this many bytes. */
  targetBytes: number;
  seed?: number;
  /** Sessions kept open at once; BENCH_CONCURRENT_FLOWS by default. */
  concurrentFlows?: number;
}

/** What was written, counted as it was written. */
export interface BenchCaptureStats {
  seed: number;
  concurrentFlows: number;
  targetBytes: number;
  /** The pcap file: global header, then a record header and frame each. */
  fileBytes: number;
  packets: number;
  /** Sum of frame lengths (all frames are whole: orig_len = incl_len). */
  wireBytes: number;
  meanFrameBytes: number;
  /** Frames of at most SMALL_FRAME_BYTES. */
  smallFrames: number;
  smallFrameShare: number;
  vlanFrames: number;
  ipv6Frames: number;
  /**
   * Flows with at least one packet in the file, keyed as the analyser
   * keys them; every session's key is unique, so this is also the number
   * of sessions seen.
   */
  flows: number;
  flowsByProtocol: { tcp: number; udp: number; icmp: number; icmpv6: number };
  tcpSyns: number;
  tcpFins: number;
  tcpResets: number;
  dnsQueries: number;
  firstSeenMicros: number;
  lastSeenMicros: number;
}

// --- sizes and mix ----------------------------------------------------------

/** Enough for the largest frame: 1514 bytes of Ethernet, plus a tag. */
const FRAME_AREA_BYTES = 2048;
/**
 * Payload filler: 64 KiB of random bytes, then a copy of its first 2 KiB
 * so that a read of up to a full segment never wraps.
 */
const FILLER_PERIOD_BYTES = 64 * 1024;
const FILLER_BYTES = FILLER_PERIOD_BYTES + FRAME_AREA_BYTES;
/** Prebuilt messages (TLS, HTTP, DNS) for the names below. */
const TEMPLATE_AREA_BYTES = 128 * 1024;
const FILLER_AT = FRAME_AREA_BYTES;
const TEMPLATE_AT = FILLER_AT + FILLER_BYTES;

/**
 * Packets of a burst follow each other within 3 ms; between bursts a
 * session pauses up to 8 s, so that it lasts seconds and the capture
 * spans a while.
 */
const BURST_GAP_MAX_MICROS = 3_000;
const LONG_PAUSE_MIN_MICROS = 10_000;
const LONG_PAUSE_MAX_MICROS = 8_000_000;
/** Two packets in five end a burst. */
const LONG_PAUSE_CHANCE = 0.4;
/**
 * The pool runs this long before the capture starts, writing nothing: its
 * first sessions are drawn at a random point of their life, which is only
 * roughly where a running system would be (too many short DNS and echo
 * sessions, too many near their start), and after twice the longest pause
 * the mix no longer drifts (checked by comparing the first 5 MB with 1 GB:
 * mean frame and small-frame share within 1%).
 */
const WARM_UP_MICROS = 16_000_000;
/** A slot's first session is moved on by up to this many packets. */
const FAST_FORWARD_MAX_PACKETS = 60;

/** Remote servers; the lowest indices are the most popular. */
const SERVER_COUNT = 20_000;
/** The first NAME_COUNT servers have names (SNI, Host, DNS). */
const NAME_COUNT = 64;
/**
 * Clients are 4096 hosts (10.x and fd12:3456:789a::/64), each using
 * ports 49152-65535: session n gets host n mod 4096 and port 49152 +
 * (n / 4096 mod 16384), a unique pair for the first 67 million sessions.
 */
const CLIENT_HOSTS = 4096;
const CLIENT_PORT_BASE = 49152;
const CLIENT_PORTS = 16384;

const ETHERNET_HEADER_BYTES = 14;
const IPV4_HEADER_BYTES = 20;
const IPV6_HEADER_BYTES = 40;
const TCP_HEADER_BYTES = 20;
const UDP_HEADER_BYTES = 8;
const ICMP_ECHO_HEADER_BYTES = 8;
/** iputils ping's 56 data bytes. */
const PING_DATA_BYTES = 56;
/** Segment payloads that fill a 1514-byte frame. */
const MSS_IPV4 = 1460;
const MSS_IPV6 = 1440;

const KIND_TCP = 0;
const KIND_DNS = 1;
const KIND_ECHO = 2;
const KIND_QUIC = 3;
/** New sessions, per mille: the rest after these is TCP. */
const DNS_PER_MILLE = 220;
const QUIC_PER_MILLE = 50;
const ECHO_PER_MILLE = 30;
const IPV6_PER_MILLE = 300;
const VLAN_PER_MILLE = 100;
const VLAN_IDS = [110, 120, 130, 140];

// TCP stages; a stage names the packet that is sent next.
const TCP_SYN_SENT = 0;
const TCP_SYN_ACK = 1;
const TCP_HANDSHAKE_ACK = 2;
const TCP_REQUEST = 3;
const TCP_DATA = 4;
const TCP_DATA_ACK = 5;
const TCP_FIN_FIRST = 6;
const TCP_FIN_SECOND = 7;
const TCP_LAST_ACK = 8;
const TCP_RESET = 9;
const TCP_STAGE_COUNT = 10;
// DNS and echo stages.
const DNS_QUERY = 0;
const DNS_RESPONSE = 1;
const ECHO_REQUEST = 0;
const ECHO_REPLY = 1;

/** Session flag bits. */
const FLAG_IPV6 = 1;
/** The server sends the first FIN. */
const FLAG_SERVER_CLOSES = 2;
/** QUIC: the next packet comes from the server. */
const FLAG_FROM_SERVER = 4;
/** TCP: the client ACKs every segment, not every second one. */
const FLAG_QUICK_ACK = 8;

/** Request payload kinds. */
const REQUEST_FILLER = 0;
const REQUEST_TLS = 1;
const REQUEST_HTTP = 2;

const CLIENT_WINDOW = 502;
const SERVER_WINDOW = 83;

/**
 * Writes a benchmark capture of about `targetBytes` to `writer` (which has
 * written only its global header) and returns what it wrote; call
 * `writer.finish()` afterwards. The same options give the same bytes, and
 * a smaller target gives a prefix of a larger one's records.
 */
export function writeBenchCapture(
  options: BenchCaptureOptions,
  writer: PcapWriter,
): BenchCaptureStats {
  const { targetBytes, seed, concurrentFlows } = resolveBenchOptions(options);
  invariant(
    writer.fileBytes === GLOBAL_HEADER_BYTES && writer.packets === 0,
    'the bench capture starts a new file',
  );
  return new BenchGenerator(seed, concurrentFlows).run(targetBytes, writer);
}

/** Options with their defaults; a RangeError names a bad one. */
export function resolveBenchOptions(
  options: BenchCaptureOptions,
): Required<BenchCaptureOptions> {
  const seed = options.seed ?? BENCH_DEFAULT_SEED;
  const concurrentFlows = options.concurrentFlows ?? BENCH_CONCURRENT_FLOWS;
  const { targetBytes } = options;
  if (!Number.isSafeInteger(targetBytes) || targetBytes < GLOBAL_HEADER_BYTES) {
    throw new RangeError(
      `target size ${targetBytes} is not a whole number of bytes ` +
        `>= ${GLOBAL_HEADER_BYTES}`,
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed ${seed} is not an integer`);
  }
  if (
    !Number.isInteger(concurrentFlows) ||
    concurrentFlows < 1 ||
    concurrentFlows > 1_000_000
  ) {
    throw new RangeError(
      `concurrent flows ${concurrentFlows} is not in 1..1000000`,
    );
  }
  return { targetBytes, seed, concurrentFlows };
}

/** Checks BYTES for the CLI: digits, optionally with k, M or G (SI). */
export function parseByteSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kMG]?)B?$/.exec(text);
  if (match === null) throw new RangeError(`bad size "${text}"`);
  const unit =
    match[2] === 'k'
      ? 1e3
      : match[2] === 'M'
        ? 1e6
        : match[2] === 'G'
          ? 1e9
          : 1;
  return Math.round(Number(match[1]) * unit);
}

class BenchGenerator {
  private readonly prng: Prng;
  private readonly pool: number;

  // One buffer: frame | filler | templates.
  private readonly arena = new Uint8Array(
    FRAME_AREA_BYTES + FILLER_BYTES + TEMPLATE_AREA_BYTES,
  );
  private readonly view = new DataView(this.arena.buffer);
  /** frameViews[n] is arena[0, n): the writer gets these, made once. */
  private readonly frameViews: Uint8Array[] = [];
  /**
   * fillerSums[i]: sum of the big-endian words of the filler starting at
   * i - 2, i - 4, ... down to 0 or 1. A payload's word sum is a difference.
   */
  private readonly fillerSums = new Float64Array(FILLER_BYTES + 1);

  private templateEnd = TEMPLATE_AT;
  private readonly tlsAt = new Int32Array(NAME_COUNT);
  private readonly tlsLength = new Int32Array(NAME_COUNT);
  private readonly tlsSum = new Float64Array(NAME_COUNT);
  private readonly httpAt = new Int32Array(NAME_COUNT);
  private readonly httpLength = new Int32Array(NAME_COUNT);
  private readonly httpSum = new Float64Array(NAME_COUNT);
  /** DNS messages per name: [A query, A answer, AAAA query, AAAA answer]. */
  private readonly dnsAt = new Int32Array(NAME_COUNT * 4);
  private readonly dnsLength = new Int32Array(NAME_COUNT * 4);
  private readonly dnsSum = new Float64Array(NAME_COUNT * 4);
  private readonly synOptionsV4 = tcpSynOptions(MSS_IPV4, 7);
  private readonly synOptionsV6 = tcpSynOptions(MSS_IPV6, 7);

  private readonly serverV4 = new Uint32Array(SERVER_COUNT);
  private readonly serverV6 = new Uint8Array(SERVER_COUNT * 16);
  private readonly serverTtl = new Uint8Array(SERVER_COUNT);
  private readonly resolverV4 = [0xa83f8110]; // 168.63.129.16 (Azure)
  private readonly resolverV6 = new Uint8Array(16);
  private readonly clientMac = parseMac(VM_MAC);
  private readonly gatewayMac = parseMac(GATEWAY_MAC);

  // Per slot: the session in it.
  private readonly time: Float64Array;
  private readonly heap: Int32Array;
  private readonly session: Uint32Array;
  private readonly kind: Uint8Array;
  private readonly stage: Uint8Array;
  private readonly flags: Uint8Array;
  private readonly vlan: Uint16Array;
  private readonly server: Uint32Array;
  private readonly serverPort: Uint16Array;
  private readonly rtt: Uint32Array;
  /** TCP segments or QUIC packets left in this response; echoes left. */
  private readonly left: Uint32Array;
  private readonly unacked: Uint8Array;
  /** Payload length of the next packet. */
  private readonly length: Uint16Array;
  private readonly request: Uint8Array;
  private readonly seqClient: Uint32Array;
  private readonly seqServer: Uint32Array;
  /** Packets the session has put in the file; 0 means not seen yet. */
  private readonly written: Uint32Array;

  private sessionsStarted = 0;
  private ipId = 0;
  private readonly stats: BenchCaptureStats;

  constructor(seed: number, pool: number) {
    this.prng = new Prng(seed);
    this.pool = pool;
    this.time = new Float64Array(pool);
    this.heap = new Int32Array(pool);
    this.session = new Uint32Array(pool);
    this.kind = new Uint8Array(pool);
    this.stage = new Uint8Array(pool);
    this.flags = new Uint8Array(pool);
    this.vlan = new Uint16Array(pool);
    this.server = new Uint32Array(pool);
    this.serverPort = new Uint16Array(pool);
    this.rtt = new Uint32Array(pool);
    this.left = new Uint32Array(pool);
    this.unacked = new Uint8Array(pool);
    this.length = new Uint16Array(pool);
    this.request = new Uint8Array(pool);
    this.seqClient = new Uint32Array(pool);
    this.seqServer = new Uint32Array(pool);
    this.written = new Uint32Array(pool);
    this.stats = {
      seed,
      concurrentFlows: pool,
      targetBytes: 0,
      fileBytes: 0,
      packets: 0,
      wireBytes: 0,
      meanFrameBytes: 0,
      smallFrames: 0,
      smallFrameShare: 0,
      vlanFrames: 0,
      ipv6Frames: 0,
      flows: 0,
      flowsByProtocol: { tcp: 0, udp: 0, icmp: 0, icmpv6: 0 },
      tcpSyns: 0,
      tcpFins: 0,
      tcpResets: 0,
      dnsQueries: 0,
      firstSeenMicros: 0,
      lastSeenMicros: 0,
    };

    for (let n = 0; n <= FRAME_AREA_BYTES; n++) {
      this.frameViews.push(this.arena.subarray(0, n));
    }
    this.makeFiller();
    this.makeServers();
    this.makeTemplates();
    this.fillPool();
  }

  run(targetBytes: number, writer: PcapWriter): BenchCaptureStats {
    const stats = this.stats;
    stats.targetBytes = targetBytes;
    const { heap, time, written, frameViews } = this;

    for (;;) {
      const slot = heap[0];
      const now = time[slot];
      const frameBytes = this.render(slot, now);
      if (writer.fileBytes + RECORD_HEADER_BYTES + frameBytes > targetBytes) {
        break;
      }
      writer.writeFrame(now, frameViews[frameBytes]);
      this.count(slot, now, frameBytes);
      written[slot]++;

      time[slot] = now + this.advance(slot);
      this.siftDown(0);
    }

    stats.fileBytes = writer.fileBytes;
    stats.meanFrameBytes =
      stats.packets === 0 ? 0 : stats.wireBytes / stats.packets;
    stats.smallFrameShare =
      stats.packets === 0 ? 0 : stats.smallFrames / stats.packets;
    return stats;
  }

  // --- setup ----------------------------------------------------------------

  private makeFiller(): void {
    const filler = this.arena.subarray(FILLER_AT, FILLER_AT + FILLER_BYTES);
    this.prng.fill(filler.subarray(0, FILLER_PERIOD_BYTES));
    filler.copyWithin(
      FILLER_PERIOD_BYTES,
      0,
      FILLER_BYTES - FILLER_PERIOD_BYTES,
    );
    const sums = this.fillerSums;
    for (let i = 2; i <= FILLER_BYTES; i++) {
      sums[i] = sums[i - 2] + ((filler[i - 2] << 8) | filler[i - 1]);
    }
  }

  /**
   * Public-looking addresses: IPv4 outside the private, shared, loopback,
   * link-local, documentation and multicast ranges; IPv6 in blocks the
   * regional registries hand out.
   */
  private makeServers(): void {
    const prng = this.prng;
    const v6Blocks = [
      0x2600, 0x2604, 0x2607, 0x2a00, 0x2a01, 0x2a02, 0x2a03, 0x2a05, 0x2400,
      0x2401, 0x2404, 0x2406, 0x2800, 0x2803, 0x2c0f,
    ];
    for (let i = 0; i < SERVER_COUNT; i++) {
      let address = 0;
      do address = prng.nextUint32();
      while (!isPublicIpv4(address));
      this.serverV4[i] = address;

      const at = i * 16;
      const block = v6Blocks[prng.int(0, v6Blocks.length - 1)];
      this.serverV6[at] = block >>> 8;
      this.serverV6[at + 1] = block & 0xff;
      prng.fill(this.serverV6.subarray(at + 2, at + 16));
      this.serverTtl[i] = prng.pick([44, 50, 52, 54, 57, 112, 116, 243]);
    }
    // 2606:4700:4700::1111, a public resolver over IPv6.
    this.resolverV6.set([0x26, 0x06, 0x47, 0x00, 0x47, 0x00]);
    this.resolverV6[14] = 0x11;
    this.resolverV6[15] = 0x11;
  }

  private makeTemplates(): void {
    const prng = this.prng;
    const out = new ByteWriter(4096);
    const syllables = [
      'ka',
      'lo',
      'mi',
      'ne',
      'ru',
      'sa',
      'ti',
      'vo',
      'ze',
      'bri',
      'dan',
      'fel',
      'gor',
      'hum',
      'jin',
      'pol',
      'quo',
      'wex',
      'yul',
      'tra',
    ];
    const prefixes = ['www', 'api', 'cdn', 'static', 'login', 'img', 'edge'];
    const suffixes = ['com', 'net', 'io', 'org', 'cloud', 'de', 'fr', 'jp'];

    for (let i = 0; i < NAME_COUNT; i++) {
      let word = '';
      const parts = prng.int(2, 3);
      for (let p = 0; p < parts; p++) word += prng.pick(syllables);
      const name = `${prng.pick(prefixes)}.${word}.${prng.pick(suffixes)}`;

      writeTlsClientHello(
        out.reset(),
        name,
        prng.bytes(32),
        prng.bytes(32),
        prng.bytes(32),
      );
      [this.tlsAt[i], this.tlsLength[i], this.tlsSum[i]] = this.keep(out);

      writeHttpGet(
        out.reset(),
        name,
        `/assets/${word}/${prng.int(1, 99999)}.js`,
        'Mozilla/5.0 (X11; Linux x86_64) Capscope-bench/1',
      );
      [this.httpAt[i], this.httpLength[i], this.httpSum[i]] = this.keep(out);

      // IDs are 0 here; the session's is added to the sum when sent.
      const v4 = new Uint8Array(4);
      new DataView(v4.buffer).setUint32(0, this.serverV4[i]);
      const v6 = this.serverV6.slice(i * 16, i * 16 + 16);
      const ttl = prng.int(30, 3600);
      const messages: [DnsType, Uint8Array][] = [
        [DNS_TYPE_A, v4],
        [DNS_TYPE_AAAA, v6],
      ];
      messages.forEach(([type, answer], t) => {
        writeDnsQuery(out.reset(), 0, name, type);
        const q = i * 4 + t * 2;
        [this.dnsAt[q], this.dnsLength[q], this.dnsSum[q]] = this.keep(out);
        writeDnsResponse(out.reset(), 0, name, type, [answer], ttl);
        const r = q + 1;
        [this.dnsAt[r], this.dnsLength[r], this.dnsSum[r]] = this.keep(out);
      });
    }
  }

  /** Copies a message into the template area: its place, length and sum. */
  private keep(out: ByteWriter): [number, number, number] {
    const message = out.result();
    const at = this.templateEnd;
    invariant(
      at + message.length <= this.arena.length,
      'bench templates fit their area',
    );
    this.arena.set(message, at);
    this.templateEnd += message.length;
    return [at, message.length, sumWords(message, 0, message.length, 0)];
  }

  /**
   * Starts a session in every slot and moves it a random number of
   * packets on, as if the capture had begun while they were running;
   * builds the heap, then runs the warm-up.
   */
  private fillPool(): void {
    const prng = this.prng;
    for (let slot = 0; slot < this.pool; slot++) {
      this.startSession(slot);
      const skip = prng.int(0, FAST_FORWARD_MAX_PACKETS);
      const session = this.session[slot];
      for (let i = 0; i < skip && this.session[slot] === session; i++) {
        this.advance(slot);
      }
      // Most of a slot's time goes by in the pauses between bursts. The
      // time left of a pause seen at a random moment (a pause is seen in
      // proportion to its length) has a density falling linearly to 0 at
      // the longest pause: the smaller of two uniform draws has exactly
      // that.
      const wait = Math.min(
        prng.int(0, LONG_PAUSE_MAX_MICROS),
        prng.int(0, LONG_PAUSE_MAX_MICROS),
      );
      this.time[slot] = BENCH_START_MICROS - WARM_UP_MICROS + wait;
      this.heap[slot] = slot;
    }
    for (let i = (this.pool >>> 1) - 1; i >= 0; i--) this.siftDown(i);

    // The warm-up: sessions run, nothing is written.
    const { heap, time } = this;
    for (;;) {
      const slot = heap[0];
      const now = time[slot];
      if (now >= BENCH_START_MICROS) break;
      time[slot] = now + this.advance(slot);
      this.siftDown(0);
    }
  }

  // --- sessions -------------------------------------------------------------

  private startSession(slot: number): void {
    const prng = this.prng;
    const n = this.sessionsStarted++;
    this.session[slot] = n;
    this.written[slot] = 0;
    this.stage[slot] = 0;
    this.unacked[slot] = 0;
    this.left[slot] = 0;

    let flags = prng.int(0, 999) < IPV6_PER_MILLE ? FLAG_IPV6 : 0;
    this.vlan[slot] =
      prng.int(0, 999) < VLAN_PER_MILLE ? prng.pick(VLAN_IDS) : 0;
    // The cube of a uniform draw: a few servers get most sessions.
    const server = prng.skewed(0, SERVER_COUNT - 1);
    this.server[slot] = server;
    this.rtt[slot] = prng.int(800, 120_000);

    const draw = prng.int(0, 999);
    if (draw < DNS_PER_MILLE) {
      this.kind[slot] = KIND_DNS;
      this.serverPort[slot] = 53;
      this.rtt[slot] = prng.int(300, 30_000);
    } else if (draw < DNS_PER_MILLE + ECHO_PER_MILLE) {
      this.kind[slot] = KIND_ECHO;
      this.serverPort[slot] = 0;
      this.left[slot] = prng.int(1, 4);
    } else if (draw < DNS_PER_MILLE + ECHO_PER_MILLE + QUIC_PER_MILLE) {
      this.kind[slot] = KIND_QUIC;
      this.serverPort[slot] = 443;
      this.left[slot] = prng.skewed(4, 400);
      // A client Initial is padded to at least 1200 bytes.
      this.length[slot] = prng.int(1200, 1250);
    } else {
      this.kind[slot] = KIND_TCP;
      const port = prng.int(0, 99);
      this.serverPort[slot] =
        port < 70
          ? 443
          : port < 88
            ? 80
            : port < 93
              ? 22
              : prng.pick([25, 3306, 5432, 8080, 6379]);
      this.request[slot] =
        this.serverPort[slot] === 443
          ? REQUEST_TLS
          : this.serverPort[slot] === 80
            ? REQUEST_HTTP
            : REQUEST_FILLER;
      if (prng.chance(0.3)) flags |= FLAG_SERVER_CLOSES;
      if (prng.chance(0.5)) flags |= FLAG_QUICK_ACK;
      this.seqClient[slot] = prng.nextUint32();
      this.seqServer[slot] = prng.nextUint32();
    }
    this.flags[slot] = flags;
  }

  /**
   * Moves the slot's session past the packet its stage names, drawing what
   * the next packet needs; returns the time until it, in microseconds. A
   * session that is over is replaced by a new one in its slot.
   */
  private advance(slot: number): number {
    switch (this.kind[slot]) {
      case KIND_TCP:
        return this.advanceTcp(slot);
      case KIND_DNS:
        if (this.stage[slot] === DNS_QUERY) {
          this.stage[slot] = DNS_RESPONSE;
          return this.rtt[slot];
        }
        return this.restart(slot);
      case KIND_ECHO:
        if (this.stage[slot] === ECHO_REQUEST) {
          this.stage[slot] = ECHO_REPLY;
          return this.rtt[slot];
        }
        if (--this.left[slot] === 0) return this.restart(slot);
        this.stage[slot] = ECHO_REQUEST;
        return 1_000_000 - this.rtt[slot];
      case KIND_QUIC: {
        if (--this.left[slot] === 0) return this.restart(slot);
        const prng = this.prng;
        if (prng.chance(0.7)) {
          this.flags[slot] |= FLAG_FROM_SERVER;
          this.length[slot] = prng.int(1150, 1350);
        } else {
          this.flags[slot] &= ~FLAG_FROM_SERVER;
          this.length[slot] = prng.int(25, 60);
        }
        return this.dataGap();
      }
      default:
        throw new Error(`generator invariant: session kind ${this.kind[slot]}`);
    }
  }

  private advanceTcp(slot: number): number {
    const prng = this.prng;
    const rtt = this.rtt[slot];
    const stage = this.stage[slot] as TcpStage;
    switch (stage) {
      case TCP_SYN_SENT:
        this.seqClient[slot]++;
        this.stage[slot] = TCP_SYN_ACK;
        return rtt;
      case TCP_SYN_ACK:
        this.seqServer[slot]++;
        this.stage[slot] = TCP_HANDSHAKE_ACK;
        return prng.int(20, 300);
      case TCP_HANDSHAKE_ACK:
        this.stage[slot] = TCP_REQUEST;
        this.length[slot] = this.requestLength(slot);
        return prng.int(50, 2_000);
      case TCP_REQUEST:
        this.seqClient[slot] += this.length[slot];
        this.stage[slot] = TCP_DATA;
        this.left[slot] = prng.skewed(1, 160);
        this.unacked[slot] = 0;
        this.length[slot] = this.segmentLength(slot);
        return rtt + prng.int(0, 30_000);
      case TCP_DATA: {
        this.seqServer[slot] += this.length[slot];
        const left = --this.left[slot];
        const unacked = ++this.unacked[slot];
        const ackEvery = (this.flags[slot] & FLAG_QUICK_ACK) !== 0 ? 1 : 2;
        if (unacked >= ackEvery || left === 0) {
          this.stage[slot] = TCP_DATA_ACK;
          return prng.int(10, 500);
        }
        this.length[slot] = this.segmentLength(slot);
        return this.dataGap();
      }
      case TCP_DATA_ACK:
        this.unacked[slot] = 0;
        if (this.left[slot] > 0) {
          this.stage[slot] = TCP_DATA;
          this.length[slot] = this.segmentLength(slot);
          return this.dataGap();
        }
        if (prng.chance(0.3)) {
          // Another request on the same connection.
          this.stage[slot] = TCP_REQUEST;
          this.request[slot] = REQUEST_FILLER;
          this.length[slot] = this.requestLength(slot);
          return this.dataGap();
        }
        this.stage[slot] = prng.chance(0.05) ? TCP_RESET : TCP_FIN_FIRST;
        return this.dataGap();
      case TCP_FIN_FIRST:
        if ((this.flags[slot] & FLAG_SERVER_CLOSES) !== 0) {
          this.seqServer[slot]++;
        } else {
          this.seqClient[slot]++;
        }
        this.stage[slot] = TCP_FIN_SECOND;
        return rtt >>> 1;
      case TCP_FIN_SECOND:
        if ((this.flags[slot] & FLAG_SERVER_CLOSES) !== 0) {
          this.seqClient[slot]++;
        } else {
          this.seqServer[slot]++;
        }
        this.stage[slot] = TCP_LAST_ACK;
        return prng.int(10, 300);
      case TCP_LAST_ACK:
      case TCP_RESET:
        return this.restart(slot);
      default:
        return assertNever(stage);
    }
  }

  /** Ends the slot's session and starts the next; returns the idle time. */
  private restart(slot: number): number {
    this.startSession(slot);
    return this.prng.int(0, 200_000);
  }

  private requestLength(slot: number): number {
    const name = this.server[slot] % NAME_COUNT;
    switch (this.request[slot]) {
      case REQUEST_TLS:
        return this.tlsLength[name];
      case REQUEST_HTTP:
        return this.httpLength[name];
      default:
        return this.prng.int(60, 700);
    }
  }

  /** Half the segments fill the MSS; the rest are anything below it. */
  private segmentLength(slot: number): number {
    const mss = (this.flags[slot] & FLAG_IPV6) !== 0 ? MSS_IPV6 : MSS_IPV4;
    return this.prng.chance(0.45) ? mss : this.prng.int(1, mss - 1);
  }

  /** The time before a packet of a data phase: in a burst or after it. */
  private dataGap(): number {
    const prng = this.prng;
    return prng.chance(LONG_PAUSE_CHANCE)
      ? prng.int(LONG_PAUSE_MIN_MICROS, LONG_PAUSE_MAX_MICROS)
      : prng.int(5, BURST_GAP_MAX_MICROS);
  }

  // --- rendering ------------------------------------------------------------

  /** Builds the slot's next packet at arena[0]; returns the frame length. */
  private render(slot: number, now: number): number {
    switch (this.kind[slot]) {
      case KIND_TCP:
        return this.renderTcp(slot);
      case KIND_DNS: {
        const response = this.stage[slot] === DNS_RESPONSE;
        const v6 = (this.flags[slot] & FLAG_IPV6) !== 0;
        const message =
          (this.server[slot] % NAME_COUNT) * 4 +
          (v6 ? 2 : 0) +
          (response ? 1 : 0);
        const id = this.session[slot] & 0xffff;
        const at = this.beginIp(slot, !response, IP_PROTOCOL_UDP);
        const payloadAt = at + UDP_HEADER_BYTES;
        const length = this.dnsLength[message];
        this.arena.copyWithin(
          payloadAt,
          this.dnsAt[message],
          this.dnsAt[message] + length,
        );
        this.view.setUint16(payloadAt, id);
        return this.endUdp(slot, at, length, this.dnsSum[message] + id);
      }
      case KIND_ECHO:
        return this.renderEcho(slot, now);
      case KIND_QUIC: {
        const fromClient = (this.flags[slot] & FLAG_FROM_SERVER) === 0;
        const at = this.beginIp(slot, fromClient, IP_PROTOCOL_UDP);
        const length = this.length[slot];
        const sum = this.copyFiller(
          at + UDP_HEADER_BYTES,
          this.left[slot] * 7919 + slot,
          length,
        );
        return this.endUdp(slot, at, length, sum);
      }
      default:
        throw new Error(`generator invariant: session kind ${this.kind[slot]}`);
    }
  }

  private renderTcp(slot: number): number {
    const stage = this.stage[slot] as TcpStage;
    const serverCloses = (this.flags[slot] & FLAG_SERVER_CLOSES) !== 0;
    let fromClient = true;
    let flags = TCP_ACK;
    let payload = 0;
    switch (stage) {
      case TCP_SYN_SENT:
        flags = TCP_SYN;
        break;
      case TCP_SYN_ACK:
        fromClient = false;
        flags = TCP_SYN | TCP_ACK;
        break;
      case TCP_HANDSHAKE_ACK:
      case TCP_DATA_ACK:
        break;
      case TCP_REQUEST:
        flags = TCP_PSH | TCP_ACK;
        payload = this.length[slot];
        break;
      case TCP_DATA:
        fromClient = false;
        payload = this.length[slot];
        if (this.left[slot] === 1) flags |= TCP_PSH;
        break;
      case TCP_FIN_FIRST:
        fromClient = !serverCloses;
        flags = TCP_FIN | TCP_ACK;
        break;
      case TCP_FIN_SECOND:
        fromClient = serverCloses;
        flags = TCP_FIN | TCP_ACK;
        break;
      case TCP_LAST_ACK:
        fromClient = !serverCloses;
        break;
      case TCP_RESET:
        flags = TCP_RST | TCP_ACK;
        break;
      default:
        assertNever(stage);
    }

    const syn = (flags & TCP_SYN) !== 0;
    const options = syn
      ? (this.flags[slot] & FLAG_IPV6) !== 0
        ? this.synOptionsV6
        : this.synOptionsV4
      : null;
    const headerBytes =
      TCP_HEADER_BYTES + (options === null ? 0 : options.length);
    const at = this.beginIp(slot, fromClient, IP_PROTOCOL_TCP);
    const arena = this.arena;
    const view = this.view;

    const clientPort = clientPortOf(this.session[slot]);
    const serverPort = this.serverPort[slot];
    const seq = fromClient ? this.seqClient[slot] : this.seqServer[slot];
    const ack =
      stage === TCP_SYN_SENT
        ? 0
        : fromClient
          ? this.seqServer[slot]
          : this.seqClient[slot];
    view.setUint16(at, fromClient ? clientPort : serverPort);
    view.setUint16(at + 2, fromClient ? serverPort : clientPort);
    view.setUint32(at + 4, seq);
    view.setUint32(at + 8, ack);
    arena[at + 12] = (headerBytes / 4) << 4;
    arena[at + 13] = flags;
    view.setUint16(at + 14, fromClient ? CLIENT_WINDOW : SERVER_WINDOW);
    view.setUint32(at + 16, 0); // checksum, urgent pointer
    if (options !== null) arena.set(options, at + TCP_HEADER_BYTES);

    const payloadAt = at + headerBytes;
    let payloadSum = 0;
    if (payload > 0) {
      const name = this.server[slot] % NAME_COUNT;
      const request =
        stage === TCP_REQUEST ? this.request[slot] : REQUEST_FILLER;
      if (request === REQUEST_TLS) {
        arena.copyWithin(
          payloadAt,
          this.tlsAt[name],
          this.tlsAt[name] + payload,
        );
        payloadSum = this.tlsSum[name];
      } else if (request === REQUEST_HTTP) {
        arena.copyWithin(
          payloadAt,
          this.httpAt[name],
          this.httpAt[name] + payload,
        );
        payloadSum = this.httpSum[name];
      } else {
        payloadSum = this.copyFiller(payloadAt, seq + slot, payload);
      }
    }

    const segmentBytes = headerBytes + payload;
    let sum = this.pseudoHeaderSum(slot, IP_PROTOCOL_TCP, segmentBytes);
    sum = sumWords(arena, at, payloadAt, sum) + payloadSum;
    view.setUint16(at + 16, finishChecksum(sum));
    return this.endFrame(slot, at + segmentBytes);
  }

  private renderEcho(slot: number, now: number): number {
    const v6 = (this.flags[slot] & FLAG_IPV6) !== 0;
    const request = this.stage[slot] === ECHO_REQUEST;
    const protocol = v6 ? IP_PROTOCOL_ICMPV6 : IP_PROTOCOL_ICMP;
    const at = this.beginIp(slot, request, protocol);
    const arena = this.arena;
    const view = this.view;
    const type = v6 ? (request ? 128 : 129) : request ? 8 : 0;
    arena[at] = type;
    arena[at + 1] = 0;
    view.setUint16(at + 2, 0);
    view.setUint16(at + 4, echoIdentifierOf(this.session[slot]));
    view.setUint16(at + 6, 5 - this.left[slot]);
    // A ping payload starts with the time it was sent (struct timeval,
    // little-endian); the reply echoes the request's.
    const payloadAt = at + ICMP_ECHO_HEADER_BYTES;
    const sent = request ? now : now - this.rtt[slot];
    const micros = sent % 1e6;
    view.setUint32(payloadAt, (sent - micros) / 1e6, true);
    view.setUint32(payloadAt + 4, 0, true);
    view.setUint32(payloadAt + 8, micros, true);
    view.setUint32(payloadAt + 12, 0, true);
    for (let i = 16; i < PING_DATA_BYTES; i++) arena[payloadAt + i] = i;

    const messageBytes = ICMP_ECHO_HEADER_BYTES + PING_DATA_BYTES;
    const sum = v6 ? this.pseudoHeaderSum(slot, protocol, messageBytes) : 0;
    view.setUint16(
      at + 2,
      finishChecksum(sumWords(arena, at, at + messageBytes, sum)),
    );
    return this.endFrame(slot, at + messageBytes);
  }

  /** Writes Ethernet (and tag) and IP headers; returns where L4 starts. */
  private beginIp(slot: number, fromClient: boolean, protocol: number): number {
    const arena = this.arena;
    const view = this.view;
    arena.set(fromClient ? this.gatewayMac : this.clientMac, 0);
    arena.set(fromClient ? this.clientMac : this.gatewayMac, 6);
    let at = 12;
    const vlan = this.vlan[slot];
    if (vlan !== 0) {
      view.setUint16(12, 0x8100);
      view.setUint16(14, vlan);
      at = 16;
    }
    const v6 = (this.flags[slot] & FLAG_IPV6) !== 0;
    view.setUint16(at, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
    at += 2;

    const n = this.session[slot];
    const server = this.server[slot];
    const ttl = fromClient ? VM_TTL : this.serverTtl[server];
    if (!v6) {
      arena[at] = 0x45;
      arena[at + 1] = 0;
      view.setUint16(at + 2, 0); // total length, in endFrame
      view.setUint16(at + 4, this.ipId);
      this.ipId = (this.ipId + 1) & 0xffff;
      view.setUint16(at + 6, 0x4000); // don't fragment
      arena[at + 8] = ttl;
      arena[at + 9] = protocol;
      view.setUint16(at + 10, 0); // checksum, in endFrame
      const client = clientIpv4Of(n);
      const remote =
        this.kind[slot] === KIND_DNS
          ? this.resolverV4[0]
          : this.serverV4[server];
      view.setUint32(at + 12, fromClient ? client : remote);
      view.setUint32(at + 16, fromClient ? remote : client);
      return at + IPV4_HEADER_BYTES;
    }

    view.setUint32(
      at,
      (0x60000000 | (Math.imul(n, 0x9e3779b1) & 0xfffff)) >>> 0,
    );
    view.setUint16(at + 4, 0); // payload length, in endFrame
    arena[at + 6] = protocol;
    arena[at + 7] = ttl;
    const clientAt = fromClient ? at + 8 : at + 24;
    const remoteAt = fromClient ? at + 24 : at + 8;
    // fd12:3456:789a::/64, then the host number.
    view.setUint32(clientAt, 0xfd123456);
    view.setUint32(clientAt + 4, 0x789a0000);
    view.setUint32(clientAt + 8, 0);
    view.setUint32(clientAt + 12, clientHostOf(n) + 0x100);
    if (this.kind[slot] === KIND_DNS) {
      arena.set(this.resolverV6, remoteAt);
    } else {
      const serverV6 = this.serverV6;
      const from = server * 16;
      for (let i = 0; i < 16; i++) arena[remoteAt + i] = serverV6[from + i];
    }
    return at + IPV6_HEADER_BYTES;
  }

  /** Writes the UDP header after its payload is in place. */
  private endUdp(
    slot: number,
    at: number,
    payloadBytes: number,
    payloadSum: number,
  ): number {
    const view = this.view;
    const clientPort = clientPortOf(this.session[slot]);
    const serverPort = this.serverPort[slot];
    const fromClient =
      this.kind[slot] === KIND_DNS
        ? this.stage[slot] === DNS_QUERY
        : (this.flags[slot] & FLAG_FROM_SERVER) === 0;
    const datagramBytes = UDP_HEADER_BYTES + payloadBytes;
    view.setUint16(at, fromClient ? clientPort : serverPort);
    view.setUint16(at + 2, fromClient ? serverPort : clientPort);
    view.setUint16(at + 4, datagramBytes);
    view.setUint16(at + 6, 0);
    let sum = this.pseudoHeaderSum(slot, IP_PROTOCOL_UDP, datagramBytes);
    sum = sumWords(this.arena, at, at + UDP_HEADER_BYTES, sum) + payloadSum;
    const checksum = finishChecksum(sum);
    // Zero means "no checksum" in UDP, so a true zero is sent as 0xffff.
    view.setUint16(at + 6, checksum === 0 ? 0xffff : checksum);
    return this.endFrame(slot, at + datagramBytes);
  }

  /**
   * Fills in the IP length (and IPv4 checksum) now that the end is known,
   * pads to the Ethernet minimum; returns the frame length.
   */
  private endFrame(slot: number, end: number): number {
    const view = this.view;
    const ipAt = this.vlan[slot] !== 0 ? 18 : 14;
    if ((this.flags[slot] & FLAG_IPV6) !== 0) {
      view.setUint16(ipAt + 4, end - ipAt - IPV6_HEADER_BYTES);
    } else {
      view.setUint16(ipAt + 2, end - ipAt);
      const sum = sumWords(this.arena, ipAt, ipAt + IPV4_HEADER_BYTES, 0);
      view.setUint16(ipAt + 10, finishChecksum(sum));
    }
    // The minimum applies to the untagged frame; a tag adds to it.
    const tagBytes = ipAt - ETHERNET_HEADER_BYTES;
    const minimum = ETHERNET_MIN_FRAME_BYTES + tagBytes;
    if (end < minimum) {
      this.arena.fill(0, end, minimum);
      return minimum;
    }
    return end;
  }

  /**
   * The pseudo-header's sum (addresses, protocol, length) for TCP, UDP and
   * ICMPv6; the addresses are read from the IP header already written.
   */
  private pseudoHeaderSum(
    slot: number,
    protocol: number,
    length: number,
  ): number {
    const ipAt = this.vlan[slot] !== 0 ? 18 : 14;
    const sum = protocol + (length >>> 16) + (length & 0xffff);
    return (this.flags[slot] & FLAG_IPV6) !== 0
      ? sumWords(this.arena, ipAt + 8, ipAt + 40, sum)
      : sumWords(this.arena, ipAt + 12, ipAt + 20, sum);
  }

  /**
   * Copies `length` filler bytes, from a place that `position` picks, to
   * arena[at] (at is even); returns their word sum.
   */
  private copyFiller(at: number, position: number, length: number): number {
    const from = (position >>> 0) % FILLER_PERIOD_BYTES;
    const start = FILLER_AT + from;
    this.arena.copyWithin(at, start, start + length);
    const even = length & ~1;
    let sum = this.fillerSums[from + even] - this.fillerSums[from];
    if (even !== length) sum += this.arena[start + even] << 8;
    return sum;
  }

  // --- bookkeeping ----------------------------------------------------------

  private count(slot: number, now: number, frameBytes: number): void {
    const stats = this.stats;
    if (stats.packets === 0) stats.firstSeenMicros = now;
    stats.lastSeenMicros = now;
    stats.packets++;
    stats.wireBytes += frameBytes;
    if (frameBytes <= SMALL_FRAME_BYTES) stats.smallFrames++;
    if (this.vlan[slot] !== 0) stats.vlanFrames++;
    const v6 = (this.flags[slot] & FLAG_IPV6) !== 0;
    if (v6) stats.ipv6Frames++;

    const kind = this.kind[slot];
    if (this.written[slot] === 0) {
      stats.flows++;
      const byProtocol = stats.flowsByProtocol;
      if (kind === KIND_TCP) byProtocol.tcp++;
      else if (kind === KIND_ECHO) {
        if (v6) byProtocol.icmpv6++;
        else byProtocol.icmp++;
      } else byProtocol.udp++;
    }
    if (kind === KIND_TCP) {
      const stage = this.stage[slot];
      if (stage === TCP_SYN_SENT) stats.tcpSyns++;
      else if (stage === TCP_FIN_FIRST || stage === TCP_FIN_SECOND)
        stats.tcpFins++;
      else if (stage === TCP_RESET) stats.tcpResets++;
    } else if (kind === KIND_DNS && this.stage[slot] === DNS_QUERY) {
      stats.dnsQueries++;
    }
  }

  /** Restores the heap below position i, ordered by next packet time. */
  private siftDown(i: number): void {
    const heap = this.heap;
    const time = this.time;
    const size = this.pool;
    const slot = heap[i];
    const due = time[slot];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && time[heap[child + 1]] < time[heap[child]])
        child++;
      if (time[heap[child]] >= due) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = slot;
  }
}

type TcpStage =
  | typeof TCP_SYN_SENT
  | typeof TCP_SYN_ACK
  | typeof TCP_HANDSHAKE_ACK
  | typeof TCP_REQUEST
  | typeof TCP_DATA
  | typeof TCP_DATA_ACK
  | typeof TCP_FIN_FIRST
  | typeof TCP_FIN_SECOND
  | typeof TCP_LAST_ACK
  | typeof TCP_RESET;
invariant(TCP_RESET + 1 === TCP_STAGE_COUNT, 'TCP stages are numbered 0..9');

function clientHostOf(session: number): number {
  return session % CLIENT_HOSTS;
}

/** 10.x.y.z: host numbers spread over 10/8 by an odd multiplier. */
function clientIpv4Of(session: number): number {
  const spread = Math.imul(clientHostOf(session) + 1, 0x9e3779b1) & 0xffffff;
  return (0x0a000000 | spread) >>> 0;
}

function clientPortOf(session: number): number {
  return CLIENT_PORT_BASE + (Math.floor(session / CLIENT_HOSTS) % CLIENT_PORTS);
}

/** With the client host, unique for the first 268 million sessions. */
function echoIdentifierOf(session: number): number {
  return Math.floor(session / CLIENT_HOSTS) & 0xffff;
}

function isPublicIpv4(address: number): boolean {
  const a = address >>> 24;
  const b = (address >>> 16) & 0xff;
  const c = (address >>> 8) & 0xff;
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 100 && b >= 64 && b < 128) return false; // shared (CGNAT)
  if (a === 169 && b === 254) return false; // link-local
  if (a === 172 && b >= 16 && b < 32) return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return false;
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  if (a === 198 && b === 51 && c === 100) return false;
  if (a === 203 && b === 0 && c === 113) return false;
  return true;
}

/**
 * Adds big-endian 16-bit words to `sum`, an odd last byte as the high half
 * of a word; no folding (sums stay far below 2^53).
 */
function sumWords(
  bytes: Uint8Array,
  start: number,
  end: number,
  sum: number,
): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  return sum;
}

function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}
