// Times the filter over a million random flows: compile an expression, run
// it over the flow columns, median of several runs, one line per expression.
// This is the work the worker does when a filter is applied. Needs the
// analytics package built (`npm run build`).
//
//   node scripts/bench-filter.mjs [FLOWS]
//
// Exits 1 when an expression's median over a million flows exceeds the
// budget. The budget is on wall-clock time, which a busy machine inflates;
// the CPU time beside it shows the work itself.

import { APP_NAMES } from '../packages/analytics/dist/apps.js';
import {
  compileFilterText,
  filterFlows,
} from '../packages/analytics/dist/filter/compile.js';
import { COLUMN_NAMES } from '../packages/analytics/dist/flow-table.js';

const FLOWS = Number(process.argv[2] ?? 1_000_000);
/** Odd, so the median is one run; enough to ride out a GC pause. */
const RUNS = 7;
/** The worker's budget for one filter over a million flows. */
const BUDGET_MS = 50;

const EXPRESSIONS = [
  'ip.addr == 10.0.0.5',
  'ip.src == 10.0.0.0/8 and not udp',
  'ip.addr == 2001:db8::/32',
  'tcp.port == 443 && bytes > 1M',
  'port in {53 80 443 8000..8004}',
  'dns or tls or quic',
  'host contains "example"',
  'host matches "^api\\."',
  'country == "DE" or ip.dst.country == "JP"',
  'duration > 10s and packets >= 5',
  'frame.time in {"2025-11-30 10:10".."2025-11-30 10:20"}',
  '!(ip.addr == 10.0.0.5) && !(tcp.port == 443) && !dns',
];

const names = ['www.example.com', 'api.example.org', 'cdn.contoso.net',
  'login.microsoftonline.com'];
const columns = randomColumns(FLOWS, 0x5eed);
const codes = ['', 'US', 'DE', 'private', 'JP', 'NL'];
const countries = {
  src: randomCodes(FLOWS, codes.length, 1),
  dst: randomCodes(FLOWS, codes.length, 2),
  codes,
};
const context = { columns, names, countries };

let overBudget = 0;
for (const expression of EXPRESSIONS) {
  const timesMs = [];
  const cpuMs = [];
  let kept = 0;
  for (let run = 0; run < RUNS; run++) {
    const startMs = performance.now();
    const startCpu = process.cpuUsage();
    kept = filterFlows(compileFilterText(expression, context), FLOWS).length;
    const cpu = process.cpuUsage(startCpu);
    timesMs.push(performance.now() - startMs);
    cpuMs.push((cpu.user + cpu.system) / 1000);
  }
  const medianMs = median(timesMs);
  if (FLOWS >= 1_000_000 && medianMs > BUDGET_MS) overBudget++;
  console.log(
    `filter ${FLOWS} flows: ${medianMs.toFixed(1)} ms median of ${RUNS} ` +
      `(${median(cpuMs).toFixed(1)} ms CPU), ${kept} kept: ${expression}`,
  );
}
if (overBudget > 0) {
  console.log(`filter: ${overBudget} expressions over ${BUDGET_MS} ms`);
  process.exitCode = 1;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/** A small deterministic generator (xorshift), so runs are comparable. */
function generator(seed) {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

function randomCodes(count, n, seed) {
  const next = generator(seed);
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) out[i] = next(n);
  return out;
}

/** Flows shaped like a cloud VM's: mostly TCP and UDP, some IPv6. */
function randomColumns(count, seed) {
  const next = generator(seed);
  const shapes = {
    version: Uint8Array, protocol: Uint8Array, srcAddr: Uint32Array,
    dstAddr: Uint32Array, srcPort: Int32Array, dstPort: Int32Array,
    packetsOut: Float64Array, packetsIn: Float64Array,
    bytesOut: Float64Array, bytesIn: Float64Array,
    firstSeconds: Float64Array, firstNanos: Uint32Array,
    lastSeconds: Float64Array, lastNanos: Uint32Array, tcpState: Uint8Array,
    vlan: Int32Array, tunnel: Uint8Array, outerFlow: Int32Array,
    app: Uint8Array, host: Int32Array, relatedFlow: Int32Array,
  };
  const c = { count };
  for (const name of COLUMN_NAMES) {
    const width = name === 'srcAddr' || name === 'dstAddr' ? 4 : 1;
    // Columns the filter does not read may be added; any shape does.
    c[name] = new (shapes[name] ?? Float64Array)(count * width);
  }

  const t0 = 1764496800; // 2025-11-30T10:00:00Z
  const protocols = [6, 6, 6, 17, 17, 1, 58];
  const ports = [53, 80, 443, 123, 8000, 8003, 3389, 22];
  const apps = ['', 'dns', 'tls', 'http', 'quic', 'ssh'].map((name) =>
    APP_NAMES.indexOf(name));
  for (let i = 0; i < count; i++) {
    const v6 = next(8) === 0;
    c.version[i] = v6 ? 6 : 4;
    const protocol = protocols[next(protocols.length)];
    c.protocol[i] = protocol;
    for (const column of [c.srcAddr, c.dstAddr]) {
      if (v6) {
        column[i * 4] = 0x20010db8;
        column[i * 4 + 3] = next(4096);
      } else {
        column[i * 4] = next(2) === 0 ? 0x0a000000 + next(256) : next(2 ** 32);
      }
    }
    const hasPorts = protocol === 6 || protocol === 17;
    c.srcPort[i] = hasPorts ? 1024 + next(64512) : -1;
    c.dstPort[i] = hasPorts ? ports[next(ports.length)] : -1;
    c.packetsOut[i] = 1 + next(100);
    c.packetsIn[i] = next(100);
    c.bytesOut[i] = next(2_000_000);
    c.bytesIn[i] = next(2_000_000);
    c.firstSeconds[i] = t0 + next(3600);
    c.firstNanos[i] = next(1_000_000_000);
    c.lastSeconds[i] = c.firstSeconds[i] + next(60);
    c.lastNanos[i] = next(1_000_000_000);
    c.vlan[i] = -1;
    c.outerFlow[i] = -1;
    c.relatedFlow[i] = -1;
    c.app[i] = apps[next(apps.length)];
    c.host[i] = next(3) === 0 ? -1 : next(names.length);
  }
  return c;
}
