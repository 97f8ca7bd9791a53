import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilterText, filterFlows } from '../filter/compile.js';
import type { FlowCountries } from '../geo.js';
import { addressText, findAddress, indexAddresses } from './address-index.js';
import { countryVolumes, remoteCountryVolumes } from './countries.js';
import { durationHistogram } from './durations.js';
import { endpointTotals, roleRankings, topTalker } from './endpoints.js';
import { topIndexes } from './flow-set.js';
import {
  DEFAULT_HOME_NETWORKS,
  homeMask,
  parseHomeNetworks,
  REMOTE_DST,
  REMOTE_NONE,
  REMOTE_SRC,
  remoteSides,
} from './home-networks.js';
import { ipDetail } from './ip-detail.js';
import { protocolVolumes, transportVolumes } from './protocols.js';
import { protocolCountrySankey } from './sankey.js';
import { allFlows, testColumns } from './testing.js';
import { ownVolumes } from './volumes.js';

const FLOWS = testColumns([
  { src: '10.0.0.4', dst: '8.8.8.8', protocol: 17, app: 'dns', dstPort: 53,
    out: [1, 80], back: [1, 120] },
  { src: '10.0.0.4', dst: '194.25.2.129', app: 'tls', out: [10, 1000],
    back: [20, 30000], last: 1764496800 + 7 },
  { src: '133.11.0.1', dst: '10.0.0.4', app: 'ssh', dstPort: 22,
    out: [5, 500], back: [5, 700], last: 1764496800 + 4000 },
  { src: '10.0.0.4', dst: '10.0.0.5', protocol: 17, dstPort: 9999,
    out: [3, 300] },
  { src: '2003:0:1300::1', dst: 'fd00::1', out: [2, 200], back: [2, 200] },
]);

/** Codes as GeoIP would give them for FLOWS' addresses. */
function testCountries(): FlowCountries {
  const codes = ['', 'private', 'US', 'DE', 'JP'];
  const byText: Record<string, number> = { '10.0.0.4': 1, '10.0.0.5': 1,
    '8.8.8.8': 2, '194.25.2.129': 3, '133.11.0.1': 4, '2003:0:1300::1': 3,
    'fd00::1': 1 };
  const index = indexAddresses(FLOWS);
  const src = new Uint16Array(FLOWS.count);
  const dst = new Uint16Array(FLOWS.count);
  for (let f = 0; f < FLOWS.count; f++) {
    src[f] = byText[addressText(index, index.src[f])];
    dst[f] = byText[addressText(index, index.dst[f])];
  }
  return { src, dst, codes };
}

function defaultSides(): Uint8Array {
  const index = indexAddresses(FLOWS);
  return remoteSides(index, homeMask(index,
    parseHomeNetworks(DEFAULT_HOME_NETWORKS).networks));
}

test('the address index holds each address once', () => {
  const index = indexAddresses(FLOWS);
  assert.equal(index.count, 7);
  assert.equal(index.src[0], index.src[1]);
  assert.equal(index.dst[2], index.src[0]);
  assert.equal(addressText(index, index.src[4]), '2003:0:1300::1');
  assert.equal(findAddress(index, '194.25.2.129'), index.dst[1]);
  assert.equal(findAddress(index, '1.2.3.4'), -1);
});

test('home networks decide which end is remote', () => {
  const parsed = parseHomeNetworks([...DEFAULT_HOME_NETWORKS, '# VNet',
    'nonsense']);
  assert.equal(parsed.networks.length, DEFAULT_HOME_NETWORKS.length);
  assert.deepEqual(parsed.errors,
    ['"nonsense" is not a network such as 10.1.0.0/16']);
  assert.deepEqual([...defaultSides()],
    [REMOTE_DST, REMOTE_DST, REMOTE_SRC, REMOTE_NONE, REMOTE_SRC]);

  // An edited list: 8.8.8.0/24 is home too, so the DNS flow stays inside.
  const index = indexAddresses(FLOWS);
  const edited = parseHomeNetworks(['10.0.0.0/8', '8.8.8.0/24']).networks;
  assert.equal(remoteSides(index, homeMask(index, edited))[0], REMOTE_NONE);
});

test('a country counts the flows either end is in, as its filter keeps', () => {
  const countries = testCountries();
  const rows = countryVolumes(allFlows(FLOWS), countries);
  for (const row of rows) {
    if (row.filter === null) continue;
    const keep = compileFilterText(row.filter,
      { columns: FLOWS, names: [], countries });
    assert.equal(filterFlows(keep, FLOWS.count).length, row.flows, row.code);
  }
  const de = rows.find((row) => row.code === 'DE');
  assert.deepEqual(
    de && [de.flows, de.bytes, de.bytesSent, de.bytesReceived],
    [2, 31000 + 400, 30000 + 200, 1000 + 200]);
  const local = rows.find((row) => row.code === 'private');
  // A flow inside one class counts its bytes once.
  assert.deepEqual(local && [local.flows, local.bytes],
    [5, 200 + 31000 + 1200 + 300 + 400]);
});

test('the remote country is the far end, local flows apart', () => {
  const rows = remoteCountryVolumes(allFlows(FLOWS), testCountries(),
    defaultSides());
  const byCode = Object.fromEntries(rows.map((r) => [r.code, r]));
  assert.equal(byCode.US.bytesSent, 120);
  assert.equal(byCode.JP.bytesSent, 500);
  assert.equal(byCode.local.flows, 1);
  assert.equal(byCode.DE.flows, 2);
  assert.equal(rows.reduce((sum, row) => sum + row.flows, 0), FLOWS.count);
});

