import {
  formatIpv4,
  formatIpv6,
  ipv4Bytes,
  parseIpv4,
  parseIpv6,
  parseMac,
} from './addresses.js';
import { Filler } from './filler.js';
import {
  FrameBuilder,
  type IpAddresses,
  type PacketHeaders,
  type TcpFields,
} from './frames.js';
import {
  AZURE_DNS_IPV4,
  AZURE_DNS_TTL,
  GATEWAY_MAC,
  REMOTE_HOSTS,
  type RemoteHost,
  VM_IPV4,
  VM_IPV6,
  VM_MAC,
  VM_TTL,
} from './hosts.js';
import { assertNever, invariant } from './invariant.js';
import type { PacketPlan } from './packet-plan.js';
import { PcapWriter, type VlanTag } from './pcap-writer.js';
import { Prng } from './prng.js';
import {
  DNS_LOOKUP_LEAD_MICROS,
  dnsLookup,
  echoRun,
  httpSession,
  httpsSession,
  NTP_POLL_INTERVAL_MICROS,
  type NtpServerInfo,
  ntpPolls,
  quicExchange,
  type SessionContext,
  sshSession,
} from './sessions.js';

/** 2026-11-30T10:00:00Z, where every sample's clock starts. */
export const SAMPLE_START_MICROS = Date.UTC(2026, 10, 30, 10, 0, 0) * 1000;

export interface SampleOptions {
  /** Any integer; the same options give a byte-identical capture. */
  seed?: number;
  /**
   * Client sessions: TCP connections, QUIC exchanges and ping runs. The
   * first 16 are the fixed cast (each kind of traffic the scenario shows);
   * more are HTTPS, some QUIC, to random hosts. DNS lookups and NTP polls
   * come on top. Fewer than 16 keeps the start of the cast.
   */
  sessions?: number;
  /**
   * Sessions start within this span. A session may end up to about 15 s
   * later, and much later when transferScale makes transfers long.
   */
  durationSeconds?: number;
  /** Multiplies response volumes (HTTPS, HTTP, SSH, QUIC). */
  transferScale?: number;
  /** Tags every frame with this 802.1Q VLAN ID; none by default. */
  vlanId?: number | null;
  /** TCP, UDP and ICMPv6 checksums; IPv4 header ones are always right. */
  transportChecksums?: boolean;
}

export type ResolvedSampleOptions = Required<SampleOptions>;

/**
 * The defaults make the sample the web app ships: about 340 KB, some 630
 * packets, every kind of traffic at least once. Changing anything here
 * (or in what the sessions draw) changes those bytes.
 */
export const SAMPLE_DEFAULTS: ResolvedSampleOptions = {
  seed: 20261130,
  sessions: 24,
  durationSeconds: 180,
  transferScale: 1,
  vlanId: null,
  transportChecksums: true,
};

export type FlowProto = 'tcp' | 'udp' | 'icmp' | 'icmpv6';

/**
 * A flow as the scenario made it, in the terms of the `capscope flows`
 * output: `src` sent the first packet (always the VM here), `Out` counts
 * src to dst. Bytes are frame lengths on the wire. For ICMP, as in the
 * CLI, srcPort holds the first packet's type and dstPort its code.
 */
export interface ExpectedFlow {
  proto: FlowProto;
  ipVersion: 4 | 6;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** The echo identifier of an ICMP flow, else null. */
  icmpId: number | null;
  packets: number;
  bytes: number;
  packetsOut: number;
  bytesOut: number;
  packetsIn: number;
  bytesIn: number;
  /** Unix time in microseconds. */
  firstSeenMicros: number;
  lastSeenMicros: number;
  /** What the flow was made as: tls, http, ssh, quic, dns, ntp; '' for ICMP. */
  app: string;
  /** A name the flow carries in clear (SNI, Host, DNS query), or ''. */
  host: string;
}

export interface SampleManifest {
  options: ResolvedSampleOptions;
  packets: number;
  /** Sum of frame lengths on the wire (the records' original lengths). */
  bytes: number;
  /** The pcap file: 24-byte header, then 16 bytes and a frame per packet. */
  fileBytes: number;
  firstSeenMicros: number;
  lastSeenMicros: number;
  flowsByProtocol: Record<FlowProto, number>;
  /** In order of their first packet. */
  flows: ExpectedFlow[];
  /** Address (RFC 5952 text for IPv6) to the name DNS answers gave it. */
  dnsNames: Record<string, string>;
}

