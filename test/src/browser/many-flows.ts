// A capture with as many flows as asked for, fast: one small UDP datagram
// per flow, each from its own address, for tests and benchmarks that need
// a dataset of a million flows without a gigabyte of capture.

import { closeSync, openSync, writeSync } from 'node:fs';

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** IPv4 header and UDP header, no payload: raw IP needs no link header. */
const DATAGRAM_BYTES = 28;
const RECORD_BYTES = RECORD_HEADER_BYTES + DATAGRAM_BYTES;
const LINKTYPE_RAW_IPV4 = 228;
/** Records per write: about 4 MiB at a time. */
const RECORDS_PER_WRITE = 100_000;
/** 2025-11-30T10:00:00Z. */
const FIRST_SECOND = 1_764_496_800;

export interface ManyFlowsFacts {
  fileBytes: number;
  packets: number;
  /** Bytes on the wire: every frame's original length. */
  bytes: number;
  flows: number;
}

/**
 * Writes a classic pcap of `flows` UDP flows to `path`: flow i comes from
 * 10.x.y.z (i in the low 24 bits, so up to 16 million flows) to
 * 203.0.113.7:53, one packet each, a millisecond apart.
 */
export function writeManyFlows(path: string, flows: number): ManyFlowsFacts {
  if (flows > 1 << 24) throw new Error('at most 2^24 flows');
  const fd = openSync(path, 'w');
  try {
    const header = Buffer.alloc(GLOBAL_HEADER_BYTES);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(65535, 16);
    header.writeUInt32LE(LINKTYPE_RAW_IPV4, 20);
    writeSync(fd, header);

    const block = Buffer.alloc(RECORDS_PER_WRITE * RECORD_BYTES);
    for (let first = 0; first < flows; first += RECORDS_PER_WRITE) {
      const count = Math.min(RECORDS_PER_WRITE, flows - first);
      for (let k = 0; k < count; k++) {
        writeRecord(block, k * RECORD_BYTES, first + k);
      }
      writeSync(fd, block, 0, count * RECORD_BYTES);
    }
  } finally {
    closeSync(fd);
  }
  return {
    fileBytes: GLOBAL_HEADER_BYTES + flows * RECORD_BYTES,
    packets: flows,
    bytes: flows * DATAGRAM_BYTES,
    flows,
  };
}

function writeRecord(out: Buffer, at: number, flow: number): void {
  out.writeUInt32LE(FIRST_SECOND + Math.floor(flow / 1000), at);
  out.writeUInt32LE((flow % 1000) * 1000, at + 4);
  out.writeUInt32LE(DATAGRAM_BYTES, at + 8);
  out.writeUInt32LE(DATAGRAM_BYTES, at + 12);

  const ip = at + RECORD_HEADER_BYTES;
  out.fill(0, ip, ip + DATAGRAM_BYTES);
  out[ip] = 0x45;
  out.writeUInt16BE(DATAGRAM_BYTES, ip + 2);
  out[ip + 8] = 64;
  out[ip + 9] = 17;
  out[ip + 12] = 10;
  out[ip + 13] = (flow >>> 16) & 0xff;
  out[ip + 14] = (flow >>> 8) & 0xff;
  out[ip + 15] = flow & 0xff;
  out.writeUInt32BE(0xcb007107, ip + 16); // 203.0.113.7

  const udp = ip + 20;
  out.writeUInt16BE(40000 + (flow % 20000), udp);
  out.writeUInt16BE(53, udp + 2);
  out.writeUInt16BE(8, udp + 4);
}
