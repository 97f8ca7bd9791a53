import type {
  CaptureAnalysis,
  CaptureSummary,
} from '@capscope/analytics/analysis';
import type { AnalysisResult } from '@capscope/analytics/analysis-result';
import { summarize } from '@capscope/analytics/analysis-result';
import type { CaptureFigures } from './protocol';

const TCP = 6;
const UDP = 17;

/**
 * Counts TCP and UDP flows as they appear. A flow's protocol never changes
 * and flows are only appended, so each report looks at the new ones only.
 */
export class ProtocolTally {
  tcpFlows = 0;
  udpFlows = 0;
  private flowsCounted = 0;

  update(analysis: CaptureAnalysis): void {
    // Not the counts, so the columns as the table keeps them will do.
    const { protocol, count } = analysis.flows.working;
    this.count(protocol, count);
  }

  /** Counts flows from where the last count stopped up to `count`. */
  count(protocol: Uint8Array, count: number): void {
    for (let flow = this.flowsCounted; flow < count; flow++) {
      if (protocol[flow] === TCP) this.tcpFlows++;
      else if (protocol[flow] === UDP) this.udpFlows++;
    }
    this.flowsCounted = count;
  }
}

export function captureFigures(
  analysis: CaptureAnalysis,
  tally: ProtocolTally,
): CaptureFigures {
  tally.update(analysis);
  return figuresOf(analysis.summary(), tally, analysis.problemCount);
}

/** The figures of a finished analysis (one worker's or merged shares'). */
export function resultFigures(result: AnalysisResult): CaptureFigures {
  const tally = new ProtocolTally();
  tally.count(result.columns.protocol, result.columns.count);
  return figuresOf(summarize(result), tally, result.problemCount);
}

function figuresOf(
  summary: CaptureSummary,
  tally: ProtocolTally,
  problemCount: number,
): CaptureFigures {
  return {
    packets: summary.packets,
    bytes: summary.bytes,
    flows: summary.flows,
    tcpFlows: tally.tcpFlows,
    udpFlows: tally.udpFlows,
    firstSeen: summary.firstSeen,
    lastSeen: summary.lastSeen,
    problemCount,
  };
}
