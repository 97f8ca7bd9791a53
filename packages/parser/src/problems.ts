/**
 * What can be wrong with a capture. A problem never throws out of the
 * reader: it is recorded with where it happened, and whatever was decoded
 * before it is kept.
 */
export type ProblemKind =
  | 'truncated-record' // the file ends inside a record or block
  | 'bad-block-length' // a pcapng block length disagrees with itself
  | 'caplen-too-large' // captured length past the block or past any sane size
  | 'caplen-exceeds-snaplen' // captured length above the file's snap length
  | 'zero-length-record'
  | 'unknown-link-type' // packets counted, not decoded
  | 'unsupported-version'
  | 'bad-section' // a pcapng section header that cannot be read
  | 'unknown-interface' // a packet block naming an interface never described
  | 'time-out-of-range' // a timestamp outside years 0001-9999
  | 'decode-error'; // a header inside a packet that cannot be right

export interface Problem {
  kind: ProblemKind;
  /** Byte offset in the file where the bad record or block starts. */
  offset: number;
  /** Packet number, from 1 as in Wireshark; 0 when no packet is concerned. */
  packet: number;
  /** One readable sentence for people. */
  message: string;
}

/** Why a file is not read at all: the UI maps each kind to a message. */
export type NotCaptureKind = 'not-a-capture' | 'netmon' | 'unsupported-version';

export class NotACaptureError extends Error {
  constructor(
    readonly kind: NotCaptureKind,
    message: string,
  ) {
    super(message);
    this.name = 'NotACaptureError';
  }
}
