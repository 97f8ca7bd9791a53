// The packet-header kernel in AssemblyScript: classic pcap framing and the
// Ethernet (+VLAN) / raw IP / IPv4 / IPv6 / TCP / UDP / ICMP decode, over
// bytes the caller copied into this module's memory, written as header
// records. It is src/header-kernel.ts line for line, in WebAssembly; the
// record layout is the one src/header-kernel-layout.ts documents, and the
// parity tests hold the two kernels and decodePacket() to the same records.
//
// No allocation happens here: the caller owns the memory above heapBase()
// and passes pointers to its input and output areas.

// Record words (src/header-kernel-layout.ts).
const RECORD_WORDS: i32 = 36;
const W_OFFSET_LO: i32 = 0;
const W_OFFSET_HI: i32 = 1;
const W_FRAME_AT: i32 = 2;
const W_SECONDS_LO: i32 = 3;
const W_SECONDS_HI: i32 = 4;
const W_NANOS: i32 = 5;
const W_CAPTURED_LENGTH: i32 = 6;
const W_ORIGINAL_LENGTH: i32 = 7;
const W_LINK_TYPE: i32 = 8;
const W_STATUS: i32 = 9;
const W_ETHER_TYPE: i32 = 10;
const W_VLAN_ID: i32 = 11;
const W_IP_VERSION: i32 = 12;
const W_PROTOCOL: i32 = 13;
const W_SRC_ADDR: i32 = 14;
const W_DST_ADDR: i32 = 18;
const W_SRC_PORT: i32 = 22;
const W_DST_PORT: i32 = 23;
const W_TCP_FLAGS: i32 = 24;
const W_TCP_SEQ: i32 = 25;
const W_TCP_ACK: i32 = 26;
const W_TCP_WINDOW: i32 = 27;
const W_TCP_SEGMENT_LENGTH: i32 = 28;
const W_ICMP_TYPE: i32 = 29;
const W_ICMP_CODE: i32 = 30;
const W_ICMP_ID: i32 = 31;
const W_FRAGMENT_ID: i32 = 32;
const W_FRAGMENT_OFFSET: i32 = 33;
const W_PAYLOAD_OFFSET: i32 = 34;
const W_PAYLOAD_LENGTH: i32 = 35;

const STATUS_FALLBACK: i32 = 1;
const STATUS_TRUNCATED: i32 = 2;
const STATUS_FRAGMENT: i32 = 4;
const STATUS_MORE_FRAGMENTS: i32 = 8;
const STATUS_TIME_DIGITS_SHIFT: i32 = 8;

const RECORD_HEADER_BYTES: i32 = 16;
/** framer.ts's MAX_UNIT_BYTES: 64 MiB. */
const MAX_UNIT_BYTES: u32 = 64 * 1024 * 1024;
const MAX_STACKED_TAGS: i32 = 16;
const MAX_IPV6_EXTENSION_HEADERS: i32 = 256;

// What the file header said (configure()).
let littleEndian: bool = true;
let nanosPerTick: u64 = 1000;
let linkType: i32 = 0;
let statusBase: i32 = 0;
let decodable: bool = false;

// Where the last decode() stopped and why (see LoopResult in TypeScript).
let stoppedAt: i32 = 0;
let needBytes: i32 = 0;
let faulted: bool = false;
let zeroLength: i32 = 0;

// The input being decoded and the record being written.
let base: usize = 0;
let rec: usize = 0;

export function heapBase(): usize {
  return __heap_base;
}

export function recordWords(): i32 {
  return RECORD_WORDS;
}

export function configure(
  le: bool,
  tickNanos: u32,
  link: u32,
  timeDigits: u32,
): void {
  littleEndian = le;
  nanosPerTick = <u64>tickNanos;
  linkType = <i32>link;
  statusBase = <i32>timeDigits << STATUS_TIME_DIGITS_SHIFT;
  decodable = link == 1 || link == 12 || link == 14 || link == 101 ||
    link == 228 || link == 229;
}

export function lastStoppedAt(): i32 {
  return stoppedAt;
}

