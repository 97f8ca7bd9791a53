import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSshBanner } from './ssh.js';
import { asciiBytes, guarded, randomBytes } from './testing.js';

function read(b: Uint8Array, end = b.length) {
  return readSshBanner(guarded(b, 0, end), 0, end);
}

test('SSH 2.0 and 1.99 identification lines', () => {
  assert.equal(
    read(asciiBytes('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n')),
    'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13',
  );
  assert.equal(
    read(asciiBytes('SSH-1.99-Cisco-1.25\n')),
    'SSH-1.99-Cisco-1.25',
  );
  // Key exchange bytes may follow in the same segment.
  const withKex = asciiBytes('SSH-2.0-dropbear\r\n\x00\x00\x01\x14\x0a\x14');
  assert.equal(read(withKex), 'SSH-2.0-dropbear');
});

test('other versions, no software and no line end give null', () => {
  assert.equal(read(asciiBytes('SSH-1.5-old\r\n')), null);
  assert.equal(read(asciiBytes('SSH-2.0-\r\n')), null);
  assert.equal(read(asciiBytes('SSH-2.0-OpenSSH_9.6')), null);
  assert.equal(read(asciiBytes('ssh-2.0-OpenSSH\r\n')), null);
  assert.equal(read(asciiBytes('Welcome\r\nSSH-2.0-x\r\n')), null);
});

test('the line must end within 255 bytes', () => {
  const fits = 'SSH-2.0-' + 'v'.repeat(255 - 8 - 1);
  assert.equal(read(asciiBytes(fits + '\n')), fits);
  assert.equal(read(asciiBytes(fits + 'v\n')), null);
});

test('hostile bytes are escaped, case and spaces kept', () => {
  const b = Uint8Array.from([
    ...asciiBytes('SSH-2.0-Evil Server'),
    0x1b,
    0x5b,
    0x5c,
    0xff,
    0x0d,
    0x0a,
  ]);
  assert.equal(read(b), 'SSH-2.0-Evil Server\\027[\\092\\255');
});

test('every cut reads nothing past end', () => {
  const b = asciiBytes('SSH-2.0-OpenSSH_8.9\r\n');
  for (let end = 0; end <= b.length; end++) {
    const expected = end >= b.length - 1 ? 'SSH-2.0-OpenSSH_8.9' : null;
    assert.equal(read(b, end), expected, `cut at ${end}`);
  }
});

test('random bytes never throw or read past end', () => {
  const prefix = asciiBytes('SSH-2.0-');
  for (let seed = 1; seed <= 2000; seed++) {
    const b = randomBytes(seed, seed % 300);
    if (seed % 2 === 0 && b.length >= prefix.length) b.set(prefix, 0);
    const banner = read(b);
    assert.ok(banner === null || banner.startsWith('SSH-2.0-'));
  }
});
