import { CaptureAnalysis } from '@capscope/analytics/analysis';
import type { AnalysisPart } from '@capscope/analytics/partition-merge';
import { transfer } from 'comlink';
import { columnBuffers } from './column-buffers';
import { readSlices } from './read-file';

/** One share of a file's flows, read in slices like the import's own. */
export async function analyseShare(
  file: Blob,
  index: number,
  count: number,
): Promise<AnalysisPart> {
  const analysis = new CaptureAnalysis({ partition: { index, count } });
  for await (const slice of readSlices(file)) {
    analysis.push(slice);
    if (analysis.stopped) break;
  }
  analysis.end();
  await analysis.finish();
  const part = analysis.part();
  return transfer(part, partBuffers(part));
}

/** Every typed array of a share owns its buffer, so all of them move. */
export function partBuffers(part: AnalysisPart): ArrayBuffer[] {
  const { activity, hierarchy } = part;
  return [
    ...columnBuffers(part.columns),
    part.keyPorts.src.buffer,
    part.keyPorts.dst.buffer,
    part.origins.buffer,
    activity.totalPackets.buffer,
    activity.totalBytes.buffer,
    activity.cellFlow.buffer,
    activity.cellBin.buffer,
    activity.cellPackets.buffer,
    activity.cellBytes.buffer,
    hierarchy.parent.buffer,
    hierarchy.code.buffer,
    hierarchy.frames.buffer,
    hierarchy.bytes.buffer,
  ] as ArrayBuffer[];
}
