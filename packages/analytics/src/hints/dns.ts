import { appendEscaped, appendHostByte } from './text.js';

export interface DnsSink {
  /** Called for the first question's name. */
  query(name: string, type: number): void;
  /**
   * Called for each A/AAAA answer: the owner name and where the address
   * bytes lie in b (4 or 16 bytes). When the owner is reached from the
   * question through CNAMEs, the name is the one the question asked for.
   */
  address(name: string, version: 4 | 6, b: Uint8Array, offset: number): void;
}

export const DNS_TYPE_A = 1;
export const DNS_TYPE_CNAME = 5;
export const DNS_TYPE_AAAA = 28;
const CLASS_IN = 1;

// Header: id(2) flags(2) qdcount(2) ancount(2) nscount(2) arcount(2)
//   flags: QR(1) opcode(4) AA TC RD RA Z AD CD rcode(4)
const HEADER_BYTES = 12;
const FLAG_RESPONSE = 0x8000;
const FLAG_Z = 0x0040;
/** Opcodes 0-5 (QUERY to UPDATE) are assigned; others are not DNS. */
const MAX_OPCODE = 5;
/** Real messages ask one question; a few more is tolerated, not more. */
const MAX_QUESTIONS = 4;
/** Smallest question: the root name (1 byte), type and class. */
const MIN_QUESTION_BYTES = 5;
/** Smallest record: root name, type, class, TTL, rdlength. */
const MIN_RECORD_BYTES = 11;
/** Type, class, TTL and rdlength follow a record's name. */
const RECORD_FIXED_BYTES = 10;

/** RFC 1035 2.3.4: a label is at most 63 bytes. */
const MAX_LABEL_BYTES = 63;
/**
 * A name is at most 253 characters as text, which is 254 bytes of labels
 * with their length bytes; that also caps a name at 127 labels.
 */
const MAX_NAME_LABEL_BYTES = 254;
/**
 * Compression pointers followed in one name. Real names take one or two;
 * the cap ends a loop of pointers after a few steps, and together with the
 * length cap bounds the work per name.
 */
const MAX_POINTER_HOPS = 16;
/** CNAME links followed from the question towards an address. */
const MAX_CNAME_CHAIN = 8;

const DOT = 0x2e;

function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

/**
 * A sane header for a message of `size` bytes: an assigned opcode, the
 * reserved Z bit clear, 1-4 questions (none only in a response that
 * carries answers, as mDNS announcements do), and counts whose smallest
 * records fit in the message.
 */
function isSaneHeader(b: Uint8Array, at: number, size: number): boolean {
  if (size < HEADER_BYTES) return false;
  const flags = u16(b, at + 2);
  if (((flags >> 11) & 0xf) > MAX_OPCODE || (flags & FLAG_Z) !== 0) {
    return false;
  }
  const questions = u16(b, at + 4);
  const answers = u16(b, at + 6);
  const records = answers + u16(b, at + 8) + u16(b, at + 10);
  if (questions > MAX_QUESTIONS) return false;
  if (questions === 0 && ((flags & FLAG_RESPONSE) === 0 || answers === 0)) {
    return false;
  }
  const smallest =
    HEADER_BYTES +
    questions * MIN_QUESTION_BYTES +
    records * MIN_RECORD_BYTES;
  return smallest <= size;
}

/**
 * Where the name at `p` ends in the message (after its root byte or its
 * first pointer), or -1. Pointers are not followed: this only skips.
 */
function skipName(b: Uint8Array, p: number, end: number): number {
  let labelBytes = 0;
  while (p < end) {
    const length = b[p];
    if (length === 0) return p + 1;
    if (length >= 0xc0) return end - p >= 2 ? p + 2 : -1;
    if (length > MAX_LABEL_BYTES) return -1;
    labelBytes += length + 1;
    if (labelBytes > MAX_NAME_LABEL_BYTES) return -1;
    p += length + 1;
  }
  return -1;
}

/**
 * Where a pointer at `p` leads, or -1 when it cannot be followed: cut,
 * or aimed outside the message's records. The caller counts hops.
 */
