import type { Problem } from './problems.js';
import type { CaptureInfo, InterfaceInfo, PacketRecord } from './record.js';

/** Receives what a framer finds, in file order. */
export interface CaptureSink {
  packet(record: PacketRecord): void;
  problem(problem: Problem): void;
  format?(info: CaptureInfo): void;
  interface?(info: InterfaceInfo): void;
}

/**
 * A framer walks records or blocks over bytes it is given. It parses every
 * unit that lies whole in [pos, end) and returns the position after the
 * last one; when it stops for want of bytes, `need` is the byte count the
 * next unit needs from its start. Once `stopped`, it reads nothing more.
 */
export interface Framer {
  need: number;
  stopped: boolean;
  parse(
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    end: number,
    fileOffset: number,
  ): number;
  /** Called at the end of input with the bytes left over, if any. */
  finish(leftoverBytes: number, leftoverOffset: number): void;
}

/**
 * The largest unit we agree to buffer: 64 MiB is far above any real
 * snap length (262,144 bytes in libpcap, 80 KB for Linux BIG TCP) and low
 * enough that a crafted length cannot exhaust memory.
 */
export const MAX_UNIT_BYTES = 64 * 1024 * 1024;
