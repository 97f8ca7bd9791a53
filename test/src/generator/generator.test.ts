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
import { fileURLToPath } from 'node:url';

import { formatIpv6, parseIpv6 } from './addresses.js';
import { fileSink, PcapWriter } from './pcap-writer.js';
import {
  generateSample,
  SAMPLE_START_MICROS,
  type SampleManifest,
  type SampleOptions,
  writeSample,
} from './scenario.js';

// The file is read back here with its own small reader and decoder, not
// with the generator's code, so that a mistake is not checked by itself.

interface CaptureRecord {
  offset: number;
  seconds: number;
  micros: number;
  capturedLength: number;
  originalLength: number;
  frame: Uint8Array;
}

function readRecords(file: Uint8Array): CaptureRecord[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const records: CaptureRecord[] = [];
  let offset = 24;
  while (offset < file.length) {
    assert.ok(offset + 16 <= file.length, `record header at ${offset} is cut`);
    const capturedLength = view.getUint32(offset + 8, true);
    const end = offset + 16 + capturedLength;
    assert.ok(end <= file.length, `record at ${offset} runs past the end`);
    records.push({
      offset,
      seconds: view.getUint32(offset, true),
      micros: view.getUint32(offset + 4, true),
      capturedLength,
      originalLength: view.getUint32(offset + 12, true),
      frame: file.subarray(offset + 16, end),
    });
    offset = end;
  }
  assert.equal(offset, file.length, 'records fill the file exactly');
  return records;
}

interface DecodedFrame {
  vlanId: number | null;
  ipVersion: 4 | 6;
  /** Where the IP header starts, and the IP packet's length. */
  ipAt: number;
  ipBytes: number;
  protocol: number;
  /** Where the transport header starts, and its length with payload. */
  l4At: number;
  l4Bytes: number;
  src: string;
  dst: string;
}

function decode(frame: Uint8Array): DecodedFrame {
  const u16 = (at: number): number => (frame[at] << 8) | frame[at + 1];
  let typeAt = 12;
  let vlanId: number | null = null;
  if (u16(typeAt) === 0x8100) {
    vlanId = u16(14) & 0x0fff;
    typeAt = 16;
  }
  const ipAt = typeAt + 2;

  const etherType = u16(typeAt);
  if (etherType === 0x0800) {
    const headerBytes = (frame[ipAt] & 0x0f) * 4;
    const ipBytes = u16(ipAt + 2);
    return {
      vlanId,
      ipVersion: 4,
      ipAt,
      ipBytes,
      protocol: frame[ipAt + 9],
      l4At: ipAt + headerBytes,
      l4Bytes: ipBytes - headerBytes,
      src: frame.subarray(ipAt + 12, ipAt + 16).join('.'),
      dst: frame.subarray(ipAt + 16, ipAt + 20).join('.'),
    };
  }
  assert.equal(etherType, 0x86dd, 'every frame is IPv4 or IPv6');
  const payloadBytes = u16(ipAt + 4);
  return {
    vlanId,
    ipVersion: 6,
    ipAt,
    ipBytes: 40 + payloadBytes,
    protocol: frame[ipAt + 6],
    l4At: ipAt + 40,
    l4Bytes: payloadBytes,
    src: formatIpv6(frame.subarray(ipAt + 8, ipAt + 24)),
    dst: formatIpv6(frame.subarray(ipAt + 24, ipAt + 40)),
  };
}