/** The sample in memory, with its manifest. */
export function generateSample(options: SampleOptions = {}): {
  bytes: Uint8Array;
  manifest: SampleManifest;
} {
  const writer = new PcapWriter();
  const manifest = writeSample(options, writer);
  return { bytes: writer.toUint8Array(), manifest };
}

/**
 * Writes the scenario "a cloud VM talking to public hosts" to a fresh
 * writer and returns what it wrote. The caller calls writer.finish().
 *
 * Sessions are generators of packet plans, started when the clock reaches
 * them and merged by time through a heap, so memory grows with the
 * sessions open at once, not with the file: a 1 GB capture streams out
 * through a file writer. One small object per session planned is kept
 * for the manifest.
 */
export function writeSample(
  options: SampleOptions,
  writer: PcapWriter,
): SampleManifest {
  invariant(writer.packets === 0, 'a sample starts a fresh writer');
  const o = resolveSampleOptions(options);
  const prng = new Prng(o.seed);
  const filler = new Filler(prng);
  const hosts = resolveHosts();
  const plan = planSessions(o, prng, hosts);
  const builder = new FrameBuilder(o.transportChecksums);
  const vlan: VlanTag | null =
    o.vlanId === null ? null : { id: o.vlanId, priority: 0 };
  const manifest = emptyManifest(o);
  const tcp: TcpFields = {
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    options: null,
  };

  const queue = new SessionQueue();
  let nextPlanned = 0;
  let lastMicros = -1;
  for (;;) {
    // Start every session due no later than the earliest waiting packet.
    for (; nextPlanned < plan.length; nextPlanned++) {
      const head = queue.peek();
      const planned = plan[nextPlanned];
      if (head !== undefined && planned.startMicros > head.pending.tsMicros) {
        break;
      }
      const session = startSession(planned, filler, o, manifest);
      if (session !== null) queue.push(session);
    }

    const session = queue.pop();
    if (session === undefined) break;
    const packet = session.pending;
    invariant(packet.tsMicros >= lastMicros, 'packets leave in time order');
    lastMicros = packet.tsMicros;

    const frame = buildFrame(builder, session, packet, tcp);
    const wireBytes = writer.writeFrame(packet.tsMicros, frame, vlan);
    countPacket(manifest, session.flow, packet, wireBytes);

    const next = session.packets.next();
    if (!next.done) {
      session.pending = next.value;
      queue.push(session);
    }
  }

  for (const flow of manifest.flows) manifest.flowsByProtocol[flow.proto]++;
  manifest.fileBytes = writer.fileBytes;
  return manifest;
}

/** Fills in defaults; throws RangeError on options that cannot work. */
export function resolveSampleOptions(
  options: SampleOptions,
): ResolvedSampleOptions {
  const d = SAMPLE_DEFAULTS;
  const o: ResolvedSampleOptions = {
    seed: options.seed ?? d.seed,
    sessions: options.sessions ?? d.sessions,
    durationSeconds: options.durationSeconds ?? d.durationSeconds,
    transferScale: options.transferScale ?? d.transferScale,
    vlanId: options.vlanId ?? d.vlanId,
    transportChecksums: options.transportChecksums ?? d.transportChecksums,
  };

  if (!Number.isSafeInteger(o.seed)) {
    throw new RangeError(`seed ${o.seed} is not an integer`);
  }
  if (!Number.isSafeInteger(o.sessions) || o.sessions < 1) {
    throw new RangeError(`sessions ${o.sessions} is not a positive integer`);
  }
  if (!(o.durationSeconds >= 1 && o.durationSeconds <= 30 * 86_400)) {
    throw new RangeError(
      `duration ${o.durationSeconds} s is not in 1 s..30 days`,
    );
  }
  if (!(o.transferScale > 0 && o.transferScale <= 100_000)) {
    throw new RangeError(
      `transfer scale ${o.transferScale} is not in (0, 100000]`,
    );
  }
  const vlanId = o.vlanId ?? 1; // null, untagged, passes
  if (!Number.isInteger(vlanId) || vlanId < 1 || vlanId > 4094) {
    throw new RangeError(`VLAN ID ${o.vlanId} is not in 1..4094`);
  }
  return o;
}

