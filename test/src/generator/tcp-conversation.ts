import type { Filler } from './filler.js';
import {
  putTlsApplicationDataHeader,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_SYN,
  tcpSynOptions,
  TLS_RECORD_HEADER_BYTES,
} from './frames.js';
import { assertNever, invariant } from './invariant.js';
import type { TcpPlan } from './packet-plan.js';
import type { Prng } from './prng.js';

/**
 * Bulk data made up segment by segment instead of held whole: `tls` makes
 * each segment one application-data record, `ciphertext` is random bytes
 * (SSH after its key exchange), `text` is lines of hex digits (an HTTP
 * body).
 */
export type BulkKind = 'tls' | 'ciphertext' | 'text';

/** What one side sends before it waits for the other. */
export interface Turn {
  fromClient: boolean;
  /**
   * Pause before the first segment, after the last packet this side saw.
   * For the server, on top of the round trip its request took.
   */
  thinkMicros: number;
  /** Bytes sent as they are: hellos, banners, requests, headers. */
  bytes: Uint8Array;
  /** Then this many bytes of bulk data. */
  bulkBytes: number;
  bulk: BulkKind | null;
}

export interface TcpSetup {
  startMicros: number;
  rttMicros: number;
  /** Largest payload per segment. */
  mssBytes: number;
  prng: Prng;
  filler: Filler;
  closer: 'client' | 'server';
  /** From the last turn's last packet to the first FIN. */
  idleBeforeCloseMicros: number;
}

/** A 1514-byte frame lasts about 12 µs at 1 Gbit/s: back-to-back gap. */
const SEGMENT_GAP_MICROS = 12;
/** Linux acknowledges at once early in a connection (quick ACKs). */
const VM_ACK_DELAY_MICROS = 30;
/** Linux's shortest delayed ACK: a reply sooner than this carries it. */
const DELAYED_ACK_MICROS = 40_000;
/** Segments sent before the first ACK: RFC 6928's initial window. */
const INITIAL_WINDOW_SEGMENTS = 10;
/**
 * The congestion window stops doubling at 64 segments (about 93 KB), a
 * common receive window without tuned buffers.
 */
const MAX_WINDOW_SEGMENTS = 64;
/** The smallest record with data: header, one byte, 16-byte AEAD tag. */
const MIN_TLS_RECORD_BYTES = TLS_RECORD_HEADER_BYTES + 1 + 16;
/** Linux's SYN window: 44 segments of 1460 bytes. */
const CLIENT_SYN_WINDOW = 64240;
/** Linux's window scale with default buffers. */
const CLIENT_WINDOW_SCALE = 7;
const SERVER_SYN_WINDOWS = [65535, 64240, 65160, 28960];
const EMPTY = new Uint8Array(0);

/** A turn of bytes sent as they are. */
export function sends(
  fromClient: boolean,
  bytes: Uint8Array,
  thinkMicros: number,
): Turn {
  return { fromClient, thinkMicros, bytes, bulkBytes: 0, bulk: null };
}

/** A turn of bulk data, after an optional head of bytes as they are. */
export function sendsBulk(
  fromClient: boolean,
  bulk: BulkKind,
  bulkBytes: number,
  thinkMicros: number,
  head: Uint8Array = EMPTY,
): Turn {
  return { fromClient, thinkMicros, bytes: head, bulkBytes, bulk };
}

/**
 * One TCP connection as a capture on the client (the VM) sees it: the
 * three-way handshake, the turns, then a FIN from each side.
 *
 * The timing follows from where the capture is taken. The VM's packets
 * show when it sends them; the server's show one round trip after the VM
 * packet they answer, plus the server's think time. Segments of one turn
 * go back to back; the server's come in bursts of a congestion window
 * that starts at 10 segments and doubles each round trip. The VM
 * acknowledges every second segment at once; at the end of a turn the
 * receiver acknowledges alone, unless it answers within the delayed-ACK
 * time and the acknowledgement rides on its data.
 *
 * Turns are pulled one at a time, after the previous one has been sent,
 * so a turn's bytes may live in a buffer that the next turn reuses.
 *
 * Limits: no loss, retransmission, reordering or window stalls; bursts of
 * the client are not paced; the congestion window restarts with each turn.
 */
