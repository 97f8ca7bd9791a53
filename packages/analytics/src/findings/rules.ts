import { formatAddress } from '../address.js';
import { APP_NAMES } from '../apps.js';
import { dnsRcodeName, flowDuration, flowState } from '../flow-record.js';
import { classifyAddress } from '../geo.js';
import { FAILED_STATES, HISTORY } from '../tcp-tracker.js';
import type { Finding, FindingInput } from './finding.js';

/**
 * The rules behind the Findings view. Each is a plain function over the
 * flow columns; its thresholds are named here, with why they have the
 * value they have, so a reader can see why a finding fired.
 */

/**
 * A host that tries this many ports of one address, or fails to reach this
 * many addresses on one port, within SCAN_WINDOW_SECONDS, scans. Browsers
 * open a dozen connections to one server, but on one or two ports; and a
 * browser reaches a hundred web servers a minute, but they answer. So
 * vertical scans count every attempt, horizontal ones failed attempts.
 */
export const SCAN_MIN_TARGETS = 20;
export const SCAN_WINDOW_SECONDS = 60;

/** Flows above this many times the capture's median size... */
export const OUTSIZED_FACTOR = 100;
/** ...and above this size, so that small captures raise nothing. */
export const OUTSIZED_MIN_BYTES = 10_000_000;
/** Flows longer than this many times the median duration... */
export const LONG_FACTOR = 100;
/** ...and longer than an hour. */
export const LONG_MIN_SECONDS = 3600;
/**
 * "Seen only once" says something only against a background: a country
 * or server port with one flow is worth a look in a capture of at least
 * this many flows with remote peers.
 */
export const RARE_MIN_FLOWS = 200;
/** At most this many rarities of each kind are listed (the first seen). */
export const RARE_MAX_FINDINGS = 25;
/** DNS response codes that mean the name did not resolve. */
export const DNS_FAILURE_CODES = [2, 3, 5]; // SERVFAIL, NXDOMAIN, REFUSED
/** Clear-text protocols worth flagging where encrypted ones are used. */
export const CLEARTEXT_APPS = ['http', 'telnet', 'ftp'];
export const ENCRYPTED_APPS = ['tls', 'quic', 'ssh'];

const TCP = 6;
const UDP = 17;

function address(input: FindingInput, flow: number, side: 'src' | 'dst') {
  const c = input.columns;
  return formatAddress(c.version[flow],
    side === 'src' ? c.srcAddr : c.dstAddr, flow * 4);
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
}

function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}

/**
 * Scans: per source, the most ports of one address (vertical) or the
 * most addresses on one port (horizontal) it reached within a window.
 */
