import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dnsResponseCode,
  isDnsResponse,
  readDns,
  readDnsName,
  readDnsOverTcp,
} from './dns.js';
import type { DnsSink } from './dns.js';
import {
  asciiBytes,
  capturePayloads,
  concat,
  guarded,
  randomBytes,
  u16be,
} from './testing.js';

const A = 1;
const CNAME = 5;
const AAAA = 28;
const RESPONSE = 0x8180; // QR, RD, RA, no error

interface Seen {
  queries: string[];
  addresses: string[];
}

function recorder(): DnsSink & Seen {
  const seen: Seen = { queries: [], addresses: [] };
  return {
    ...seen,
    query(name, type) {
      seen.queries.push(`${name} ${type}`);
    },
    address(name, version, b, offset) {
      const bytes = Array.from({ length: version === 4 ? 4 : 16 }, (_, i) =>
        b[offset + i].toString(16),
      );
      seen.addresses.push(`${name} ${bytes.join(version === 4 ? '.' : ':')}`);
    },
  };
}

function parse(message: Uint8Array, end = message.length) {
  const sink = recorder();
  const ok = readDns(guarded(message, 0, end), 0, end, sink);
  return { ok, queries: sink.queries, addresses: sink.addresses };
}

/** A name in wire form; a trailing pointer replaces the root byte. */
function name(text: string, pointer = -1): number[] {
  const out: number[] = [];
  for (const label of text === '' ? [] : text.split('.')) {
    out.push(label.length, ...asciiBytes(label));
  }
  if (pointer >= 0) out.push(0xc0 | (pointer >> 8), pointer & 0xff);
  else out.push(0);
  return out;
}

function header(
  flags: number,
  questions: number,
  answers: number,
  others = 0,
): number[] {
  return [
    0x12,
    0x34,
    ...u16be(flags),
    ...u16be(questions),
    ...u16be(answers),
    0,
    0,
    ...u16be(others),
  ];
}

function question(owner: number[], type = A, qclass = 1): number[] {
  return [...owner, ...u16be(type), ...u16be(qclass)];
}

function record(
  owner: number[],
  type: number,
  data: number[],
  rclass = 1,
): number[] {
  const ttl = [0, 0, 0x0e, 0x10];
  return [
    ...owner,
    ...u16be(type),
    ...u16be(rclass),
    ...ttl,
    ...u16be(data.length),
    ...data,
  ];
}

const QUESTION_AT = 12;

test('a query names its question', () => {
  const query = concat(header(0x0100, 1, 0), question(name('WWW.Example.com')));
  assert.deepEqual(parse(query), {
    ok: true,
    queries: ['www.example.com 1'],
    addresses: [],
  });
  assert.equal(dnsResponseCode(query, 0, query.length), -1);
  assert.equal(isDnsResponse(query, 0, query.length), false);
});

test('A and AAAA answers, owners compressed to the question', () => {
  const v6 = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1];
  const message = concat(
    header(RESPONSE, 1, 3),
    question(name('example.com'), AAAA),
    record(name('', QUESTION_AT), A, [192, 0, 2, 1]),
    record(name('', QUESTION_AT), AAAA, v6),
    // A TXT answer is skipped.
    record(name('', QUESTION_AT), 16, [3, 0x61, 0x62, 0x63]),
  );
  assert.deepEqual(parse(message), {
    ok: true,
    queries: ['example.com 28'],
    addresses: [
      'example.com c0.0.2.1',
      'example.com 20:1:d:b8:0:0:0:0:0:0:0:0:0:0:0:1',
    ],
  });
  assert.equal(dnsResponseCode(message, 0, message.length), 0);
  assert.equal(isDnsResponse(message, 0, message.length), true);
});

