import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_NAMES } from '../apps.js';
import type { FlowColumns } from '../flow-table.js';
import { COLUMN_NAMES } from '../flow-table.js';
import type { FilterContext } from './compile.js';
import { compileFilterText, filterFlows, suggestFields } from './compile.js';
import { FilterError } from './lexer.js';

/** A plain flow for the reference predicates: text, numbers, BigInts. */
interface PlainFlow {
  v6: boolean;
  src: bigint;
  dst: bigint;
  proto: number;
  sport: number | null;
  dport: number | null;
  bytesOut: number;
  bytesIn: number;
  packetsOut: number;
  packetsIn: number;
  firstNs: bigint;
  lastNs: bigint;
  host: string;
  app: string;
  srcCountry: string;
  dstCountry: string;
}

const T0 = 1764496800n; // 2025-11-30T10:00:00Z
const V4 = [0x0a000004n, 0x0a000005n, 0xc0000201n, 0x08080808n,
  0xcb007107n];
const V6 = [0x20010db8000000000000000000000001n,
  0x20010db8000000000000000000000002n, 0xfe800000000000000000000000000001n,
  0x2a001450400100000000000000000001n];
const HOSTS = ['', 'www.google.com', 'api.example.org', 'Mail.Example.ORG'];
const COUNTRIES = ['US', 'DE', 'private', 'JP'];

function randomFlows(count: number, seed: number): PlainFlow[] {
  let s = seed;
  const next = (n: number) => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s % n;
  };
  const flows: PlainFlow[] = [];
  for (let i = 0; i < count; i++) {
    const v6 = next(3) === 0;
    const pool = v6 ? V6 : V4;
    const proto = [6, 6, 17, 17, 1, 58, 47][next(7)];
    const ports = proto === 6 || proto === 17;
    const first = T0 * 1_000_000_000n + BigInt(next(3600)) * 1_000_000_000n +
      BigInt(next(1000)) * 1_000_000n;
    flows.push({
      v6,
      src: pool[next(pool.length)],
      dst: pool[next(pool.length)],
      proto,
      sport: ports ? [53, 80, 443, 1024, 8000, 8003, 50000][next(7)] : null,
      dport: ports ? [53, 80, 443, 1024, 8004, 65535][next(6)] : null,
      bytesOut: next(5) * 1000 + next(1000),
      bytesIn: next(3) === 0 ? 0 : next(2_000_000),
      packetsOut: 1 + next(10),
      packetsIn: next(10),
      firstNs: first,
      lastNs: first + BigInt(next(120)) * 1_000_000_000n +
        BigInt(next(999_999_999)),
      host: HOSTS[next(HOSTS.length)],
      app: ['', 'dns', 'tls', 'http'][next(4)],
      srcCountry: COUNTRIES[next(4)],
      dstCountry: COUNTRIES[next(4)],
    });
  }
  return flows;
}

function toContext(flows: PlainFlow[]): FilterContext {
  const count = flows.length;
  const c = { count } as FlowColumns;
  const widths: Record<string, number> = { srcAddr: 4, dstAddr: 4 };
  const types: Record<string, new (n: number) => unknown> = {
    version: Uint8Array, protocol: Uint8Array, srcAddr: Uint32Array,
    dstAddr: Uint32Array, srcPort: Int32Array, dstPort: Int32Array,
    packetsOut: Float64Array, packetsIn: Float64Array,
    bytesOut: Float64Array, bytesIn: Float64Array,
    firstSeconds: Float64Array, firstNanos: Uint32Array,
    lastSeconds: Float64Array, lastNanos: Uint32Array, tcpState: Uint8Array,
    vlan: Int32Array, tunnel: Uint8Array, outerFlow: Int32Array,
    app: Uint8Array, host: Int32Array, relatedFlow: Int32Array,
    tcpHistory: Uint16Array, handshakeRtt: Float64Array,
    retransmissions: Uint32Array, outOfOrder: Uint32Array,
    zeroWindows: Uint32Array, lostSegments: Uint32Array,
    missingBytes: Float64Array,
  };
  for (const name of COLUMN_NAMES) {
    // Columns added later that filters do not read: any shape does.
    (c as unknown as Record<string, unknown>)[name] =
      new (types[name] ?? Int32Array)(count * (widths[name] ?? 1));
  }
  const names = HOSTS.slice(1);
  const put = (column: Uint32Array, flow: number, v6: boolean, a: bigint) => {
    for (let i = 0; i < 4; i++) {
      column[flow * 4 + i] = v6
        ? Number((a >> BigInt(96 - 32 * i)) & 0xffffffffn)
        : i === 0 ? Number(a) : 0;
    }
  };
  flows.forEach((f, i) => {
    c.version[i] = f.v6 ? 6 : 4;
    c.protocol[i] = f.proto;
    put(c.srcAddr, i, f.v6, f.src);
    put(c.dstAddr, i, f.v6, f.dst);
    c.srcPort[i] = f.sport ?? -1;
    c.dstPort[i] = f.dport ?? -1;
    c.bytesOut[i] = f.bytesOut;
    c.bytesIn[i] = f.bytesIn;
    c.packetsOut[i] = f.packetsOut;
    c.packetsIn[i] = f.packetsIn;
    c.firstSeconds[i] = Number(f.firstNs / 1_000_000_000n);
    c.firstNanos[i] = Number(f.firstNs % 1_000_000_000n);
    c.lastSeconds[i] = Number(f.lastNs / 1_000_000_000n);
    c.lastNanos[i] = Number(f.lastNs % 1_000_000_000n);
    c.vlan[i] = -1;
    c.app[i] = APP_NAMES.indexOf(f.app as (typeof APP_NAMES)[number]);
    c.host[i] = f.host ? names.indexOf(f.host) : -1;
  });
  return {
    columns: c,
    names,
    countries: {
      src: Uint16Array.from(flows, (f) => COUNTRIES.indexOf(f.srcCountry)),
      dst: Uint16Array.from(flows, (f) => COUNTRIES.indexOf(f.dstCountry)),
      codes: COUNTRIES,
    },
  };
}