// ---------------------------------------------------------------------------
// The plan: which sessions, when, on which ports.

type SessionKind = 'https' | 'http' | 'ssh' | 'quic' | 'ping' | 'dns' | 'ntp';

interface SessionWish {
  kind: SessionKind;
  host: string;
  ipVersion: 4 | 6;
}

/** Every sample has these, in this order, before any drawn at random. */
const CAST: readonly SessionWish[] = [
  { kind: 'https', host: 'www.bing.com', ipVersion: 4 },
  { kind: 'https', host: 'registry.npmjs.org', ipVersion: 4 },
  { kind: 'https', host: 'registry.npmjs.org', ipVersion: 6 },
  { kind: 'http', host: 'archive.ubuntu.com', ipVersion: 4 },
  { kind: 'ssh', host: 'github.com', ipVersion: 4 },
  { kind: 'quic', host: 'www.youtube.com', ipVersion: 4 },
  { kind: 'ping', host: 'dns.google', ipVersion: 4 },
  { kind: 'ping', host: 'dns.google', ipVersion: 6 },
  { kind: 'https', host: 'www.python.org', ipVersion: 4 },
  { kind: 'https', host: 's3.eu-west-1.amazonaws.com', ipVersion: 4 },
  { kind: 'https', host: 'en.wikipedia.org', ipVersion: 4 },
  { kind: 'https', host: 'www.google.com', ipVersion: 6 },
  { kind: 'https', host: 'www.ripe.net', ipVersion: 4 },
  { kind: 'https', host: 'registro.br', ipVersion: 4 },
  { kind: 'https', host: 'www.naver.com', ipVersion: 4 },
  { kind: 'ping', host: 'one.one.one.one', ipVersion: 4 },
];

/** Hosts the extra HTTPS sessions pick from, equally often. */
const HTTPS_HOSTS = [
  'www.bing.com',
  'registry.npmjs.org',
  'www.python.org',
  's3.eu-west-1.amazonaws.com',
  'en.wikipedia.org',
  'www.google.com',
  'www.ripe.net',
  'registro.br',
  'www.naver.com',
];
const EXTRA_QUIC_SHARE = 0.15;
/** Share of extra HTTPS sessions over IPv6, where the host has it. */
const EXTRA_IPV6_SHARE = 0.3;

/** The VM keeps two NTP servers for its whole life. */
const NTP_SERVERS: readonly { host: string; info: NtpServerInfo }[] = [
  {
    host: 'ntp.nict.jp',
    info: {
      stratum: 1,
      referenceId: 0x4e494354, // 'NICT'
      rootDelay: 0,
      rootDispersion: 0x0000000a,
    },
  },
  {
    host: 'time.cloudflare.com',
    info: {
      stratum: 3,
      referenceId: 0x0a150813, // an upstream server's address
      rootDelay: 0x00000a3c,
      rootDispersion: 0x00000042,
    },
  },
];

/** The first session starts half a second in. */
const FIRST_START_MICROS = 500_000;
/** Room after the last start for the longest idle (10 s) and a close. */
const CLOSING_ROOM_MICROS = 15_000_000;
/** iputils ping -c 4. */
const PING_COUNT = 4;
/** Linux's default ephemeral port range. */
const EPHEMERAL_FIRST_PORT = 32768;
const EPHEMERAL_LAST_PORT = 60999;
/** Free ports are drawn at random; this many misses means none is left. */
const MAX_PORT_DRAWS = 1000;

interface ResolvedHost {
  spec: RemoteHost;
  ipv4: number[];
  ipv6: Uint8Array[];
  /** The same addresses as DNS answer data. */
  aRecords: Uint8Array[];
  aaaaRecords: Uint8Array[];
}

