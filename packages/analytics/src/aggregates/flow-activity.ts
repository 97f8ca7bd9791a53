import type { PacketRecord } from '@capscope/parser/record';
import { grownArray, grownLength } from '../growth.js';

/**
 * Fine time bins kept per capture: enough that a timeline zoomed to a
 * hundredth of the capture still has 40 bins, and small enough that a
 * flow spanning the whole capture costs at most this many cells.
 */
export const ACTIVITY_BINS = 4096;
/** A fine bin's width at first; it doubles whenever the capture outgrows the bins. */
const START_BIN_SECONDS = 0.001;
/** Cells to start with; the arrays double as needed. */
const INITIAL_CELLS = 4096;

/**
 * When each flow's traffic happened, coarsely: for every flow, the fine
 * bins it had packets in, with the packets and bytes of each. The page's
 * timeline bins these again to the range it shows, so a filtered timeline
 * shows the kept flows' own traffic over time, not just their start times.
 */
export interface ActivitySnapshot {
  /** Time of bin 0's start, as UTC seconds and nanoseconds. */
  startSeconds: number;
  startNanos: number;
  binSeconds: number;
  /** Bins up to the last one used. */
  binCount: number;
  /** Every frame (non-IP ones too), by bin. */
  totalPackets: Float64Array;
  totalBytes: Float64Array;
  cellCount: number;
  cellFlow: Uint32Array;
  cellBin: Uint16Array;
  cellPackets: Uint32Array;
  cellBytes: Float64Array;
}

/**
 * Records ActivitySnapshot's cells as packets arrive. A packet usually
 * falls in the same bin as its flow's previous packet, so it adds to that
 * cell; a new cell is made only when a flow moves to a later bin. Packets
 * earlier than the first one (captures are not always in order) count in
 * bin 0.
 */
export class FlowActivity {
  private started = false;
  private startSeconds = 0;
  private startNanos = 0;
  private binSeconds = START_BIN_SECONDS;
  private binCount = 0;
  private readonly totalPackets = new Float64Array(ACTIVITY_BINS);
  private readonly totalBytes = new Float64Array(ACTIVITY_BINS);
  private cellCount = 0;
  private cellFlow = new Uint32Array(INITIAL_CELLS);
  private cellBin = new Uint16Array(INITIAL_CELLS);
  private cellPackets = new Uint32Array(INITIAL_CELLS);
  private cellBytes = new Float64Array(INITIAL_CELLS);
  /** Each flow's latest cell + 1, or 0 for none (so a grown array needs
   * no filling, and its untouched pages stay unmapped: growth.ts). */
  private lastCell = new Int32Array(1024);

  /** Counts a frame in `flow` (its innermost flow), or in none (-1). */
  add(flow: number, record: PacketRecord): void {
    if (!record.hasTime) return;
    if (!this.started) {
      this.started = true;
      this.startSeconds = record.seconds;
      this.startNanos = record.nanos;
    }
    const offset = record.seconds - this.startSeconds +
      (record.nanos - this.startNanos) / 1e9;
    let bin = offset > 0 ? Math.floor(offset / this.binSeconds) : 0;
    while (bin >= ACTIVITY_BINS) {
      this.coarsen();
      bin = Math.floor(offset / this.binSeconds);
    }
    if (bin >= this.binCount) this.binCount = bin + 1;
    const bytes = record.originalLength;
    this.totalPackets[bin]++;
    this.totalBytes[bin] += bytes;
    if (flow < 0) return;

    if (flow >= this.lastCell.length) this.growFlows(flow);
    const last = this.lastCell[flow] - 1;
    if (last >= 0 && this.cellBin[last] === bin) {
      this.cellPackets[last]++;
      this.cellBytes[last] += bytes;
      return;
    }
    if (this.cellCount === this.cellFlow.length) this.growCells();
    const cell = this.cellCount++;
    this.cellFlow[cell] = flow;
    this.cellBin[cell] = bin;
    this.cellPackets[cell] = 1;
    this.cellBytes[cell] = bytes;
    this.lastCell[flow] = cell + 1;
  }

  /** Copies cut to size, which can be transferred or stored. */
  snapshot(): ActivitySnapshot {
    return this.cut(true);
  }

  /**
   * The same, as views of this object's own arrays: no copy, for an
   * activity that takes no more packets.
   */
  view(): ActivitySnapshot {
    return this.cut(false);
  }

  private cut(copy: boolean): ActivitySnapshot {
    const n = this.cellCount;
    const bins = this.binCount;
    const part = <T extends Float64Array | Uint32Array | Uint16Array>(
      array: T,
      length: number,
    ): T => (copy ? array.slice(0, length) : array.subarray(0, length)) as T;
    return {
      startSeconds: this.startSeconds,
      startNanos: this.startNanos,
      binSeconds: this.binSeconds,
      binCount: bins,
      totalPackets: part(this.totalPackets, bins),
      totalBytes: part(this.totalBytes, bins),
      cellCount: n,
      cellFlow: part(this.cellFlow, n),
      cellBin: part(this.cellBin, n),
      cellPackets: part(this.cellPackets, n),
      cellBytes: part(this.cellBytes, n),
    };
  }

  /** Doubles the bin width: bin b becomes b / 2, rounded down. */
  private coarsen(): void {
    this.binSeconds *= 2;
    for (let i = 0; i < ACTIVITY_BINS / 2; i++) {
      this.totalPackets[i] =
        this.totalPackets[2 * i] + this.totalPackets[2 * i + 1];
      this.totalBytes[i] = this.totalBytes[2 * i] + this.totalBytes[2 * i + 1];
    }
    this.totalPackets.fill(0, ACTIVITY_BINS / 2);
    this.totalBytes.fill(0, ACTIVITY_BINS / 2);
    this.binCount = Math.ceil(this.binCount / 2);
    const bins = this.cellBin;
    for (let i = 0; i < this.cellCount; i++) bins[i] >>= 1;
  }

  private growFlows(flow: number): void {
    this.lastCell = grownArray(this.lastCell,
      grownLength(this.lastCell.length, flow + 1));
  }

  private growCells(): void {
    const size = grownLength(this.cellFlow.length, this.cellCount + 1);
    this.cellFlow = grownArray(this.cellFlow, size);
    this.cellBin = grownArray(this.cellBin, size);
    this.cellPackets = grownArray(this.cellPackets, size);
    this.cellBytes = grownArray(this.cellBytes, size);
  }
}
