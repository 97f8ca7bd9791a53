import { CaptureAnalysis } from '@capscope/analytics/analysis';
import type { AnalysisPart } from '@capscope/analytics/partition-merge';
import { partBuffers } from '@capscope/analytics/partition-merge';
import { transfer } from 'comlink';
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