test('addresses reached through CNAMEs carry the name asked for', () => {
  const q = name('www.example.com');
  const cdnAt = QUESTION_AT + q.length + 4 + 2 + 10;
  const cdn = name('cdn.example', QUESTION_AT + 4 + 8); // cdn.example.com
  const edgeAt = cdnAt + cdn.length + name('cdn.example.com').length + 10;
  const message = concat(
    header(RESPONSE, 1, 5),
    question(q),
    record(name('', QUESTION_AT), CNAME, cdn),
    // Owners compare without case.
    record(name('CDN.Example.COM'), CNAME, name('edge.net')),
    record(name('', edgeAt), A, [198, 51, 100, 7]),
    record(name('other.example'), A, [203, 0, 113, 9]),
    // A CNAME from elsewhere does not join the chain.
    record(name('other.example'), CNAME, name('www.example.com')),
  );
  const at = (p: number) => readDnsName(message, 0, p, message.length);
  assert.equal(at(cdnAt), 'cdn.example.com');
  assert.equal(at(edgeAt), 'edge.net');
  assert.deepEqual(parse(message).addresses, [
    'www.example.com c6.33.64.7',
    'other.example cb.0.71.9',
  ]);
});

test('mDNS: an announcement without questions, cache-flush class', () => {
  const message = concat(
    header(0x8400, 0, 1),
    record(name('printer.local'), A, [169, 254, 1, 2], 0x8001),
  );
  assert.deepEqual(parse(message), {
    ok: true,
    queries: [],
    addresses: ['printer.local a9.fe.1.2'],
  });
  // A query with no question is not DNS.
  const empty = concat(
    header(0x0000, 0, 1),
    record(name('x'), A, [1, 2, 3, 4]),
  );
  assert.equal(parse(empty).ok, false);
});

test('response codes', () => {
  for (const code of [0, 2, 3, 5]) {
    const message = concat(header(0x8180 | code, 1, 0), question(name('a.b')));
    assert.equal(dnsResponseCode(message, 0, message.length), code);
  }
  assert.equal(dnsResponseCode(new Uint8Array(11), 0, 11), -1);
});

test('insane headers are not DNS', () => {
  const q = question(name('a.example'));
  const ok = (h: number[], rest = q) => parse(concat(h, rest)).ok;
  assert.equal(ok(header(0x0100, 1, 0)), true);
  assert.equal(ok(header(0x2900, 1, 0)), true); // opcode 5, UPDATE
  assert.equal(ok(header(0x3100, 1, 0)), false); // opcode 6
  assert.equal(ok(header(0x0140, 1, 0)), false); // Z set
  assert.equal(ok(header(0x0100, 5, 0), [...q, ...q, ...q, ...q, ...q]), false);
  // Ten answers cannot fit in what follows the question.
  assert.equal(ok(header(RESPONSE, 1, 10)), false);
  assert.equal(ok(header(RESPONSE, 1, 0, 1)), false);
  assert.equal(parse(new Uint8Array(12)).ok, false);
});

test('names: escaping, the root, length and label limits', () => {
  const hostile = [3, 0x61, 0x2e, 0x00, 2, 0x5c, 0xff, 0];
  const m = concat(header(0x0100, 1, 0), question(hostile));
  assert.deepEqual(parse(m).queries, ['a\\046\\000.\\092\\255 1']);

  const root = concat(header(0x0100, 1, 0), question([0], 2));
  assert.deepEqual(parse(root).queries, ['. 2']);

  // 4 labels of 63 and one of 1: 4 * 64 + 2 = 258 bytes, too long;
  // with 3 of 63 and one of 61 it is 253 characters, the most allowed.
  const label = (n: number) => 'x'.repeat(n);
  const longest = [label(63), label(63), label(63), label(61)].join('.');
  assert.equal(longest.length, 253);
  const fits = concat(header(0x0100, 1, 0), question(name(longest)));
  assert.deepEqual(parse(fits).queries, [`${longest} 1`]);
  const over = [label(63), label(63), label(63), label(62)].join('.');
  const tooLong = concat(header(0x0100, 1, 0), question(name(over)));
  assert.equal(parse(tooLong).ok, false);

  // Label types 01 and 10 are not in use.
  for (const bad of [0x40, 0x80]) {
    const m2 = concat(header(0x0100, 1, 0), question([bad, 0x61, 0]));
    assert.equal(parse(m2).ok, false);
  }
});

