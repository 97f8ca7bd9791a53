// The packet-header kernels, TypeScript against WebAssembly, in Node and in
// a Chromium module worker, on a capture of about 200 MB. It prints MB/s
// and packets/s for each and says which kernel is faster where; nothing
// here passes or fails, and `npm test` times nothing.
//
//   node scripts/bench-kernel.mjs [CAPTURE] [--size BYTES] [--runs N]
//                                 [--no-browser]
//
//   CAPTURE       a classic pcap file to time (`npm run bench` passes its
//                 200 MB capture); without it, one is made as below
//   --size BYTES  capture size: a number, or with k, M or G (200M default)
//   --runs N      timed runs of each kernel per runtime (5 by default); the
//                 kernels take turns, and the best and median run are shown
//   --no-browser  Node only
//
// The capture comes from the test generator (`cli.js bench BYTES OUT`)
// when it is built and knows that command, else it is the records of the
// shared corpus's pcapplusplus__tls2.pcap repeated to size. Either is kept
// in <tmpdir>/capscope-kernel-bench/ for the next run.
//
// Each kernel reads the capture from memory in 16 MiB chunks, as the web
// import hands them over, through the HeaderReader a consumer would use:
// the WebAssembly time includes copying every chunk into the module's
// memory. Alongside: CaptureReader + decodePacket(), the path the app uses
// today, and the copy into WebAssembly memory alone. Before timing, one
// pass of each checks that the two kernels and decodePacket() give the
// same records.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);
const PARSER_DIST = path.join(repoRoot, 'packages/parser/dist');
const GENERATOR_DIST = path.join(repoRoot, 'test/dist/generator');
const SEED_CAPTURE = path.resolve(
  repoRoot,
  '../shared/captures/pcapplusplus__tls2.pcap',
);
const CACHE_DIR = path.join(os.tmpdir(), 'capscope-kernel-bench');
const CHROMIUM = '/usr/bin/chromium';
/** STACK.md's flags: no GPU, and no network traffic of Chromium's own. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--enable-unsafe-swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];
/** 16 MiB: the slice size the web import reads a local file in. */
const CHUNK_BYTES = 16 * 1024 * 1024;
/** Five 200 MB passes of three readers stay well under this. */
const BROWSER_TIMEOUT_MS = 10 * 60 * 1000;
const MB = 1e6;

let options;

try {
  options = parseArgs(process.argv.slice(2));
  await main();
} catch (error) {
  // A missing file or a bad argument needs one line; a bug its stack.
  const known = error?.code !== undefined ||
    /^--|^unknown argument/.test(error?.message ?? '');
  console.error(`bench-kernel: ${known ? error.message : error?.stack}`);
  process.exitCode = 1;
}

async function main() {
  const loadAtStart = os.loadavg()[0];
  buildParser();
  const capture = options.capture === null
    ? ensureCapture(options.size)
    : describeCapture(path.resolve(options.capture), 'given');
  console.log(
    `kernel bench: ${capture.path}\n` +
      `  ${(capture.bytes / MB).toFixed(1)} MB, ${capture.source}; ` +
      `${CHUNK_BYTES / 2 ** 20} MiB chunks, best and median of ` +
      `${options.runs} runs; ${os.cpus().length} cores, ` +
      `${os.cpus()[0]?.model ?? 'unknown CPU'}`,
  );

  const summaries = [];
  const node = await benchNode(capture);
  summaries.push(report(`node ${process.version}`, node));
  if (options.browser) {
    const browser = await benchChromium(capture);
    if (browser.skipped) console.log(`chromium: skipped (${browser.skipped})`);
    else summaries.push(report(browser.version, browser.result));
  }

  console.log('');
  for (const line of summaries) console.log(line);
  console.log(
    `load average (1 min): ${loadAtStart.toFixed(2)} at start, ` +
      `${os.loadavg()[0].toFixed(2)} at end`,
  );
}

function parseArgs(args) {
  const parsed = { capture: null, size: 200 * MB, runs: 5, browser: true };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--size') parsed.size = parseSize(args[++i]);
    else if (arg === '--runs') parsed.runs = Number(args[++i]);
    else if (arg === '--no-browser') parsed.browser = false;
    else if (!arg.startsWith('--') && parsed.capture === null) {
      parsed.capture = arg;
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!(parsed.runs >= 1)) throw new Error('--runs needs a number >= 1');
  return parsed;
}

