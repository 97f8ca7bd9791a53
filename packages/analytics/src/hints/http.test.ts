import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHttpResponse, readHttpRequest } from './http.js';
import {
  asciiBytes,
  capturePayloads,
  firstPayloads,
  guarded,
  randomBytes,
} from './testing.js';

function read(text: string) {
  const b = asciiBytes(text);
  return readHttpRequest(guarded(b, 0, b.length), 0, b.length);
}

test('method and Host of a request', () => {
  assert.deepEqual(
    read('GET /index.html HTTP/1.1\r\nHost: www.Example.com\r\n\r\n'),
    { method: 'GET', host: 'www.example.com' },
  );
  assert.deepEqual(
    read('POST /api HTTP/1.0\r\nUser-Agent: x\r\nhOsT:\t api.test:8080 \r\n'),
    { method: 'POST', host: 'api.test:8080' },
  );
  // Bare LF line ends, as some clients send.
  assert.deepEqual(read('DELETE /x HTTP/1.1\nHost: a.b\n\n'), {
    method: 'DELETE',
    host: 'a.b',
  });
  assert.deepEqual(read('CONNECT proxy.test:443 HTTP/1.1\r\n\r\n'), {
    method: 'CONNECT',
    host: null,
  });
});

test('every known method, and nothing else', () => {
  for (const method of [
    'GET',
    'POST',
    'PUT',
    'DELETE',
    'HEAD',
    'OPTIONS',
    'PATCH',
    'CONNECT',
    'TRACE',
  ]) {
    assert.equal(read(`${method} / HTTP/1.1\r\n`)?.method, method);
    assert.equal(read(`${method.toLowerCase()} / HTTP/1.1\r\n`), null);
  }
  assert.equal(read('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), null);
  assert.equal(read('GETS / HTTP/1.1\r\n'), null);
  assert.equal(read('GET  / HTTP/1.1\r\n'), null);
  assert.equal(read('GET'), null);
  assert.equal(read('GET '), null);
  // A full request line must end with a version.
  assert.equal(read('GET /\r\nHost: a\r\n\r\n'), null);
  assert.equal(read('GET / FTP/1.0\r\n'), null);
});

test('a cut request gives the method; a cut Host line gives no host', () => {
  assert.deepEqual(read('GET /a/very/long/path'), {
    method: 'GET',
    host: null,
  });
  assert.deepEqual(read('GET / HTTP/1.1\r\nHost: www.exam'), {
    method: 'GET',
    host: null,
  });
  // Host after the blank line is body, not a header.
  assert.deepEqual(read('PUT / HTTP/1.1\r\n\r\nHost: a.b\r\n'), {
    method: 'PUT',
    host: null,
  });
  // An empty or overlong Host is no host.
  assert.equal(read('GET / HTTP/1.1\r\nHost:  \r\n\r\n')?.host, null);
  const long = 'h'.repeat(300);
  assert.equal(read(`GET / HTTP/1.1\r\nHost: ${long}\r\n\r\n`)?.host, null);
  // Not "Host-Extra:" nor "Hostname:".
  assert.equal(read('GET / HTTP/1.1\r\nHostname: a\r\n\r\n')?.host, null);
});

test('every cut of a request reads nothing past end', () => {
  const text = 'GET /x HTTP/1.1\r\nAccept: */*\r\nHost: cut.example\r\n\r\n';
  const b = asciiBytes(text);
  const hostLineEnd = text.indexOf('example\r\n') + 'example\r\n'.length;
  for (let end = 0; end <= b.length; end++) {
    const got = readHttpRequest(guarded(b, 0, end), 0, end);
    const host = end >= hostLineEnd ? 'cut.example' : null;
    assert.equal(got?.host ?? null, host, `cut at ${end}`);
    // "GET " and one byte of the target are enough for the method.
    assert.equal(got?.method, end >= 5 ? 'GET' : undefined);
  }
});

test('hostile Host bytes are escaped', () => {
  const b = Uint8Array.from([
    ...asciiBytes('GET / HTTP/1.1\r\nHost: a'),
    0x00,
    0x1b,
    0x5c,
    0xc3,
    ...asciiBytes('b\r\n\r\n'),
  ]);
  assert.equal(readHttpRequest(b, 0, b.length)?.host, 'a\\000\\027\\092\\195b');
});

test('status lines', () => {
  const yes = (text: string) => {
    const b = asciiBytes(text);
    return isHttpResponse(guarded(b, 0, b.length), 0, b.length);
  };
  assert.equal(yes('HTTP/1.1 200 OK\r\n'), true);
  assert.equal(yes('HTTP/1.0 404 Not Found\r\n'), true);
  assert.equal(yes('HTTP/1.1 '), true);
  assert.equal(yes('HTTP/1.1'), false);
  assert.equal(yes('HTTP/2 200\r\n'), false);
  assert.equal(yes('HTTP/1.x 200\r\n'), false);
  assert.equal(yes('http/1.1 200\r\n'), false);
  assert.equal(yes('GET / HTTP/1.1\r\n'), false);
});

test('dpkt http.pcap: the hosts of both HTTP connections', () => {
  const payloads = capturePayloads('dpkt__http.pcap');
  const requests = firstPayloads(payloads)
    .filter((p) => p.protocol === 6 && p.dstPort === 80)
    .map((p) => readHttpRequest(p.payload, 0, p.payload.length));
  assert.deepEqual(requests, [
    { method: 'GET', host: 'www.ethereal.com' },
    { method: 'GET', host: 'pagead2.googlesyndication.com' },
  ]);
  const answers = payloads.filter((p) => p.srcPort === 80);
  const first = answers.find((p) => p.flow === answers[0].flow);
  assert.ok(first && isHttpResponse(first.payload, 0, first.payload.length));
});

test('random bytes never throw or read past end', () => {
  const prefixes = ['', 'GET ', 'GET / HTTP/1.1\r\n', 'HTTP/1.'];
  for (let seed = 1; seed <= 3000; seed++) {
    const prefix = asciiBytes(prefixes[seed % prefixes.length]);
    const noise = randomBytes(seed, seed % 200);
    const b = new Uint8Array(prefix.length + noise.length);
    b.set(prefix, 0);
    b.set(noise, prefix.length);
    const got = readHttpRequest(guarded(b, 0, b.length), 0, b.length);
    assert.ok(got === null || got.method.length >= 3);
    isHttpResponse(guarded(b, 0, b.length), 0, b.length);
  }
});
