import type { IpLayer } from '@capscope/parser/decode';
import type { PacketRecord } from '@capscope/parser/record';
import type { FlowColumns } from './flow-table.js';
import { grownArray, grownLength } from './growth.js';

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

/**
 * What a TCP connection did, one bit each, from its originator (the flow's
 * src, `_O`) and responder (`_R`), in the spirit of Zeek's history string.
 */
export const HISTORY = {
  SYN_O: 1 << 0, // originator's SYN without ACK
  SYN_R: 1 << 1,
  SYNACK_O: 1 << 2,
  SYNACK_R: 1 << 3,
  ACK_O: 1 << 4, // a segment with ACK after the SYNs
  ACK_R: 1 << 5,
  DATA_O: 1 << 6,
  DATA_R: 1 << 7,
  FIN_O: 1 << 8,
  FIN_R: 1 << 9,
  RST_O: 1 << 10,
  RST_R: 1 << 11,
} as const;

/**
 * A segment behind the stream that comes within this long of the one
 * ahead of it is out of order rather than sent again, when the handshake
 * gave no round-trip time to judge by (tshark uses the same 3 ms).
 */
const OUT_OF_ORDER_MS = 3;

/** Initial capacity; grown with the flow table. */
const INITIAL_FLOWS = 1024;

/**
 * Follows each TCP flow's sequence numbers in both directions: the
 * handshake's round-trip time, retransmissions, segments out of order,
 * zero windows and bytes the capture never saw (gaps). One gap per
 * direction is tracked at a time, enough to tell a late segment that
 * fills it (out of order) from a repeat (retransmission).
 *
 * Per-flow working state lives here; the results go into the flow
 * columns (tcpHistory, handshakeRtt, retransmissions, outOfOrder,
 * zeroWindows, lostSegments, missingBytes).
 */
export class TcpTracker {
  private capacity = 0;
  /** Next expected sequence number per direction (index flow*2 + dir). */
  private next = new Uint32Array(0);
  private started = new Uint8Array(0);
  /** The open gap per direction: [start, end) in sequence space. */
  private gapStart = new Uint32Array(0);
  private gapEnd = new Uint32Array(0);
  private hasGap = new Uint8Array(0);
  /** When the originator's SYN was seen, for the handshake time. */
  private synSeconds = new Float64Array(0);
  private synNanos = new Uint32Array(0);
  /** Each direction's last acknowledgement, its window and repeats. */
  private lastAck = new Uint32Array(0);
  private lastWindow = new Uint32Array(0);
  private duplicateAcks = new Uint32Array(0);
  /** When each direction's next sequence number last moved forward. */
  private advancedSeconds = new Float64Array(0);
  private advancedNanos = new Uint32Array(0);

  track(
    c: FlowColumns,
    flow: number,
    reversed: boolean,
    layer: IpLayer,
    record: PacketRecord,
  ): void {
    if (flow >= this.capacity) this.grow(flow + 1);
    const flags = layer.tcpFlags;
    const history = c.tcpHistory[flow];
    const fromOriginator = !reversed;
    let bits = 0;

    if (flags & SYN) {
      if (flags & ACK) bits |= fromOriginator ? HISTORY.SYNACK_O : HISTORY.SYNACK_R;
      else bits |= fromOriginator ? HISTORY.SYN_O : HISTORY.SYN_R;
    } else if (flags & ACK) {
      bits |= fromOriginator ? HISTORY.ACK_O : HISTORY.ACK_R;
    }
    if (flags & FIN) bits |= fromOriginator ? HISTORY.FIN_O : HISTORY.FIN_R;
    if (flags & RST) bits |= fromOriginator ? HISTORY.RST_O : HISTORY.RST_R;
    if (layer.tcpSegmentLength > 0) {
      bits |= fromOriginator ? HISTORY.DATA_O : HISTORY.DATA_R;
    }
    c.tcpHistory[flow] = history | bits;

    this.timeHandshake(c, flow, flags, fromOriginator, history, record);
    if ((flags & (SYN | FIN | RST)) === 0 && layer.tcpWindow === 0 &&
      layer.payloadOffset > 0) {
      c.zeroWindows[flow]++;
    }
    if (layer.payloadOffset > 0) {
      this.followSequence(c, flow, reversed, layer, record);
      this.countDuplicateAck(flow * 2 + (reversed ? 1 : 0), layer);
    }
  }

