import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AnalysisResult } from '../analysis-result.js';
import { CaptureAnalysis } from '../analysis.js';
import type { AnalysisPart } from '../partition-merge.js';
import { mergeParts } from '../partition-merge.js';
import { isGzipFile, openCaptureStream } from './input.js';
import type { KernelChoice } from './kernel-choice.js';
import { recordLoopFor } from './kernel-choice.js';

/**
 * Files smaller than this are read by one thread. On the bench's 200 MB
 * capture two threads on two cores were slower than one (1.19 s against
 * 1.04 s); on 1 GB faster (2.39 s against 2.73 s; `npm run bench`,
 * December 2026).
 */
const SHARED_MIN_BYTES = 256 * 1024 * 1024;
/** Past this many, threads only compete for memory bandwidth. */
const MAX_AUTO_THREADS = 4;

/**
 * How many threads share a file: `asked` when given, else one per core
 * (up to MAX_AUTO_THREADS) for a plain file big enough to gain from it.
 * Each thread reads the whole file, so a gzip file gets one.
 */
export async function threadsFor(
  path: string,
  asked: number | null,
): Promise<number> {
  if (asked !== null) return asked;
  const { size } = await stat(path);
  if (size < SHARED_MIN_BYTES || await isGzipFile(path)) return 1;
  return Math.min(MAX_AUTO_THREADS, availableParallelism());
}

/**
 * Analyses a capture with `threads` threads, each keeping a share of the
 * flows (partition.ts); the merged result equals one thread's.
 */
export async function analyse(
  path: string,
  threads: number,
  kernel: KernelChoice = 'decoder',
): Promise<AnalysisResult> {
  if (threads <= 1) {
    const analysis = await analyseShare(path, Infinity,
      new CaptureAnalysis({ recordLoop: await recordLoopFor(kernel) }));
    return analysis.result();
  }
  // A file still being written: every thread stops at today's size.
  const { size: bytes } = await stat(path);
  const workers: Worker[] = [];
  const parts: Array<Promise<AnalysisPart>> = [];
  for (let index = 1; index < threads; index++) {
    const worker = new Worker(new URL('./share-thread.js', import.meta.url),
      { workerData: { path, bytes, index, count: threads, kernel } });
    workers.push(worker);
    const part = new Promise<AnalysisPart>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`share thread ${index} stopped (exit ${code})`)));
    });
    // Seen by Promise.all below, or moot once share 0 failed.
    part.catch(() => undefined);
    parts.push(part);
  }
  try {
    const own = await analyseShare(path, bytes, new CaptureAnalysis({
      partition: { index: 0, count: threads },
      recordLoop: await recordLoopFor(kernel),
    }));
    return mergeParts([own.part(), ...(await Promise.all(parts))]);
  } finally {
    for (const worker of workers) void worker.terminate();
  }
}

async function analyseShare(
  path: string,
  bytes: number,
  analysis: CaptureAnalysis,
): Promise<CaptureAnalysis> {
  for await (const chunk of openCaptureStream(path, bytes)) {
    analysis.push(chunk);
    if (analysis.stopped) break;
  }
  analysis.end();
  await analysis.finish();
  return analysis;
}
