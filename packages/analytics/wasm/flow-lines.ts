// The command line's flow lines in AssemblyScript: the JSON that
// JSON.stringify(flowRecord(...)) gives, byte for byte, for batches of
// flows whose columns the caller copied into this module's memory
// (src/flow-lines.ts lays them out). JavaScript copies bytes one at a time at about 1.4 ns
// each; here texts are copied eight bytes at a time.
//
// No allocation happens here: the caller owns the memory above heapBase()
// and passes where each area starts (configure()).
//
// A flow whose values need what only JavaScript writes the same way (a
// count that is not a whole number below 2^53, a duration or round trip
// below a microsecond or of a million seconds or more) stops the batch:
// write() returns its place, and the caller writes that flow itself.

/** Values per flow in the batch areas, in this order (flow-lines.ts). */
const F_PACKETS_OUT: i32 = 0;
const F_PACKETS_IN: i32 = 1;
const F_BYTES_OUT: i32 = 2;
const F_BYTES_IN: i32 = 3;
const F_FIRST_SECONDS: i32 = 4;
const F_LAST_SECONDS: i32 = 5;
const F_RTT: i32 = 6;
const F_MISSING_BYTES: i32 = 7;
const I_FIRST_NANOS: i32 = 0;
const I_LAST_NANOS: i32 = 1;
const I_SRC_PORT: i32 = 2;
const I_DST_PORT: i32 = 3;
const I_VLAN: i32 = 4;
const I_RETRANSMISSIONS: i32 = 5;
const I_OUT_OF_ORDER: i32 = 6;
const I_ZERO_WINDOWS: i32 = 7;
const I_LOST_SEGMENTS: i32 = 8;
const T_PROTO: i32 = 0;
const T_SRC: i32 = 1;
const T_DST: i32 = 2;
const T_APP: i32 = 3;
const T_HOST: i32 = 4;
const T_SRC_NAME: i32 = 5;
const T_DST_NAME: i32 = 6;
const T_SRC_COUNTRY: i32 = 7;
const T_DST_COUNTRY: i32 = 8;
const T_TUNNEL: i32 = 9;
const T_STATE: i32 = 10;
const T_DNS_RCODE: i32 = 11;
const TEXT_FIELDS: i32 = 12;

/** The keys and fixed text of a line, one after the other. */
const PIECES = [
  '{"proto":', ',"src":"', '","srcPort":', ',"dst":"', '","dstPort":',
  ',"packets":', ',"bytes":', ',"packetsOut":', ',"bytesOut":',
  ',"packetsIn":', ',"bytesIn":', ',"firstSeen":', ',"lastSeen":',
  ',"duration":', ',"app":', ',"host":', ',"srcName":', ',"dstName":',
  ',"srcCountry":', ',"dstCountry":', ',"tunnel":', ',"vlan":',
  ',"state":', ',"rtt":', ',"retransmissions":', ',"outOfOrder":',
  ',"zeroWindows":', ',"lostSegments":', ',"dnsRcode":', ',"missingBytes":',
  '}\n', 'null',
];
const P_NULL: i32 = 31;

/**
 * The longest line past its texts: keys and fixed text under 420 bytes,
 * 16 numbers of at most 21 characters, two times of at most 32.
 */
const LINE_BYTES: i32 = 1024;
/** Whole numbers JavaScript writes without an exponent: below 2^53. */
const MAX_WHOLE: f64 = 9007199254740991;
/** Nanoseconds in a second; durations from 10^6 s on are left to JS. */
const NANOS_PER_SECOND: f64 = 1e9;
const EXACT_SECONDS: f64 = 1e6;
const MIN_PLAIN_NANOS: f64 = 1000;

// Where things are (configure()).
let piecesAt: i32 = 0;
let pieceStarts: i32 = 0;
let textsAt: i32 = 0;
let textStarts: i32 = 0;
let floatsAt: i32 = 0;
let intsAt: i32 = 0;
let textIdsAt: i32 = 0;
let outAt: i32 = 0;
let outEnd: i32 = 0;
let timeDigits: i32 = 0;
let written: i32 = 0;

