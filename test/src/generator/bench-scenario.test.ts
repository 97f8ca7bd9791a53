import assert from 'node:assert/strict';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  type BenchCaptureStats,
  parseByteSize,
  SMALL_FRAME_BYTES,
  writeBenchCapture,
} from './bench-scenario.js';
import { fileSink, PcapWriter } from './pcap-writer.js';

// The benchmark capture is read back with a small reader of its own, not
// with the generator's code, and its mix is checked against what the
// benchmark promises: mean frame 500-700 bytes, at least 40% of frames of
// 100 bytes or less, about 10% VLAN-tagged and 30% IPv6 frames.

const TARGET_BYTES = 5_000_000;

function generate(targetBytes: number): {
  bytes: Uint8Array;
  stats: BenchCaptureStats;
} {
  const writer = new PcapWriter();
  const stats = writeBenchCapture({ targetBytes }, writer);
  writer.finish();
  return { bytes: writer.toUint8Array(), stats };
}

interface Walked {
  packets: number;
  wireBytes: number;
  small: number;
  vlan: number;
  ipv6: number;
  flowOfPacket: string[];
  protocolOfFlow: Map<string, string>;
  syns: number;
  fins: number;
  resets: number;
  dnsQueries: number;
  badChecksums: string[];
  timesInOrder: boolean;
  recordsFillFile: boolean;
  wholeFrames: boolean;
}

function walk(file: Uint8Array): Walked {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  assert.equal(view.getUint32(0, true), 0xa1b2c3d4, 'classic pcap, LE, µs');
  assert.equal(view.getUint32(20, true), 1, 'Ethernet');

  const w: Walked = {
    packets: 0,
    wireBytes: 0,
    small: 0,
    vlan: 0,
    ipv6: 0,
    flowOfPacket: [],
    protocolOfFlow: new Map(),
    syns: 0,
    fins: 0,
    resets: 0,
    dnsQueries: 0,
    badChecksums: [],
    timesInOrder: true,
    recordsFillFile: false,
    wholeFrames: true,
  };
  let lastMicros = 0;
  let offset = 24;
  while (offset + 16 <= file.length) {
    const micros =
      view.getUint32(offset, true) * 1e6 + view.getUint32(offset + 4, true);
    const included = view.getUint32(offset + 8, true);
    const original = view.getUint32(offset + 12, true);
    if (micros < lastMicros) w.timesInOrder = false;
    lastMicros = micros;
    if (included !== original) w.wholeFrames = false;
    const frame = file.subarray(offset + 16, offset + 16 + included);
    offset += 16 + included;

    w.packets++;
    w.wireBytes += original;
    if (original <= SMALL_FRAME_BYTES) w.small++;
    decodeFrame(frame, w);
  }
  w.recordsFillFile = offset === file.length;
  return w;
}

