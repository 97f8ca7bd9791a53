import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv4, formatIpv6 } from './address.js';

function words(...groups: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i += 2) out.push(((groups[i] << 16) | groups[i + 1]) >>> 0);
  return out;
}

test('IPv4 dotted quad', () => {
  assert.equal(formatIpv4(0xc0000201), '192.0.2.1');
  assert.equal(formatIpv4(0xffffffff), '255.255.255.255');
});

test('IPv6 in RFC 5952 form', () => {
  assert.equal(formatIpv6(words(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 0),
    '2001:db8::1');
  assert.equal(formatIpv6(words(0, 0, 0, 0, 0, 0, 0, 0), 0), '::');
  assert.equal(formatIpv6(words(0, 0, 0, 0, 0, 0, 0, 1), 0), '::1');
  // A single zero group is not shortened; the first longest run is.
  assert.equal(formatIpv6(words(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1), 0),
    '2001:db8:0:1:1:1:1:1');
  assert.equal(formatIpv6(words(0x2001, 0, 0, 1, 0, 0, 0, 1), 0),
    '2001:0:0:1::1');
  assert.equal(formatIpv6(words(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), 0),
    '2001:db8::1:0:0:1');
  assert.equal(formatIpv6(words(0xfe80, 0, 0, 0, 0xabcd, 0, 0, 0), 0),
    'fe80::abcd:0:0:0');
  assert.equal(formatIpv6(words(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201), 0),
    '::ffff:192.0.2.1');
});