export function lastNeed(): i32 {
  return needBytes;
}

export function lastFault(): bool {
  return faulted;
}

export function lastZeroLength(): i32 {
  return zeroLength;
}

@inline function fileU32(at: i32): u32 {
  const value = load<u32>(base + <usize>at);
  return littleEndian ? value : bswap<u32>(value);
}

@inline function byteAt(at: i32): i32 {
  return <i32>load<u8>(base + <usize>at);
}

@inline function shortAt(at: i32): i32 {
  return <i32>bswap<u16>(load<u16>(base + <usize>at));
}

@inline function wordAt(at: i32): i32 {
  return <i32>bswap<u32>(load<u32>(base + <usize>at));
}

@inline function put(index: i32, value: i32): void {
  store<i32>(rec + (<usize>index << 2), value);
}

@inline function get(index: i32): i32 {
  return load<i32>(rec + (<usize>index << 2));
}

/**
 * Decodes the whole pcap records in input[pos, end) into output, at most
 * maxRecords of them; input[i] lies at baseOffset + i in the file. Returns
 * the records written; lastStoppedAt(), lastNeed(), lastFault() and
 * lastZeroLength() tell the rest.
 */
export function decode(
  input: usize,
  pos: i32,
  end: i32,
  baseOffset: f64,
  output: usize,
  maxRecords: i32,
): i32 {
  base = input;
  const fileBase = <u64>baseOffset;
  let records: i32 = 0;
  let zeros: i32 = 0;
  needBytes = 0;
  faulted = false;

  while (records < maxRecords) {
    if (end - pos < RECORD_HEADER_BYTES) {
      needBytes = RECORD_HEADER_BYTES;
      break;
    }
    const capturedLength = fileU32(pos + 8);
    if (capturedLength > MAX_UNIT_BYTES) {
      faulted = true;
      break;
    }
    const unitBytes = RECORD_HEADER_BYTES + <i32>capturedLength;
    if (end - pos < unitBytes) {
      needBytes = unitBytes;
      break;
    }

    rec = output + <usize>(records * RECORD_WORDS) * 4;
    const offset = fileBase + <u64>pos;
    put(W_OFFSET_LO, <i32>offset);
    put(W_OFFSET_HI, <i32>(offset >> 32));
    const frame = pos + RECORD_HEADER_BYTES;
    put(W_FRAME_AT, frame);
    const nanos = <u64>fileU32(pos + 4) * nanosPerTick;
    const seconds = fileU32(pos);
    if (nanos < 1000000000) {
      put(W_SECONDS_LO, <i32>seconds);
      put(W_SECONDS_HI, 0);
      put(W_NANOS, <i32>nanos);
    } else {
      // A fraction of a second or more carries into the seconds, as the
      // pcap framer does.
      const carried = <u64>seconds + nanos / 1000000000;
      put(W_SECONDS_LO, <i32>carried);
      put(W_SECONDS_HI, <i32>(carried >> 32));
      put(W_NANOS, <i32>(nanos % 1000000000));
    }
    const originalLength = fileU32(pos + 12);
    put(W_CAPTURED_LENGTH, <i32>capturedLength);
    put(W_ORIGINAL_LENGTH, <i32>originalLength);
    put(W_LINK_TYPE, linkType);
    if (capturedLength == 0 && originalLength == 0) zeros++;

    clearDecode();
    let status = STATUS_FALLBACK;
    if (decodable) {
      status = decodeFrame(frame, frame + <i32>capturedLength);
    }
    if ((status & STATUS_FALLBACK) != 0) {
      clearDecode();
      status = STATUS_FALLBACK;
    }
    put(W_STATUS, statusBase | status);

    pos += unitBytes;
    records++;
  }
  stoppedAt = pos;
  zeroLength = zeros;
  return records;
}