  /** SYN from the originator, then SYN-ACK, then the originator's ACK. */
  private timeHandshake(
    c: FlowColumns,
    flow: number,
    flags: number,
    fromOriginator: boolean,
    history: number,
    record: PacketRecord,
  ): void {
    if (fromOriginator && (flags & (SYN | ACK)) === SYN &&
      (history & HISTORY.SYN_O) === 0) {
      this.synSeconds[flow] = record.seconds;
      this.synNanos[flow] = record.nanos;
      return;
    }
    const handshaking = (history & HISTORY.SYN_O) !== 0 &&
      (history & HISTORY.SYNACK_R) !== 0 && (history & HISTORY.ACK_O) === 0;
    if (fromOriginator && handshaking && (flags & (SYN | ACK)) === ACK &&
      c.handshakeRtt[flow] < 0) {
      c.handshakeRtt[flow] = record.seconds - this.synSeconds[flow] +
        (record.nanos - this.synNanos[flow]) / 1e9;
    }
  }

  private followSequence(
    c: FlowColumns,
    flow: number,
    reversed: boolean,
    layer: IpLayer,
    record: PacketRecord,
  ): void {
    const i = flow * 2 + (reversed ? 1 : 0);
    const flags = layer.tcpFlags;
    const seq = layer.tcpSeq;
    // SYN and FIN each take one sequence number.
    const length = layer.tcpSegmentLength + (flags & SYN ? 1 : 0) +
      (flags & FIN ? 1 : 0);
    const end = (seq + length) >>> 0;
    if (!this.started[i]) {
      this.started[i] = 1;
      this.advance(i, end, record);
      return;
    }
    if (length === 0 || (flags & RST) !== 0) return;

    const ahead = (seq - this.next[i]) | 0; // signed: wraps at 2^32
    if (ahead > 0) {
      // Bytes between what we expected and this segment were not seen:
      // the previous segment was not captured (yet).
      c.lostSegments[flow]++;
      c.missingBytes[flow] += ahead;
      this.gapStart[i] = this.next[i];
      this.gapEnd[i] = seq;
      this.hasGap[i] = 1;
      this.advance(i, end, record);
      return;
    }
    if (ahead === 0) {
      this.advance(i, end, record);
      return;
    }
    if (layer.tcpSegmentLength <= 1 && ahead === -1 &&
      (flags & (SYN | FIN)) === 0) {
      // A keep-alive: one byte (or none) just behind what was sent, to
      // prod the peer; not data sent again (tshark counts it apart too).
      return;
    }

    // Behind what was already sent: out of order when it comes soon after
    // the segment that went ahead of it (within the handshake's round
    // trip, or 3 ms without one), else sent again.
    // The peer asking for exactly this segment with duplicate ACKs makes
    // it a fast retransmission, whatever the timing.
    const peer = i ^ 1;
    const asked = this.duplicateAcks[peer] >= 2 && seq === this.lastAck[peer];
    const sinceMs = (record.seconds - this.advancedSeconds[i]) * 1000 +
      (record.nanos - this.advancedNanos[i]) / 1e6;
    const rtt = c.handshakeRtt[flow];
    const thresholdMs = rtt > 0 ? rtt * 1000 : OUT_OF_ORDER_MS;
    if (!asked && sinceMs < thresholdMs && end !== this.next[i]) {
      c.outOfOrder[flow]++;
    } else {
      c.retransmissions[flow]++;
    }

    if (this.hasGap[i] && this.fillsGap(i, seq, end)) {
      c.missingBytes[flow] -= length;
      if (seq === this.gapStart[i]) this.gapStart[i] = end;
      else if (end === this.gapEnd[i]) this.gapEnd[i] = seq;
      if (this.gapStart[i] === this.gapEnd[i]) this.hasGap[i] = 0;
    }
    if (((end - this.next[i]) | 0) > 0) this.advance(i, end, record);
  }