interface PlannedSession {
  kind: SessionKind;
  /** For a lookup, the host whose name is looked up. */
  host: ResolvedHost;
  ipVersion: 4 | 6;
  startMicros: number;
  /** Position in the final plan; breaks ties between equal times. */
  rank: number;
  /** The VM's port, or the echo identifier of a ping run. */
  clientPort: number;
  serverPort: number;
  seed: number;
  ntp: NtpServerInfo | null;
  pollCount: number;
}

function resolveHosts(): Map<string, ResolvedHost> {
  const hosts = new Map<string, ResolvedHost>();
  for (const spec of REMOTE_HOSTS) {
    const ipv4 = spec.ipv4.map(parseIpv4);
    const ipv6 = spec.ipv6.map(parseIpv6);
    hosts.set(spec.name, {
      spec,
      ipv4,
      ipv6,
      aRecords: ipv4.map(ipv4Bytes),
      aaaaRecords: ipv6,
    });
  }
  return hosts;
}

function hostNamed(
  hosts: ReadonlyMap<string, ResolvedHost>,
  name: string,
): ResolvedHost {
  const host = hosts.get(name);
  invariant(host !== undefined, `no host ${name} in REMOTE_HOSTS`);
  return host;
}

function planSessions(
  o: ResolvedSampleOptions,
  prng: Prng,
  hosts: ReadonlyMap<string, ResolvedHost>,
): PlannedSession[] {
  const durationMicros = o.durationSeconds * 1e6;
  const lastStartMicros = Math.max(
    FIRST_START_MICROS,
    durationMicros - CLOSING_ROOM_MICROS,
  );
  const sessions: PlannedSession[] = [];
  const add = (
    kind: SessionKind,
    hostName: string,
    ipVersion: 4 | 6,
    startMicros: number,
  ): PlannedSession => {
    const session: PlannedSession = {
      kind,
      host: hostNamed(hosts, hostName),
      ipVersion,
      startMicros,
      rank: sessions.length,
      clientPort: 0,
      serverPort: 0,
      seed: 0,
      ntp: null,
      pollCount: 0,
    };
    sessions.push(session);
    return session;
  };

  // The cast, then extras up to the number asked for, at random times.
  for (let i = 0; i < o.sessions; i++) {
    const wish = i < CAST.length ? CAST[i] : drawExtra(prng, hosts);
    const offsetMicros = prng.int(FIRST_START_MICROS, lastStartMicros);
    const startMicros = SAMPLE_START_MICROS + offsetMicros;
    add(wish.kind, wish.host, wish.ipVersion, startMicros);
  }

  // NTP polls through the whole duration.
  for (const server of NTP_SERVERS) {
    const offsetMicros = prng.int(FIRST_START_MICROS, 3_000_000);
    const startMicros = SAMPLE_START_MICROS + offsetMicros;
    const session = add('ntp', server.host, 4, startMicros);
    session.ntp = server.info;
    const polls = (durationMicros - offsetMicros) / NTP_POLL_INTERVAL_MICROS;
    session.pollCount = 1 + Math.max(0, Math.floor(polls));
  }
  byStart(sessions);

  // A lookup just before each session whose host has no fresh answer.
  // Pings go to addresses typed by hand and look nothing up.
  const freshUntil = new Map<string, number>();
  const lookups: PlannedSession[] = [];
  for (const session of sessions) {
    if (session.kind === 'ping') continue;
    const name = session.host.spec.name;
    const until = freshUntil.get(name);
    if (until !== undefined && until > session.startMicros) continue;
    freshUntil.set(
      name,
      session.startMicros + session.host.spec.dnsTtlSeconds * 1e6,
    );
    lookups.push({
      ...session,
      kind: 'dns',
      ipVersion: 4,
      startMicros: session.startMicros - DNS_LOOKUP_LEAD_MICROS,
      rank: sessions.length + lookups.length,
      ntp: null,
      pollCount: 0,
    });
  }
  sessions.push(...lookups);
  byStart(sessions);

  const taken = new Set<string>();
  sessions.forEach((session, rank) => {
    session.rank = rank;
    assignPorts(session, prng, taken);
    session.seed = prng.nextUint32();
  });
  return sessions;
}