export function* tcpConversation(
  setup: TcpSetup,
  turns: Iterator<Turn, void, void>,
): Generator<TcpPlan, void, void> {
  const { prng, rttMicros } = setup;
  const clientWindow = prng.int(490, 510);
  const serverWindow = prng.int(200, 2048);
  const segment = new Uint8Array(setup.mssBytes);
  let streamOffset = prng.nextUint32(); // where in the filler bulk starts
  let clientSeq = prng.nextUint32();
  let serverSeq = prng.nextUint32();
  let t = setup.startMicros;

  const clientPacket = (flags: number, payload: Uint8Array): TcpPlan => ({
    kind: 'tcp',
    tsMicros: t,
    fromClient: true,
    seq: clientSeq,
    ack: serverSeq,
    flags,
    window: clientWindow,
    options: null,
    payload,
  });
  const serverPacket = (flags: number, payload: Uint8Array): TcpPlan => ({
    kind: 'tcp',
    tsMicros: t,
    fromClient: false,
    seq: serverSeq,
    ack: clientSeq,
    flags,
    window: serverWindow,
    options: null,
    payload,
  });

  // Handshake: the VM's SYN, the answer a round trip later, the ACK.
  yield {
    ...clientPacket(TCP_SYN, EMPTY),
    ack: 0,
    window: CLIENT_SYN_WINDOW,
    options: tcpSynOptions(setup.mssBytes, CLIENT_WINDOW_SCALE),
  };
  clientSeq = (clientSeq + 1) >>> 0;
  t += rttMicros;
  yield {
    ...serverPacket(TCP_SYN | TCP_ACK, EMPTY),
    window: prng.pick(SERVER_SYN_WINDOWS),
    options: tcpSynOptions(setup.mssBytes, prng.int(7, 10)),
  };
  serverSeq = (serverSeq + 1) >>> 0;
  t += VM_ACK_DELAY_MICROS;
  yield clientPacket(TCP_ACK, EMPTY);
  let lastClientMicros = t;
  let lastDataFromClient = true;

  let step = turns.next();
  while (!step.done) {
    const turn = step.value;
    const totalBytes = turn.bytes.length + turn.bulkBytes;
    invariant(totalBytes > 0, 'a turn sends something');
    invariant(
      turn.bulk !== 'tls' ||
        (turn.bytes.length === 0 && turn.bulkBytes >= MIN_TLS_RECORD_BYTES),
      'TLS bulk is whole records, with no head before it',
    );

    // A server answering the VM is seen a round trip after the VM's last
    // packet; anything else starts from the last packet seen.
    if (!turn.fromClient && lastDataFromClient) {
      t = Math.max(t, lastClientMicros + rttMicros);
    }
    t += turn.thinkMicros;

    let sentBytes = 0;
    let unackedSegments = 0;
    let windowSegments = INITIAL_WINDOW_SEGMENTS;
    let burstLeft = windowSegments;
    let burstStartMicros = t;
    for (;;) {
      const length = nextSegmentBytes(turn, sentBytes, setup.mssBytes);
      const payload = segmentPayload(
        turn,
        sentBytes,
        length,
        segment,
        setup.filler,
        streamOffset,
      );
      sentBytes += length;
      const last = sentBytes === totalBytes;
      const flags = last ? TCP_ACK | TCP_PSH : TCP_ACK;

      if (turn.fromClient) {
        yield clientPacket(flags, payload);
        clientSeq = (clientSeq + length) >>> 0;
        lastClientMicros = t;
      } else {
        yield serverPacket(flags, payload);
        serverSeq = (serverSeq + length) >>> 0;
        unackedSegments++;
        if (unackedSegments === 2 && !last) {
          t += VM_ACK_DELAY_MICROS;
          yield clientPacket(TCP_ACK, EMPTY);
          lastClientMicros = t;
          unackedSegments = 0;
        }
      }
      if (last) break;

      // The server's next burst leaves when the ACKs for this one reach it.
      burstLeft--;
      if (!turn.fromClient && burstLeft === 0) {
        windowSegments = Math.min(windowSegments * 2, MAX_WINDOW_SEGMENTS);
        burstLeft = windowSegments;
        t = Math.max(burstStartMicros + rttMicros, t + SEGMENT_GAP_MICROS);
        burstStartMicros = t;
      } else {
        t += SEGMENT_GAP_MICROS;
      }
    }
    streamOffset += totalBytes;
    lastDataFromClient = turn.fromClient;

    // Pulling the next turn may overwrite this one's bytes: all are sent.
    step = turns.next();
    const next = step.done ? null : step.value;
    const answeredSoon =
      next !== null &&
      next.fromClient !== turn.fromClient &&
      next.thinkMicros < DELAYED_ACK_MICROS;
    const senderGoesOn = next !== null && next.fromClient === turn.fromClient;
    if (answeredSoon || senderGoesOn) continue;

    if (turn.fromClient) {
      t = Math.max(t, lastClientMicros + rttMicros);
      yield serverPacket(TCP_ACK, EMPTY);
    } else {
      t += VM_ACK_DELAY_MICROS;
      yield clientPacket(TCP_ACK, EMPTY);
      lastClientMicros = t;
    }
  }

  // Close: the closer's FIN, the other side's FIN, the last ACK.
  t += setup.idleBeforeCloseMicros;
  if (setup.closer === 'client') {
    yield clientPacket(TCP_FIN | TCP_ACK, EMPTY);
    clientSeq = (clientSeq + 1) >>> 0;
    t += rttMicros;
    yield serverPacket(TCP_FIN | TCP_ACK, EMPTY);
    serverSeq = (serverSeq + 1) >>> 0;
    t += VM_ACK_DELAY_MICROS;
    yield clientPacket(TCP_ACK, EMPTY);
  } else {
    yield serverPacket(TCP_FIN | TCP_ACK, EMPTY);
    serverSeq = (serverSeq + 1) >>> 0;
    t += prng.int(40, 400); // the application notices and closes
    yield clientPacket(TCP_FIN | TCP_ACK, EMPTY);
    clientSeq = (clientSeq + 1) >>> 0;
    t += rttMicros;
    yield serverPacket(TCP_ACK, EMPTY);
  }
}

