import { ascii, plainText, startsWith } from './text.js';

const SSH_DASH = ascii('SSH-');
const VERSION_2 = ascii('2.0-');
const VERSION_1_99 = ascii('1.99-');
const CR = 0x0d;
const LF = 0x0a;
/** RFC 4253 4.2: the identification line is at most 255 bytes with CR LF. */
const MAX_BANNER_BYTES = 255;

/**
 * The SSH identification line a payload starts with ("SSH-2.0-OpenSSH_9.6"
 * or the "SSH-1.99-" form of a server that also speaks SSH 1), without
 * its CR LF, as plain text (see text.ts). Null unless the line ends in CR
 * or LF within its first 255 bytes and before `end`.
 *
 * Limit: a server may send other lines before its identification line
 * (RFC 4253 4.2); such a payload gives null.
 */
export function readSshBanner(
  b: Uint8Array,
  at: number,
  end: number,
): string | null {
  if (end > b.length) end = b.length;
  if (at < 0 || !startsWith(b, at, end, SSH_DASH)) return null;
  let software = at + SSH_DASH.length;
  if (startsWith(b, software, end, VERSION_2)) {
    software += VERSION_2.length;
  } else if (startsWith(b, software, end, VERSION_1_99)) {
    software += VERSION_1_99.length;
  } else {
    return null;
  }

  const limit = Math.min(end, at + MAX_BANNER_BYTES);
  for (let i = software; i < limit; i++) {
    if (b[i] === CR || b[i] === LF) {
      return i > software ? plainText(b, at, i) : null;
    }
  }
  return null;
}