function drawExtra(
  prng: Prng,
  hosts: ReadonlyMap<string, ResolvedHost>,
): SessionWish {
  if (prng.chance(EXTRA_QUIC_SHARE)) {
    return { kind: 'quic', host: 'www.youtube.com', ipVersion: 4 };
  }
  const name = prng.pick(HTTPS_HOSTS);
  const hasIpv6 = hostNamed(hosts, name).ipv6.length > 0;
  const ipVersion = hasIpv6 && prng.chance(EXTRA_IPV6_SHARE) ? 6 : 4;
  return { kind: 'https', host: name, ipVersion };
}

/** By start time, then by the order they were planned in. */
function byStart(sessions: PlannedSession[]): void {
  sessions.sort((a, b) => a.startMicros - b.startMicros || a.rank - b.rank);
}

/**
 * Server ports by kind, and a client port (or echo identifier) that no
 * other session to the same peer and service uses, so that every session
 * is a flow of its own.
 */
function assignPorts(
  session: PlannedSession,
  prng: Prng,
  taken: Set<string>,
): void {
  let firstPort = EPHEMERAL_FIRST_PORT;
  let lastPort = EPHEMERAL_LAST_PORT;
  switch (session.kind) {
    case 'https':
    case 'quic':
      session.serverPort = 443;
      break;
    case 'http':
      session.serverPort = 80;
      break;
    case 'ssh':
      session.serverPort = 22;
      break;
    case 'dns':
      session.serverPort = 53;
      break;
    case 'ntp':
      // One flow per server, 123 to 123, as ntpd and chrony run it.
      session.clientPort = 123;
      session.serverPort = 123;
      return;
    case 'ping':
      firstPort = 1;
      lastPort = 0xffff;
      break;
    default:
      assertNever(session.kind);
  }

  const proto = protoOf(session);
  const peer = `${proto} ${peerOf(session).text} ${session.serverPort}`;
  for (let draw = 0; draw < MAX_PORT_DRAWS; draw++) {
    const port = prng.int(firstPort, lastPort);
    const key = `${peer} ${port}`;
    if (taken.has(key)) continue;
    taken.add(key);
    session.clientPort = port;
    return;
  }
  throw new RangeError(
    `no free port left towards ${peer}; ask for fewer sessions`,
  );
}

function protoOf(session: PlannedSession): FlowProto {
  switch (session.kind) {
    case 'https':
    case 'http':
    case 'ssh':
      return 'tcp';
    case 'quic':
    case 'dns':
    case 'ntp':
      return 'udp';
    case 'ping':
      return session.ipVersion === 4 ? 'icmp' : 'icmpv6';
    default:
      return assertNever(session.kind);
  }
}

interface Peer {
  address: IpAddresses['dst'];
  text: string;
  ttl: number;
}

/** The remote end: Azure's resolver for lookups, else the host itself. */
function peerOf(session: PlannedSession): Peer {
  if (session.kind === 'dns') {
    const address = parseIpv4(AZURE_DNS_IPV4);
    return { address, text: formatIpv4(address), ttl: AZURE_DNS_TTL };
  }
  const { host } = session;
  if (session.ipVersion === 4) {
    const address = host.ipv4[0];
    invariant(address !== undefined, `${host.spec.name} has no IPv4`);
    return { address, text: formatIpv4(address), ttl: host.spec.ttl };
  }
  const address = host.ipv6[0];
  invariant(address !== undefined, `${host.spec.name} has no IPv6`);
  return { address, text: formatIpv6(address), ttl: host.spec.ttl };
}

// ---------------------------------------------------------------------------
// Running sessions

interface ActiveSession {
  rank: number;
  packets: Iterator<PacketPlan, void, void>;
  /** The next packet, built and written when the session is popped. */
  pending: PacketPlan;
  flow: ExpectedFlow;
  toServer: PacketHeaders;
  toClient: PacketHeaders;
  clientPort: number;
  serverPort: number;
}

const VM_MAC_BYTES = parseMac(VM_MAC);
const GATEWAY_MAC_BYTES = parseMac(GATEWAY_MAC);
const VM_IPV4_VALUE = parseIpv4(VM_IPV4);
const VM_IPV6_BYTES = parseIpv6(VM_IPV6);