test('compression loops and long pointer chains end, never hang', () => {
  const selfLoop = concat(header(0x0100, 1, 0), question([0xc0, QUESTION_AT]));
  assert.equal(parse(selfLoop).ok, false);
  // A label, then a pointer back to it: the name grows until its cap.
  const growing = concat(
    header(0x0100, 1, 0),
    question([1, 0x61, 0xc0, QUESTION_AT]),
  );
  assert.equal(parse(growing).ok, false);
  // Two pointers at each other.
  const mutual = concat(header(0x0100, 1, 0), question([0xc0, 14, 0xc0, 12]));
  assert.equal(parse(mutual).ok, false);
  // Pointers into the header or past the end.
  const intoHeader = concat(header(0x0100, 1, 0), question([0xc0, 2]));
  assert.equal(parse(intoHeader).ok, false);
  const pastEnd = concat(header(0x0100, 1, 0), question([0xc0, 200]));
  assert.equal(parse(pastEnd).ok, false);

  // A chain of pointers, each to the one before: 16 hops are followed,
  // 17 are not.
  const chain = (hops: number) => {
    const bytes = [...header(0x0100, 0, 0), ...name('end')];
    for (let i = 0; i < hops; i++) {
      const previous = bytes.length - (i === 0 ? 5 : 2);
      bytes.push(0xc0, previous);
    }
    const b = Uint8Array.from(bytes);
    return readDnsName(b, 0, b.length - 2, b.length);
  };
  assert.equal(chain(16), 'end');
  assert.equal(chain(17), null);

  // In an answer, a looping owner is skipped and the walk goes on.
  const loopAt = QUESTION_AT + name('a.test').length + 4;
  const answer = concat(
    header(RESPONSE, 1, 2),
    question(name('a.test')),
    record([0xc0, loopAt], A, [10, 0, 0, 1]),
    record(name('', QUESTION_AT), A, [10, 0, 0, 2]),
  );
  assert.deepEqual(parse(answer).addresses, ['a.test a.0.0.2']);
});

test('over TCP: a length prefix; the message may go on past end', () => {
  const message = concat(
    header(RESPONSE, 1, 2),
    question(name('t.example')),
    record(name('', QUESTION_AT), A, [10, 1, 2, 3]),
    record(name('', QUESTION_AT), A, [10, 1, 2, 4]),
  );
  const framed = concat(u16be(message.length), message);
  const run = (end: number) => {
    const sink = recorder();
    const ok = readDnsOverTcp(guarded(framed, 0, end), 0, end, sink);
    return { ok, addresses: sink.addresses };
  };
  assert.deepEqual(run(framed.length), {
    ok: true,
    addresses: ['t.example a.1.2.3', 't.example a.1.2.4'],
  });
  // Cut in the second answer: the first is still reported.
  assert.deepEqual(run(framed.length - 3), {
    ok: true,
    addresses: ['t.example a.1.2.3'],
  });
  // Every cut: never a throw, answers only ever a prefix of the whole.
  const whole = run(framed.length).addresses;
  const questionEnd = 2 + 12 + name('t.example').length + 4;
  for (let end = 0; end <= framed.length; end++) {
    const { ok, addresses } = run(end);
    assert.equal(ok, end >= questionEnd, `cut at ${end}`);
    assert.deepEqual(addresses, whole.slice(0, addresses.length));
  }
  const tooShort = concat(u16be(11), message);
  assert.equal(readDnsOverTcp(tooShort, 0, tooShort.length, recorder()), false);
});

test('UDP: every cut of a response reads nothing past end', () => {
  const message = concat(
    header(RESPONSE, 1, 2),
    question(name('cut.example')),
    record(name('', QUESTION_AT), CNAME, name('x.cdn', QUESTION_AT + 4)),
    record(name('', 12 + 17 + 12), A, [10, 9, 8, 7]),
  );
  // The A record is last, so no cut reports it.
  for (let end = 0; end < message.length; end++) {
    assert.deepEqual(parse(message, end).addresses, [], `cut at ${end}`);
  }
  assert.deepEqual(parse(message).addresses, ['cut.example a.9.8.7']);
});