export function findScans(input: FindingInput): Finding[] {
  const c = input.columns;
  const bySource = new Map<string, number[]>();
  const failed = new Uint8Array(c.count);
  for (let flow = 0; flow < c.count; flow++) {
    const protocol = c.protocol[flow];
    if ((protocol !== TCP && protocol !== UDP) || c.dstPort[flow] < 0) continue;
    const state = flowState(c, flow);
    failed[flow] = FAILED_STATES.has(state) || state === 'S0' ? 1 : 0;
    const src = address(input, flow, 'src');
    const list = bySource.get(src);
    if (list) list.push(flow);
    else bySource.set(src, [flow]);
  }

  const findings: Finding[] = [];
  for (const [src, flows] of bySource) {
    if (flows.length < SCAN_MIN_TARGETS) continue;
    flows.sort((a, b) => c.firstSeconds[a] - c.firstSeconds[b] ||
      c.firstNanos[a] - c.firstNanos[b]);
    const groups: Array<['ports' | 'hosts', string, (f: number) => string]> = [
      ['ports', 'dst', (f) => String(c.dstPort[f])],
      ['hosts', 'port', (f) => address(input, f, 'dst')],
    ];
    for (const [what, , target] of groups) {
      const bySpan = new Map<string, number[]>();
      for (const flow of flows) {
        if (what === 'hosts' && !failed[flow]) continue;
        // Vertical: one address, many ports; horizontal: one port, many
        // addresses.
        const span = what === 'ports'
          ? address(input, flow, 'dst')
          : `${c.protocol[flow]}/${c.dstPort[flow]}`;
        const list = bySpan.get(span);
        if (list) list.push(flow);
        else bySpan.set(span, [flow]);
      }
      for (const [span, spanFlows] of bySpan) {
        const peak = peakDistinct(input, spanFlows, target);
        if (peak < SCAN_MIN_TARGETS) continue;
        for (const flow of spanFlows) input.explained[flow] = 1;
        const [protocol, port] = span.split('/');
        findings.push({
          kind: 'scan',
          reason: what === 'ports'
            ? `${src} reached ${peak} ports of ${span} within ` +
              `${SCAN_WINDOW_SECONDS} s`
            : `${src} reached ${peak} addresses on ` +
              `${Number(protocol) === TCP ? 'TCP' : 'UDP'} port ${port} ` +
              `within ${SCAN_WINDOW_SECONDS} s`,
          filter: what === 'ports'
            ? `ip.src == ${src} && ip.dst == ${span}`
            : `ip.src == ${src} && ${Number(protocol) === TCP ? 'tcp' : 'udp'}` +
              `.dstport == ${port}`,
          flows: spanFlows,
          score: 100 + peak,
        });
      }
    }
  }
  return findings;
}

