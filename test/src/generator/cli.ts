import { closeSync, openSync, writeFileSync } from 'node:fs';

import {
  BENCH_CONCURRENT_FLOWS,
  BENCH_DEFAULT_SEED,
  type BenchCaptureOptions,
  type BenchCaptureStats,
  parseByteSize,
  resolveBenchOptions,
  writeBenchCapture,
} from './bench-scenario.js';
import { fileSink, PcapWriter } from './pcap-writer.js';
import {
  resolveSampleOptions,
  type SampleManifest,
  type SampleOptions,
  writeSample,
} from './scenario.js';

const USAGE =
  'usage: node test/dist/generator/cli.js sample OUT [--seed N] ' +
  '[--sessions N] [--duration SECONDS] [--scale X] [--manifest FILE]\n' +
  '       node test/dist/generator/cli.js bench BYTES OUT [--seed N] ' +
  '[--flows N] [--stats FILE]\n' +
  '         (BYTES: a number, or with k, M or G: 200M, 1G)';

/**
 * Writes a generated capture to a file, streaming it through the file
 * writer, and prints one line about it. Exit codes: 0 written, 2 bad
 * arguments.
 */
function main(args: readonly string[]): number {
  if (args[0] === 'bench') return bench(args.slice(1));
  if (args[0] !== 'sample' || args.length < 2 || args[1].startsWith('--')) {
    return usage('expected the command "sample" or "bench" and an output file');
  }
  const outPath = args[1];

  const options: SampleOptions = {};
  let manifestPath: string | null = null;
  for (let i = 2; i < args.length; i += 2) {
    const name = args[i];
    const value = args[i + 1];
    if (value === undefined) return usage(`${name} needs a value`);
    switch (name) {
      case '--seed':
        options.seed = Number(value);
        break;
      case '--sessions':
        options.sessions = Number(value);
        break;
      case '--duration':
        options.durationSeconds = Number(value);
        break;
      case '--scale':
        options.transferScale = Number(value);
        break;
      case '--manifest':
        manifestPath = value;
        break;
      default:
        return usage(`unknown option ${name}`);
    }
  }

  // Checked before the output file is opened, so bad options leave no
  // empty file behind.
  try {
    resolveSampleOptions(options);
  } catch (error) {
    if (error instanceof RangeError) return usage(error.message);
    throw error;
  }

  const manifest = writeSampleFile(outPath, options);
  if (manifestPath !== null) {
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  const f = manifest.flowsByProtocol;
  console.log(
    `generator: wrote ${outPath}: ${manifest.fileBytes} bytes, ` +
      `${manifest.packets} packets, ${manifest.flows.length} flows ` +
      `(tcp ${f.tcp}, udp ${f.udp}, icmp ${f.icmp}, icmpv6 ${f.icmpv6})`,
  );
  return 0;
}

function writeSampleFile(path: string, options: SampleOptions): SampleManifest {
  const fd = openSync(path, 'w');
  try {
    const writer = new PcapWriter({ sink: fileSink(fd) });
    const manifest = writeSample(options, writer);
    writer.finish();
    return manifest;
  } finally {
    closeSync(fd);
  }
}

/**
 * `bench BYTES OUT`: the benchmark capture (bench-scenario.ts), streamed to
 * OUT in 8 MiB pieces. Prints one line about it; --stats writes its
 * figures as JSON.
 */
function bench(args: readonly string[]): number {
  if (args.length < 2 || args[0].startsWith('--') || args[1].startsWith('--')) {
    return usage('bench expects a size and an output file');
  }
  let targetBytes: number;
  try {
    targetBytes = parseByteSize(args[0]);
  } catch (error) {
    if (error instanceof RangeError) return usage(error.message);
    throw error;
  }
  const outPath = args[1];
  const options: BenchCaptureOptions = {
    targetBytes,
    seed: BENCH_DEFAULT_SEED,
    concurrentFlows: BENCH_CONCURRENT_FLOWS,
  };
  let statsPath: string | null = null;
  for (let i = 2; i < args.length; i += 2) {
    const name = args[i];
    const value = args[i + 1];
    if (value === undefined) return usage(`${name} needs a value`);
    switch (name) {
      case '--seed':
        options.seed = Number(value);
        break;
      case '--flows':
        options.concurrentFlows = Number(value);
        break;
      case '--stats':
        statsPath = value;
        break;
      default:
        return usage(`unknown option ${name}`);
    }
  }

  // Checked before the output file is opened, as for `sample`.
  try {
    resolveBenchOptions(options);
  } catch (error) {
    if (error instanceof RangeError) return usage(error.message);
    throw error;
  }

  const started = process.hrtime.bigint();
  let stats: BenchCaptureStats;
  const fd = openSync(outPath, 'w');
  try {
    const writer = new PcapWriter({ sink: fileSink(fd) });
    stats = writeBenchCapture(options, writer);
    writer.finish();
  } finally {
    closeSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  if (statsPath !== null) {
    writeFileSync(statsPath, `${JSON.stringify(stats, null, 2)}\n`);
  }
  const percent = (part: number): string =>
    `${((100 * part) / Math.max(1, stats.packets)).toFixed(1)}%`;
  console.log(
    `generator: wrote ${outPath}: ${stats.fileBytes} bytes, ` +
      `${stats.packets} packets, mean frame ` +
      `${stats.meanFrameBytes.toFixed(1)} bytes, ` +
      `${percent(stats.smallFrames)} of frames <= 100 bytes, ` +
      `${percent(stats.vlanFrames)} VLAN-tagged, ` +
      `${percent(stats.ipv6Frames)} IPv6, ${stats.flows} flows ` +
      `(${stats.concurrentFlows} concurrent), in ${seconds.toFixed(1)} s`,
  );
  return 0;
}

function usage(problem: string): number {
  process.stderr.write(`generator: ${problem}\n${USAGE}\n`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