/** A full segment, or what is left; TLS never leaves a stub record. */
function nextSegmentBytes(
  turn: Turn,
  sentBytes: number,
  mssBytes: number,
): number {
  const leftBytes = turn.bytes.length + turn.bulkBytes - sentBytes;
  if (leftBytes <= mssBytes) return leftBytes;
  if (turn.bulk === 'tls' && leftBytes - mssBytes < MIN_TLS_RECORD_BYTES) {
    return leftBytes - MIN_TLS_RECORD_BYTES;
  }
  return mssBytes;
}

/**
 * The payload of the segment at `offset` of the turn: a view of the turn's
 * bytes when it lies within them, else built in `scratch` from what is
 * left of the bytes and then bulk data.
 */
function segmentPayload(
  turn: Turn,
  offset: number,
  length: number,
  scratch: Uint8Array,
  filler: Filler,
  streamOffset: number,
): Uint8Array {
  const headBytes = turn.bytes.length;
  if (offset + length <= headBytes) {
    return turn.bytes.subarray(offset, offset + length);
  }

  let at = 0;
  if (offset < headBytes) {
    scratch.set(turn.bytes.subarray(offset), 0);
    at = headBytes - offset;
  }
  const bulkBytes = length - at;
  const source = streamOffset + offset + at - headBytes;
  invariant(turn.bulk !== null, 'bulk bytes without a bulk kind');
  switch (turn.bulk) {
    case 'tls': {
      const bodyBytes = bulkBytes - TLS_RECORD_HEADER_BYTES;
      putTlsApplicationDataHeader(scratch, at, bodyBytes);
      scratch.set(
        filler.randomAt(source, bodyBytes),
        at + TLS_RECORD_HEADER_BYTES,
      );
      break;
    }
    case 'ciphertext':
      scratch.set(filler.randomAt(source, bulkBytes), at);
      break;
    case 'text':
      scratch.set(filler.textAt(source, bulkBytes), at);
      break;
    default:
      assertNever(turn.bulk);
  }
  return scratch.subarray(0, length);
}