function clearDecode(): void {
  put(W_ETHER_TYPE, -1);
  put(W_VLAN_ID, -1);
  put(W_IP_VERSION, 0);
  put(W_PROTOCOL, 0);
  // Addresses, 8 words from SRC_ADDR, in four 64-bit stores.
  const addresses = rec + (<usize>W_SRC_ADDR << 2);
  store<u64>(addresses, 0);
  store<u64>(addresses, 0, 8);
  store<u64>(addresses, 0, 16);
  store<u64>(addresses, 0, 24);
  put(W_SRC_PORT, -1);
  put(W_DST_PORT, -1);
  put(W_TCP_FLAGS, -1);
  put(W_TCP_SEQ, 0);
  put(W_TCP_ACK, 0);
  put(W_TCP_WINDOW, 0);
  put(W_TCP_SEGMENT_LENGTH, 0);
  put(W_ICMP_TYPE, -1);
  put(W_ICMP_CODE, -1);
  put(W_ICMP_ID, -1);
  put(W_FRAGMENT_ID, 0);
  put(W_FRAGMENT_OFFSET, 0);
  put(W_PAYLOAD_OFFSET, 0);
  put(W_PAYLOAD_LENGTH, 0);
}

/** Decodes the frame at input[frame, end); returns STATUS_* bits. */
function decodeFrame(frame: i32, end: i32): i32 {
  if (linkType == 1) return decodeEthernet(frame, end);
  if (end - frame < 1) return 0;
  const version = byteAt(frame) >> 4;
  if (version == 4) return decodeIpv4(frame, frame, end);
  if (version == 6) return decodeIpv6(frame, frame, end);
  return 0;
}

function decodeEthernet(frame: i32, end: i32): i32 {
  if (end - frame < 14) return 0;
  let etherType = shortAt(frame + 12);
  let at = frame + 14;
  for (let tags = 0; tags < MAX_STACKED_TAGS; tags++) {
    if (etherType == 0x0800) return decodeIpv4(frame, at, end);
    if (etherType == 0x86dd) return decodeIpv6(frame, at, end);
    if (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100) {
      if (end - at < 4) return 0;
      if (get(W_VLAN_ID) < 0) put(W_VLAN_ID, shortAt(at) & 0x0fff);
      etherType = shortAt(at + 2);
      at += 4;
      continue;
    }
    if (etherType == 0x8847 || etherType == 0x8848) {
      // The decoder names no MPLS header when not even a label is there.
      return end - at < 4 ? 0 : STATUS_FALLBACK;
    }
    if (etherType == 0x8864 || etherType <= 1500) return STATUS_FALLBACK;
    put(W_ETHER_TYPE, etherType);
    return 0;
  }
  return 0;
}

function decodeIpv4(frame: i32, at: i32, end: i32): i32 {
  if (end - at < 20 || byteAt(at) >> 4 != 4) {
    // A bad version is malformed; a header cut short is just nothing.
    return end - at >= 1 && byteAt(at) >> 4 != 4 ? STATUS_FALLBACK : 0;
  }
  const headerLength = (byteAt(at) & 0x0f) * 4;
  if (headerLength < 20) return STATUS_FALLBACK;
  const protocol = byteAt(at + 9);
  put(W_IP_VERSION, 4);
  put(W_PROTOCOL, protocol);
  put(W_SRC_ADDR, wordAt(at + 12));
  put(W_DST_ADDR, wordAt(at + 16));

  const totalLength = shortAt(at + 2);
  const flagsAndOffset = shortAt(at + 6);
  const fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
  let status = 0;
  if ((flagsAndOffset & 0x2000) != 0) {
    status = STATUS_FRAGMENT | STATUS_MORE_FRAGMENTS;
  } else if (fragmentOffset > 0) {
    status = STATUS_FRAGMENT;
  }
  put(W_FRAGMENT_ID, shortAt(at + 4));
  put(W_FRAGMENT_OFFSET, fragmentOffset);

  // Trust the total length only where it is sane: TSO captures write 0.
  let payloadEnd = end;
  if (totalLength >= headerLength && at + totalLength < end) {
    payloadEnd = at + totalLength;
  }
  const wireEnd = totalLength >= headerLength ? at + totalLength : end;
  const payload = at + headerLength;
  if (payload > end) return status | STATUS_TRUNCATED;
  if (fragmentOffset > 0) return status;
  return status | decodeTransport(protocol, status != 0, frame, payload,
    payloadEnd, wireEnd);
}