test('protocols group by application, else transport', () => {
  const rows = protocolVolumes(allFlows(FLOWS));
  assert.deepEqual(rows.map((row) => [row.label, row.flows]),
    [['tls', 1], ['ssh', 1], ['tcp', 1], ['udp', 1], ['dns', 1]]);
  for (const row of rows) {
    const keep = compileFilterText(row.filter, { columns: FLOWS, names: [] });
    assert.equal(filterFlows(keep, FLOWS.count).length, row.flows, row.filter);
  }
  const transports = transportVolumes(allFlows(FLOWS));
  assert.deepEqual(transports.map((row) => [row.label, row.flows]),
    [['tcp', 3], ['udp', 2]]);
});

test('durations fall in their buckets, stacked by protocol', () => {
  const histogram = durationHistogram(allFlows(FLOWS));
  assert.equal(histogram.buckets.length, 12);
  assert.equal(histogram.buckets[0].label, '≤ 1 s');
  assert.equal(histogram.buckets[11].label, '> 1 h');
  const tls = histogram.series.find((s) => s.label === 'tls');
  assert.equal(tls?.flows[3], 1); // 7 s: in (5 s, 10 s]
  const ssh = histogram.series.find((s) => s.label === 'ssh');
  assert.equal(ssh?.flows[11], 1); // 4000 s
  for (const bucket of histogram.buckets) {
    compileFilterText(bucket.filter, { columns: FLOWS, names: [] });
  }
  const keep = compileFilterText(histogram.buckets[3].filter,
    { columns: FLOWS, names: [] });
  assert.deepEqual([...filterFlows(keep, FLOWS.count)], [1]);
});

test('endpoints sum what each address sent and received', () => {
  const index = indexAddresses(FLOWS);
  const totals = endpointTotals(allFlows(FLOWS), index);
  const host = findAddress(index, '10.0.0.4');
  assert.equal(totals.flows[host], 4);
  assert.equal(totals.bytesSent[host], 80 + 1000 + 700 + 300);
  assert.equal(totals.bytesReceived[host], 120 + 30000 + 500);
  assert.equal(addressText(index, topTalker(totals)), '10.0.0.4');
  const rankings = roleRankings(allFlows(FLOWS), index, 2);
  const dst = rankings.find((r) => r.role === 'destination' &&
    r.metric === 'bytesSent');
  assert.equal(addressText(index, dst?.ids[0] ?? -1), '194.25.2.129');
  assert.deepEqual(dst?.values, [30000, 700]);
});

test('a tunnel counts its frames once, in the inner flow', () => {
  const c = testColumns([
    { src: '192.0.2.1', dst: '192.0.2.2', protocol: 47, out: [12, 1200] },
    { src: '10.1.0.1', dst: '10.2.0.1', out: [10, 1000], outer: 0 },
  ]);
  const v = ownVolumes(c);
  assert.deepEqual([v.packetsOut[0], v.bytesOut[0]], [2, 200]);
  assert.deepEqual([v.packetsOut[1], v.bytesOut[1]], [10, 1000]);
  const plain = testColumns([{ src: '10.0.0.1', dst: '10.0.0.2' }]);
  assert.equal(ownVolumes(plain).bytesOut, plain.bytesOut);
});

test('the Sankey links protocols to remote countries', () => {
  const sankey = protocolCountrySankey(allFlows(FLOWS), testCountries(),
    defaultSides());
  const link = sankey.links.find((l) => l.source === 'p:tls');
  assert.deepEqual(link && [link.target, link.bytes], ['c:DE', 31000]);
  const total = sankey.links.reduce((sum, l) => sum + l.bytes, 0);
  assert.equal(total, 200 + 31000 + 1200 + 300 + 400);
  assert.ok(sankey.nodes.some((n) => n.id === 'c:local' && n.filter === null));
});

test("an IP's page: as source and as destination", () => {
  const index = indexAddresses(FLOWS);
  const countries = testCountries();
  const byAddress = new Uint16Array(index.count);
  for (let f = 0; f < FLOWS.count; f++) {
    byAddress[index.src[f]] = countries.src[f];
    byAddress[index.dst[f]] = countries.dst[f];
  }
  const detail = ipDetail(allFlows(FLOWS), {
    index, countries: { codes: countries.codes, byAddress },
    names: ['www.example.com'],
    addressNames: new Map([['10.0.0.4', 'vm.internal']]),
  }, findAddress(index, '10.0.0.4'), 10);
  assert.equal(detail.country, 'private');
  assert.deepEqual(detail.names, ['vm.internal']);
  assert.equal(detail.asSource.flows, 3);
  assert.equal(detail.asDestination.flows, 1);
  assert.equal(detail.asSource.peers[0].address, '194.25.2.129');
  assert.equal(detail.asSource.peers[0].country, 'DE');
  assert.equal(detail.asDestination.peers[0].address, '133.11.0.1');
  assert.equal(detail.asDestination.bytesSent, 700);
  assert.deepEqual([...detail.mask], [1, 1, 1, 1, 0]);
});

test('topIndexes keeps the largest, ties in index order', () => {
  assert.deepEqual(topIndexes([0, 5, 3, 5, 9, 1], 3), [4, 1, 3]);
  assert.deepEqual(topIndexes([0, 0], 3), []);
});