/** The date of the last day written: '"2026-11-30T' (12 bytes). */
let dayAt: i32 = 0;
let lastDay: f64 = NaN;
let dayInRange: bool = false;

/** Writes '"YYYY-MM-DDT' for `day` at `at`; 0 when out of range. */
@external("env", "writeDay")
declare function writeDay(day: f64, at: i32): i32;

export function heapBase(): i32 {
  return <i32>__heap_base;
}

/**
 * Bytes the fixed text takes (written by configure()): its starts, its
 * characters, and 16 for the date of the day being written.
 */
export function piecesBytes(): i32 {
  let total = 0;
  for (let i = 0; i < PIECES.length; i++) total += PIECES[i].length;
  return total + (PIECES.length + 1) * 4 + 16;
}

/**
 * Where each area is: the fixed text (piecesBytes() at `pieces`), the
 * texts and their starts (u32, one more than texts), the batch's float
 * values (8 per flow, f64), whole values (9 per flow, i32) and text ids
 * (12 per flow, i32), and the output.
 */
export function configure(
  pieces: i32,
  texts: i32,
  starts: i32,
  floats: i32,
  ints: i32,
  textIds: i32,
  out: i32,
  outBytes: i32,
  digits: i32,
): void {
  pieceStarts = pieces;
  piecesAt = pieces + (PIECES.length + 1) * 4;
  let at = piecesAt;
  for (let i = 0; i < PIECES.length; i++) {
    store<u32>(pieceStarts + i * 4, at);
    const text = PIECES[i];
    for (let j = 0; j < text.length; j++) {
      store<u8>(at++, <u8>text.charCodeAt(j));
    }
  }
  store<u32>(pieceStarts + PIECES.length * 4, at);
  dayAt = at;
  textsAt = texts;
  textStarts = starts;
  floatsAt = floats;
  intsAt = ints;
  textIdsAt = textIds;
  outAt = out;
  outEnd = out + outBytes;
  timeDigits = digits;
  lastDay = NaN;
}

/** Bytes written by the last write(). */
export function writtenBytes(): i32 {
  return written;
}

/** True when the last write() stopped at a flow the caller must write. */
export function stoppedForCaller(): i32 {
  return stoppedAtFlow ? 1 : 0;
}

let stoppedAtFlow: bool = false;

/**
 * Writes flows [from, count) of the batch from the output's start; returns
 * where it stopped: count when all are written, else a flow that the
 * caller must write (stoppedForCaller()) or the first that did not fit.
 */
export function write(from: i32, count: i32): i32 {
  let at = outAt;
  let k = from;
  stoppedAtFlow = false;
  for (; k < count; k++) {
    if (outEnd - at < LINE_BYTES + textsLength(k)) break;
    const end = writeLine(k, at);
    if (end < 0) {
      stoppedAtFlow = true;
      break;
    }
    at = end;
  }
  written = at - outAt;
  return k;
}

