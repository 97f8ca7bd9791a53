import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Problem } from './problems.js';
import { NotACaptureError } from './problems.js';
import { CaptureReader } from './reader.js';
import type { PacketRecord } from './record.js';
import * as T from './testing.js';

interface Seen {
  index: number;
  offset: number;
  linkType: number;
  interfaceId: number;
  hasTime: boolean;
  seconds: number;
  nanos: number;
  timeDigits: number;
  capturedLength: number;
  originalLength: number;
  data: number[];
}

function readAll(file: Uint8Array, chunkSizes: () => number = () => 1e9) {
  const packets: Seen[] = [];
  const problems: Problem[] = [];
  const reader = new CaptureReader({
    packet(r: PacketRecord) {
      packets.push({
        index: r.index,
        offset: r.offset,
        linkType: r.linkType,
        interfaceId: r.interfaceId,
        hasTime: r.hasTime,
        seconds: r.seconds,
        nanos: r.nanos,
        timeDigits: r.timeDigits,
        capturedLength: r.capturedLength,
        originalLength: r.originalLength,
        data: Array.from(
          r.data.subarray(r.dataOffset, r.dataOffset + r.capturedLength)),
      });
    },
    problem(p) {
      problems.push(p);
    },
  });
  for (let at = 0; at < file.length; ) {
    const size = Math.max(1, chunkSizes());
    // Copy each chunk, as a stream would hand us fresh buffers.
    reader.push(file.slice(at, at + size));
    at += size;
  }
  reader.end();
  return { packets, problems };
}

const payload = T.bytes(1, 2, 3, 4, 5, 6, 7);

for (const littleEndian of [true, false]) {
  for (const nanoseconds of [false, true]) {
    const name = `pcap ${littleEndian ? 'little' : 'big'}-endian ` +
      `${nanoseconds ? 'nano' : 'micro'}seconds`;
    test(`${name}: records, times and lengths`, () => {
      const file = T.pcapFile({ littleEndian, nanoseconds, linkType: 101 }, [
        { seconds: 1764496800, fraction: 123456, data: payload },
        { seconds: 1764496801, fraction: 999, data: payload,
          originalLength: 1500 },
      ]);
      const { packets, problems } = readAll(file);
      assert.deepEqual(problems, []);
      assert.equal(packets.length, 2);
      const [first, second] = packets;
      assert.equal(first.linkType, 101);
      assert.equal(first.offset, 24);
      assert.equal(second.offset, 24 + 16 + payload.length);
      assert.equal(first.seconds, 1764496800);
      assert.equal(first.nanos, nanoseconds ? 123456 : 123456000);
      assert.equal(first.timeDigits, nanoseconds ? 9 : 6);
      assert.deepEqual(first.data, Array.from(payload));
      assert.equal(second.originalLength, 1500);
      assert.equal(second.capturedLength, payload.length);
    });
  }
}

test('pcap version other than 2 is refused with its version', () => {
  const file = T.pcapFile({}, []);
  file[4] = 1;
  assert.throws(() => readAll(file), (e: unknown) =>
    e instanceof NotACaptureError && e.kind === 'unsupported-version' &&
    /1\.4/.test(e.message));
});

for (const littleEndian of [true, false]) {
  test(`pcapng ${littleEndian ? 'little' : 'big'}-endian: EPB, SPB, OPB ` +
    'and unknown blocks', () => {
    const file = T.concat(
      T.pcapngSection(littleEndian),
      T.pcapngInterface({ linkType: 1, snapLength: 5 }, littleEndian),
      T.pcapngInterface({ linkType: 113, resolution: 9 }, littleEndian),
      T.pcapngBlock(0x0bad, T.bytes(9, 9, 9), littleEndian),
      T.pcapngEnhanced(1, 1764496800_123456789n, payload, littleEndian),
      T.pcapngSimple(payload, littleEndian),
      T.pcapngObsolete(0, 1764496800_000001n, payload, littleEndian),
      T.pcapngBlock(5, T.bytes(0, 0, 0, 0, 0, 0, 0, 0), littleEndian),
    );
    const { packets, problems } = readAll(file);
    assert.deepEqual(problems, []);
    assert.equal(packets.length, 3);
    const [enhanced, simple, obsolete] = packets;
    assert.equal(enhanced.linkType, 113);
    assert.equal(enhanced.interfaceId, 1);
    assert.equal(enhanced.seconds, 1764496800);
    assert.equal(enhanced.nanos, 123456789);
    assert.equal(enhanced.timeDigits, 9);
    assert.deepEqual(enhanced.data, Array.from(payload));
    // A simple packet block has no time; its snap length cuts the data.
    assert.equal(simple.hasTime, false);
    assert.equal(simple.linkType, 1);
    assert.equal(simple.capturedLength, 5);
    assert.equal(simple.originalLength, payload.length);
    assert.equal(obsolete.seconds, 1764496800);
    assert.equal(obsolete.nanos, 1000);
    assert.equal(obsolete.timeDigits, 6);
  });
}