function decodeIpv6(frame: i32, at: i32, end: i32): i32 {
  if (end - at < 40 || byteAt(at) >> 4 != 6) return 0;
  put(W_IP_VERSION, 6);
  for (let i = 0; i < 4; i++) {
    put(W_SRC_ADDR + i, wordAt(at + 8 + 4 * i));
    put(W_DST_ADDR + i, wordAt(at + 24 + 4 * i));
  }

  const payloadLength = shortAt(at + 4);
  let payloadEnd = end;
  if (payloadLength > 0 && at + 40 + payloadLength < end) {
    payloadEnd = at + 40 + payloadLength;
  }
  // A payload length of 0 with data behind it is a jumbogram or BIG TCP.
  const wireEnd = payloadLength > 0 ? at + 40 + payloadLength : end;
  let next = byteAt(at + 6);
  let pos = at + 40;
  let finalDst = -1;
  let fragmentOffset = 0;
  let status = 0;
  for (let count = 0; ; count++) {
    if (count >= MAX_IPV6_EXTENSION_HEADERS) return STATUS_FALLBACK;
    if (next == 0 || next == 43 || next == 60 || next == 135) {
      // Hop-by-hop, routing, destination options, mobility.
      if (payloadEnd - pos < 8) break;
      const length = (byteAt(pos + 1) + 1) * 8;
      if (next == 43) {
        finalDst = finalDestination(pos, min(pos + length, payloadEnd));
      }
      next = byteAt(pos);
      pos += length;
    } else if (next == 44) {
      if (payloadEnd - pos < 8) break;
      const offsetAndFlags = shortAt(pos + 2);
      fragmentOffset = offsetAndFlags & 0xfff8;
      status = 0;
      if ((offsetAndFlags & 1) == 1) {
        status = STATUS_FRAGMENT | STATUS_MORE_FRAGMENTS;
      } else if (fragmentOffset > 0) {
        status = STATUS_FRAGMENT;
      }
      put(W_FRAGMENT_OFFSET, fragmentOffset);
      put(W_FRAGMENT_ID, wordAt(pos + 4));
      next = byteAt(pos);
      pos += 8;
    } else if (next == 51) {
      // Authentication header: its length counts 4-byte words, minus 2.
      if (payloadEnd - pos < 8) break;
      const length = (byteAt(pos + 1) + 2) * 4;
      next = byteAt(pos);
      pos += length;
    } else {
      put(W_PROTOCOL, next);
      if (finalDst >= 0 && hasPseudoHeader(next)) {
        for (let i = 0; i < 4; i++) {
          put(W_DST_ADDR + i, wordAt(finalDst + 4 * i));
        }
      }
      if (pos > payloadEnd) return status | STATUS_TRUNCATED;
      if (fragmentOffset > 0) return status;
      return status | decodeTransport(next, status != 0, frame, pos,
        payloadEnd, wireEnd);
    }
  }
  // An extension header cut short: its type stands as the protocol.
  put(W_PROTOCOL, next);
  return status | STATUS_TRUNCATED;
}

@inline function hasPseudoHeader(protocol: i32): bool {
  return protocol == 6 || protocol == 17 || protocol == 136 ||
    protocol == 132;
}

/** As in decode.ts: the final destination a routing header names, or -1. */
function finalDestination(pos: i32, end: i32): i32 {
  const routingType = byteAt(pos + 2);
  const segmentsLeft = byteAt(pos + 3);
  if (segmentsLeft == 0 || end - pos < 24) return -1;
  if (routingType == 0 || routingType == 2) {
    const count = (end - pos - 8) / 16;
    return pos + 8 + (count - 1) * 16;
  }
  if (routingType == 4) return pos + 8;
  return -1;
}

@inline function hasIcmpIdentifier(protocol: i32, type: i32): bool {
  if (protocol == 1) {
    return type == 0 || type == 8 || (type >= 13 && type <= 18);
  }
  return type == 128 || type == 129;
}