function followPointer(
  b: Uint8Array,
  base: number,
  p: number,
  end: number,
): number {
  if (end - p < 2) return -1;
  const target = base + (((b[p] & 0x3f) << 8) | b[p + 1]);
  return target >= base + HEADER_BYTES && target < end ? target : -1;
}

/**
 * The name at `p` as text: labels joined by '.', lower-cased, bytes
 * outside printable ASCII (and a '.' inside a label) escaped as \DDD; "."
 * for the root. Null when it is malformed, longer than 253 characters or
 * takes more than MAX_POINTER_HOPS pointers.
 */
export function readDnsName(
  b: Uint8Array,
  base: number,
  p: number,
  end: number,
): string | null {
  let text = '';
  let labelBytes = 0;
  let hops = 0;
  while (p < end) {
    const length = b[p];
    if (length >= 0xc0) {
      if (++hops > MAX_POINTER_HOPS) return null;
      p = followPointer(b, base, p, end);
      if (p < 0) return null;
      continue;
    }
    if (length > MAX_LABEL_BYTES) return null;
    if (length === 0) return labelBytes === 0 ? '.' : text;
    labelBytes += length + 1;
    if (labelBytes > MAX_NAME_LABEL_BYTES || length >= end - p) return null;

    if (text !== '') text += '.';
    for (let i = p + 1; i <= p + length; i++) {
      // A '.' inside a label is escaped so label boundaries stay visible.
      if (b[i] === DOT) text = appendEscaped(text, DOT);
      else text = appendHostByte(text, b[i]);
    }
    p += length + 1;
  }
  return null;
}

/** ASCII case folding for name comparison. */
function fold(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
}

/**
 * The names at `p` and `q` are the same, compared label by label with
 * ASCII case folded, pointers followed on both sides. Malformed is never
 * the same. Allocates nothing.
 */
function isSameName(
  b: Uint8Array,
  base: number,
  end: number,
  p: number,
  q: number,
): boolean {
  let hops = 0;
  let labelBytes = 0;
  for (;;) {
    while (p >= 0 && p < end && b[p] >= 0xc0) {
      if (++hops > 2 * MAX_POINTER_HOPS) return false;
      p = followPointer(b, base, p, end);
    }
    while (q >= 0 && q < end && b[q] >= 0xc0) {
      if (++hops > 2 * MAX_POINTER_HOPS) return false;
      q = followPointer(b, base, q, end);
    }
    if (p < 0 || q < 0 || p >= end || q >= end) return false;
    const length = b[p];
    if (length !== b[q] || length > MAX_LABEL_BYTES) return false;
    if (length === 0) return true;
    labelBytes += length + 1;
    if (labelBytes > MAX_NAME_LABEL_BYTES) return false;
    if (length >= end - p || length >= end - q) return false;
    for (let i = 1; i <= length; i++) {
      if (fold(b[p + i]) !== fold(b[q + i])) return false;
    }
    p += length + 1;
    q += length + 1;
  }
}

/**
 * Reads a DNS message over UDP (also mDNS on 5353 and LLMNR on 5355):
 * tells the sink the first question and, in a response, the A and AAAA
 * records of the answer section. True when the bytes are a DNS message:
 * a sane header and questions that parse. A malformed answer ends the walk
 * quietly; the answers before it have been reported.
 *
 * Limits: a message cut by the snap length often has counts that no
 * longer fit, and is then not recognised; addresses in the authority and
 * additional sections are not reported; a CNAME chain is followed in the
 * order its records come, up to 8 links.
 */
export function readDns(
  b: Uint8Array,
  at: number,
  end: number,
  sink: DnsSink,
): boolean {
  if (end > b.length) end = b.length;
  if (at < 0) return false;
  return readMessage(b, at, end, end, sink);
}

/**
 * The same over TCP, where a 2-byte length precedes the message. The
 * message may go on past `end` (the rest comes in later segments): its
 * counts are checked against the length it declares, and it is read as
 * far as `end`. Only the first message of the payload is read.
 */
