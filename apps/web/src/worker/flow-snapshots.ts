import { columnBuffers } from './column-buffers';
import type { CaptureAnalysis } from '@capscope/analytics/analysis';
import type { FlowColumns } from '@capscope/analytics/flow-table';
import { transfer, type Remote } from 'comlink';
import { captureFigures, type ProtocolTally } from './figures';
import type { FlowSnapshot, ImportListener } from './protocol';

/** A file read in under a second never needs a snapshot. */
const FIRST_SNAPSHOT_MS = 1000;
/** At most one snapshot in this long, however cheap. */
const MIN_INTERVAL_MS = 2000;
/**
 * A snapshot copies every flow's columns (about 130 bytes a flow), so the
 * wait after one grows with its cost: at 20 times the cost, snapshots take
 * at most 5% of the import even with millions of flows.
 */
const COST_FACTOR = 20;

/**
 * Sends the page copies of the flows found so far while an import runs,
 * so that they outlive a worker that crashes: the page shows the last copy
 * with the error, and can import again.
 */
export class FlowSnapshots {
  private nextMs: number;

  constructor(
    private readonly analysis: CaptureAnalysis,
    private readonly tally: ProtocolTally,
    private readonly listener: Remote<ImportListener>,
    startMs: number,
  ) {
    this.nextMs = startMs + FIRST_SNAPSHOT_MS;
  }

  /** Sends one if it is time; `nowMs` is the import loop's clock. */
  offer(nowMs: number): void {
    if (nowMs < this.nextMs) return;
    const costMs = this.send();
    this.nextMs = nowMs + Math.max(MIN_INTERVAL_MS, costMs * COST_FACTOR);
  }

  /**
   * After the import failed: sends what was found before the failure, if
   * anything, and if the analysis can still give it.
   */
  salvage(): void {
    try {
      if (this.analysis.flows.count > 0) this.send();
    } catch {
      // The page keeps the last snapshot it had.
    }
  }

  /** Sends one now; returns what it cost in milliseconds. */
  send(): number {
    const startMs = performance.now();
    const analysis = this.analysis;
    const columns = analysis.columns();
    const snapshot: FlowSnapshot = {
      figures: captureFigures(analysis, this.tally),
      columns,
      names: [...analysis.names],
      timeDigits: analysis.totals.timeDigits,
    };
    // Not awaited: the page takes it when it can. A page gone meanwhile
    // is no error of the import's.
    this.listener
      .flows(transfer(snapshot, columnBuffers(columns)))
      .catch(() => undefined);
    return performance.now() - startMs;
  }
}