/** The one's complement sum of 16-bit words, folded; 0xffff if valid. */
function foldedSum(parts: readonly Uint8Array[], extra = 0): number {
  let sum = extra;
  for (const bytes of parts) {
    for (let i = 0; i < bytes.length; i += 2) {
      sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
    }
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

function transportChecksumHolds(frame: Uint8Array, d: DecodedFrame): boolean {
  const segment = frame.subarray(d.l4At, d.l4At + d.l4Bytes);
  // ICMP over IPv4 sums its message alone.
  if (d.ipVersion === 4 && d.protocol === 1) {
    return foldedSum([segment]) === 0xffff;
  }

  const addressBytes = d.ipVersion === 4 ? 4 : 16;
  const srcAt = d.ipVersion === 4 ? d.ipAt + 12 : d.ipAt + 8;
  const addresses = frame.subarray(srcAt, srcAt + 2 * addressBytes);
  const pseudo = d.protocol + (d.l4Bytes >>> 16) + (d.l4Bytes & 0xffff);
  return foldedSum([addresses, segment], pseudo) === 0xffff;
}

/** A flow key as the analyser builds one: the two ends, unordered. */
function flowKey(d: DecodedFrame, frame: Uint8Array): string {
  const u16 = (at: number): number => (frame[at] << 8) | frame[at + 1];
  const isEcho = d.protocol === 1 || d.protocol === 58;
  const a = isEcho ? d.src : `${d.src} ${u16(d.l4At)}`;
  const b = isEcho ? d.dst : `${d.dst} ${u16(d.l4At + 2)}`;
  const ends = a < b ? `${a} ${b}` : `${b} ${a}`;
  // An echo's flow is its two addresses and the identifier.
  return isEcho ? `${ends} id ${u16(d.l4At + 4)}` : ends;
}

const PROTOCOL_NAMES = new Map([
  [6, 'tcp'],
  [17, 'udp'],
  [1, 'icmp'],
  [58, 'icmpv6'],
]);

const sample = generateSample();
const records = readRecords(sample.bytes);

test('the same options give byte-identical output', () => {
  const again = generateSample();
  assert.equal(Buffer.compare(sample.bytes, again.bytes), 0);
  assert.deepEqual(again.manifest, sample.manifest);

  const other = generateSample({ seed: 7 });
  assert.notEqual(Buffer.compare(sample.bytes, other.bytes), 0);
});

test('the global header is classic pcap, LE, µs, Ethernet', () => {
  const header = sample.bytes.subarray(0, 24);
  const view = new DataView(header.buffer, header.byteOffset, 24);
  assert.deepEqual([...header.subarray(0, 4)], [0xd4, 0xc3, 0xb2, 0xa1]);
  assert.equal(view.getUint16(4, true), 2, 'major version');
  assert.equal(view.getUint16(6, true), 4, 'minor version');
  assert.equal(view.getInt32(8, true), 0, 'thiszone');
  assert.equal(view.getUint32(12, true), 0, 'sigfigs');
  assert.equal(view.getUint32(16, true), 262144, 'snaplen');
  assert.equal(view.getUint32(20, true), 1, 'link type Ethernet');
});

test('every record holds its whole frame, in time order', () => {
  let lastMicros = 0;
  for (const record of records) {
    const where = `record at ${record.offset}`;
    assert.equal(record.capturedLength, record.originalLength, where);

    // The frame is the IP packet behind 14 bytes of Ethernet, padded to
    // the 60-byte minimum: nothing missing, nothing extra.
    const d = decode(record.frame);
    const expected = Math.max(60, 14 + d.ipBytes);
    assert.equal(record.capturedLength, expected, where);

    assert.ok(record.micros < 1e6, where);
    const tsMicros = record.seconds * 1e6 + record.micros;
    assert.ok(tsMicros >= Math.max(lastMicros, SAMPLE_START_MICROS), where);
    lastMicros = tsMicros;
  }
});

test('IPv4 header and transport checksums verify', () => {
  let ipv4Headers = 0;
  for (const record of records) {
    const d = decode(record.frame);
    const where = `record at ${record.offset}`;
    if (d.ipVersion === 4) {
      const header = record.frame.subarray(d.ipAt, d.l4At);
      assert.equal(foldedSum([header]), 0xffff, `IPv4 header, ${where}`);
      ipv4Headers++;
    }
    assert.ok(transportChecksumHolds(record.frame, d), `transport, ${where}`);
  }
  assert.ok(ipv4Headers > 0);
});

test('the flows in the file are the flows the manifest names', () => {
  const { manifest } = sample;
  const keys = new Map<string, Set<string>>();
  for (const record of records) {
    const d = decode(record.frame);
    const name = PROTOCOL_NAMES.get(d.protocol);
    assert.ok(name !== undefined, `protocol ${d.protocol}`);
    const set = keys.get(name) ?? new Set<string>();
    set.add(flowKey(d, record.frame));
    keys.set(name, set);
  }

  const counts = (name: string): number => keys.get(name)?.size ?? 0;
  assert.equal(counts('tcp'), manifest.flowsByProtocol.tcp);
  assert.equal(counts('udp'), manifest.flowsByProtocol.udp);
  assert.equal(counts('icmp'), manifest.flowsByProtocol.icmp);
  assert.equal(counts('icmpv6'), manifest.flowsByProtocol.icmpv6);

  // Every kind of traffic of the scenario is there.
  assert.ok(manifest.flowsByProtocol.icmp >= 1);
  assert.ok(manifest.flowsByProtocol.icmpv6 >= 1);
  for (const app of ['tls', 'http', 'ssh', 'quic', 'dns', 'ntp']) {
    assert.ok(manifest.flows.some((f) => f.app === app), `an ${app} flow`);
  }
});

test('the manifest adds up to the file', () => {
  const { manifest } = sample;
  assert.equal(manifest.packets, records.length);
  assert.equal(manifest.fileBytes, sample.bytes.length);
  const wireBytes = records.reduce((sum, r) => sum + r.originalLength, 0);
  assert.equal(manifest.bytes, wireBytes);

  const flows = manifest.flows;
  const total = (pick: (f: SampleManifest['flows'][number]) => number) =>
    flows.reduce((sum, flow) => sum + pick(flow), 0);
  assert.equal(total((f) => f.packets), manifest.packets);
  assert.equal(total((f) => f.bytes), manifest.bytes);
  assert.equal(total((f) => f.packetsOut + f.packetsIn), manifest.packets);
  assert.equal(total((f) => f.bytesOut + f.bytesIn), manifest.bytes);

  const first = records[0];
  const last = records[records.length - 1];
  assert.equal(manifest.firstSeenMicros, first.seconds * 1e6 + first.micros);
  assert.equal(manifest.lastSeenMicros, last.seconds * 1e6 + last.micros);
});

test('the default sample has the size the web app ships', () => {
  assert.ok(sample.bytes.length >= 100_000, `${sample.bytes.length} bytes`);
  assert.ok(sample.bytes.length <= 400_000, `${sample.bytes.length} bytes`);
  assert.ok(records.length >= 200, `${records.length} packets`);
  assert.ok(records.length <= 5_000, `${records.length} packets`);
});

test('writing to a file in small chunks gives the same bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capscope-generator-'));
  try {
    const path = join(dir, 'sample.pcap');
    const manifest = writeToFile(path, {}, 4 * 1024);
    assert.equal(Buffer.compare(readFileSync(path), sample.bytes), 0);
    assert.deepEqual(manifest, sample.manifest);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a VLAN tag goes after the MAC addresses of every frame', () => {
  const tagged = generateSample({ vlanId: 42 });
  const taggedRecords = readRecords(tagged.bytes);
  assert.equal(taggedRecords.length, records.length);

  taggedRecords.forEach((record, i) => {
    const plain = records[i].frame;
    const frame = record.frame;
    assert.equal(frame.length, plain.length + 4);
    assert.equal(record.originalLength, records[i].originalLength + 4);
    assert.deepEqual(frame.subarray(0, 12), plain.subarray(0, 12));
    assert.deepEqual([...frame.subarray(12, 16)], [0x81, 0x00, 0x00, 42]);
    assert.deepEqual(frame.subarray(16), plain.subarray(12));
    assert.equal(decode(frame).vlanId, 42);
  });
  const tagBytes = 4 * records.length;
  assert.equal(tagged.manifest.bytes, sample.manifest.bytes + tagBytes);
});

