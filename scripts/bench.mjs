// `npm run bench`: throughput and memory of `capscope flows` against
// tshark's conversation statistics, and of an import in headless Chromium,
// on generated captures of 200 MB and 1 GB. It prints numbers; nothing
// here passes or fails, and `npm test` times nothing.
//
//   node scripts/bench.mjs [--quick] [--tshark-1g] [--runs N]
//
//   --quick      only the 200 MB capture, no browser
//   --tshark-1g  run tshark on the 1 GB capture too (about 40 s more)
//   --runs N     run each command-line tool N times and keep the fastest
//                (1 by default); the browser import runs once
//
// The captures come from the test generator (`cli.js bench BYTES OUT`) and
// are kept in <tmpdir>/capscope-bench/, named by size and a hash of the
// generator's build, so a rerun reuses them until the generator changes.
// Debian's tshark is installed when missing; a missing tshark, Chromium or
// web build skips that part with one line saying why.
//
// Every figure comes with the machine's 1-minute load average when it was
// taken: on 2 shared cores, a busy machine moves them a lot.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);

const MB = 1e6;
/** Capture sizes in decimal bytes, as MB/s counts them. */
const SIZE_200MB = 200 * MB;
const SIZE_1GB = 1000 * MB;
const CACHE_DIR = path.join(os.tmpdir(), 'capscope-bench');
const GENERATOR_DIST = path.join(repoRoot, 'test/dist/generator');
const GENERATOR_CLI = path.join(GENERATOR_DIST, 'cli.js');
const CAPSCOPE_CLI = path.join(repoRoot, 'packages/analytics/bin/capscope.js');
const READ_ONLY_SCRIPT = path.join(repoRoot, 'scripts/bench-read.mjs');
const WEB_DIST = path.join(repoRoot, 'apps/web/dist');
const HARNESS = path.join(repoRoot, 'test/dist/browser/harness.js');
const CHROMIUM = '/usr/bin/chromium';
const GNU_TIME = '/usr/bin/time';
/** Long enough for apt on a slow mirror; the bench goes on without it. */
const APT_TIMEOUT_MS = 10 * 60 * 1000;
/** A 1 GB import at a tenth of the expected speed still finishes. */
const IMPORT_TIMEOUT_MS = 15 * 60 * 1000;
/** The page gets this long to show its file picker. */
const PAGE_READY_TIMEOUT_MS = 30 * 1000;
/** How often Chromium's memory is sampled during an import. */
const MEMORY_SAMPLE_MS = 250;
/** The Long Tasks API reports tasks of more than 50 ms. */
const LONG_TASK_MS = 50;

const options = parseArgs(process.argv.slice(2));
const children = new Set();
const cleanups = new Set();
installExitHandlers();

/** Rows of the closing table, in the order they were measured. */
const rows = [];
/** Lines under the table: ratios, skips, checks. */
const notes = [];

try {
  await main();
} catch (error) {
  // A failure of the bench itself (not of a measured tool): one line.
  console.error(`bench: ${error?.message ?? error}`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch {
      // Best effort: partial files and a browser that may be gone.
    }
  }
}

