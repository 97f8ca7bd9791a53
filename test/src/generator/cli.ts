import { closeSync, openSync, writeFileSync } from 'node:fs';

import { fileSink, PcapWriter } from './pcap-writer.js';
import {
  resolveSampleOptions,
  type SampleManifest,
  type SampleOptions,
  writeSample,
} from './scenario.js';

const USAGE =
  'usage: node test/dist/generator/cli.js sample OUT [--seed N] ' +
  '[--sessions N] [--duration SECONDS] [--scale X] [--manifest FILE]';

/**
 * Writes a generated capture to a file, streaming it through the file
 * writer, and prints one line about it. Exit codes: 0 written, 2 bad
 * arguments.
 */
function main(args: readonly string[]): number {
  if (args[0] !== 'sample' || args.length < 2 || args[1].startsWith('--')) {
    return usage('expected the command "sample" and an output file');
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

function usage(problem: string): number {
  process.stderr.write(`generator: ${problem}\n${USAGE}\n`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