function parseSize(text) {
  const match = /^(\d+(?:\.\d+)?)([kMG]?)$/.exec(text ?? '');
  if (!match) throw new Error(`--size: cannot read "${text}"`);
  const unit = { '': 1, k: 1e3, M: 1e6, G: 1e9 }[match[2]];
  return Math.round(Number(match[1]) * unit);
}

/** The parser's build, WebAssembly included; turbo skips it when cached. */
function buildParser() {
  const build = spawnSync(
    'npx',
    ['turbo', 'run', 'build', '--filter=@capscope/parser',
      '--output-logs=errors-only'],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    },
  );
  if (build.status !== 0) throw new Error('the parser does not build');
}

/** The capture to time: the generator's, or tls2's records to size. */
function ensureCapture(size) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const generator = generatorFingerprint();
  if (generator !== null) {
    const file = path.join(CACHE_DIR, `generator-${size}-${generator}.pcap`);
    if (existsSync(file)) return describeCapture(file, 'generated');
    const partial = `${file}.partial`;
    const run = spawnSync(
      process.execPath,
      [path.join(GENERATOR_DIST, 'cli.js'), 'bench', String(size), partial],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    if (run.status === 0) {
      renameSync(partial, file);
      return describeCapture(file, 'generated (cli.js bench)');
    }
    rmSync(partial, { force: true });
    console.log(
      'kernel bench: the generator has no working `bench` command ' +
        `(${firstLine(run.stderr || run.stdout)}); using tls2's records`,
    );
  }

  const file = path.join(CACHE_DIR, `tls2-${size}.pcap`);
  if (!existsSync(file)) repeatRecords(SEED_CAPTURE, size, file);
  return describeCapture(file, 'records of pcapplusplus__tls2.pcap repeated');
}

/** A hash of the generator's build, or null when it is not built. */
function generatorFingerprint() {
  if (!existsSync(path.join(GENERATOR_DIST, 'cli.js'))) return null;
  const hash = createHash('sha256');
  for (const name of readdirSync(GENERATOR_DIST).sort()) {
    if (name.endsWith('.js')) {
      hash.update(readFileSync(path.join(GENERATOR_DIST, name)));
    }
  }
  return hash.digest('hex').slice(0, 12);
}

function describeCapture(file, source) {
  return { path: file, bytes: statSync(file).size, source };
}

/**
 * Writes the file header of `seed`, then its records over and over, whole,
 * while they fit in `size` bytes.
 */
