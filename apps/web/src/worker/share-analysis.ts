import { CaptureAnalysis } from '@capscope/analytics/analysis';
import type { AnalysisPart } from '@capscope/analytics/partition-merge';
import { partBuffers } from '@capscope/analytics/partition-merge';
import { transfer } from 'comlink';
import { ProtocolTally } from './figures';
import { recordLoopFor } from './kernel';
import type { ShareApi } from './share-protocol';

/** One share of a capture's flows, over the bytes the import worker sends. */
export function createShareApi(): ShareApi {
  // Made once the kernel is loaded; pushes that come before wait for it.
  let analysis: Promise<CaptureAnalysis> | null = null;
  const tally = new ProtocolTally();
  const started = (): Promise<CaptureAnalysis> => {
    if (!analysis) throw new Error('share pushed to before it started');
    return analysis;
  };
  return {
    start(index, count, kernel) {
      analysis = recordLoopFor(kernel)
        .catch(() => undefined)
        .then((recordLoop) => new CaptureAnalysis({
          partition: { index, count },
          recordLoop,
        }));
    },
    async push(chunk) {
      const share = await started();
      if (!share.stopped) share.push(chunk);
      tally.update(share);
      return {
        flows: share.flows.count,
        tcpFlows: tally.tcpFlows,
        udpFlows: tally.udpFlows,
      };
    },
    async finish(cut) {
      const share = await started();
      share.end(cut);
      await share.finish();
      const part = share.part();
      return transfer(part, partBuffers(part));
    },
  };
}
