import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CORPUS_DIR } from '../corpus/corpus.js';
import type { FuzzMessage } from './fuzz-worker.js';

export const FIXTURE_DIR = fileURLToPath(
  new URL('../../fixtures/fuzz/', import.meta.url));

/**
 * A worker gets this much heap; a parser that leaks or buffers a crafted
 * length's worth of memory dies against it instead of taking the machine.
 */
const HEAP_LIMIT_MB = 512;
/** No progress report for this long means an input hangs the parser. */
const HANG_MS = 1000;

export interface FuzzResult {
  inputs: number;
  refused: number;
  problems: number;
  failure: string | null;
}

export function seedFiles(): string[] {
  const seeds = readdirSync(CORPUS_DIR)
    .filter((name) => /\.(pcap|pcapng|cap)$/.test(name))
    .map((name) => CORPUS_DIR + name);
  return [...seeds, ...fixtureFiles()];
}

export function fixtureFiles(): string[] {
  try {
    return readdirSync(FIXTURE_DIR).filter((n) => n.endsWith('.bin'))
      .map((n) => FIXTURE_DIR + n);
  } catch {
    return [];
  }
}

/**
 * Fuzzes in a worker thread for `seconds`. A thrown exception, an input
 * that hangs, or a heap past the limit is a failure; the input that
 * caused it is saved as a fixture so that it is tested from then on.
 */
export function fuzz(seed: number, seconds: number): Promise<FuzzResult> {
  const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), {
    workerData: { seeds: seedFiles(), seed, seconds },
    resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB },
  });
  return new Promise((resolve) => {
    let lastInputs = 0;
    let lastProgress = Date.now();
    let settled = false;
    const finish = (result: FuzzResult) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      void worker.terminate();
      resolve(result);
    };
    const watchdog = setInterval(() => {
      if (Date.now() - lastProgress > HANG_MS + 1000) {
        finish({ inputs: lastInputs, refused: 0, problems: 0,
          failure: `no progress for ${HANG_MS} ms after ${lastInputs} ` +
            'inputs: an input hangs the parser' });
      }
    }, 250);
    worker.on('message', (message: FuzzMessage) => {
      lastProgress = Date.now();
      if (message.type === 'progress') {
        lastInputs = message.inputs;
      } else if (message.type === 'failure') {
        const name = saveFixture(message.input);
        finish({ inputs: lastInputs, refused: 0, problems: 0,
          failure: `${message.error}\n(from ${message.source}; saved as ` +
            `${name})` });
      } else {
        finish({ inputs: message.inputs, refused: message.refused,
          problems: message.problems, failure: null });
      }
    });
    worker.on('error', (error) => {
      finish({ inputs: lastInputs, refused: 0, problems: 0,
        failure: `worker died: ${error.message}` });
    });
    worker.on('exit', (code) => {
      finish({ inputs: lastInputs, refused: 0, problems: 0,
        failure: code === 0 ? 'worker ended without a result'
          : `worker exited with ${code}` });
    });
  });
}

function saveFixture(input: Uint8Array): string {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  let hash = 2166136261;
  for (const byte of input) hash = Math.imul(hash ^ byte, 16777619) >>> 0;
  const name = `crash-${hash.toString(16).padStart(8, '0')}.bin`;
  writeFileSync(join(FIXTURE_DIR, name), input);
  return name;
}
