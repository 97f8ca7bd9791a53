import type { Problem, ProblemKind } from '@capscope/parser/problems';
import type { ImportError } from './protocol';

/**
 * Whether a problem means the file itself is broken. The others concern
 * single packets (an odd time, an undecoded link type) in a file that is
 * whole; they are listed, not reported as damage.
 */
const DAMAGES_FILE: Record<ProblemKind, boolean> = {
  'truncated-record': true,
  'bad-block-length': true,
  'caplen-too-large': true,
  'caplen-exceeds-snaplen': true,
  'zero-length-record': true,
  'unsupported-version': true,
  'bad-section': true,
  'unknown-interface': true,
  'unknown-link-type': false,
  'time-out-of-range': false,
  'decode-error': false,
};

/**
 * The damage to report for a capture read with these problems, or null.
 * Names the first damaged spot, which is where reading stopped when it
 * stopped.
 */
export function describeDamage(
  problems: readonly Problem[],
  stopped: boolean,
  packetsRead: number,
): ImportError | null {
  const first = problems.find((problem) => DAMAGES_FILE[problem.kind]);
  if (!first) return null;

  const where =
    first.packet > 0
      ? `At byte offset ${first.offset} (packet ${first.packet})`
      : `At byte offset ${first.offset}`;
  // A record cut short can only be the last thing in the file.
  const endedThere = stopped || first.kind === 'truncated-record';
  const kept = endedThere
    ? `Reading ended there; the ${packetsRead} packets before it are shown.`
    : 'That part was skipped; everything else is shown.';
  return {
    kind: 'corrupt',
    message: `${where}: ${first.message} ${kept}`,
  };
}

/** A compressed stream that broke off: what was decompressed is kept. */
export function describeBrokenGzip(
  compressedBytes: number,
  packetsRead: number,
): ImportError {
  return {
    kind: 'corrupt',
    message:
      `The gzip data is damaged or cut short after ${compressedBytes} ` +
      `compressed bytes; the ${packetsRead} packets before it are shown.`,
  };
}
