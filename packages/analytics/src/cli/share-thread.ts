// A thread that analyses one share of a capture's flows for the CLI (see
// partition.ts and analyse.ts) and posts it back, its arrays moved.

import { parentPort, workerData } from 'node:worker_threads';
import { CaptureAnalysis } from '../analysis.js';
import { partBuffers } from '../partition-merge.js';
import { openCaptureStream } from './input.js';
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
});
for await (const chunk of openCaptureStream(path, bytes)) {
  analysis.push(chunk);
  if (analysis.stopped) break;
}
analysis.end();
await analysis.finish();
const part = analysis.part();
parentPort?.postMessage(part, partBuffers(part));
