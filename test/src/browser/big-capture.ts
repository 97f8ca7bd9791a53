// Writes classic pcap files of any size fast, for tests of huge captures:
// one block of records is built once and written again and again, with
// its timestamps moved on each time, and the figures a reader must find
// are counted as the file is written.

import { closeSync, openSync, writeSync } from 'node:fs';
import {
  FrameBuilder,
  TCP_ACK,
  TCP_PSH,
  type PacketHeaders,
} from '../generator/frames.js';
import {
  GLOBAL_HEADER_BYTES,
  PcapWriter,
  RECORD_HEADER_BYTES,
} from '../generator/pcap-writer.js';

/**
 * One block is about 16 MiB: a 4 GiB file is some 260 large writes, and
 * the block is small next to the file a test wants memory to stay below.
 */
const BLOCK_TARGET_BYTES = 16 * 1024 * 1024;
/** Flows in every block; the same ones each time, so they add up. */
const UDP_FLOWS = 600;
const TCP_FLOWS = 400;
/** Flows that appear only in the tail, after everything repeated. */
const TAIL_UDP_FLOWS = 3;
const TAIL_TCP_FLOWS = 2;
/** Capture time of the first block, 2025-11-30T10:00:00Z. */
const FIRST_SECOND = 1_764_496_800;
/** Bytes of the last record that are kept: its header claims more. */
const CUT_RECORD_KEPT_BYTES = 40;

export interface BigCaptureFacts {
  fileBytes: number;
  /** Whole records, which is what a reader counts. */
  packets: number;
  /** Their original lengths added up: bytes on the wire. */
  bytes: number;
  flows: number;
  tcpFlows: number;
  udpFlows: number;
  /** File offset of the first record of the tail, past minBytes. */
  tailOffset: number;
  /** File offset of the record that is cut short at the end, or null. */
  cutRecordOffset: number | null;
}

export interface BigCaptureOptions {
  /** The repeated part is at least this long; the tail comes after. */
  minBytes: number;
  /** End with a record cut short, as a capture that was copied too soon. */
  cutLastRecord?: boolean;
}

/**
 * Writes the capture to `path`: global header | block × n | tail, where
 * the tail holds flows seen nowhere else (proof that records past the
 * repeated part were read) and, optionally, a record cut short.
 */
export function writeBigCapture(
  path: string,
  options: BigCaptureOptions,
): BigCaptureFacts {
  const block = buildBlock(UDP_FLOWS, TCP_FLOWS, 0);
  const tail = buildBlock(TAIL_UDP_FLOWS, TAIL_TCP_FLOWS, 1);
  const repeats = Math.ceil(
    (options.minBytes - GLOBAL_HEADER_BYTES) / block.bytes.length,
  );

  const fd = openSync(path, 'w');
  try {
    let offset = writeAll(fd, block.header, 0);
    for (let repeat = 0; repeat < repeats; repeat++) {
      setSeconds(block, FIRST_SECOND + repeat);
      offset = writeAll(fd, block.bytes, offset);
    }

    const tailOffset = offset;
    setSeconds(tail, FIRST_SECOND + repeats);
    offset = writeAll(fd, tail.bytes, offset);

    let cutRecordOffset: number | null = null;
    if (options.cutLastRecord) {
      cutRecordOffset = offset;
      const first = tail.bytes.subarray(0, tail.recordOffsets[1]);
      offset = writeAll(
        fd,
        first.subarray(0, RECORD_HEADER_BYTES + CUT_RECORD_KEPT_BYTES),
        offset,
      );
    }

    return {
      fileBytes: offset,
      packets: repeats * block.packets + tail.packets,
      bytes: repeats * block.wireBytes + tail.wireBytes,
      flows: block.flows + tail.flows,
      tcpFlows: TCP_FLOWS + TAIL_TCP_FLOWS,
      udpFlows: UDP_FLOWS + TAIL_UDP_FLOWS,
      tailOffset,
      cutRecordOffset,
    };
  } finally {
    closeSync(fd);
  }
}

interface Block {
  /** The file's global header, from the writer that made the block. */
  header: Uint8Array;
  /** Records only. */
  bytes: Uint8Array;
  recordOffsets: number[];
  packets: number;
  wireBytes: number;
  flows: number;
}

/**
 * Records of `udpFlows` UDP and `tcpFlows` TCP flows (mid-connection
 * segments, no handshake), interleaved, about BLOCK_TARGET_BYTES long.
 * `variant` keeps the tail's addresses apart from the block's.
 */
function buildBlock(udpFlows: number, tcpFlows: number, variant: number) {
  const writer = new PcapWriter();
  const frames = new FrameBuilder(false);
  const flows = udpFlows + tcpFlows;
  const payload = new Uint8Array(1400).fill(0x5a);
  const target = variant === 0 ? BLOCK_TARGET_BYTES : 64 * 1024;

  let wireBytes = 0;
  for (let i = 0; writer.fileBytes < target || i < flows; i++) {
    const flow = i % flows;
    const headers = flowHeaders(flow, variant);
    // Sizes from 60 to 1460 bytes in a fixed, uneven order.
    const size = (i * 7919) % 1400;
    const body = payload.subarray(0, size);
    const frame =
      flow < udpFlows
        ? frames.udp(headers, 40000 + flow, 5000 + variant, body)
        : frames.tcp(
            headers,
            {
              srcPort: 40000 + flow,
              dstPort: 8000 + variant,
              seq: i * 1400,
              ack: 1,
              flags: TCP_ACK | TCP_PSH,
              window: 502,
              options: null,
            },
            body,
          );
    // Microseconds within the block's second; the second is set per copy.
    wireBytes += writer.writeFrame(i % 1_000_000, frame);
  }

  const file = writer.toUint8Array();
  const bytes = file.slice(GLOBAL_HEADER_BYTES);
  const recordOffsets: number[] = [];
  const view = new DataView(bytes.buffer);
  for (let at = 0; at < bytes.length; ) {
    recordOffsets.push(at);
    at += RECORD_HEADER_BYTES + view.getUint32(at + 8, true);
  }
  return {
    header: file.slice(0, GLOBAL_HEADER_BYTES),
    bytes,
    recordOffsets,
    packets: writer.packets,
    wireBytes,
    flows,
  } satisfies Block;
}

function flowHeaders(flow: number, variant: number): PacketHeaders {
  return {
    srcMac: Uint8Array.of(0x00, 0x0d, 0x3a, 0x10, 0x20, 0x30),
    dstMac: Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc),
    ip: {
      version: 4,
      // 10.1.x.y for the block, 10.2.x.y for the tail
      src: (((10 << 24) | ((1 + variant) << 16)) >>> 0) + flow,
      dst: ((203 << 24) | (0 << 16) | (113 << 8) | 10) >>> 0,
    },
    ttl: 64,
    ipId: flow,
    dontFragment: true,
    flowLabel: 0,
  };
}

/** Sets ts_sec of every record in the block to `seconds`. */
function setSeconds(block: Block, seconds: number): void {
  const view = new DataView(block.bytes.buffer);
  for (const at of block.recordOffsets) view.setUint32(at, seconds, true);
}

function writeAll(fd: number, bytes: Uint8Array, offset: number): number {
  let written = 0;
  while (written < bytes.length) {
    written += writeSync(fd, bytes, written, bytes.length - written);
  }
  return offset + bytes.length;
}
