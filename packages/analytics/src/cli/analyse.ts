import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AnalysisResult } from '../analysis-result.js';
import { CaptureAnalysis } from '../analysis.js';
import type { AnalysisPart } from '../partition-merge.js';
import { mergeParts } from '../partition-merge.js';
import { GzipDamage, isGzipFile, openCaptureStream } from './input.js';
import type { KernelChoice } from './kernel-choice.js';
import { recordLoopFor } from './kernel-choice.js';

/**
 * Files smaller than this are read by one thread: a share frames every
 * record, so threads pay only where they run on cores of their own, on
 * big files; and each thread adds about 20 MB (the bench's 200 MB capture
 * peaked at 88, 112, 130 and 147 MB with 1 to 4 threads), which past this
 * size stays well under half the file. On two cores threads do not pay at
 * all: for the bench's 1 GB capture two threads took 1.16 s against 0.87
 * to 0.89 s for one, and 200 MB 0.59 s against 0.39 to 0.40 s
 * (`npm run bench`, December 2026), so a machine needs more than
 * MIN_SHARED_CORES.
 */
const SHARED_MIN_BYTES = 512 * 1024 * 1024;
const MIN_SHARED_CORES = 2;
/** Past this many, threads only compete for memory bandwidth. */
const MAX_AUTO_THREADS = 4;

/**
 * How many threads share a file: `asked` when given, else one per core
 * (up to MAX_AUTO_THREADS) for a plain file big enough to gain from it on
 * a machine with cores to spare. Each thread reads the whole file, so a
 * gzip file gets one.
 */
export async function threadsFor(
  path: string,
  asked: number | null,
): Promise<number> {
  if (asked !== null) return asked;
  const cores = availableParallelism();
  if (cores <= MIN_SHARED_CORES) return 1;
  const { size } = await stat(path);
  if (size < SHARED_MIN_BYTES || await isGzipFile(path)) return 1;
  return Math.min(MAX_AUTO_THREADS, cores);
}

/** Where reading stopped short, when it did; what came before is analysed. */
export interface ReadStop {
  /** What went wrong: "the gzip data is damaged or cut short (...)". */
  reason: string;
  /** Bytes of the capture analysed (decompressed ones for gzip). */
  bytesRead: number;
  packets: number;
}

/** A capture's analysis, and where reading it stopped short, if it did. */
export interface Analysed {
  result: AnalysisResult;
  stop: ReadStop | null;
}

/**
 * Analyses a capture with `threads` threads, each keeping a share of the
 * flows (partition.ts); the merged result equals one thread's. Every
 * thread, one included, reads the file up to the size it had at the start,
 * so a file still being written gives the same output with any number.
 */
export async function analyse(
  path: string,
  threads: number,
  kernel: KernelChoice = 'decoder',
): Promise<Analysed> {
  const { size: bytes } = await stat(path);
  if (threads <= 1) {
    const analysis = new CaptureAnalysis({
      recordLoop: await recordLoopFor(kernel),
      views: false,
    });
    const stop = await analyseShare(path, bytes, analysis);
    return { result: analysis.result(), stop };
  }
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
    const own = new CaptureAnalysis({
      partition: { index: 0, count: threads },
      recordLoop: await recordLoopFor(kernel),
      views: false,
    });
    // Every thread reads the same bytes, so share 0's stop is every one's.
    const stop = await analyseShare(path, bytes, own);
    const result = mergeParts([own.part(), ...(await Promise.all(parts))]);
    return { result, stop };
  } finally {
    for (const worker of workers) void worker.terminate();
  }
}

/**
 * Feeds the capture's first `bytes` to `analysis` and ends it. A read that
 * fails after the capture began (gzip data damaged or cut short, a disk
 * error) ends the analysis there, as cut, and is returned: what came
 * before it counts. One that fails before anything was read is thrown.
 */
export async function analyseShare(
  path: string,
  bytes: number,
  analysis: CaptureAnalysis,
): Promise<ReadStop | null> {
  const chunks = openCaptureStream(path, bytes);
  let failure: unknown = null;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        failure = error;
        break;
      }
      if (next.done) break;
      analysis.push(next.value);
      if (analysis.stopped) break;
    }
  } finally {
    // Closes the file now, also when push() threw (not a capture): left to
    // the collector, Node warns about the handle on stderr.
    await chunks.return(undefined);
  }
  if (failure !== null && analysis.info === null) throw failure;
  analysis.end(failure !== null);
  await analysis.finish();
  if (failure === null) return null;
  const words = failure instanceof Error ? failure.message : String(failure);
  return {
    reason: failure instanceof GzipDamage
      ? words
      : `the file could not be read any further (${words})`,
    bytesRead: analysis.bytesRead,
    packets: analysis.totals.packets,
  };
}