const inNet = (a: bigint, net: bigint, prefix: number, bits: number) =>
  (a >> BigInt(bits - prefix)) === (net >> BigInt(bits - prefix));
const hasPorts = (f: PlainFlow) => f.proto === 6 || f.proto === 17;
const ns = (seconds: bigint) => seconds * 1_000_000_000n;

/** Each expression beside a plain predicate that says what it means. */
const CASES: Array<[string, (f: PlainFlow) => boolean]> = [
  ['tcp', (f) => f.proto === 6],
  ['udp or icmp', (f) => f.proto === 17 || f.proto === 1],
  ['!tcp && !udp', (f) => f.proto !== 6 && f.proto !== 17],
  ['ip', (f) => !f.v6],
  ['ipv6 and icmpv6', (f) => f.v6 && f.proto === 58],
  ['ip.addr == 10.0.0.4', (f) => !f.v6 && (f.src === 0x0a000004n ||
    f.dst === 0x0a000004n)],
  ['ip.src == 10.0.0.0/8', (f) => !f.v6 && inNet(f.src, 0x0a000000n, 8, 32)],
  ['ip.dst eq 2001:db8::/32', (f) => f.v6 &&
    inNet(f.dst, 0x20010db8n << 96n, 32, 128)],
  ['ip.addr != 8.8.8.8', (f) => f.v6 || (f.src !== 0x08080808n &&
    f.dst !== 0x08080808n)],
  ['ipv6.addr == fe80::1', (f) => f.v6 &&
    (f.src === V6[2] || f.dst === V6[2])],
  ['port == 443', (f) => hasPorts(f) && (f.sport === 443 || f.dport === 443)],
  ['tcp.port == 80', (f) => f.proto === 6 &&
    (f.sport === 80 || f.dport === 80)],
  ['udp.dstport == 53', (f) => f.proto === 17 && f.dport === 53],
  ['srcport < 1024', (f) => hasPorts(f) && (f.sport ?? 99999) < 1024],
  ['dstport >= 8000', (f) => hasPorts(f) && (f.dport ?? -1) >= 8000],
  ['tcp.port in {80 443 8000..8004}', (f) => f.proto === 6 &&
    [f.sport, f.dport].some((p) => p !== null &&
      (p === 80 || p === 443 || (p >= 8000 && p <= 8004)))],
  ['port in {8000-8003}', (f) => hasPorts(f) && [f.sport, f.dport]
    .some((p) => p !== null && p >= 8000 && p <= 8003)],
  ['bytes > 1M', (f) => f.bytesOut + f.bytesIn > 1_000_000],
  ['bytes <= 2k', (f) => f.bytesOut + f.bytesIn <= 2000],
  ['bytes.in == 0', (f) => f.bytesIn === 0],
  ['packets >= 10 and packets.out < 5', (f) =>
    f.packetsOut + f.packetsIn >= 10 && f.packetsOut < 5],
  ['duration > 1m', (f) => f.lastNs - f.firstNs > ns(60n)],
  ['duration < 500ms', (f) => f.lastNs - f.firstNs < 500_000_000n],
  ['dns', (f) => f.app === 'dns'],
  ['tls or http', (f) => f.app === 'tls' || f.app === 'http'],
  ['app == "dns"', (f) => f.app === 'dns'],
  ['host', (f) => f.host !== ''],
  ['host contains "example"', (f) =>
    f.host.toLowerCase().includes('example')],
  ['host matches "^www\\\\."', (f) => /^www\./i.test(f.host)],
  ['host == "mail.example.org"', (f) => f.host.toLowerCase() ===
    'mail.example.org'],
  ['country == "de"', (f) => f.srcCountry === 'DE' || f.dstCountry === 'DE'],
  ['ip.dst.country in {US JP}', (f) => ['US', 'JP'].includes(f.dstCountry)],
  ['not country == private', (f) => f.srcCountry !== 'private' &&
    f.dstCountry !== 'private'],
  ['frame.time >= "2025-11-30 10:30:00"', (f) =>
    f.lastNs >= ns(T0 + 1800n)],
  ['frame.time < "2025-11-30T10:10:00Z"', (f) => f.firstNs < ns(T0 + 600n)],
  ['frame.time == "2025-11-30 10:20:00.5"', (f) =>
    f.firstNs <= ns(T0 + 1200n) + 500_000_000n &&
    f.lastNs >= ns(T0 + 1200n) + 500_000_000n],
  ['frame.time in {"2025-11-30 10:05".."2025-11-30 10:06"}', (f) =>
    f.firstNs <= ns(T0 + 360n) && f.lastNs >= ns(T0 + 300n)],
  ['(tcp || udp) && !(port == 53) && ip.addr == 192.0.2.1', (f) =>
    hasPorts(f) && f.sport !== 53 && f.dport !== 53 && !f.v6 &&
    (f.src === 0xc0000201n || f.dst === 0xc0000201n)],
];