@inline function isIcmpError(protocol: i32, type: i32): bool {
  if (protocol == 1) {
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
  }
  return type >= 1 && type <= 4;
}

function decodeTransport(
  protocol: i32,
  fragment: bool,
  frame: i32,
  at: i32,
  end: i32,
  wireEnd: i32,
): i32 {
  const available = end - at;
  if (protocol == 6) {
    if (available < 4) return STATUS_TRUNCATED;
    put(W_SRC_PORT, shortAt(at));
    put(W_DST_PORT, shortAt(at + 2));
    if (available < 20) {
      if (available >= 14) put(W_TCP_FLAGS, byteAt(at + 13));
      return STATUS_TRUNCATED;
    }
    put(W_TCP_FLAGS, byteAt(at + 13));
    put(W_TCP_SEQ, wordAt(at + 4));
    put(W_TCP_ACK, wordAt(at + 8));
    put(W_TCP_WINDOW, shortAt(at + 14));
    const payload = at + (byteAt(at + 12) >> 4) * 4;
    put(W_PAYLOAD_OFFSET, payload - frame);
    put(W_PAYLOAD_LENGTH, max(0, end - payload));
    put(W_TCP_SEGMENT_LENGTH, max(0, wireEnd - payload));
    return 0;
  }
  if (protocol == 17 || protocol == 136) {
    if (available < 8) {
      if (available >= 4) {
        put(W_SRC_PORT, shortAt(at));
        put(W_DST_PORT, shortAt(at + 2));
      }
      return STATUS_TRUNCATED;
    }
    const dstPort = shortAt(at + 2);
    put(W_SRC_PORT, shortAt(at));
    put(W_DST_PORT, dstPort);
    put(W_PAYLOAD_OFFSET, at + 8 - frame);
    put(W_PAYLOAD_LENGTH, available - 8);
    if (fragment) return 0;
    // VXLAN and GENEVE, on the decoder's own conditions.
    if (dstPort == 4789) {
      return available >= 30 && (byteAt(at + 8) & 0x08) != 0
        ? STATUS_FALLBACK : 0;
    }
    if (dstPort == 6081) {
      return available >= 16 && byteAt(at + 8) >> 6 == 0 ? STATUS_FALLBACK : 0;
    }
    return 0;
  }
  if (protocol == 132) {
    if (available >= 4) {
      put(W_SRC_PORT, shortAt(at));
      put(W_DST_PORT, shortAt(at + 2));
    }
    return 0;
  }
  if (protocol == 1 || protocol == 58) {
    if (available < 4) return STATUS_TRUNCATED;
    const type = byteAt(at);
    put(W_ICMP_TYPE, type);
    put(W_ICMP_CODE, byteAt(at + 1));
    if (available >= 8 && hasIcmpIdentifier(protocol, type)) {
      put(W_ICMP_ID, shortAt(at + 4));
    }
    put(W_PAYLOAD_OFFSET, at + 8 - frame);
    put(W_PAYLOAD_LENGTH, max(0, available - 8));
    return isIcmpError(protocol, type) ? STATUS_FALLBACK : 0;
  }
  if (protocol == 4 || protocol == 41) return fragment ? 0 : STATUS_FALLBACK;
  if (protocol == 47) return fragment ? 0 : greStatus(at, end);
  return 0;
}

/** FALLBACK where decode.ts would take GRE for a tunnel. */
function greStatus(at: i32, end: i32): i32 {
  if (end - at < 4) return 0;
  const flags = byteAt(at);
  const version = byteAt(at + 1) & 0x07;
  let pos = at + 4;
  if (version == 0) {
    if (flags & 0x80) pos += 4;
    if (flags & 0x20) pos += 4;
    if (flags & 0x10) pos += 4;
  } else if (version == 1) {
    pos += 4;
    if (flags & 0x10) pos += 4;
    if (byteAt(at + 1) & 0x80) pos += 4;
  } else {
    return 0;
  }
  return pos > end ? 0 : STATUS_FALLBACK;
}