/** Most distinct targets within any window of SCAN_WINDOW_SECONDS. */
function peakDistinct(
  input: FindingInput,
  flows: number[],
  target: (flow: number) => string,
): number {
  const c = input.columns;
  const counts = new Map<string, number>();
  let peak = 0;
  let start = 0;
  for (let end = 0; end < flows.length; end++) {
    const key = target(flows[end]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    while (c.firstSeconds[flows[end]] - c.firstSeconds[flows[start]] >
      SCAN_WINDOW_SECONDS) {
      const old = target(flows[start++]);
      const left = (counts.get(old) ?? 1) - 1;
      if (left === 0) counts.delete(old);
      else counts.set(old, left);
    }
    peak = Math.max(peak, counts.size);
  }
  return peak;
}

/** TCP connection attempts that never got going, by destination and port. */
export function findFailedConnections(input: FindingInput): Finding[] {
  const c = input.columns;
  const groups = new Map<string, number[]>();
  for (let flow = 0; flow < c.count; flow++) {
    if (c.protocol[flow] !== TCP || input.explained[flow]) continue;
    if (!FAILED_STATES.has(flowState(c, flow))) continue;
    const key = `${address(input, flow, 'dst')} ${c.dstPort[flow]}`;
    const list = groups.get(key);
    if (list) list.push(flow);
    else groups.set(key, [flow]);
  }
  const findings: Finding[] = [];
  for (const [key, flows] of groups) {
    const [dst, port] = key.split(' ');
    const rejected = flows.filter((f) => flowState(c, f) === 'REJ').length;
    const unanswered = flows.filter((f) => flowState(c, f) === 'S0').length;
    const detail = [
      rejected ? `${rejected} rejected` : '',
      unanswered ? `${unanswered} unanswered` : '',
    ].filter(Boolean).join(', ');
    findings.push({
      kind: 'failed-connections',
      reason: `${plural(flows.length, 'connection attempt')} to ` +
        `${dst.includes(':') ? `[${dst}]` : dst}:${port} failed` +
        (detail ? ` (${detail})` : ''),
      filter: `ip.dst == ${dst} && tcp.dstport == ${port} && ` +
        'tcp.state in {S0 REJ RSTOS0 SH}',
      flows,
      score: 50 + flows.length,
    });
  }
  return findings;
}

/** Names that did not resolve, and queries that got no answer. */
export function findDnsFailures(input: FindingInput): Finding[] {
  const c = input.columns;
  const findings: Finding[] = [];
  const flowsByName = new Map<string, number[]>();
  for (let flow = 0; flow < c.count; flow++) {
    const app = APP_NAMES[c.app[flow]];
    if (app !== 'dns' || c.host[flow] < 0) continue;
    const name = input.names[c.host[flow]];
    const list = flowsByName.get(name);
    if (list) list.push(flow);
    else flowsByName.set(name, [flow]);
  }
  for (const [name, flows] of flowsByName) {
    const stats = input.dnsNames.get(name);
    const failed = flows.filter((f) =>
      DNS_FAILURE_CODES.includes(c.dnsRcode[f]));
    if (failed.length > 0) {
      const codes = [...new Set(failed.map((f) => c.dnsRcode[f]))]
        .map(dnsRcodeName).join(', ');
      findings.push({
        kind: 'dns-failure',
        reason: `${name} did not resolve: ${codes}` +
          (stats ? ` (${plural(stats.queries, 'query')})` : ''),
        filter: `dns && host == ${quote(name)} && dns.rcode != 0`,
        flows: failed,
        score: 40 + failed.length,
      });
    }
    // Queries to a unicast resolver that never got a response.
    const unanswered = flows.filter((f) => c.dnsRcode[f] < 0 &&
      c.packetsIn[f] === 0 &&
      classifyAddress(c.version[f], c.dstAddr, f * 4) !== 'multicast');
    if (unanswered.length > 0) {
      findings.push({
        kind: 'dns-failure',
        reason: `${plural(unanswered.length, 'query')} for ${name} got no ` +
          'answer',
        filter: `dns && host == ${quote(name)} && packets.in == 0`,
        flows: unanswered,
        score: 30 + unanswered.length,
      });
    }
  }
  return findings;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function flowFilter(input: FindingInput, flow: number): string {
  const c = input.columns;
  const parts = [`ip.src == ${address(input, flow, 'src')}`,
    `ip.dst == ${address(input, flow, 'dst')}`];
  if (c.srcPort[flow] >= 0 && (c.protocol[flow] === TCP ||
    c.protocol[flow] === UDP)) {
    parts.push(`srcport == ${c.srcPort[flow]}`,
      `dstport == ${c.dstPort[flow]}`);
  }
  return parts.join(' && ');
}

/** Flows far larger, or far longer, than the capture's usual ones. */
export function findOutsizedFlows(input: FindingInput): Finding[] {
  const c = input.columns;
  const sizes: number[] = [];
  const durations: number[] = [];
  const usualSizes: number[] = [];
  const usualDurations: number[] = [];
  for (let flow = 0; flow < c.count; flow++) {
    sizes.push(c.bytesOut[flow] + c.bytesIn[flow]);
    durations.push(flowDuration(c, flow));
    // What is usual is judged without the flows a scan made.
    if (input.explained[flow]) continue;
    usualSizes.push(sizes[flow]);
    usualDurations.push(durations[flow]);
  }
  const typicalBytes = median(usualSizes);
  const typicalSeconds = median(usualDurations);
  const findings: Finding[] = [];
  for (let flow = 0; flow < c.count; flow++) {
    const bytes = sizes[flow];
    if (bytes >= OUTSIZED_MIN_BYTES && bytes >= typicalBytes * OUTSIZED_FACTOR) {
      findings.push({
        kind: 'outsized-flow',
        reason: `${address(input, flow, 'src')} -> ` +
          `${address(input, flow, 'dst')} moved ${formatBytes(bytes)}, ` +
          `${Math.round(bytes / Math.max(1, typicalBytes))
            .toLocaleString('en-US')} times the ` +
          `median flow (${formatBytes(typicalBytes)})`,
        filter: flowFilter(input, flow),
        flows: [flow],
        score: 60 + Math.log10(bytes),
      });
    }
    const seconds = durations[flow];
    if (seconds >= LONG_MIN_SECONDS &&
      seconds >= typicalSeconds * LONG_FACTOR) {
      findings.push({
        kind: 'long-flow',
        reason: `${address(input, flow, 'src')} -> ` +
          `${address(input, flow, 'dst')} lasted ` +
          `${(seconds / 3600).toFixed(1)} h, far above the median ` +
          `${typicalSeconds.toFixed(1)} s`,
        filter: flowFilter(input, flow),
        flows: [flow],
        score: 20,
      });
    }
  }
  return findings;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Remote countries and server ports that appear in one flow only. */
export function findRarities(input: FindingInput): Finding[] {
  const c = input.columns;
  if (c.count < RARE_MIN_FLOWS) return [];
  const findings: Finding[] = [];

  const countries = input.countries;
  if (countries) {
    const byCountry = new Map<string, number[]>();
    for (let flow = 0; flow < c.count; flow++) {
      for (const index of [countries.src[flow], countries.dst[flow]]) {
        const code = countries.codes[index];
        if (code.length !== 2) continue; // unknown or an address class
        const list = byCountry.get(code);
        if (!list) byCountry.set(code, [flow]);
        else if (list[list.length - 1] !== flow) list.push(flow);
      }
    }
    for (const [code, flows] of byCountry) {
      if (flows.length !== 1) continue;
      if (findings.length >= RARE_MAX_FINDINGS) break;
      findings.push({
        kind: 'rare-country',
        reason: `the only flow with ${code} in ${c.count} flows`,
        filter: `country == ${code}`,
        flows,
        score: 10,
      });
    }
  }

  const byPort = new Map<string, number[]>();
  for (let flow = 0; flow < c.count; flow++) {
    const protocol = c.protocol[flow];
    if ((protocol !== TCP && protocol !== UDP) || c.dstPort[flow] < 0) continue;
    // The server's port: below the ephemeral range (RFC 6335).
    const port = Math.min(c.srcPort[flow], c.dstPort[flow]);
    if (port >= 49152) continue;
    const key = `${protocol === TCP ? 'tcp' : 'udp'}.port == ${port}`;
    const list = byPort.get(key);
    if (list) list.push(flow);
    else byPort.set(key, [flow]);
  }
  let ports = 0;
  for (const [filter, flows] of byPort) {
    if (flows.length !== 1) continue;
    if (ports++ >= RARE_MAX_FINDINGS) break;
    findings.push({
      kind: 'rare-port',
      reason: `the only flow on ${filter.replace('.port ==', ' port')} in ` +
        `${c.count} flows`,
      filter,
      flows,
      score: 10,
    });
  }
  return findings;
}

/** HTTP, Telnet or FTP in a capture whose other traffic is encrypted. */
export function findCleartext(input: FindingInput): Finding[] {
  const c = input.columns;
  let encrypted = 0;
  const byServer = new Map<string, number[]>();
  for (let flow = 0; flow < c.count; flow++) {
    const app = APP_NAMES[c.app[flow]];
    if (ENCRYPTED_APPS.includes(app)) encrypted++;
    // Only flows that carried data said anything in clear text; a port
    // alone (a scan's probe of port 23) did not.
    if (!CLEARTEXT_APPS.includes(app) || input.explained[flow]) continue;
    if (c.protocol[flow] === TCP &&
      (c.tcpHistory[flow] & (HISTORY.DATA_O | HISTORY.DATA_R)) === 0) {
      continue;
    }
    const key = `${app} ${address(input, flow, 'dst')}`;
    const list = byServer.get(key);
    if (list) list.push(flow);
    else byServer.set(key, [flow]);
  }
  let cleartext = 0;
  for (const flows of byServer.values()) cleartext += flows.length;
  if (encrypted <= cleartext) return [];
  return [...byServer].map(([key, flows]) => {
    const [app, dst] = key.split(' ');
    const host = c.host[flows[0]] >= 0 ? input.names[c.host[flows[0]]] : '';
    return {
      kind: 'cleartext' as const,
      reason: `${plural(flows.length, `${app.toUpperCase()} flow`)} to ` +
        `${host || dst} in clear text, where ${encrypted} other flows are ` +
        'encrypted',
      filter: `${app} && ip.dst == ${dst}`,
      flows,
      score: 15 + flows.length,
    };
  });
}