for (const seed of [1, 2, 3]) {
  test(`filters agree with the plain reference on random flows (${seed})`,
    () => {
      const flows = randomFlows(3000, seed);
      const context = toContext(flows);
      for (const [text, reference] of CASES) {
        const predicate = compileFilterText(text, context);
        const kept = Array.from(filterFlows(predicate, flows.length));
        const expected = flows.flatMap((f, i) => (reference(f) ? [i] : []));
        assert.deepEqual(kept, expected, text);
        // The CLI asks one flow at a time: the same answers.
        const oneByOne = flows.flatMap((_, i) => (predicate(i) ? [i] : []));
        assert.deepEqual(oneByOne, expected, `${text}, flow by flow`);
        assert.ok(seed !== 1 || expected.length > 0 ||
          text.includes('bytes.in'), `${text} matched nothing`);
      }
    });
}

test('blocks of flows agree with one flow at a time past a block', () => {
  // 4096 flows a block (kernels.ts): two whole blocks and a part, so the
  // last block runs over bytes left from the one before.
  const flows = randomFlows(2 * 4096 + 1000, 4);
  const context = toContext(flows);
  for (const [text] of CASES) {
    const predicate = compileFilterText(text, context);
    const kept = Array.from(filterFlows(predicate, flows.length));
    const oneByOne = flows.flatMap((_, i) => (predicate(i) ? [i] : []));
    assert.deepEqual(kept, oneByOne, text);
  }
});

test('unknown fields and bad values are errors with positions', () => {
  const context = toContext(randomFlows(10, 9));
  const fails = (text: string, position: number, pattern: RegExp) => {
    assert.throws(() => compileFilterText(text, context), (e: unknown) =>
      e instanceof FilterError && e.position === position &&
      pattern.test(e.message), text);
  };
  fails('ip.adr == 1.2.3.4', 0, /not a field/);
  fails('ip.addr == 1.2.3', 11, /not an IP address/);
  fails('ip.addr == 10.0.0.0/33', 19, /prefix length/);
  fails('port == 70000', 8, /not a port/);
  fails('bytes > 10q', 8, /not a number/);
  fails('duration > fast', 11, /duration/);
  fails('ip.addr > 10.0.0.1', 10, /== or !=/);
  fails('tcp == 1', 7, /protocol/);
  fails('host matches "("', 13, /not a valid pattern/);
  fails('frame.time > "yesterday"', 13, /not a time/);
});

test('suggestions complete field names', () => {
  assert.deepEqual(suggestFields('ip.s'), ['ip.src', 'ip.src.country']);
  assert.ok(suggestFields('tcp').includes('tcp.port'));
  assert.ok(suggestFields('d').includes('dns'));
});