function decodeFrame(frame: Uint8Array, w: Walked): void {
  const u16 = (at: number): number => (frame[at] << 8) | frame[at + 1];
  let typeAt = 12;
  if (u16(12) === 0x8100) {
    w.vlan++;
    typeAt = 16;
  }
  const ipAt = typeAt + 2;
  let protocol: number;
  let l4At: number;
  let l4Bytes: number;
  let src: string;
  let dst: string;
  let pseudo: number;
  if (u16(typeAt) === 0x0800) {
    const headerBytes = (frame[ipAt] & 0x0f) * 4;
    if (wordSum(frame, ipAt, ipAt + headerBytes, 0) !== 0xffff) {
      w.badChecksums.push(`IPv4 header of packet ${w.packets}`);
    }
    protocol = frame[ipAt + 9];
    l4At = ipAt + headerBytes;
    l4Bytes = u16(ipAt + 2) - headerBytes;
    src = frame.subarray(ipAt + 12, ipAt + 16).join('.');
    dst = frame.subarray(ipAt + 16, ipAt + 20).join('.');
    pseudo = protocol === 1 ? 0 : wordSum(frame, ipAt + 12, ipAt + 20, 0);
  } else {
    assert.equal(u16(typeAt), 0x86dd, 'IPv4 or IPv6');
    w.ipv6++;
    protocol = frame[ipAt + 6];
    l4At = ipAt + 40;
    l4Bytes = u16(ipAt + 4);
    src = Buffer.from(frame.subarray(ipAt + 8, ipAt + 24)).toString('hex');
    dst = Buffer.from(frame.subarray(ipAt + 24, ipAt + 40)).toString('hex');
    pseudo = wordSum(frame, ipAt + 8, ipAt + 40, 0);
  }
  if (protocol !== 1) pseudo += protocol + l4Bytes;
  if (wordSum(frame, l4At, l4At + l4Bytes, pseudo) !== 0xffff) {
    w.badChecksums.push(`protocol ${protocol} of packet ${w.packets}`);
  }

  let a: string;
  let b: string;
  let name: string;
  if (protocol === 6 || protocol === 17) {
    a = `${src}/${u16(l4At)}`;
    b = `${dst}/${u16(l4At + 2)}`;
    name = protocol === 6 ? 'tcp' : 'udp';
    if (protocol === 6) {
      const flags = frame[l4At + 13];
      if ((flags & 0x12) === 0x02) w.syns++;
      if (flags & 0x01) w.fins++;
      if (flags & 0x04) w.resets++;
    } else if (u16(l4At + 2) === 53) {
      w.dnsQueries++;
    }
  } else {
    assert.ok(protocol === 1 || protocol === 58, `protocol ${protocol}`);
    // An echo's flow: both addresses and the identifier.
    a = `${src} id ${u16(l4At + 4)}`;
    b = `${dst} id ${u16(l4At + 4)}`;
    name = protocol === 1 ? 'icmp' : 'icmpv6';
  }
  const key = `${name} ${a < b ? `${a} ${b}` : `${b} ${a}`}`;
  w.flowOfPacket.push(key);
  w.protocolOfFlow.set(key, name);
}

