import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guarded } from './testing.js';
import { ascii, hostText, plainText, startsWith } from './text.js';

test('host names fold case and escape everything but printable ASCII', () => {
  const b = Uint8Array.from([
    ...ascii('WWW.Example-1.COM'),
    0x20,
    0x00,
    0x7f,
    0x5c,
    0xe9,
  ]);
  assert.equal(
    hostText(b, 0, b.length),
    'www.example-1.com\\032\\000\\127\\092\\233',
  );
  // Escapes are unambiguous: a backslash the peer sent is escaped too.
  assert.equal(hostText(ascii('a\\065'), 0, 5), 'a\\092065');
  assert.equal(hostText(ascii('abc'), 1, 2), 'b');
});

test('plain text keeps case and spaces', () => {
  const b = Uint8Array.from([...ascii('Open SSH'), 0x09, 0x80]);
  assert.equal(plainText(b, 0, b.length), 'Open SSH\\009\\128');
});

test('startsWith stays inside end', () => {
  const b = ascii('HTTP/1.1');
  assert.equal(startsWith(guarded(b, 0, 8), 0, 8, ascii('HTTP/')), true);
  assert.equal(startsWith(guarded(b, 0, 4), 0, 4, ascii('HTTP/')), false);
  assert.equal(startsWith(guarded(b, 2, 8), 2, 8, ascii('TP/1')), true);
});

test('the test guard refuses reads outside [at, end)', () => {
  const b = guarded(ascii('abcdef'), 1, 4);
  assert.equal(b[1], 0x62);
  assert.throws(() => b[4], RangeError);
  assert.throws(() => b[0], RangeError);
  assert.equal(b.length, 6);
});