/** Flow k's line at `at`; returns its end, or -1 (see the top). */
function writeLine(k: i32, at: i32): i32 {
  const f = floatsAt + k * 8 * 8;
  const n = intsAt + k * 9 * 4;
  const t = textIdsAt + k * TEXT_FIELDS * 4;
  // A state the module has no text for.
  if (load<i32>(t + T_STATE * 4) < 0) return -1;
  const packetsOut = load<f64>(f + F_PACKETS_OUT * 8);
  const packetsIn = load<f64>(f + F_PACKETS_IN * 8);
  const bytesOut = load<f64>(f + F_BYTES_OUT * 8);
  const bytesIn = load<f64>(f + F_BYTES_IN * 8);

  at = piece(0, at);
  at = text(load<i32>(t + T_PROTO * 4), at);
  at = piece(1, at);
  at = text(load<i32>(t + T_SRC * 4), at);
  at = piece(2, at);
  at = port(load<i32>(n + I_SRC_PORT * 4), at);
  at = piece(3, at);
  at = text(load<i32>(t + T_DST * 4), at);
  at = piece(4, at);
  at = port(load<i32>(n + I_DST_PORT * 4), at);

  const packets = packetsOut + packetsIn;
  const bytes = bytesOut + bytesIn;
  const missingBytes = load<f64>(f + F_MISSING_BYTES * 8);
  if (!isWhole(packets) || !isWhole(bytes) || !isWhole(packetsOut) ||
    !isWhole(bytesOut) || !isWhole(packetsIn) || !isWhole(bytesIn) ||
    !isWhole(missingBytes)) {
    return -1;
  }
  at = piece(5, at);
  at = whole(packets, at);
  at = piece(6, at);
  at = whole(bytes, at);
  at = piece(7, at);
  at = whole(packetsOut, at);
  at = piece(8, at);
  at = whole(bytesOut, at);
  at = piece(9, at);
  at = whole(packetsIn, at);
  at = piece(10, at);
  at = whole(bytesIn, at);

  const firstSeconds = load<f64>(f + F_FIRST_SECONDS * 8);
  const lastSeconds = load<f64>(f + F_LAST_SECONDS * 8);
  const firstNanos = load<u32>(n + I_FIRST_NANOS * 4);
  const lastNanos = load<u32>(n + I_LAST_NANOS * 4);
  at = piece(11, at);
  at = time(firstSeconds, firstNanos, at);
  at = piece(12, at);
  at = time(lastSeconds, lastNanos, at);
  at = piece(13, at);
  const seconds = lastSeconds - firstSeconds;
  at = seconds >= 0 && seconds < EXACT_SECONDS
    ? decimal(seconds * NANOS_PER_SECOND +
      (<f64>lastNanos - <f64>firstNanos), at)
    : -1;
  if (at < 0) return -1;

  for (let field = T_APP; field <= T_TUNNEL; field++) {
    at = piece(14 + field - T_APP, at);
    at = text(load<i32>(t + field * 4), at);
  }
  at = piece(21, at);
  at = port(load<i32>(n + I_VLAN * 4), at);
  at = piece(22, at);
  at = text(load<i32>(t + T_STATE * 4), at);
  at = piece(23, at);
  const rtt = load<f64>(f + F_RTT * 8);
  if (rtt < 0) {
    at = piece(P_NULL, at);
  } else {
    // What Number(rtt.toFixed(9)) gives: the round trip comes from times
    // in whole nanoseconds, so rtt * 1e9 is within a tenth of its count
    // of them, and rounding finds it.
    at = rtt < EXACT_SECONDS ? decimal(nearest(rtt * NANOS_PER_SECOND), at)
      : -1;
    if (at < 0) return -1;
  }
  for (let field = I_RETRANSMISSIONS; field <= I_LOST_SEGMENTS; field++) {
    at = piece(24 + field - I_RETRANSMISSIONS, at);
    at = digits(<u64>load<u32>(n + field * 4), at);
  }
  at = piece(28, at);
  at = text(load<i32>(t + T_DNS_RCODE * 4), at);
  at = piece(29, at);
  at = whole(missingBytes, at);
  return piece(30, at);
}

/** Bytes of flow k's texts. */
function textsLength(k: i32): i32 {
  const t = textIdsAt + k * TEXT_FIELDS * 4;
  let total = 0;
  for (let field = 0; field < TEXT_FIELDS; field++) {
    const id = load<i32>(t + field * 4);
    if (id < 0) continue;
    total += load<u32>(textStarts + (id + 1) * 4) -
      load<u32>(textStarts + id * 4);
  }
  return total;
}

function piece(index: i32, at: i32): i32 {
  const start = load<u32>(pieceStarts + index * 4);
  const length = load<u32>(pieceStarts + (index + 1) * 4) - start;
  return copy(at, start, length);
}

function text(id: i32, at: i32): i32 {
  const start = load<u32>(textStarts + id * 4);
  const length = load<u32>(textStarts + (id + 1) * 4) - start;
  return copy(at, textsAt + start, length);
}