const APP_BY_KIND: Record<SessionKind, string> = {
  https: 'tls',
  http: 'http',
  ssh: 'ssh',
  quic: 'quic',
  dns: 'dns',
  ntp: 'ntp',
  ping: '',
};

/** Builds the session's headers and first packet; null if it sends none. */
function startSession(
  p: PlannedSession,
  filler: Filler,
  o: ResolvedSampleOptions,
  manifest: SampleManifest,
): ActiveSession | null {
  const prng = new Prng(p.seed);
  const peer = peerOf(p);
  const { toServer, toClient } = addressPairs(p.ipVersion, peer.address);
  const rttPercent = prng.int(90, 110);
  const rttMicros = Math.round((p.host.spec.rttMicros * rttPercent) / 100);
  const context: SessionContext = {
    startMicros: p.startMicros,
    rttMicros,
    ipVersion: p.ipVersion,
    prng,
    filler,
    transferScale: o.transferScale,
  };

  const packets = sessionPackets(p, context);
  const first = packets.next();
  if (first.done) return null;
  invariant(
    first.value.tsMicros >= p.startMicros,
    'a session starts no earlier than planned',
  );

  const proto = protoOf(p);
  const icmp = proto === 'icmp' || proto === 'icmpv6';
  const flow: ExpectedFlow = {
    proto,
    ipVersion: p.ipVersion,
    src: p.ipVersion === 4 ? VM_IPV4 : formatIpv6(VM_IPV6_BYTES),
    srcPort: icmp ? (proto === 'icmp' ? 8 : 128) : p.clientPort,
    dst: peer.text,
    dstPort: icmp ? 0 : p.serverPort,
    icmpId: icmp ? p.clientPort : null,
    packets: 0,
    bytes: 0,
    packetsOut: 0,
    bytesOut: 0,
    packetsIn: 0,
    bytesIn: 0,
    firstSeenMicros: -1,
    lastSeenMicros: -1,
    app: APP_BY_KIND[p.kind],
    host: ['https', 'http', 'dns'].includes(p.kind) ? p.host.spec.name : '',
  };
  manifest.flows.push(flow);

  if (p.kind === 'dns') {
    for (const address of p.host.ipv4) {
      manifest.dnsNames[formatIpv4(address)] = p.host.spec.name;
    }
    for (const address of p.host.ipv6) {
      manifest.dnsNames[formatIpv6(address)] = p.host.spec.name;
    }
  }

  return {
    rank: p.rank,
    packets,
    pending: first.value,
    flow,
    toServer: {
      srcMac: VM_MAC_BYTES,
      dstMac: GATEWAY_MAC_BYTES,
      ip: toServer,
      ttl: VM_TTL,
      ipId: prng.int(0, 0xffff),
      dontFragment: p.kind !== 'ping',
      flowLabel: prng.int(0, 0xfffff),
    },
    toClient: {
      srcMac: GATEWAY_MAC_BYTES,
      dstMac: VM_MAC_BYTES,
      ip: toClient,
      ttl: peer.ttl,
      ipId: prng.int(0, 0xffff),
      dontFragment: true,
      flowLabel: prng.int(0, 0xfffff),
    },
    clientPort: p.clientPort,
    serverPort: p.serverPort,
  };
}

function sessionPackets(
  p: PlannedSession,
  s: SessionContext,
): Iterator<PacketPlan, void, void> {
  const name = p.host.spec.name;
  switch (p.kind) {
    case 'https':
      return httpsSession(s, name);
    case 'http':
      return httpSession(s, name);
    case 'ssh':
      return sshSession(s);
    case 'quic':
      return quicExchange(s);
    case 'ping':
      return echoRun(s, PING_COUNT);
    case 'dns':
      return dnsLookup(
        s,
        name,
        p.host.aRecords,
        p.host.aaaaRecords,
        p.host.spec.dnsTtlSeconds,
      );
    case 'ntp':
      invariant(p.ntp !== null, 'an NTP session knows its server');
      return ntpPolls(s, p.ntp, p.pollCount);
    default:
      return assertNever(p.kind);
  }
}