async function main() {
  const started = Date.now();
  printMachine();

  const builds = buildWorkspaces();
  if (!builds.generator) {
    console.log(
      'bench: the generator and the capscope CLI are not built; nothing to ' +
        'measure',
    );
    process.exitCode = 1;
    return;
  }

  const tshark = ensureTools();

  const sizes = options.quick ? [SIZE_200MB] : [SIZE_200MB, SIZE_1GB];
  const captures = [];
  for (const size of sizes) captures.push(await ensureCapture(size));

  for (const capture of captures) {
    const cli = await benchCommand(
      'capscope flows',
      capture,
      process.execPath,
      [CAPSCOPE_CLI, 'flows', capture.path],
    );
    // The same command with classic pcap read through each header kernel
    // (CAPSCOPE_KERNEL; the default reader is CaptureReader with
    // decodePacket()): `env` runs node in its own place, so the time and
    // the memory are node's.
    for (const kernel of ['ts', 'wasm']) {
      await benchCommand(
        `capscope flows, ${kernel} kernel`,
        capture,
        '/usr/bin/env',
        [`CAPSCOPE_KERNEL=${kernel}`, process.execPath, CAPSCOPE_CLI, 'flows',
          capture.path],
      );
    }
    const cores = os.availableParallelism();
    if (cores > 1) {
      await benchCommand(
        `capscope flows --threads ${cores}`,
        capture,
        process.execPath,
        [CAPSCOPE_CLI, 'flows', capture.path, '--threads', String(cores)],
      );
    }
    // Node reading the file and nothing else: what no Node reader beats.
    const floor = await benchCommand(
      'node, reading only',
      capture,
      process.execPath,
      [READ_ONLY_SCRIPT, capture.path],
    );
    if (cli.ok && floor.ok) {
      const line =
        `capscope flows on ${capture.label}: ` +
        `${Math.round(cli.mbPerSecond)} MB/s, ` +
        `${(cli.seconds / floor.seconds).toFixed(1)} times the time of ` +
        'reading alone';
      console.log(`  ${line}`);
      notes.push(line);
    }
    const runTshark =
      tshark.available && (capture.size === SIZE_200MB || options.tshark1g);
    if (runTshark) {
      const ts = await benchCommand(
        'tshark conv,tcp+udp',
        capture,
        tshark.path,
        ['-n', '-q', '-r', capture.path, '-z', 'conv,tcp', '-z', 'conv,udp'],
      );
      if (cli.ok && ts.ok) {
        const ratio = cli.mbPerSecond / ts.mbPerSecond;
        const line =
          `capscope / tshark throughput on ${capture.label}: ` +
          `${ratio.toFixed(2)}x`;
        console.log(`  ${line}`);
        notes.push(line);
      }
      if (floor.ok && ts.ok) {
        const line =
          `reading alone / tshark throughput on ${capture.label}: ` +
          `${(floor.mbPerSecond / ts.mbPerSecond).toFixed(2)}x`;
        console.log(`  ${line}`);
        notes.push(line);
      }
    } else if (!tshark.available) {
      notes.push(`tshark on ${capture.label}: skipped (${tshark.reason})`);
    } else {
      notes.push(
        `tshark on ${capture.label}: not run (five times its 200 MB ` +
          'time or more; add --tshark-1g)',
      );
    }
  }

  if (options.quick) {
    notes.push('browser: skipped (--quick)');
  } else {
    // One worker, then one per core: the page's `?workers=N` sets it.
    for (const workers of new Set([1, os.availableParallelism()])) {
      await benchBrowser(captures.at(-1), builds.web, workers);
    }
    // One worker reading through each header kernel (`?kernel=`).
    for (const kernel of ['ts', 'wasm']) {
      await benchBrowser(captures.at(-1), builds.web, 1, kernel);
    }
  }

  // The other issues' lines: filtering a million flows in the worker's
  // code, saving and reopening a million-flow dataset, and the header
  // kernels (TypeScript against WebAssembly, in Node and Chromium).
  runScriptBench('filter', 'bench-filter.mjs', []);
  if (!options.quick) {
    runScriptBench('dataset', 'bench-dataset.mjs', []);
    runScriptBench('kernel', 'bench-kernel.mjs', [captures[0].path]);
  }

  printSummary();
  console.log(`bench: done in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Runs a bench script of its own; its lines join the summary's notes. */
function runScriptBench(label, script, args) {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), script);
  if (!existsSync(file)) {
    notes.push(`${label}: skipped (${script} is missing)`);
    return;
  }
  console.log(`${label}:`);
  const run = spawnSync(process.execPath, [file, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = `${run.stdout ?? ''}`.trim().split('\n').filter(Boolean);
  for (const line of lines) {
    console.log(`  ${line}`);
    notes.push(`${label}: ${line.trim()}`);
  }
  if (run.status !== 0) {
    const why = `${run.stderr ?? ''}`.trim().split('\n').at(-1) ?? '';
    console.log(`  ${label}: exit ${run.status} ${why}`);
    notes.push(`${label}: exit ${run.status} ${why}`);
  }
}

// --- setup -------------------------------------------------------------------

function parseArgs(args) {
  const usage = 'usage: npm run bench -- [--quick] [--tshark-1g] [--runs N]';
  const parsed = { quick: false, tshark1g: false, runs: 1 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--quick') parsed.quick = true;
    else if (arg === '--tshark-1g') parsed.tshark1g = true;
    else if (arg === '--runs') {
      parsed.runs = Number(args[++i]);
      if (!Number.isInteger(parsed.runs) || parsed.runs < 1) {
        console.error(`bench: --runs needs a whole number >= 1\n${usage}`);
        process.exit(2);
      }
    } else if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else {
      console.error(`bench: unknown option ${arg}\n${usage}`);
      process.exit(2);
    }
  }
  return parsed;
}

function printMachine() {
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown';
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  console.log(
    `bench: ${os.cpus().length} cores (${cpu}), ` +
      `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ` +
      `capscope at ${commit.status === 0 ? commit.stdout.trim() : 'unknown'}` +
      ` (plus uncommitted changes, if any), load average ` +
      `${os.loadavg()[0].toFixed(1)}`,
  );
}

/**
 * Builds what each part needs through turbo, which skips what is up to
 * date. The generator and CLI (the test workspace, which depends on the
 * parser and analytics) are needed for anything; the web app only for the
 * browser part, which is skipped rather than run on a stale build.
 */
function buildWorkspaces() {
  const result = { generator: false, web: { ok: false, reason: '' } };

  const test = turboBuild('@capscope/test');
  if (test.ok) {
    result.generator = true;
  } else if (existsSync(GENERATOR_CLI) && existsSync(CAPSCOPE_CLI)) {
    console.log(
      'build: the test workspace did not build cleanly (above); ' +
        'going on with the output it left',
    );
    result.generator =
      existsSync(path.join(GENERATOR_DIST, 'bench-scenario.js')) &&
      existsSync(path.join(repoRoot, 'packages/analytics/dist/cli/main.js'));
  }

  if (options.quick) return result;
  const web = turboBuild('@capscope/web');
  if (!web.ok) {
    result.web.reason = 'the web app does not build; its errors are above';
  } else if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    result.web.reason = 'the web build left no apps/web/dist/index.html';
  } else {
    result.web.ok = true;
  }
  return result;
}

function turboBuild(filter) {
  const started = Date.now();
  const run = spawnSync(
    'npx',
    [
      'turbo',
      'run',
      'build',
      `--filter=${filter}`,
      '--output-logs=errors-only',
    ],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status === 0) {
    console.log(`build: ${filter} ok (${seconds} s)`);
    return { ok: true };
  }
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n');
  console.log(
    `build: ${filter} failed (exit ${run.status ?? run.signal}, ` +
      `${seconds} s); its last lines:`,
  );
  for (const line of output.slice(-25)) console.log(`  | ${line}`);
  return { ok: false };
}

/**
 * Finds tshark (installing Debian's when missing, with the setuid
 * question answered no) and makes sure GNU time is there for peak memory.
 */
function ensureTools() {
  const missing = [];
  if (!which('tshark')) missing.push('tshark');
  if (!existsSync(GNU_TIME)) missing.push('time');

  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      console.log(
        `tools: ${missing.join(', ')} missing and not root; not installing`,
      );
    } else {
      aptInstall(missing);
    }
  }

  if (!existsSync(GNU_TIME)) {
    console.log(
      'tools: no /usr/bin/time; peak memory is read from VmHWM while the ' +
        'command runs',
    );
  }
  const tsharkPath = which('tshark');
  if (tsharkPath === null) {
    return { available: false, reason: 'tshark is not installed', path: '' };
  }
  const version = spawnSync(tsharkPath, ['--version'], { encoding: 'utf8' });
  const firstLine = (version.stdout ?? '').split('\n')[0].trim();
  console.log(`tools: ${firstLine || tsharkPath}`);
  return { available: true, reason: '', path: tsharkPath };
}

function aptInstall(packages) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const log = path.join(CACHE_DIR, 'apt.log');
  console.log(
    `tools: installing Debian's ${packages.join(', ')} ` +
      `(apt-get; log in ${log})`,
  );
  const script = [
    'set -e',
    // tshark's wireshark-common asks whether non-root users may capture.
    "echo 'wireshark-common wireshark-common/install-setuid boolean false'" +
      ' | debconf-set-selections',
    'apt-get update',
    `apt-get install -y ${packages.join(' ')}`,
  ].join('\n');
  const fd = openSync(log, 'w');
  try {
    const run = spawnSync('bash', ['-c', script], {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: APT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    if (run.status !== 0) {
      const why = run.error?.code === 'ETIMEDOUT' ? 'timed out' : 'failed';
      const tail = readFileSync(log, 'utf8').trim().split('\n').slice(-5);
      console.log(`tools: apt-get ${why}; last lines of ${log}:`);
      for (const line of tail) console.log(`  | ${line}`);
    }
  } finally {
    closeSync(fd);
  }
}

function which(name) {
  const run = spawnSync('sh', ['-c', `command -v ${name}`], {
    encoding: 'utf8',
  });
  const found = (run.stdout ?? '').trim();
  return run.status === 0 && found !== '' ? found : null;
}

// --- captures -----------------------------------------------------------------

/**
 * The capture of `size` bytes from the cache, generated first when it is
 * missing or was made by another build of the generator. Returns its path
 * and the generator's figures.
 */
async function ensureCapture(size) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const version = generatorVersion();
  const label = formatSize(size);
  const base = path.join(CACHE_DIR, `bench-${size}-${version}`);
  const pcapPath = `${base}.pcap`;
  const statsPath = `${base}.json`;
  removeStale(version);

  if (existsSync(pcapPath) && existsSync(statsPath)) {
    const stats = JSON.parse(readFileSync(statsPath, 'utf8'));
    if (stats.fileBytes === statSync(pcapPath).size) {
      console.log(`capture ${label}: cached ${pcapPath}`);
      printCaptureLine(label, stats);
      return { size, label, path: pcapPath, stats };
    }
  }

  const free = statfsSync(CACHE_DIR);
  const freeBytes = free.bavail * free.bsize;
  if (freeBytes < size * 1.1) {
    throw new Error(
      `${CACHE_DIR} has ${formatSize(freeBytes)} free, ` +
        `too little for a ${label} capture`,
    );
  }

  // Written under temporary names and renamed when whole, so that an
  // interrupted run leaves no capture that looks finished.
  const partialPcap = `${pcapPath}.partial`;
  const partialStats = `${statsPath}.partial`;
  cleanups.add(() => rmSync(partialPcap, { force: true }));
  cleanups.add(() => rmSync(partialStats, { force: true }));
  console.log(`capture ${label}: generating ${pcapPath}`);
  const started = process.hrtime.bigint();
  const run = await runChild(process.execPath, [
    GENERATOR_CLI,
    'bench',
    String(size),
    partialPcap,
    '--stats',
    partialStats,
  ]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.code !== 0) {
    throw new Error(
      `the generator failed (exit ${run.code}): ${run.stderr.trim()}`,
    );
  }
  renameSync(partialStats, statsPath);
  renameSync(partialPcap, pcapPath);
  const stats = JSON.parse(readFileSync(statsPath, 'utf8'));
  console.log(
    `  generated in ${seconds.toFixed(1)} s ` +
      `(${(stats.fileBytes / MB / seconds).toFixed(0)} MB/s)`,
  );
  printCaptureLine(label, stats);
  return { size, label, path: pcapPath, stats };
}

function printCaptureLine(label, stats) {
  const percent = (n) => `${((100 * n) / stats.packets).toFixed(1)}%`;
  const span = (stats.lastSeenMicros - stats.firstSeenMicros) / 1e6;
  console.log(
    `  ${label}: ${stats.packets.toLocaleString('en-US')} packets over ` +
      `${span.toFixed(1)} s, mean frame ${stats.meanFrameBytes.toFixed(0)} ` +
      `bytes, ${percent(stats.smallFrames)} of frames <= 100 bytes, ` +
      `${percent(stats.ipv6Frames)} IPv6, ${percent(stats.vlanFrames)} ` +
      `VLAN-tagged, ${stats.flows.toLocaleString('en-US')} flows ` +
      `(${stats.concurrentFlows.toLocaleString('en-US')} concurrent)`,
  );
}

/** A hash of the generator's compiled code: a new one regenerates. */
function generatorVersion() {
  const hash = createHash('sha256');
  const files = readdirSync(GENERATOR_DIST)
    .filter((name) => name.endsWith('.js') && !name.endsWith('.test.js'))
    .sort();
  for (const name of files) {
    hash.update(name);
    hash.update(readFileSync(path.join(GENERATOR_DIST, name)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** Captures of other generator versions: a GB each, so they go. */
function removeStale(version) {
  for (const name of readdirSync(CACHE_DIR)) {
    if (!/^bench-\d+-[0-9a-f]{12}\./.test(name)) continue;
    if (name.includes(`-${version}.`) && !name.endsWith('.partial')) continue;
    rmSync(path.join(CACHE_DIR, name), { force: true });
    console.log(`capture cache: removed ${name} (another generator version)`);
  }
}

// --- command-line tools -----------------------------------------------------

/**
 * Runs a command on a capture with its output to /dev/null (the fastest of
 * --runs runs); prints and records packets/s, MB/s, wall time and peak
 * resident memory.
 */
async function benchCommand(name, capture, command, args) {
  console.log(`${name} on ${capture.label}:`);
  let best = null;
  for (let i = 0; i < options.runs; i++) {
    const load = os.loadavg()[0];
    const run = await runMeasured(command, args);
    if (run.code !== 0) {
      console.log(
        `  failed (exit ${run.code}) after ${run.seconds.toFixed(1)} s: ` +
          lastLine(run.stderr),
      );
      notes.push(`${name} on ${capture.label}: failed (exit ${run.code})`);
      return { ok: false };
    }
    if (options.runs > 1) {
      console.log(
        `  run ${i + 1}: ${run.seconds.toFixed(2)} s (load ${load.toFixed(1)})`,
      );
    }
    if (best === null || run.seconds < best.seconds) best = { ...run, load };
  }

  const row = {
    what: name,
    file: capture.label,
    packetsPerSecond: capture.stats.packets / best.seconds,
    mbPerSecond: capture.stats.fileBytes / MB / best.seconds,
    seconds: best.seconds,
    peakBytes: best.peakBytes,
    fileBytes: capture.stats.fileBytes,
    load: best.load,
    extra: '',
  };
  console.log(
    `  ${formatRate(row.packetsPerSecond)} packets/s, ` +
      `${row.mbPerSecond.toFixed(1)} MB/s, ${row.seconds.toFixed(2)} s, ` +
      `peak memory ${formatPeak(row.peakBytes, row.fileBytes)} ` +
      `(load ${row.load.toFixed(1)})`,
  );
  rows.push(row);
  return { ok: true, mbPerSecond: row.mbPerSecond, seconds: row.seconds };
}

/**
 * Wall time from spawn to exit, and peak RSS: from GNU time's report when
 * /usr/bin/time exists, else the last VmHWM read while the process ran.
 */
async function runMeasured(command, args) {
  const useTime = existsSync(GNU_TIME);
  let reportPath = null;
  let argv = [command, ...args];
  const removeReport = () => {
    if (reportPath !== null) rmSync(reportPath, { force: true });
  };
  if (useTime) {
    mkdirSync(CACHE_DIR, { recursive: true });
    reportPath = path.join(CACHE_DIR, `time-${process.pid}.txt`);
    argv = [GNU_TIME, '-v', '-o', reportPath, command, ...args];
    cleanups.add(removeReport);
  }

  const devNull = openSync('/dev/null', 'w');
  let peakBytes = null;
  let sampler = null;
  const started = process.hrtime.bigint();
  try {
    const run = await runChild(argv[0], argv.slice(1), {
      stdout: devNull,
      onSpawn: (child) => {
        if (useTime) return;
        sampler = setInterval(() => {
          const hwm = readStatusKb(child.pid, 'VmHWM');
          if (hwm !== null) peakBytes = hwm * 1024;
        }, 20);
      },
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (useTime) {
      const report = readFileSync(reportPath, 'utf8');
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
      const status = /Exit status: (\d+)/.exec(report);
      peakBytes = rss ? Number(rss[1]) * 1024 : null;
      return {
        code: status ? Number(status[1]) : run.code,
        seconds,
        peakBytes,
        stderr: run.stderr,
      };
    }
    return { code: run.code, seconds, peakBytes, stderr: run.stderr };
  } finally {
    if (sampler !== null) clearInterval(sampler);
    closeSync(devNull);
    removeReport();
    cleanups.delete(removeReport);
  }
}

/** A kB figure from /proc/PID/status, or null once the process is gone. */
function readStatusKb(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Spawns a child in its own process group (so that it and anything it
 * starts can be killed together) and resolves with its exit code and the
 * end of its stderr.
 */
function runChild(command, args, { stdout = 'ignore', onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      stdio: ['ignore', stdout, 'pipe'],
      detached: true,
    });
    children.add(child);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      stderr = (stderr + text).slice(-4000);
    });
    child.once('spawn', () => onSpawn?.(child));
    child.once('error', (error) => {
      children.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code: code ?? signal, stderr });
    });
  });
}

// --- the browser ------------------------------------------------------------

/**
 * Installed before the page's own scripts: notes when the file input
 * changes, when the first flow shows, when the import ends, and every long
 * task. Times are the page's performance.now().
 */
function pageRecorder(longTaskMs) {
  const bench = {
    pickedAt: null,
    firstFlowAt: null,
    endedAt: null,
    endState: null,
    longTasks: [],
    longTasksObserved: false,
    check: null,
  };
  Object.defineProperty(window, '__capscopeBench', { value: bench });
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (entry.duration > longTaskMs) {
          bench.longTasks.push([entry.startTime, entry.duration]);
        }
      }
    }).observe({ type: 'longtask', buffered: true });
    bench.longTasksObserved = true;
  } catch {
    // Left false: the summary says the figure is missing.
  }
  document.addEventListener(
    'change',
    (event) => {
      const target = event.target;
      if (
        bench.pickedAt === null &&
        target instanceof Element &&
        target.matches('[data-testid=file-input]')
      ) {
        bench.pickedAt = performance.now();
      }
    },
    true,
  );
  const check = () => {
    if (bench.pickedAt === null || bench.endState !== null) {
      return bench.endState;
    }
    const now = performance.now();
    if (bench.firstFlowAt === null) {
      const count = document.querySelector('[data-testid=flow-count]');
      const flows = Number(count?.getAttribute('data-value') ?? 0);
      if (document.querySelector('[data-testid=flow-row]') || flows > 0) {
        bench.firstFlowAt = now;
      }
    }
    const progress = document.querySelector('[data-testid=import-progress]');
    const state = progress?.getAttribute('data-state');
    if (state === 'done' || state === 'error' || state === 'cancelled') {
      bench.endState = state;
      bench.endedAt = now;
    }
    return bench.endState;
  };
  bench.check = check;
  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-state', 'data-value'],
  });
}