  /**
   * A bare ACK repeating the previous acknowledgement and window is a
   * duplicate: two of them ask the peer to send the missing data again.
   */
  private countDuplicateAck(i: number, layer: IpLayer): void {
    const flags = layer.tcpFlags;
    if ((flags & ACK) === 0) return;
    const bare = layer.tcpSegmentLength === 0 &&
      (flags & (SYN | FIN | RST)) === 0;
    if (bare && layer.tcpAck === this.lastAck[i] &&
      layer.tcpWindow === this.lastWindow[i]) {
      this.duplicateAcks[i]++;
    } else {
      this.duplicateAcks[i] = 0;
    }
    this.lastAck[i] = layer.tcpAck;
    this.lastWindow[i] = layer.tcpWindow;
  }

  private advance(i: number, next: number, record: PacketRecord): void {
    this.next[i] = next;
    this.advancedSeconds[i] = record.seconds;
    this.advancedNanos[i] = record.nanos;
  }

  /** True when [seq, end) lies inside the direction's open gap. */
  private fillsGap(i: number, seq: number, end: number): boolean {
    return ((seq - this.gapStart[i]) | 0) >= 0 &&
      ((this.gapEnd[i] - end) | 0) >= 0;
  }

  private grow(needed: number): void {
    const capacity = grownLength(Math.max(INITIAL_FLOWS, this.capacity),
      needed);
    this.next = grownArray(this.next, capacity * 2);
    this.started = grownArray(this.started, capacity * 2);
    this.gapStart = grownArray(this.gapStart, capacity * 2);
    this.gapEnd = grownArray(this.gapEnd, capacity * 2);
    this.hasGap = grownArray(this.hasGap, capacity * 2);
    this.synSeconds = grownArray(this.synSeconds, capacity);
    this.synNanos = grownArray(this.synNanos, capacity);
    this.advancedSeconds = grownArray(this.advancedSeconds, capacity * 2);
    this.lastAck = grownArray(this.lastAck, capacity * 2);
    this.lastWindow = grownArray(this.lastWindow, capacity * 2);
    this.duplicateAcks = grownArray(this.duplicateAcks, capacity * 2);
    this.advancedNanos = grownArray(this.advancedNanos, capacity * 2);
    this.capacity = capacity;
  }
}

/**
 * The connection's state in the vocabulary of Zeek's conn.log:
 *   S0     attempt, no reply          REJ    attempt rejected (RST)
 *   S1     established, not closed    SF     established and closed
 *   S2     closed by originator only  S3     closed by responder only
 *   RSTO   originator aborted         RSTR   responder aborted
 *   RSTOS0 originator's SYN, then its RST, no SYN-ACK
 *   RSTRH  responder's SYN-ACK, then its RST, no SYN seen
 *   SH     originator's SYN then FIN, no SYN-ACK (half open)
 *   SHR    responder's SYN-ACK then FIN, no SYN seen
 *   OTH    no SYN: picked up mid-stream
 */
export function tcpConnState(history: number, packetsIn: number): string {
  const h = (bit: number) => (history & bit) !== 0;
  const syn = h(HISTORY.SYN_O);
  const synAck = h(HISTORY.SYNACK_R);
  if (syn && synAck) {
    if (h(HISTORY.RST_O)) return 'RSTO';
    if (h(HISTORY.RST_R)) return 'RSTR';
    if (h(HISTORY.FIN_O) && h(HISTORY.FIN_R)) return 'SF';
    if (h(HISTORY.FIN_O)) return 'S2';
    if (h(HISTORY.FIN_R)) return 'S3';
    return 'S1';
  }
  if (syn) {
    if (h(HISTORY.RST_R)) return 'REJ';
    if (h(HISTORY.RST_O)) return 'RSTOS0';
    if (h(HISTORY.FIN_O)) return 'SH';
    return packetsIn === 0 ? 'S0' : 'OTH';
  }
  if (synAck) {
    if (h(HISTORY.RST_R)) return 'RSTRH';
    if (h(HISTORY.FIN_R)) return 'SHR';
  }
  return 'OTH';
}

/** States in which the connection never got going. */
export const FAILED_STATES = new Set(['S0', 'REJ', 'RSTOS0', 'SH']);