function repeatRecords(seed, size, out) {
  const bytes = readFileSync(seed);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const records = [];
  for (let at = 24; at + 16 <= bytes.length;) {
    const length = 16 + view.getUint32(at + 8, true);
    records.push(bytes.subarray(at, at + length));
    at += length;
  }
  const partial = `${out}.partial`;
  const fd = openSync(partial, 'w');
  try {
    writeSync(fd, bytes.subarray(0, 24));
    let written = 24;
    for (let i = 0; ; i = (i + 1) % records.length) {
      if (written + records[i].length > size) break;
      writeSync(fd, records[i]);
      written += records[i].length;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(partial, out);
}

/**
 * Checks and times the readers over `bytes`. It runs in Node and, as
 * source text, in the Chromium worker, so it uses nothing but its
 * arguments and what both have (performance, WebAssembly).
 */
async function measureKernels(api, bytes, { runs, chunkBytes }) {
  const W = api.layout;

  function feed(reader) {
    for (let at = 0; at < bytes.length; at += chunkBytes) {
      reader.push(bytes.subarray(at, at + chunkBytes));
    }
    reader.end();
  }

  // What a consumer does at the least: look at each record.
  function countingSink(state) {
    return {
      records(batch) {
        const words = batch.words;
        state.packets += batch.count;
        for (let i = 0; i < batch.count; i++) {
          state.wire += words[i * W.RECORD_WORDS + W.W_ORIGINAL_LENGTH];
        }
      },
      problem() {
        state.problems++;
      },
    };
  }

  // A hash of every word but FRAME_AT, which depends on the reader.
  function hashingSink(state) {
    return {
      records(batch) {
        const words = batch.words;
        let hash = state.hash;
        for (let i = 0; i < batch.count * W.RECORD_WORDS; i++) {
          if (i % W.RECORD_WORDS === W.W_FRAME_AT) continue;
          hash = Math.imul(hash ^ words[i], 16777619);
        }
        state.hash = hash;
        state.packets += batch.count;
      },
      problem() {
        state.problems++;
      },
    };
  }

  const readers = {
    ts: async (sink) => api.createTsHeaderReader(sink),
    wasm: (sink) => api.createWasmHeaderReader(sink, api.kernelModule),
  };

  // Check: the same records from both kernels and from decodePacket().
  const hashes = {};
  for (const [name, create] of Object.entries(readers)) {
    const state = { hash: 2166136261, packets: 0, problems: 0 };
    feed(await create(hashingSink(state)));
    hashes[name] = state;
  }
  {
    const state = { hash: 2166136261, packets: 0, problems: 0 };
    const sink = hashingSink(state);
    const words = new Int32Array(W.RECORD_WORDS);
    const decoded = new api.DecodedPacket();
    const batch = { words, count: 1, bytes: null, firstPacket: 0 };
    feed(new api.CaptureReader({
      packet(record) {
        api.writeRecordFromPacket(record, decoded, words, 0, 0);
        sink.records(batch);
      },
      problem: sink.problem,
    }));
    hashes.decodePacket = state;
  }

  // Time: the kernels take turns, so a busy spell of the machine falls on
  // all of them.
  const timings = {
    'ts kernel': [],
    'wasm kernel (copy in included)': [],
    'reader + decodePacket': [],
    'copy into wasm memory alone': [],
  };
  let packets = 0;
  const memory = new WebAssembly.Memory({ initial: 17 });
  const target = new Uint8Array(memory.buffer);
  const piece = 1024 * 1024;
  for (let run = 0; run < runs; run++) {
    for (const [label, create] of [
      ['ts kernel', readers.ts],
      ['wasm kernel (copy in included)', readers.wasm],
    ]) {
      const state = { packets: 0, wire: 0, problems: 0 };
      const reader = await create(countingSink(state));
      const started = performance.now();
      feed(reader);
      timings[label].push(performance.now() - started);
      packets = state.packets;
    }

    const decoded = new api.DecodedPacket();
    let seen = 0;
    const reader = new api.CaptureReader({
      packet(record) {
        api.decodePacket(record, decoded);
        seen += decoded.layerCount;
      },
      problem() {},
    });
    let started = performance.now();
    feed(reader);
    timings['reader + decodePacket'].push(performance.now() - started);

    started = performance.now();
    for (let at = 0; at < bytes.length; at += piece) {
      target.set(bytes.subarray(at, at + piece), 65536);
    }
    timings['copy into wasm memory alone'].push(performance.now() - started);
    if (seen < 0) throw new Error('unreachable');
  }
  return { bytes: bytes.length, packets, hashes, timings };
}

async function loadParserApi(importFrom) {
  const [kernel, wasm, layout, reference, reader, decode] = await Promise.all(
    [
      'header-kernel.js',
      'header-kernel-wasm.js',
      'header-kernel-layout.js',
      'header-kernel-reference.js',
      'reader.js',
      'decode.js',
    ].map((name) => import(importFrom(name))),
  );
  return {
    createTsHeaderReader: kernel.createTsHeaderReader,
    createWasmHeaderReader: wasm.createWasmHeaderReader,
    layout,
    writeRecordFromPacket: reference.writeRecordFromPacket,
    CaptureReader: reader.CaptureReader,
    DecodedPacket: decode.DecodedPacket,
    decodePacket: decode.decodePacket,
  };
}

async function benchNode(capture) {
  console.log(`node ${process.version}: measuring...`);
  const api = await loadParserApi(
    (name) => pathToFileURL(path.join(PARSER_DIST, name)).href,
  );
  const { loadHeaderKernel } = await import(
    pathToFileURL(path.join(PARSER_DIST, 'header-kernel-node.js')).href
  );
  api.kernelModule = await loadHeaderKernel();
  const bytes = new Uint8Array(readFileSync(capture.path));
  return measureKernels(api, bytes, {
    runs: options.runs,
    chunkBytes: CHUNK_BYTES,
  });
}

/**
 * The same measurement in a module worker of headless Chromium, on a page
 * served from 127.0.0.1: the parser's built modules, kernel.wasm and the
 * capture, from a temporary folder.
 */
async function benchChromium(capture) {
  if (!existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} is missing` };
  let chromium;
  try {
    const require = createRequire(path.join(repoRoot, 'test/package.json'));
    ({ chromium } = require('playwright-core'));
  } catch (error) {
    return { skipped: `cannot load playwright-core: ${firstLine(error)}` };
  }
  const { serveStatic } = await import('./static-server.mjs');

  const root = mkdtempSync(path.join(os.tmpdir(), 'capscope-kernel-www-'));
  let server = null;
  let browser = null;
  try {
    writeBenchSite(root, capture);
    server = await serveStatic({ root, host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const version = `chromium ${browser.version()}`;
    console.log(`${version}: measuring in a module worker...`);
    const page = await browser.newPage();
    page.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    await page.goto(server.url, { waitUntil: 'load' });
    const answer = await page.evaluate(
      (measureOptions) =>
        new Promise((resolve) => {
          const worker = new Worker('bench.worker.js', { type: 'module' });
          worker.onmessage = (event) => resolve(event.data);
          worker.onerror = (event) =>
            resolve({ ok: false, error: event.message || 'worker error' });
          worker.postMessage(measureOptions);
        }),
      { runs: options.runs, chunkBytes: CHUNK_BYTES },
    );
    if (!answer.ok) throw new Error(`the worker failed: ${answer.error}`);
    return { version, result: answer.result };
  } finally {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

function writeBenchSite(root, capture) {
  const parserDir = path.join(root, 'parser');
  mkdirSync(parserDir);
  for (const name of readdirSync(PARSER_DIST)) {
    if (name.endsWith('.js') || name.endsWith('.wasm')) {
      copyFileSync(path.join(PARSER_DIST, name), path.join(parserDir, name));
    }
  }
  // A hard link, not a copy of 200 MB; the server refuses symlinks that
  // leave its root.
  const served = path.join(root, 'capture.pcap');
  try {
    linkSync(capture.path, served);
  } catch {
    copyFileSync(capture.path, served);
  }
  writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>kernel bench</title>\n',
  );
  writeFileSync(
    path.join(root, 'bench.worker.js'),
    `import { fetchHeaderKernel } from './parser/header-kernel-wasm.js';

const loadParserApi = ${loadParserApi.toString()};
const measureKernels = ${measureKernels.toString()};

self.onmessage = async (event) => {
  try {
    const api = await loadParserApi((name) => './parser/' + name);
    api.kernelModule = await fetchHeaderKernel('./parser/kernel.wasm');
    const response = await fetch('./capture.pcap', { cache: 'no-store' });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const result = await measureKernels(api, bytes, event.data);
    self.postMessage({ ok: true, result });
  } catch (error) {
    self.postMessage({ ok: false, error: String(error?.stack ?? error) });
  }
};
`,
  );
}

/** Prints one runtime's table; returns its one-line verdict. */
function report(runtime, result) {
  const { bytes, packets, hashes, timings } = result;
  console.log(`${runtime}: ${packets.toLocaleString('en')} packets`);
  const best = {};
  for (const [label, times] of Object.entries(timings)) {
    const sorted = [...times].sort((a, b) => a - b);
    const fastest = sorted[0];
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    best[label] = fastest;
    const perPacket = label.startsWith('copy') ? '' :
      `${((packets / fastest) * 1e3 / 1e6).toFixed(2).padStart(6)} M packets/s`;
    console.log(
      `  ${label.padEnd(31)} ${rate(bytes, fastest)} MB/s ` +
        `${perPacket.padEnd(18)} (median ${rate(bytes, median).trim()} ` +
        `MB/s, best ${fastest.toFixed(0)} ms)`,
    );
  }

  const same = hashes.ts.hash === hashes.wasm.hash &&
    hashes.ts.hash === hashes.decodePacket.hash &&
    hashes.ts.packets === hashes.wasm.packets &&
    hashes.ts.packets === hashes.decodePacket.packets;
  console.log(
    `  records: ${same ? 'the same' : 'DIFFERENT'} from both kernels and ` +
      `decodePacket (hash ${(hashes.ts.hash >>> 0).toString(16)}, ` +
      `${hashes.ts.packets} packets)`,
  );

  const ts = best['ts kernel'];
  const wasm = best['wasm kernel (copy in included)'];
  const faster = ts <= wasm ? 'ts' : 'wasm';
  const ratio = Math.max(ts, wasm) / Math.min(ts, wasm);
  const overReference = best['reader + decodePacket'] / Math.min(ts, wasm);
  return `${runtime}: ${faster} kernel faster, ${ratio.toFixed(2)}x the ` +
    `other (${rate(bytes, ts).trim()} vs ${rate(bytes, wasm).trim()} MB/s, ` +
    `ts vs wasm); ${overReference.toFixed(1)}x reader + decodePacket`;
}

function rate(bytes, ms) {
  return ((bytes / MB) / (ms / 1e3)).toFixed(0).padStart(6);
}

function firstLine(text) {
  return String(text ?? '').trim().split('\n')[0];
}