function addressPairs(
  ipVersion: 4 | 6,
  remote: number | Uint8Array,
): { toServer: IpAddresses; toClient: IpAddresses } {
  if (ipVersion === 4) {
    invariant(typeof remote === 'number', 'an IPv4 peer');
    return {
      toServer: { version: 4, src: VM_IPV4_VALUE, dst: remote },
      toClient: { version: 4, src: remote, dst: VM_IPV4_VALUE },
    };
  }
  invariant(remote instanceof Uint8Array, 'an IPv6 peer');
  return {
    toServer: { version: 6, src: VM_IPV6_BYTES, dst: remote },
    toClient: { version: 6, src: remote, dst: VM_IPV6_BYTES },
  };
}

function buildFrame(
  builder: FrameBuilder,
  s: ActiveSession,
  packet: PacketPlan,
  tcp: TcpFields,
): Uint8Array {
  const headers = packet.fromClient ? s.toServer : s.toClient;
  headers.ipId = (headers.ipId + 1) & 0xffff;
  const srcPort = packet.fromClient ? s.clientPort : s.serverPort;
  const dstPort = packet.fromClient ? s.serverPort : s.clientPort;

  switch (packet.kind) {
    case 'tcp':
      tcp.srcPort = srcPort;
      tcp.dstPort = dstPort;
      tcp.seq = packet.seq;
      tcp.ack = packet.ack;
      tcp.flags = packet.flags;
      tcp.window = packet.window;
      tcp.options = packet.options;
      return builder.tcp(headers, tcp, packet.payload);
    case 'udp':
      return builder.udp(headers, srcPort, dstPort, packet.payload);
    case 'echo':
      return builder.icmpEcho(
        headers,
        !packet.fromClient,
        s.clientPort,
        packet.sequence,
        packet.payload,
      );
    default:
      return assertNever(packet);
  }
}

function emptyManifest(o: ResolvedSampleOptions): SampleManifest {
  return {
    options: o,
    packets: 0,
    bytes: 0,
    fileBytes: 0,
    firstSeenMicros: -1,
    lastSeenMicros: -1,
    flowsByProtocol: { tcp: 0, udp: 0, icmp: 0, icmpv6: 0 },
    flows: [],
    dnsNames: {},
  };
}

function countPacket(
  manifest: SampleManifest,
  flow: ExpectedFlow,
  packet: PacketPlan,
  wireBytes: number,
): void {
  manifest.packets++;
  manifest.bytes += wireBytes;
  if (manifest.firstSeenMicros < 0) manifest.firstSeenMicros = packet.tsMicros;
  manifest.lastSeenMicros = packet.tsMicros;

  flow.packets++;
  flow.bytes += wireBytes;
  if (packet.fromClient) {
    flow.packetsOut++;
    flow.bytesOut += wireBytes;
  } else {
    flow.packetsIn++;
    flow.bytesIn += wireBytes;
  }
  if (flow.firstSeenMicros < 0) flow.firstSeenMicros = packet.tsMicros;
  flow.lastSeenMicros = packet.tsMicros;
}

/**
 * Active sessions by the time of their next packet, then by rank, earliest
 * first: a binary heap, as a big capture keeps thousands of them open.
 */
class SessionQueue {
  private readonly items: ActiveSession[] = [];

  peek(): ActiveSession | undefined {
    return this.items[0];
  }

  push(session: ActiveSession): void {
    const items = this.items;
    let i = items.length;
    items.push(session);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!comesFirst(items[i], items[parent])) break;
      swap(items, i, parent);
      i = parent;
    }
  }

  pop(): ActiveSession | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) {
      return top;
    }

    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < items.length && comesFirst(items[left], items[first])) {
        first = left;
      }
      if (right < items.length && comesFirst(items[right], items[first])) {
        first = right;
      }
      if (first === i) break;
      swap(items, i, first);
      i = first;
    }
    return top;
  }
}

function comesFirst(a: ActiveSession, b: ActiveSession): boolean {
  const at = a.pending.tsMicros;
  const bt = b.pending.tsMicros;
  return at < bt || (at === bt && a.rank < b.rank);
}

function swap(items: ActiveSession[], i: number, j: number): void {
  const item = items[i];
  items[i] = items[j];
  items[j] = item;
}
