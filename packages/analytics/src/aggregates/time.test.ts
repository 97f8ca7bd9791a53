import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodedPacket } from '@capscope/parser/decode';
import { newPacketRecord } from '@capscope/parser/record';
import { ACTIVITY_BINS, FlowActivity } from './flow-activity.js';
import { heatMap } from './heat-map.js';
import { flowHierarchy, ProtocolHierarchy } from './protocol-hierarchy.js';
import { allFlows, testColumns } from './testing.js';
import { flowsExtent, timelineSeries } from './timeline.js';

const T0 = 1764496800; // 2025-11-30T10:00:00Z, a Sunday

function record(seconds: number, bytes: number) {
  const r = newPacketRecord();
  r.hasTime = true;
  r.seconds = Math.floor(seconds);
  r.nanos = Math.round((seconds - Math.floor(seconds)) * 1e9);
  r.originalLength = bytes;
  return r;
}

test('activity keeps each flow’s traffic in time, as the capture grows', () => {
  const activity = new FlowActivity();
  // Flow 0 talks at the start and after 100 s; flow 1 in between; one
  // frame belongs to no flow.
  activity.add(0, record(T0, 100));
  activity.add(0, record(T0 + 0.0004, 100));
  activity.add(1, record(T0 + 50, 60));
  activity.add(-1, record(T0 + 60, 42));
  activity.add(0, record(T0 + 100, 1000));
  const snapshot = activity.snapshot();
  assert.ok(snapshot.binSeconds * ACTIVITY_BINS > 100);
  assert.equal(snapshot.cellCount, 3);
  assert.equal(snapshot.totalBytes.reduce((a, b) => a + b, 0), 1302);

  const c = testColumns([
    { src: '10.0.0.1', dst: '192.0.2.1', out: [3, 1200], first: T0,
      last: T0 + 100 },
    { src: '10.0.0.1', dst: '192.0.2.2', out: [1, 60], first: T0 + 50 },
  ]);
  const range = flowsExtent(c, null);
  assert.deepEqual(range, { fromSeconds: T0, toSeconds: T0 + 100 });
  const all = timelineSeries(c, snapshot, null, range!, 10);
  assert.ok(all.packets.length <= 10);
  assert.equal(all.bytes.reduce((a, b) => a + b, 0), 1302);
  assert.equal(all.exact, true);

  // Flow 0 alone: its traffic at both ends, nothing in the middle.
  const only0 = timelineSeries(c, snapshot, Uint8Array.of(1, 0), range!, 10);
  assert.equal(only0.bytes[0], 200);
  assert.equal(only0.bytes[only0.bytes.length - 1], 1000);
  assert.equal(only0.bytes.reduce((a, b) => a + b, 0), 1200);
  assert.equal(only0.flows.reduce((a, b) => a + b, 0), 2);

  // Without a record, a flow's volume is spread over its span.
  const spread = timelineSeries(c, null, Uint8Array.of(1, 0), range!, 4);
  assert.equal(spread.exact, false);
  assert.deepEqual([...spread.bytes], [300, 300, 300, 300]);
});

test('the heat map puts traffic in its day and hour, in the zone asked', () => {
  const activity = new FlowActivity();
  activity.add(0, record(T0, 500));
  activity.add(0, record(T0 + 3 * 3600 + 60, 700));
  const c = testColumns([{ src: '10.0.0.1', dst: '192.0.2.1', first: T0,
    last: T0 + 3 * 3600 }]);
  const utc = heatMap(c, activity.snapshot(), null, 0);
  assert.deepEqual(utc.rows, ['2025-11-30']);
  assert.equal(utc.bytes[0][10], 500);
  assert.equal(utc.bytes[0][13], 700);
  assert.equal(utc.flows[0][10], 1);
  // 15 hours east: 01:00 and 04:00 the next day.
  const east = heatMap(c, activity.snapshot(), Uint8Array.of(1), 15 * 60);
  assert.deepEqual(east.rows, ['2025-12-01']);
  assert.equal(east.bytes[0][1], 500);
  assert.equal(east.bytes[0][4], 700);
});

test('the hierarchy counts each level a frame reaches', () => {
  const hierarchy = new ProtocolHierarchy();
  const decoded = new DecodedPacket();
  const path = (names: number[]) => {
    decoded.headerCount = names.length;
    decoded.headers.set(names);
  };
  path([0, 15, 17]); // eth/ip/tcp
  hierarchy.count(decoded, 100, 0);
  path([0, 12]); // eth/arp
  hierarchy.count(decoded, 60, 0);
  path([]);
  hierarchy.count(decoded, 10, 0);
  assert.deepEqual(hierarchy.nodes().map((n) => [n.path, n.frames, n.bytes]),
    [['eth', 2, 160], ['eth/arp', 1, 60], ['eth/ip', 1, 100],
      ['eth/ip/tcp', 1, 100], ['undecoded', 1, 10]]);
});

test('a filtered hierarchy counts the kept flows by version, transport, app', () => {
  const c = testColumns([
    { src: '10.0.0.1', dst: '192.0.2.1', app: 'tls', out: [3, 300] },
    { src: '10.0.0.1', dst: '192.0.2.1', protocol: 17, out: [1, 80] },
    { src: 'fd00::1', dst: 'fd00::2', out: [2, 200] },
  ]);
  const nodes = flowHierarchy(allFlows(c));
  assert.deepEqual(nodes.map((n) => [n.path, n.frames, n.bytes]),
    [['ip', 4, 380], ['ip/tcp', 3, 300], ['ip/tcp/tls', 3, 300],
      ['ip/udp', 1, 80], ['ipv6', 2, 200], ['ipv6/tcp', 2, 200]]);
});
