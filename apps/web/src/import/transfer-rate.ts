/** Bytes read by a moment, in ms of performance.now(). */
export interface TransferSample {
  ms: number;
  bytes: number;
}

/**
 * The rate over the last few seconds, not since the start: a download's
 * speed changes, and a resume restarts it.
 */
export const RATE_WINDOW_MS = 5000;
/** Less than this much time between samples gives a rate too noisy to show. */
const MIN_SPAN_MS = 500;

export interface TransferEstimate {
  bytesPerSecond: number;
  /** null while the total is unknown. */
  secondsLeft: number | null;
}

/**
 * Rate and time left from samples in time order; null until they span
 * enough time to say. Drops samples older than the window from `samples`.
 */
export function estimateTransfer(
  samples: TransferSample[],
  bytesTotal: number,
): TransferEstimate | null {
  const last = samples.at(-1);
  if (!last) return null;
  while (samples.length > 2 && last.ms - samples[1].ms >= RATE_WINDOW_MS) {
    samples.shift();
  }
  const first = samples[0];
  const spanMs = last.ms - first.ms;
  if (spanMs < MIN_SPAN_MS) return null;

  const bytesPerSecond = ((last.bytes - first.bytes) / spanMs) * 1000;
  const secondsLeft =
    bytesTotal > 0 && bytesPerSecond > 0
      ? Math.max(0, (bytesTotal - last.bytes) / bytesPerSecond)
      : null;
  return { bytesPerSecond, secondsLeft };
}

/** `45 s`, `3 min 20 s`, `2 h 5 min`. */
export function formatSecondsLeft(seconds: number): string {
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) {
    return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  }
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}
