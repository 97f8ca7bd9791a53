// A thread that analyses one share of a capture's flows for the CLI (see
// partition.ts and analyse.ts) and posts it back, its arrays moved.

import { parentPort, workerData } from 'node:worker_threads';
import { CaptureAnalysis } from '../analysis.js';
import { partBuffers } from '../partition-merge.js';
import { analyseShare } from './analyse.js';
import type { KernelChoice } from './kernel-choice.js';
import { recordLoopFor } from './kernel-choice.js';

interface ShareRequest {
  path: string;
  /** The file's size when the command started: every thread reads that. */
  bytes: number;
  index: number;
  count: number;
  kernel: KernelChoice;
}

const { path, bytes, index, count, kernel } = workerData as ShareRequest;
const analysis = new CaptureAnalysis({
  partition: { index, count },
  recordLoop: await recordLoopFor(kernel),
  views: false,
});
// Share 0 reports where reading stopped, if it did: all read the same.
await analyseShare(path, bytes, analysis);
const part = analysis.part();
parentPort?.postMessage(part, partBuffers(part));