/** One's complement sum of big-endian words, folded; 0xffff if valid. */
function wordSum(
  bytes: Uint8Array,
  start: number,
  end: number,
  extra: number,
): number {
  let sum = extra;
  for (let i = start; i < end; i += 2) {
    sum += (bytes[i] << 8) | (i + 1 < end ? bytes[i + 1] : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

const capture = generate(TARGET_BYTES);
const walked = walk(capture.bytes);

test('bench capture: the same size gives the same bytes, streamed or not', () => {
  // A second run, streamed to a file in small pieces, against the first,
  // kept in memory.
  const dir = mkdtempSync(join(tmpdir(), 'capscope-bench-test-'));
  try {
    const path = join(dir, 'bench.pcap');
    const fd = openSync(path, 'w');
    let stats: BenchCaptureStats;
    try {
      const writer = new PcapWriter({
        sink: fileSink(fd),
        chunkBytes: 64 * 1024,
      });
      stats = writeBenchCapture({ targetBytes: TARGET_BYTES }, writer);
      writer.finish();
    } finally {
      closeSync(fd);
    }
    assert.ok(readFileSync(path).equals(capture.bytes));
    assert.deepEqual(stats, capture.stats);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench capture: a smaller size is a prefix of a larger one', () => {
  const small = generate(1_000_000);
  assert.ok(small.bytes.length <= 1_000_000);
  assert.ok(
    Buffer.from(capture.bytes.subarray(0, small.bytes.length)).equals(
      small.bytes,
    ),
  );
});

test('bench capture: about the size asked, whole records in time order', () => {
  const size = capture.bytes.length;
  assert.ok(size <= TARGET_BYTES, `${size} bytes`);
  assert.ok(size > TARGET_BYTES - 1600, `${size} bytes: stops within a record`);
  assert.ok(walked.recordsFillFile, 'records fill the file exactly');
  assert.ok(walked.wholeFrames, 'no frame is cut');
  assert.ok(walked.timesInOrder, 'timestamps never go back');
});

test('bench capture: the mix the benchmark promises', () => {
  const mean = walked.wireBytes / walked.packets;
  const share = (part: number): number => part / walked.packets;
  assert.ok(mean >= 500 && mean <= 700, `mean frame ${mean.toFixed(1)} bytes`);
  assert.ok(share(walked.small) >= 0.4, `small frames ${share(walked.small)}`);
  assert.ok(
    share(walked.vlan) >= 0.07 && share(walked.vlan) <= 0.13,
    `VLAN-tagged frames ${share(walked.vlan)}`,
  );
  assert.ok(
    share(walked.ipv6) >= 0.25 && share(walked.ipv6) <= 0.35,
    `IPv6 frames ${share(walked.ipv6)}`,
  );
  assert.ok(walked.syns > 0 && walked.fins > 0, 'handshakes and FINs');
  assert.ok(walked.dnsQueries > 0, 'DNS queries');
  const protocols = new Set(walked.protocolOfFlow.values());
  for (const name of ['tcp', 'udp', 'icmp', 'icmpv6']) {
    assert.ok(protocols.has(name), `a ${name} flow`);
  }
});

test('bench capture: every checksum verifies', () => {
  assert.deepEqual(walked.badChecksums.slice(0, 5), []);
});

test("bench capture: its figures are the file's", () => {
  const { stats } = capture;
  assert.equal(stats.fileBytes, capture.bytes.length);
  assert.equal(stats.packets, walked.packets);
  assert.equal(stats.wireBytes, walked.wireBytes);
  assert.equal(stats.smallFrames, walked.small);
  assert.equal(stats.vlanFrames, walked.vlan);
  assert.equal(stats.ipv6Frames, walked.ipv6);
  assert.equal(stats.tcpSyns, walked.syns);
  assert.equal(stats.dnsQueries, walked.dnsQueries);
  assert.equal(stats.concurrentFlows, 100_000);

  const byProtocol = { tcp: 0, udp: 0, icmp: 0, icmpv6: 0 };
  for (const name of walked.protocolOfFlow.values()) {
    byProtocol[name as keyof typeof byProtocol]++;
  }
  assert.equal(stats.flows, walked.protocolOfFlow.size);
  assert.deepEqual(stats.flowsByProtocol, byProtocol);
});

test('bench capture: flows interleave', () => {
  // A flow is interleaved when another flow's packet comes between its
  // first and last: most flows with more than one packet are.
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const count = new Map<string, number>();
  walked.flowOfPacket.forEach((key, i) => {
    if (!first.has(key)) first.set(key, i);
    last.set(key, i);
    count.set(key, (count.get(key) ?? 0) + 1);
  });
  let multi = 0;
  let interleaved = 0;
  for (const [key, n] of count) {
    if (n < 2) continue;
    multi++;
    if (last.get(key)! - first.get(key)! + 1 > n) interleaved++;
  }
  assert.ok(multi > 500, `${multi} flows of two packets or more`);
  assert.ok(interleaved / multi > 0.9, `${interleaved} of ${multi} interleave`);
});

test('bench capture: sizes and options are checked', () => {
  assert.equal(parseByteSize('200M'), 200_000_000);
  assert.equal(parseByteSize('1G'), 1_000_000_000);
  assert.equal(parseByteSize('5000000'), 5_000_000);
  assert.throws(() => parseByteSize('1 TB'), RangeError);
  assert.throws(
    () => writeBenchCapture({ targetBytes: 10 }, new PcapWriter()),
    RangeError,
  );
  assert.throws(
    () =>
      writeBenchCapture(
        { targetBytes: 1000, concurrentFlows: 0 },
        new PcapWriter(),
      ),
    RangeError,
  );
});