test('pcapng sections of both byte orders in one file', () => {
  const file = T.concat(
    T.pcapngSection(true),
    T.pcapngInterface({ linkType: 1 }, true),
    T.pcapngEnhanced(0, 1_000000n, payload, true),
    T.pcapngSection(false),
    T.pcapngInterface({ linkType: 0, resolution: 3, offsetSeconds: 100 },
      false),
    T.pcapngEnhanced(0, 5_250n, payload, false),
  );
  const { packets, problems } = readAll(file);
  assert.deepEqual(problems, []);
  assert.equal(packets.length, 2);
  assert.equal(packets[1].linkType, 0);
  assert.equal(packets[1].seconds, 105);
  assert.equal(packets[1].nanos, 250_000_000);
  assert.equal(packets[1].timeDigits, 3);
  // Interfaces are numbered across sections.
  assert.equal(packets[1].interfaceId, 1);
});

test('pcapng binary time resolution', () => {
  const file = T.concat(
    T.pcapngSection(),
    T.pcapngInterface({ linkType: 1, resolution: 0x80 | 10 }),
    T.pcapngEnhanced(0, (7n << 10n) | 512n, payload),
  );
  const { packets } = readAll(file);
  assert.equal(packets[0].seconds, 7);
  assert.equal(packets[0].nanos, 500_000_000);
});

test('a block whose trailing length disagrees stops with its offset', () => {
  const good = T.pcapngEnhanced(0, 1n, payload);
  const bad = T.pcapngEnhanced(0, 2n, payload);
  bad[bad.length - 4] ^= 0xff;
  const head = T.concat(T.pcapngSection(), T.pcapngInterface({ linkType: 1 }));
  const { packets, problems } = readAll(T.concat(head, good, bad, good));
  assert.equal(packets.length, 1);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].kind, 'bad-block-length');
  assert.equal(problems[0].offset, head.length + good.length);
  assert.equal(problems[0].packet, 2);
});

test('a file cut inside a record keeps what came before', () => {
  const file = T.pcapFile({}, [
    { seconds: 1, fraction: 0, data: payload },
    { seconds: 2, fraction: 0, data: payload },
  ]);
  const cut = file.subarray(0, file.length - 3);
  const { packets, problems } = readAll(cut);
  assert.equal(packets.length, 1);
  assert.deepEqual(problems.map((p) => [p.kind, p.offset, p.packet]),
    [['truncated-record', 24 + 16 + payload.length, 2]]);
});

test('an absurd captured length stops framing with a problem', () => {
  const file = T.pcapFile({}, [
    { seconds: 1, fraction: 0, data: payload },
    { seconds: 2, fraction: 0, data: payload },
  ]);
  const second = 24 + 16 + payload.length;
  new DataView(file.buffer).setUint32(second + 8, 0xfffffff0, true);
  const { packets, problems } = readAll(file);
  assert.equal(packets.length, 1);
  assert.equal(problems[0].kind, 'caplen-too-large');
  assert.equal(problems[0].offset, second);
});

test('what is not a capture is named, with its first bytes', () => {
  const text = new TextEncoder().encode('hello, world');
  assert.throws(() => readAll(text), (e: unknown) =>
    e instanceof NotACaptureError && e.kind === 'not-a-capture' &&
    e.message.includes('68 65 6c 6c'));
  const netmon = new TextEncoder().encode('GMBU\x00\x02');
  assert.throws(() => readAll(netmon), (e: unknown) =>
    e instanceof NotACaptureError && e.kind === 'netmon' &&
    e.message.includes('editcap -F pcap'));
  assert.throws(() => readAll(new Uint8Array(0)), NotACaptureError);
});

const corpus = fileURLToPath(
  new URL('../../../../shared/captures/', import.meta.url));

for (const name of [
  'pcapplusplus__tls2.pcap',
  'pcapplusplus__pcapng-example.pcapng',
  'pcapng-test-generator__test202.pcapng',
  'dpkt__truncated_dns_2.pcap',
]) {
  test(`${name}: whole, 1-byte and random chunks give the same packets`,
    () => {
      const file = new Uint8Array(readFileSync(corpus + name));
      const whole = readAll(file);
      assert.ok(whole.packets.length > 0);
      const small = name.includes('tls2') ? file.subarray(0, 200_000) : file;
      const wholeSmall = small === file ? whole : readAll(small);
      assert.deepEqual(readAll(small, () => 1), wholeSmall);
      let seed = 12345;
      const random = () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return 1 + (seed % 70000);
      };
      assert.deepEqual(readAll(file, random), whole);
    });
}

test('after a broken block, reading resumes at the next section', () => {
  const head = T.concat(T.pcapngSection(), T.pcapngInterface({ linkType: 1 }));
  const broken = T.pcapngEnhanced(0, 2n, payload);
  broken[4] = 0x03; // a length that is not a multiple of 4
  const file = T.concat(
    head,
    T.pcapngEnhanced(0, 1n, payload),
    broken,
    new Uint8Array(100_000).fill(0x0a), // junk, with bytes of the magic
    T.pcapngSection(false),
    T.pcapngInterface({ linkType: 101 }, false),
    T.pcapngEnhanced(0, 3n, payload, false),
  );
  const whole = readAll(file);
  assert.equal(whole.packets.length, 2);
  assert.equal(whole.packets[1].linkType, 101);
  assert.deepEqual(whole.problems.map((p) => p.kind), ['bad-block-length']);
  assert.deepEqual(readAll(file, () => 1), whole);
  assert.deepEqual(readAll(file, () => 777), whole);
});