test('the writer cuts frames at the snap length, keeping their length', () => {
  const writer = new PcapWriter({ snapLengthBytes: 64 });
  const frame = new Uint8Array(100).map((_, i) => i);
  writer.writeFrame(SAMPLE_START_MICROS + 1, frame);
  writer.writeFrame(SAMPLE_START_MICROS + 2, frame, { id: 5, priority: 3 });
  const [cut, cutTagged] = readRecords(writer.toUint8Array());

  assert.equal(cut.capturedLength, 64);
  assert.equal(cut.originalLength, 100);
  assert.deepEqual(cut.frame, frame.subarray(0, 64));
  assert.equal(cutTagged.capturedLength, 64);
  assert.equal(cutTagged.originalLength, 104);
  // Priority 3 and ID 5 make the control field 0x6005.
  const tag = [...cutTagged.frame.subarray(12, 16)];
  assert.deepEqual(tag, [0x81, 0x00, 0x60, 0x05]);
});

test('IPv6 text follows RFC 5952', () => {
  const cases: [string, string][] = [
    ['2001:4860:4860:0:0:0:0:8888', '2001:4860:4860::8888'],
    ['FD12:3456:789A::0004', 'fd12:3456:789a::4'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ['0:0:1:0:0:1:0:0', '::1:0:0:1:0:0'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
  ];
  for (const [input, expected] of cases) {
    assert.equal(formatIpv6(parseIpv6(input)), expected, input);
  }
});

function writeToFile(
  path: string,
  options: SampleOptions,
  chunkBytes: number,
): SampleManifest {
  const fd = openSync(path, 'w');
  try {
    const writer = new PcapWriter({ sink: fileSink(fd), chunkBytes });
    const manifest = writeSample(options, writer);
    writer.finish();
    return manifest;
  } finally {
    closeSync(fd);
  }
}

test('the sample shipped with the app is this generator\'s output', () => {
  const shipped = readFileSync(fileURLToPath(
    new URL('../../../apps/web/public/sample.pcap', import.meta.url)));
  const fresh = generateSample().bytes;
  assert.ok(Buffer.from(fresh).equals(shipped),
    'regenerate it: node test/dist/generator/cli.js sample ' +
      'apps/web/public/sample.pcap');
});