test('pcapplusplus DnsPackets: 224 answers without error, 2 NXDOMAIN', () => {
  const payloads = capturePayloads('pcapplusplus__DnsPackets.pcap');
  const codes = new Map<number, number>();
  for (const p of payloads) {
    const code = dnsResponseCode(p.payload, 0, p.payload.length);
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  assert.equal(codes.get(0), 224);
  assert.equal(codes.get(3), 2);

  // Every packet is DNS, and reads as the naive reader below reads it.
  let addresses = 0;
  for (const p of payloads) {
    const sink = recorder();
    assert.ok(readDns(p.payload, 0, p.payload.length, sink), `#${p.index}`);
    const expected = naiveRead(p.payload);
    assert.deepEqual(sink.queries, expected.queries, `#${p.index}`);
    assert.deepEqual(sink.addresses, expected.addresses, `#${p.index}`);
    addresses += sink.addresses.length;
  }
  assert.equal(addresses, 885);
  const first = recorder();
  readDns(payloads[1].payload, 0, payloads[1].payload.length, first);
  assert.deepEqual(first.queries, ['www.google.com 1']);
  assert.equal(first.addresses[0], 'www.google.com ad.c2.70.13');
});

test('random bytes never throw or read past end', () => {
  for (let seed = 1; seed <= 4000; seed++) {
    const b = randomBytes(seed, 12 + (seed % 120));
    // Make most headers sane so that the name and record walks run.
    if (seed % 4 !== 0) b.set([0x81, 0x80, 0, 1, 0, seed % 5, 0, 0, 0, 0], 2);
    if (seed % 3 === 0) b[12] = 0xc0;
    parse(b);
    const sink = recorder();
    readDnsOverTcp(guarded(b, 0, b.length), 0, b.length, sink);
    dnsResponseCode(guarded(b, 0, b.length), 0, b.length);
  }
});

/**
 * A reference reader written the obvious way: recursion for pointers,
 * exceptions for bad input, CNAME chains followed in any order. Slow, but
 * easy to trust; the fast reader must agree with it on real captures.
 */
interface NaiveRecord {
  owner: string;
  /** -1 outside class IN. */
  type: number;
  data: number;
  length: number;
}

function naiveRead(m: Uint8Array): Seen {
  const u16 = (at: number) => (m[at] << 8) | m[at + 1];
  const readName = (at: number, depth = 0): [string, number] => {
    if (depth > 16 || at >= m.length) throw new Error('bad name');
    const length = m[at];
    if (length >= 0xc0) {
      const target = ((length & 0x3f) << 8) | m[at + 1];
      return [readName(target, depth + 1)[0], at + 2];
    }
    if (length === 0) return ['', at + 1];
    const label = String.fromCharCode(...m.subarray(at + 1, at + 1 + length));
    const [rest, next] = readName(at + 1 + length, depth);
    return [label.toLowerCase() + (rest ? '.' + rest : ''), next];
  };
  const seen: Seen = { queries: [], addresses: [] };
  let at = 12;
  let asked = '';
  for (let i = 0; i < u16(4); i++) {
    const [qname, next] = readName(at);
    if (i === 0) {
      asked = qname;
      seen.queries.push(`${qname} ${u16(next)}`);
    }
    at = next + 4;
  }
  if ((u16(2) & 0x8000) === 0) return seen;
  const records: NaiveRecord[] = [];
  for (let i = 0; i < u16(6); i++) {
    const [owner, next] = readName(at);
    const length = u16(next + 8);
    const isIn = (u16(next + 2) & 0x7fff) === 1;
    const type = isIn ? u16(next) : -1;
    records.push({ owner, type, data: next + 10, length });
    at = next + 10 + length;
  }
  const chain = new Set([asked]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of records) {
      if (r.type !== CNAME || !chain.has(r.owner)) continue;
      const target = readName(r.data)[0];
      if (!chain.has(target)) {
        chain.add(target);
        grew = true;
      }
    }
  }
  for (const r of records) {
    const isV4 = r.type === A && r.length === 4;
    if (!isV4 && !(r.type === AAAA && r.length === 16)) continue;
    const version = isV4 ? 4 : 6;
    const owner = asked && chain.has(r.owner) ? asked : r.owner;
    const bytes = Array.from(m.subarray(r.data, r.data + r.length), (x) =>
      x.toString(16),
    );
    seen.addresses.push(`${owner} ${bytes.join(version === 4 ? '.' : ':')}`);
  }
  return seen;
}