/**
 * Serves the production build, opens it in Debian's Chromium, picks the
 * capture with the file input and measures the import until
 * import-progress says done.
 */
async function benchBrowser(capture, web, workers, kernel = 'decoder') {
  const label = `${workers} worker${workers === 1 ? '' : 's'}` +
    (kernel === 'decoder' ? '' : `, ${kernel} kernel`);
  console.log(`browser import of ${capture.label}, ${label}:`);
  const skip = (why) => {
    console.log(`  skipped: ${why}`);
    notes.push(`browser: skipped (${why})`);
  };
  if (!web.ok) return skip(web.reason);
  if (!existsSync(CHROMIUM)) {
    return skip(
      `${CHROMIUM} is missing; install Debian's chromium ` +
        '(apt-get install --no-install-recommends chromium)',
    );
  }
  let chromium;
  let harness;
  try {
    // playwright-core is the test workspace's dependency; the Chromium
    // flags are the browser tests' own.
    const require = createRequire(path.join(repoRoot, 'test/package.json'));
    ({ chromium } = require('playwright-core'));
    harness = await import(pathToFileURL(HARNESS).href);
  } catch (error) {
    return skip(`cannot load playwright-core or the test harness: ${error}`);
  }
  const { serveStatic } = await import('./static-server.mjs');

  let server = null;
  let browser = null;
  const closeAll = async () => {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
  };
  cleanups.add(closeAll);
  try {
    server = await serveStatic({ root: WEB_DIST, host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: harness.CHROMIUM_PATH ?? CHROMIUM,
      headless: true,
      args: [...harness.CHROMIUM_ARGS],
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.addInitScript(pageRecorder, LONG_TASK_MS);
    const query = kernel === 'decoder' ? '' : `&kernel=${kernel}`;
    await page.goto(`${server.url}?workers=${workers}${query}`,
      { waitUntil: 'load' });

    const input = page.locator('[data-testid=file-input]');
    try {
      await input.waitFor({
        state: 'attached',
        timeout: PAGE_READY_TIMEOUT_MS,
      });
    } catch {
      return skip(
        'the page shows no [data-testid=file-input] after ' +
          `${PAGE_READY_TIMEOUT_MS / 1000} s` +
          (pageErrors.length > 0 ? `; it threw: ${pageErrors[0]}` : ''),
      );
    }

    const load = os.loadavg()[0];
    const sampler = sampleBrowserMemory();
    const nodePeakBefore = readStatusKb(process.pid, 'VmHWM') ?? 0;
    // For a browser on this machine, playwright-core hands Chromium the
    // path (CDP DOM.setFileInputFiles); it reads no file into Node.
    await input.setInputFiles(capture.path);
    const nodePeakAfter = readStatusKb(process.pid, 'VmHWM') ?? 0;

    try {
      await page.waitForFunction(
        // The observer sees every change; the poll is a fallback in case
        // the progress element came and went within one batch.
        () => window.__capscopeBench.check() !== null,
        null,
        { timeout: IMPORT_TIMEOUT_MS, polling: 200 },
      );
    } catch (error) {
      return skip(`the import did not end: ${firstLine(error.message)}`);
    } finally {
      sampler.stop();
    }

    const seen = await page.evaluate(() => {
      const value = (id, attribute = 'data-value') =>
        document
          .querySelector(`[data-testid=${id}]`)
          ?.getAttribute(attribute) ?? null;
      const error = document.querySelector('[data-testid=error-message]');
      const { check, ...recorded } = window.__capscopeBench;
      return {
        ...recorded,
        flows: value('flow-count'),
        packets: value('packet-count'),
        bytes: value('byte-total'),
        errorKind: error?.getAttribute('data-kind') ?? null,
        errorText: error?.textContent?.trim() ?? null,
        kernel: value('import-kernel'),
      };
    });
    if (seen.kernel !== kernel) {
      notes.push(`browser ${label}: the page read with ${seen.kernel}, ` +
        `not ${kernel}`);
    }
    reportBrowser(capture, seen, sampler.peakBytes, {
      nodeGrowthBytes: (nodePeakAfter - nodePeakBefore) * 1024,
      pageErrors,
      load,
    }, label);
  } catch (error) {
    skip(
      `the browser run failed: ${firstLine(String(error?.message ?? error))}`,
    );
  } finally {
    cleanups.delete(closeAll);
    await closeAll();
  }
}

function reportBrowser(capture, seen, browserPeakBytes, extra, label) {
  if (seen.pickedAt === null) {
    console.log('  the file input never fired a change event');
    notes.push('browser: no change event from the file input');
    return;
  }
  if (seen.endState !== 'done') {
    const why = seen.errorKind
      ? `${seen.errorKind}: ${seen.errorText}`
      : (seen.errorText ?? 'no error-message shown');
    console.log(`  the import ended "${seen.endState}" (${why})`);
    notes.push(`browser: the import ended ${seen.endState} (${why})`);
    return;
  }

  const seconds = (seen.endedAt - seen.pickedAt) / 1000;
  const firstFlow =
    seen.firstFlowAt === null
      ? null
      : (seen.firstFlowAt - seen.pickedAt) / 1000;
  const during = seen.longTasks.filter(
    ([start]) => start >= seen.pickedAt && start <= seen.endedAt,
  );
  const longest = during.reduce(
    (max, [, duration]) => Math.max(max, duration),
    0,
  );
  const packetsPerSecond = capture.stats.packets / seconds;
  const mbPerSecond = capture.stats.fileBytes / MB / seconds;
  const longTaskText = seen.longTasksObserved
    ? `longest main-thread task ${longest.toFixed(0)} ms ` +
      `(${during.length} over ${LONG_TASK_MS} ms)`
    : 'long tasks not observable';

  console.log(
    `  ${formatRate(packetsPerSecond)} packets/s, ${mbPerSecond.toFixed(1)} ` +
      `MB/s: pick to done ${seconds.toFixed(2)} s, first flow shown after ` +
      `${firstFlow === null ? 'never' : `${firstFlow.toFixed(2)} s`}, ` +
      `${longTaskText} (load ${extra.load.toFixed(1)})`,
  );
  console.log(
    `  Chromium memory (all its processes, PSS sampled every ` +
      `${MEMORY_SAMPLE_MS} ms): peak ` +
      `${formatPeak(browserPeakBytes, capture.stats.fileBytes)}`,
  );
  const totals = {
    flows: seen.flows,
    packets: seen.packets,
    bytes: seen.bytes,
  };
  const expected = {
    flows: String(capture.stats.flows),
    packets: String(capture.stats.packets),
    bytes: String(capture.stats.wireBytes),
  };
  const mismatched = Object.keys(totals).filter(
    (key) => totals[key] !== null && totals[key] !== expected[key],
  );
  console.log(
    `  page totals: ${totals.flows} flows, ${totals.packets} packets, ` +
      `${totals.bytes} bytes` +
      (mismatched.length === 0
        ? ' (as generated)'
        : ` (generated: ${mismatched
            .map((key) => `${expected[key]} ${key}`)
            .join(', ')})`),
  );
  if (mismatched.length > 0) {
    notes.push(
      `browser: page totals differ from the generator's ` +
        `(${mismatched.join(', ')})`,
    );
  }
  const growthMb = extra.nodeGrowthBytes / MB;
  const wentThroughNode = growthMb > capture.stats.fileBytes / MB / 2;
  console.log(
    `  setInputFiles: the bench's own peak RSS grew ${growthMb.toFixed(0)} ` +
      `MB (${
        wentThroughNode
          ? 'the file went through Node'
          : 'the path was handed over, not the bytes'
      })`,
  );
  if (wentThroughNode) {
    notes.push('browser: setInputFiles read the capture into Node memory');
  }
  if (extra.pageErrors.length > 0) {
    console.log(`  the page threw: ${extra.pageErrors[0]}`);
  }

  rows.push({
    what: `browser import, ${label}`,
    file: capture.label,
    packetsPerSecond,
    mbPerSecond,
    seconds,
    peakBytes: browserPeakBytes,
    fileBytes: capture.stats.fileBytes,
    load: extra.load,
    extra:
      `first flow ${firstFlow === null ? 'never' : `${firstFlow.toFixed(2)} s`}, ` +
      (seen.longTasksObserved
        ? `longest task ${longest.toFixed(0)} ms`
        : 'long tasks n/a'),
  });
}

/**
 * Samples the proportional set size (shared pages split between sharers)
 * of every process below this one: during the import, Chromium's browser,
 * GPU, network and renderer processes.
 */
function sampleBrowserMemory() {
  let peakBytes = null;
  const sample = () => {
    let total = 0;
    for (const pid of descendants(process.pid)) {
      const pss = readPssKb(pid);
      if (pss !== null) total += pss * 1024;
    }
    if (total > 0 && (peakBytes === null || total > peakBytes)) {
      peakBytes = total;
    }
  };
  sample();
  const timer = setInterval(sample, MEMORY_SAMPLE_MS);
  return {
    get peakBytes() {
      return peakBytes;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

function descendants(rootPid) {
  const parentOf = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start
      // after its closing one.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(name), Number(fields[1]));
    } catch {
      // Gone since the listing.
    }
  }
  const found = [];
  const wanted = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parentOf) {
      if (!wanted.has(pid) && wanted.has(parent)) {
        wanted.add(pid);
        found.push(pid);
        grew = true;
      }
    }
  }
  return found;
}

function readPssKb(pid) {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(rollup);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

// --- output -------------------------------------------------------------------

function printSummary() {
  const header = [
    'what',
    'file',
    'packets/s',
    'MB/s',
    'time s',
    'peak memory',
    'peak/file',
    'load',
    'notes',
  ];
  const body = rows.map((row) => [
    row.what,
    row.file,
    formatRate(row.packetsPerSecond),
    row.mbPerSecond.toFixed(1),
    row.seconds.toFixed(2),
    row.peakBytes === null ? 'n/a' : `${(row.peakBytes / MB).toFixed(0)} MB`,
    row.peakBytes === null
      ? 'n/a'
      : `${((100 * row.peakBytes) / row.fileBytes).toFixed(1)}%`,
    row.load.toFixed(1),
    row.extra,
  ]);
  const table = [header, ...body];
  const widths = header.map((_, column) =>
    Math.max(...table.map((cells) => cells[column].length)),
  );
  const numeric = new Set([2, 3, 4, 5, 6, 7]);
  const line = (cells) =>
    cells
      .map((cell, column) =>
        numeric.has(column)
          ? cell.padStart(widths[column])
          : cell.padEnd(widths[column]),
      )
      .join('  ')
      .trimEnd();

  console.log('');
  console.log('summary');
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const cells of body) console.log(line(cells));
  if (rows.length === 0) console.log('(nothing was measured)');
  for (const note of notes) console.log(`- ${note}`);
  const cores = os.cpus().length;
  if (rows.some((row) => row.load > cores)) {
    console.log(
      `- the 1-minute load average passed the ${cores} cores during some ` +
        'runs: other work shared the machine, so those figures are low',
    );
  }
}

function formatRate(perSecond) {
  return Math.round(perSecond).toLocaleString('en-US');
}

function formatPeak(peakBytes, fileBytes) {
  if (peakBytes === null) return 'n/a';
  return (
    `${(peakBytes / MB).toFixed(0)} MB ` +
    `(${((100 * peakBytes) / fileBytes).toFixed(1)}% of the file)`
  );
}

function formatSize(bytes) {
  return bytes >= 1000 * MB
    ? `${(bytes / (1000 * MB)).toFixed(bytes % (1000 * MB) === 0 ? 0 : 1)} GB`
    : `${Math.round(bytes / MB)} MB`;
}

function lastLine(text) {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

function firstLine(text) {
  return text.split('\n')[0];
}

// --- exit -----------------------------------------------------------------------

/**
 * Kills every child's process group on any exit, and on a signal runs the
 * cleanups (browser, server, partial files) first.
 */
function installExitHandlers() {
  const killChildren = () => {
    for (const child of children) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
    children.clear();
  };
  process.on('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, async () => {
      console.error(`bench: ${signal}, stopping`);
      killChildren();
      for (const cleanup of cleanups) {
        try {
          await cleanup();
        } catch {
          // Best effort on the way out.
        }
      }
      process.exit(130);
    });
  }
}