/**
 * Copies `length` bytes to `at` eight at a time, and returns where they
 * end. It may write up to 7 bytes past that end (a line has LINE_BYTES of
 * room, and what follows overwrites them) and read as far past the
 * source's end (other areas follow every source in memory). For texts of
 * a few bytes this is several times faster than memory.copy, whose every
 * call costs more than the copy.
 */
function copy(at: i32, from: i32, length: i32): i32 {
  for (let i = 0; i < length; i += 8) {
    store<u64>(at + i, load<u64>(from + i));
  }
  return at + length;
}

/** A port or VLAN: the number, or null below 0. */
function port(value: i32, at: i32): i32 {
  return value < 0 ? piece(P_NULL, at) : digits(<u64>value, at);
}

/** True for a whole number that JavaScript writes in plain digits. */
function isWhole(value: f64): bool {
  return value >= -MAX_WHOLE && value <= MAX_WHOLE &&
    value === Math.floor(value);
}

/** A number isWhole() passed, as JavaScript writes it. */
function whole(value: f64, at: i32): i32 {
  if (value < 0) {
    store<u8>(at++, 0x2d); // '-'
    value = -value;
  }
  return digits(<u64>value, at);
}

/** `value` in decimal digits. */
function digits(value: u64, at: i32): i32 {
  let count = 1;
  for (let rest = value; rest >= 10; rest /= 10) count++;
  const end = at + count;
  let i = end;
  do {
    store<u8>(--i, <u8>(0x30 + value % 10));
    value /= 10;
  } while (value > 0);
  return end;
}

/** `value` (below 10^count) in `count` digits, zeros first. */
function padded(value: u32, count: i32, at: i32): i32 {
  for (let i = at + count - 1; i >= at; i--) {
    store<u8>(i, <u8>(0x30 + value % 10));
    value /= 10;
  }
  return at + count;
}

/**
 * A count of nanoseconds (0 <= nanos < 10^15) as seconds, the way
 * JavaScript writes that number: no trailing zeros, no point for a whole
 * number; -1 below a microsecond, where it would use an exponent.
 */
function decimal(nanos: f64, at: i32): i32 {
  if (!(nanos >= 0)) return -1;
  const count = <u64>nanos;
  const seconds = count / 1_000_000_000;
  let fraction = <u32>(count % 1_000_000_000);
  if (fraction === 0) return digits(seconds, at);
  if (seconds === 0 && fraction < <u32>MIN_PLAIN_NANOS) return -1;
  at = digits(seconds, at);
  store<u8>(at++, 0x2e); // '.'
  let shown = 9;
  while (fraction % 10 === 0) {
    fraction /= 10;
    shown--;
  }
  return padded(fraction, shown, at);
}

/** A time as JSON: '"2026-11-30T10:00:00.123456Z"', or null. */
function time(seconds: f64, nanos: u32, at: i32): i32 {
  const day = Math.floor(seconds / 86400);
  if (day !== lastDay) {
    lastDay = day;
    dayInRange = writeDay(day, dayAt) !== 0;
  }
  if (!dayInRange) return piece(P_NULL, at);
  at = copy(at, dayAt, 12);
  const secondOfDay = <u32>(seconds - day * 86400);
  at = padded(secondOfDay / 3600, 2, at);
  store<u8>(at++, 0x3a); // ':'
  at = padded(secondOfDay % 3600 / 60, 2, at);
  store<u8>(at++, 0x3a);
  at = padded(secondOfDay % 60, 2, at);
  if (timeDigits > 0) {
    const shown = timeDigits < 9 ? timeDigits : 9;
    let fraction = nanos;
    for (let i = shown; i < 9; i++) fraction /= 10;
    store<u8>(at++, 0x2e);
    at = padded(fraction, shown, at);
  }
  store<u8>(at++, 0x5a); // 'Z'
  store<u8>(at++, 0x22); // '"'
  return at;
}
