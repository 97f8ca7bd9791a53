/**
 * Byte builders for tests: small captures written by hand, so each rule
 * of the readers is checked against bytes we know.
 */

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

export function u16be(value: number): Uint8Array {
  return bytes(value >>> 8, value & 0xff);
}

function word(value: number, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, littleEndian);
  return out;
}

function half(value: number, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value, littleEndian);
  return out;
}

export interface PcapOptions {
  littleEndian?: boolean;
  nanoseconds?: boolean;
  linkType?: number;
  snapLength?: number;
}

export interface TestPacket {
  seconds: number;
  fraction: number;
  data: Uint8Array;
  originalLength?: number;
}

export function pcapFile(options: PcapOptions, packets: TestPacket[]) {
  const le = options.littleEndian ?? true;
  const magic = options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4;
  const parts = [
    word(magic, le),
    half(2, le),
    half(4, le),
    word(0, le),
    word(0, le),
    word(options.snapLength ?? 262144, le),
    word(options.linkType ?? 1, le),
  ];
  for (const p of packets) {
    parts.push(
      word(p.seconds, le),
      word(p.fraction, le),
      word(p.data.length, le),
      word(p.originalLength ?? p.data.length, le),
      p.data,
    );
  }
  return concat(...parts);
}

function pad4(data: Uint8Array): Uint8Array {
  const padded = new Uint8Array((data.length + 3) & ~3);
  padded.set(data);
  return padded;
}

export function pcapngBlock(
  type: number,
  body: Uint8Array,
  littleEndian = true,
): Uint8Array {
  const padded = pad4(body);
  const length = padded.length + 12;
  return concat(
    word(type, littleEndian),
    word(length, littleEndian),
    padded,
    word(length, littleEndian),
  );
}

export function pcapngSection(littleEndian = true): Uint8Array {
  return pcapngBlock(
    0x0a0d0d0a,
    concat(
      word(0x1a2b3c4d, littleEndian),
      half(1, littleEndian),
      half(0, littleEndian),
      word(0xffffffff, littleEndian),
      word(0xffffffff, littleEndian),
    ),
    littleEndian,
  );
}

export interface InterfaceOptions {
  linkType: number;
  snapLength?: number;
  /** if_tsresol byte. */
  resolution?: number;
  /** if_tsoffset in seconds. */
  offsetSeconds?: number;
}

export function pcapngInterface(
  options: InterfaceOptions,
  littleEndian = true,
): Uint8Array {
  const parts = [
    half(options.linkType, littleEndian),
    half(0, littleEndian),
    word(options.snapLength ?? 0, littleEndian),
  ];
  if (options.resolution !== undefined) {
    parts.push(half(9, littleEndian), half(1, littleEndian),
      bytes(options.resolution, 0, 0, 0));
  }
  if (options.offsetSeconds !== undefined) {
    const value = new Uint8Array(8);
    new DataView(value.buffer).setBigInt64(
      0, BigInt(options.offsetSeconds), littleEndian);
    parts.push(half(14, littleEndian), half(8, littleEndian), value);
  }
  parts.push(half(0, littleEndian), half(0, littleEndian));
  return pcapngBlock(1, concat(...parts), littleEndian);
}

export function pcapngEnhanced(
  interfaceId: number,
  timestamp: bigint,
  data: Uint8Array,
  littleEndian = true,
  originalLength = data.length,
): Uint8Array {
  return pcapngBlock(6, concat(
    word(interfaceId, littleEndian),
    word(Number(timestamp >> 32n), littleEndian),
    word(Number(timestamp & 0xffffffffn), littleEndian),
    word(data.length, littleEndian),
    word(originalLength, littleEndian),
    pad4(data),
  ), littleEndian);
}

export function pcapngSimple(data: Uint8Array, littleEndian = true) {
  return pcapngBlock(3, concat(word(data.length, littleEndian), pad4(data)),
    littleEndian);
}

export function pcapngObsolete(
  interfaceId: number,
  timestamp: bigint,
  data: Uint8Array,
  littleEndian = true,
): Uint8Array {
  return pcapngBlock(2, concat(
    half(interfaceId, littleEndian),
    half(0, littleEndian),
    word(Number(timestamp >> 32n), littleEndian),
    word(Number(timestamp & 0xffffffffn), littleEndian),
    word(data.length, littleEndian),
    word(data.length, littleEndian),
    pad4(data),
  ), littleEndian);
}

/** IPv4 header (no options) followed by `payload`. */
export function ipv4(
  src: number[],
  dst: number[],
  protocol: number,
  payload: Uint8Array,
  fragment = { id: 1, offset: 0, more: false },
): Uint8Array {
  const total = 20 + payload.length;
  const flags = (fragment.more ? 0x2000 : 0) | (fragment.offset / 8);
  return concat(
    bytes(0x45, 0),
    u16be(total),
    u16be(fragment.id),
    u16be(flags),
    bytes(64, protocol, 0, 0),
    bytes(...src),
    bytes(...dst),
    payload,
  );
}

export function ipv6(
  src: number[],
  dst: number[],
  nextHeader: number,
  payload: Uint8Array,
): Uint8Array {
  return concat(
    bytes(0x60, 0, 0, 0),
    u16be(payload.length),
    bytes(nextHeader, 64),
    bytes(...src),
    bytes(...dst),
    payload,
  );
}

/** 16-byte address from eight 16-bit groups. */
export function v6(...groups: number[]): number[] {
  return groups.flatMap((g) => [g >>> 8, g & 0xff]);
}

export function tcp(
  srcPort: number,
  dstPort: number,
  flags: number,
  payload: Uint8Array = new Uint8Array(0),
  seq = 1000,
): Uint8Array {
  return concat(
    u16be(srcPort),
    u16be(dstPort),
    bytes(seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff),
    bytes(0, 0, 0, 0),
    bytes(0x50, flags),
    u16be(65535),
    bytes(0, 0, 0, 0),
    payload,
  );
}

export function udp(
  srcPort: number,
  dstPort: number,
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return concat(
    u16be(srcPort),
    u16be(dstPort),
    u16be(8 + payload.length),
    bytes(0, 0),
    payload,
  );
}

export function icmpEcho(type: number, id: number, seq: number) {
  return concat(bytes(type, 0, 0, 0), u16be(id), u16be(seq));
}

const MAC_A = [0x02, 0, 0, 0, 0, 0x0a];
const MAC_B = [0x02, 0, 0, 0, 0, 0x0b];

export function ethernet(
  etherType: number,
  payload: Uint8Array,
  vlanIds: number[] = [],
): Uint8Array {
  const tags = vlanIds.map((id) => concat(u16be(0x8100), u16be(id)));
  return concat(bytes(...MAC_B), bytes(...MAC_A), ...tags, u16be(etherType),
    payload);
}
