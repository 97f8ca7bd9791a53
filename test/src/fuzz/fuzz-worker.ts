import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureAnalysis } from '@capscope/analytics/analysis';
import { compileFilterText, filterFlows } from '@capscope/analytics/filter/compile';
import { NotACaptureError } from '@capscope/parser/problems';
import { mutate, Random } from './mutate.js';

export interface FuzzJob {
  seeds: string[];
  seed: number;
  seconds: number;
}

export type FuzzMessage =
  | { type: 'progress'; inputs: number }
  | { type: 'failure'; input: Uint8Array; error: string; source: string }
  | { type: 'done'; inputs: number; refused: number; problems: number };

const job = workerData as FuzzJob;
const port = parentPort;
if (!port) throw new Error('fuzz-worker runs as a worker thread');

const seeds = job.seeds.map((path) => ({
  path,
  bytes: new Uint8Array(readFileSync(path)),
}));
const random = new Random(job.seed);
const deadline = Date.now() + job.seconds * 1000;
let inputs = 0;
let refused = 0;
let problems = 0;

/** Runs one input in random chunks; returns an error text, or null. */
function run(input: Uint8Array): string | null {
  const analysis = new CaptureAnalysis();
  try {
    for (let at = 0; at < input.length; ) {
      const size = 1 + random.below(random.below(2) ? 64 : 70000);
      analysis.push(input.subarray(at, at + size));
      at += size;
    }
    analysis.end();
  } catch (error) {
    if (error instanceof NotACaptureError) {
      refused++;
      return null;
    }
    return (error as Error).stack ?? String(error);
  }
  problems += analysis.problemCount;
  const t = analysis.totals;
  const c = analysis.flows.columns;
  if (!Number.isFinite(t.bytes) || t.packets < 0) return 'bad totals';
  let flowPackets = 0;
  for (let i = 0; i < c.count; i++) {
    flowPackets += c.packetsOut[i] + c.packetsIn[i];
  }
  // Each packet counts once per IP layer, and frames nest at most 4 deep.
  if (flowPackets > t.packets * 4) return 'flows hold more packets than read';
  analysis.summary();
  filterFlows(compileFilterText('tcp or udp.port in {53 4789}', {
    columns: c,
    names: analysis.names,
  }), c.count);
  return null;
}

let lastReport = 0;
while (Date.now() < deadline) {
  const seed = seeds[random.below(seeds.length)];
  const input = mutate(seed.bytes, random);
  const error = run(input);
  inputs++;
  if (error !== null) {
    port.postMessage({ type: 'failure', input, error, source: seed.path });
    break;
  }
  if (Date.now() - lastReport > 100) {
    lastReport = Date.now();
    port.postMessage({ type: 'progress', inputs });
  }
}
port.postMessage({ type: 'done', inputs, refused, problems });
