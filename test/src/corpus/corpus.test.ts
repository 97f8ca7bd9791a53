import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FlowRecord } from '@capscope/analytics/flow-record';
import type { Conversation } from './corpus.js';
import {
  analyseFile,
  corpusFiles,
  endpointKey,
  readTruth,
} from './corpus.js';

interface KnownDifference {
  file: string;
  what: string;
  ours: string;
  tshark: string;
  why: string;
}

const KNOWN: KnownDifference[] = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../known-differences.json', import.meta.url)),
    'utf8',
  ),
).differences;

function describe(items: Array<{ packets: number; bytes: number }>) {
  const packets = items.reduce((n, i) => n + i.packets, 0);
  const bytes = items.reduce((n, i) => n + i.bytes, 0);
  return `${items.length} flows, ${packets} packets, ${bytes} bytes`;
}

/** capinfos prints "YYYY-MM-DD HH:MM:SS.ffffff": compare as far as it does. */
function sameTime(ours: string | null, capinfos: string | null): boolean {
  if (ours === null || capinfos === null) return ours === capinfos;
  const text = ours.replace('T', ' ').replace('Z', '');
  return text.startsWith(capinfos) &&
    /^0*$/.test(text.slice(capinfos.length).replace('.', ''));
}

/** Every way we differ from the truth files, as one comparable list. */
function differences(name: string): Array<Omit<KnownDifference, 'why'>> {
  const truth = readTruth(name);
  const { analysis, refused, flows } = analyseFile(name);
  const found: Array<Omit<KnownDifference, 'why'>> = [];
  const cap = truth.capinfos;

  if (refused) {
    if (cap.status === 'ok') {
      found.push({ file: name, what: 'refused', ours: refused.kind,
        tshark: cap.status });
    }
    return found;
  }
  assert.ok(analysis);
  const summary = analysis.summary();
  if (cap.packets !== null &&
    (cap.packets !== summary.packets || cap.data_size_bytes !== summary.bytes)) {
    found.push({ file: name, what: 'totals',
      ours: `${summary.packets} packets, ${summary.bytes} bytes`,
      tshark: `${cap.packets} packets, ${cap.data_size_bytes} bytes` });
  }
  if (cap.packets === null && summary.packets > 0) {
    found.push({ file: name, what: 'totals',
      ours: `${summary.packets} packets, ${summary.bytes} bytes`,
      tshark: `capinfos ${cap.status}` });
  }
  if (cap.packets !== null &&
    (!sameTime(summary.firstSeen, cap.first_packet_time_utc) ||
      !sameTime(summary.lastSeen, cap.last_packet_time_utc))) {
    found.push({ file: name, what: 'time span',
      ours: `${summary.firstSeen} .. ${summary.lastSeen}`,
      tshark: `${cap.first_packet_time_utc} .. ${cap.last_packet_time_utc}` });
  }

  const ours = new Map<string, FlowRecord[]>();
  for (const flow of flows) {
    if (flow.proto !== 'tcp' && flow.proto !== 'udp') continue;
    const key = endpointKey(flow.proto, flow.src, flow.srcPort, flow.dst,
      flow.dstPort);
    ours.set(key, [...(ours.get(key) ?? []), flow]);
  }
  const theirs = new Map<string, Conversation[]>();
  for (const c of truth.tshark.conversations ?? []) {
    if (c.proto !== 'tcp' && c.proto !== 'udp') continue;
    const key = endpointKey(c.proto, c.a, c.aport, c.b, c.bport);
    theirs.set(key, [...(theirs.get(key) ?? []), c]);
  }
  for (const [key, conversations] of theirs) {
    const mine = ours.get(key) ?? [];
    const a = describe(mine);
    const b = describe(conversations);
    if (a !== b) found.push({ file: name, what: key, ours: a, tshark: b });
  }
  for (const [key, mine] of ours) {
    if (theirs.has(key) || mine[0].srcPort === null) continue;
    found.push({ file: name, what: key, ours: describe(mine),
      tshark: 'no conversation' });
  }

  // A link type read wrongly cannot hide behind correct record counts:
  // every address pair tshark saw must be the pair of some flow.
  const pairs = new Set(flows.map((f) =>
    endpointKey('ip', f.src, null, f.dst, null)));
  for (const c of truth.tshark.conversations ?? []) {
    if (c.proto !== 'ip' && c.proto !== 'ipv6') continue;
    const pair = endpointKey('ip', c.a, null, c.b, null);
    if (!pairs.has(pair)) {
      found.push({ file: name, what: pair, ours: 'no flow',
        tshark: describe([c]) });
    }
  }
  return found;
}

const files = corpusFiles();

test('the corpus is there', () => {
  assert.ok(files.length >= 40, `found ${files.length} captures`);
});

test('flows, totals and times agree with tshark and capinfos, except ' +
  'where known-differences.json says why', () => {
  const actual = files.flatMap(differences);
  const expected = KNOWN.map(({ why, ...rest }) => {
    assert.ok(why.length > 20, `a reason for ${rest.file} ${rest.what}`);
    return rest;
  });
  const key = (d: Omit<KnownDifference, 'why'>) => JSON.stringify(d);
  assert.deepEqual(actual.map(key).sort(), expected.map(key).sort());
});

test('known differences stay under 1% of the conversations', () => {
  let conversations = 0;
  for (const name of files) {
    conversations += (readTruth(name).tshark.conversations ?? []).filter(
      (c) => c.proto === 'tcp' || c.proto === 'udp').length;
  }
  const conversationDifferences = KNOWN.filter((d) =>
    d.what.startsWith('tcp ') || d.what.startsWith('udp '));
  assert.ok(conversations > 1000);
  assert.ok(conversationDifferences.length < conversations / 100,
    `${conversationDifferences.length} of ${conversations}`);
});

test('any chunking gives identical flows, problems and totals', () => {
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return 1 + (seed % 9000);
  };
  for (const name of files) {
    const whole = analyseFile(name);
    const chunked = analyseFile(name, random());
    assert.deepEqual(chunked.flows, whole.flows, name);
    assert.deepEqual(chunked.analysis?.summary(), whole.analysis?.summary(),
      name);
    assert.equal(chunked.refused?.message, whole.refused?.message, name);
  }
});
