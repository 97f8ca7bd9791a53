/**
 * Helpers for tests that hold several workers' merged analysis to one
 * worker's: both run in this thread, over bytes in memory.
 */
import type { RecordLoop } from '@capscope/parser/header-kernel-engine';
import type { AnalysisResult } from './analysis-result.js';
import { CaptureAnalysis } from './analysis.js';
import { COLUMN_NAMES } from './flow-table.js';
import { mergeParts } from './partition-merge.js';

/** Makes a record loop for each analysis, or none (see AnalysisOptions). */
export type LoopMaker = () => RecordLoop | Promise<RecordLoop>;

/** One worker over the whole capture, in chunks of `chunkBytes`. */
export async function analyseWhole(
  file: Uint8Array,
  chunkBytes = file.length,
  makeLoop?: LoopMaker,
  views = true,
): Promise<AnalysisResult> {
  const recordLoop = await makeLoop?.();
  const analysis = new CaptureAnalysis({ recordLoop, views });
  feed(analysis, file, chunkBytes);
  await analysis.finish();
  return analysis.result();
}

/** `count` workers' shares of the capture, merged. */
export async function analyseInParts(
  file: Uint8Array,
  count: number,
  chunkBytes = file.length,
  makeLoop?: LoopMaker,
  views = true,
): Promise<AnalysisResult> {
  const parts = [];
  for (let index = count - 1; index >= 0; index--) {
    const recordLoop = await makeLoop?.();
    const analysis = new CaptureAnalysis({
      partition: { index, count },
      recordLoop,
      views,
    });
    feed(analysis, file, chunkBytes);
    await analysis.finish();
    parts.push(analysis.part());
  }
  return mergeParts(parts);
}

function feed(analysis: CaptureAnalysis, file: Uint8Array, chunk: number) {
  for (let at = 0; at < file.length && !analysis.stopped; at += chunk) {
    analysis.push(file.subarray(at, Math.min(file.length, at + chunk)));
  }
  analysis.end();
}

/**
 * A result as plain data that compares equal when two analyses agree:
 * host names as text (the list's order is an internal numbering), DNS
 * response times and each flow's timeline cells in a fixed order.
 */
export function comparable(result: AnalysisResult): unknown {
  const c = result.columns;
  const columns: Record<string, number[]> = {};
  for (const name of COLUMN_NAMES) columns[name] = [...c[name]];
  const hosts = [...c.host].map((id) => (id < 0 ? null : result.names[id]));
  const a = result.activity;
  const cells = [...a.cellFlow.keys()]
    .map((i) => [a.cellFlow[i], a.cellBin[i], a.cellPackets[i],
      a.cellBytes[i]])
    .sort((x, y) => x[0] - y[0]);
  const dnsNames = [...result.dnsNames].map(([name, stats]) => [name, {
    ...stats,
    responseSeconds: [...stats.responseSeconds].sort((x, y) => x - y),
  }]);
  return {
    info: result.info,
    interfaces: result.interfaces,
    totals: result.totals,
    stopped: result.stopped,
    problems: result.problems,
    problemCount: result.problemCount,
    count: c.count,
    columns: { ...columns, host: undefined },
    hosts,
    names: [...result.names].sort(),
    keyPorts: [[...result.keyPorts.src], [...result.keyPorts.dst]],
    addressNames: [...result.addressNames],
    dnsNames,
    dnsResponseCodes: result.dnsResponseCodes,
    hierarchy: result.hierarchy,
    activity: {
      ...a,
      totalPackets: [...a.totalPackets],
      totalBytes: [...a.totalBytes],
      cellFlow: undefined,
      cellBin: undefined,
      cellPackets: undefined,
      cellBytes: undefined,
      cells,
    },
  };
}