export function readDnsOverTcp(
  b: Uint8Array,
  at: number,
  end: number,
  sink: DnsSink,
): boolean {
  if (end > b.length) end = b.length;
  if (at < 0 || end - at < 2 + HEADER_BYTES) return false;
  const messageEnd = at + 2 + u16(b, at);
  return readMessage(b, at + 2, Math.min(end, messageEnd), messageEnd, sink);
}

function readMessage(
  b: Uint8Array,
  base: number,
  end: number,
  messageEnd: number,
  sink: DnsSink,
): boolean {
  if (end - base < HEADER_BYTES) return false;
  if (!isSaneHeader(b, base, messageEnd - base)) return false;
  const isResponse = (u16(b, base + 2) & FLAG_RESPONSE) !== 0;
  const questions = u16(b, base + 4);
  const answers = u16(b, base + 6);

  // Question: name type(2) class(2)
  let p = base + HEADER_BYTES;
  let question = -1;
  let questionName: string | null = null;
  let questionType = 0;
  for (let i = 0; i < questions; i++) {
    const name = p;
    p = skipName(b, p, end);
    if (p < 0 || end - p < 4) return false;
    if (i === 0) {
      questionName = readDnsName(b, base, name, end);
      if (questionName === null) return false;
      question = name;
      questionType = u16(b, p);
    }
    p += 4;
  }
  if (questionName !== null) sink.query(questionName, questionType);
  if (!isResponse) return true;

  // Answer: name type(2) class(2) ttl(4) rdlength(2) rdata
  let chain: number[] | null = null;
  for (let i = 0; i < answers; i++) {
    const owner = p;
    p = skipName(b, p, end);
    if (p < 0 || end - p < RECORD_FIXED_BYTES) break;
    const type = u16(b, p);
    // mDNS uses the class's top bit as its cache-flush flag.
    const recordClass = u16(b, p + 2) & 0x7fff;
    const dataLength = u16(b, p + 8);
    const data = p + RECORD_FIXED_BYTES;
    if (dataLength > end - data) break;
    p = data + dataLength;
    if (recordClass !== CLASS_IN) continue;

    const version =
      type === DNS_TYPE_A && dataLength === 4
        ? 4
        : type === DNS_TYPE_AAAA && dataLength === 16
          ? 6
          : 0;
    if (version === 0 && type !== DNS_TYPE_CNAME) continue;
    const asked =
      question >= 0 &&
      (isSameName(b, base, end, owner, question) ||
        (chain !== null && isInChain(b, base, end, owner, chain)));
    if (version === 0) {
      // A CNAME that continues the chain from the question.
      if (asked && (chain === null || chain.length < MAX_CNAME_CHAIN)) {
        chain ??= [];
        chain.push(data);
      }
      continue;
    }
    const name = asked ? questionName : readDnsName(b, base, owner, end);
    if (name !== null) sink.address(name, version, b, data);
  }
  return true;
}

function isInChain(
  b: Uint8Array,
  base: number,
  end: number,
  owner: number,
  chain: number[],
): boolean {
  for (const target of chain) {
    if (isSameName(b, base, end, owner, target)) return true;
  }
  return false;
}

/**
 * The response code of a DNS response (0 no error, 3 NXDOMAIN...), or -1
 * when the bytes are not a DNS response. Only the header's 4 bits: an
 * extended code in an EDNS OPT record is not added.
 */
export function dnsResponseCode(
  b: Uint8Array,
  at: number,
  end: number,
): number {
  if (end > b.length) end = b.length;
  if (at < 0 || !isSaneHeader(b, at, end - at)) return -1;
  const flags = u16(b, at + 2);
  return (flags & FLAG_RESPONSE) !== 0 ? flags & 0xf : -1;
}

/** True when the bytes start a DNS response with a sane header. */
export function isDnsResponse(
  b: Uint8Array,
  at: number,
  end: number,
): boolean {
  return dnsResponseCode(b, at, end) >= 0;
}
