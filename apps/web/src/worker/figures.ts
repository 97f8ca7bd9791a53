import type { CaptureAnalysis } from '@capscope/analytics/analysis';
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
    const { protocol, count } = analysis.flows.columns;
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
  const summary = analysis.summary();
  return {
    packets: summary.packets,
    bytes: summary.bytes,
    flows: summary.flows,
    tcpFlows: tally.tcpFlows,
    udpFlows: tally.udpFlows,
    firstSeen: summary.firstSeen,
    lastSeen: summary.lastSeen,
    problemCount: analysis.problemCount,
  };
}
