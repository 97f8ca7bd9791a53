import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  capturePayloads,
  clientHello,
  concat,
  firstPayloads,
  guarded,
  randomBytes,
  tlsExtension,
  tlsRecord,
  u16be,
} from './testing.js';
import {
  isTlsRecord,
  readClientHelloServerName,
  readTlsServerName,
} from './tls.js';

test('the server name of a ClientHello, lower-cased', () => {
  const record = tlsRecord(clientHello('Example.COM'));
  assert.equal(readTlsServerName(record, 0, record.length), 'example.com');
  assert.equal(readTlsServerName(tlsRecord(clientHello(null)), 0, 200), null);

  const hello = clientHello('example.com');
  assert.equal(
    readClientHelloServerName(hello, 0, hello.length),
    'example.com',
  );
});

test('a ClientHello inside a larger buffer is read between at and end', () => {
  const record = tlsRecord(clientHello('inner.example'));
  const frame = concat(randomBytes(1, 54), record, randomBytes(2, 20));
  const at = 54;
  const end = at + record.length;
  assert.equal(readTlsServerName(frame, at, end), 'inner.example');
  assert.equal(
    readTlsServerName(guarded(frame, at, end), at, end),
    'inner.example',
  );
});

test('a ClientHello cut short gives the name once the name is whole', () => {
  const name = 'cut.example.org';
  const record = tlsRecord(clientHello(name));
  // The name's last byte is followed by supported_versions (7 bytes).
  const nameEnd = record.length - 7;
  for (let end = 0; end <= record.length; end++) {
    const got = readTlsServerName(guarded(record, 0, end), 0, end);
    assert.equal(got, end >= nameEnd ? name : null, `cut at ${end}`);
  }
});

test('record header: type, version and length are checked', () => {
  const hello = clientHello('example.com');
  for (const version of [0x0300, 0x0301, 0x0303, 0x0304]) {
    const record = tlsRecord(hello, version);
    assert.equal(readTlsServerName(record, 0, record.length), 'example.com');
  }
  for (const version of [0x0200, 0x0305, 0x0403]) {
    const record = tlsRecord(hello, version);
    assert.equal(readTlsServerName(record, 0, record.length), null);
  }
  const appData = tlsRecord(hello);
  appData[0] = 23;
  assert.equal(readTlsServerName(appData, 0, appData.length), null);
  // A ServerHello (type 2) names no server.
  const serverHello = tlsRecord(hello);
  serverHello[5] = 2;
  assert.equal(readTlsServerName(serverHello, 0, serverHello.length), null);
});

test('malformed ClientHello fields give null', () => {
  const good = tlsRecord(clientHello('example.com'));
  const sessionIdAt = 5 + 4 + 34;
  const suitesAt = sessionIdAt + 1 + 32;

  const longSessionId = good.slice();
  longSessionId[sessionIdAt] = 33;
  assert.equal(readTlsServerName(longSessionId, 0, good.length), null);

  const oddSuites = good.slice();
  oddSuites[suitesAt + 1] = 3;
  assert.equal(readTlsServerName(oddSuites, 0, good.length), null);

  const noCompression = good.slice();
  noCompression[suitesAt + 6] = 0;
  assert.equal(readTlsServerName(noCompression, 0, good.length), null);

  // An empty host name, and one longer than a DNS name can be.
  const empty = tlsRecord(helloWith(sniEntries([0, 0, 0])));
  assert.equal(readTlsServerName(empty, 0, empty.length), null);
  const long = 'a'.repeat(254);
  const tooLong = tlsRecord(clientHello(long));
  assert.equal(readTlsServerName(tooLong, 0, tooLong.length), null);
  const longest = tlsRecord(clientHello(long.slice(1)));
  assert.equal(readTlsServerName(longest, 0, longest.length), long.slice(1));
});

test('a name entry of another type is skipped; hostile bytes escaped', () => {
  const other = [7, 0, 2, 0x41, 0x42];
  const host = [0, 0, 5, 0x41, 0x0a, 0x5c, 0xff, 0x20];
  const record = tlsRecord(helloWith(sniEntries([...other, ...host])));
  assert.equal(
    readTlsServerName(record, 0, record.length),
    'a\\010\\092\\255\\032',
  );
});

test('isTlsRecord recognises the four content types', () => {
  for (let type = 0; type < 256; type++) {
    const header = Uint8Array.from([type, 3, 3, 0, 40]);
    assert.equal(isTlsRecord(header, 0, 5), type >= 20 && type <= 23);
  }
  assert.equal(isTlsRecord(Uint8Array.from([23, 3, 3, 0, 40]), 0, 4), false);
  assert.equal(isTlsRecord(Uint8Array.from([23, 3, 5, 0, 40]), 0, 5), false);
  assert.equal(isTlsRecord(Uint8Array.from([23, 2, 0, 0, 40]), 0, 5), false);
  assert.equal(isTlsRecord(Uint8Array.from([23, 3, 3, 0, 0]), 0, 5), false);
  assert.equal(isTlsRecord(Uint8Array.from([23, 3, 3, 0x48, 1]), 0, 5), false);
  // A bad range never throws.
  assert.equal(isTlsRecord(Uint8Array.from([23, 3, 3, 0, 1]), -1, 9), false);
});

test('zeek chrome-34-google: the ClientHello names google.de', () => {
  const payloads = capturePayloads('zeek__chrome-34-google.pcap');
  const names = firstPayloads(payloads)
    .map((p) => readTlsServerName(p.payload, 0, p.payload.length))
    .filter((name) => name !== null);
  assert.ok(names.includes('google.de'), `found ${names.join(', ')}`);
  // The first payload each way starts a record (later segments may
  // continue one instead).
  const senders = new Set(payloads.map((p) => p.sender));
  for (const sender of senders) {
    const first = payloads.find((p) => p.sender === sender);
    assert.ok(first && isTlsRecord(first.payload, 0, first.payload.length));
  }
});

test('random and mutated bytes never throw or read past end', () => {
  const good = tlsRecord(clientHello('fuzz.example'));
  for (let seed = 1; seed <= 3000; seed++) {
    const noise = randomBytes(seed, seed % 300);
    // Half the runs start with a plausible record and handshake header.
    if (seed % 2 === 0 && noise.length > 9) noise.set([22, 3, 1], 0);
    if (seed % 4 === 0 && noise.length > 9) noise.set([1, 0, 1, 0, 3, 3], 5);
    check(noise);

    const mutated = good.slice();
    const flips = randomBytes(seed, 6);
    for (let i = 0; i < 6; i += 2) {
      mutated[flips[i] % mutated.length] = flips[i + 1];
    }
    check(mutated);
  }

  function check(b: Uint8Array) {
    const name = readTlsServerName(guarded(b, 0, b.length), 0, b.length);
    assert.ok(name === null || (name.length > 0 && name.length <= 253 * 4));
    isTlsRecord(guarded(b, 0, b.length), 0, b.length);
  }
});

/** A ClientHello whose only extension is server_name with these entries. */
function helloWith(serverNameData: number[]): Uint8Array {
  const hello = clientHello(null);
  const extensions = tlsExtension(0, serverNameData);
  // Replace the extension block: it starts after the compression methods.
  const extensionsAt = 4 + 34 + 1 + 32 + 2 + 4 + 2;
  const head = hello.slice(0, extensionsAt);
  const message = concat(head, u16be(extensions.length), extensions);
  const length = message.length - 4;
  message.set([length >>> 16, (length >>> 8) & 0xff, length & 0xff], 1);
  return message;
}

function sniEntries(entries: number[]): number[] {
  return [...u16be(entries.length), ...entries];
}
