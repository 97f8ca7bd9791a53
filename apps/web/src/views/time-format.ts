// Times in the views: UTC by default, the zone always written; the user
// may choose the browser's local time or time since the capture's first
// packet. Times here are UTC epoch seconds as floats: precise to about a
// microsecond, which is what a chart axis or a heat-map cell needs (the
// flows table keeps the capture's own digits).

export type TimeMode = 'utc' | 'local' | 'relative';

export const TIME_MODES: ReadonlyArray<{ mode: TimeMode; label: string }> = [
  { mode: 'utc', label: 'UTC' },
  { mode: 'local', label: 'Local time' },
  { mode: 'relative', label: 'Since first packet' },
];

/** Minutes east of UTC of the browser's zone at `seconds`. */
export function localOffsetMinutes(seconds: number): number {
  return -new Date(seconds * 1000).getTimezoneOffset();
}

/** "UTC", "UTC+01:00" or "UTC−05:30", as written beside times. */
export function zoneName(mode: TimeMode, seconds: number): string {
  if (mode === 'relative') return 'since the first packet';
  if (mode === 'utc') return 'UTC';
  const offset = localOffsetMinutes(seconds);
  if (offset === 0) return 'UTC';
  const sign = offset > 0 ? '+' : '−';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `UTC${sign}${hours}:${minutes}`;
}

/**
 * A time for an axis or a tooltip, with as many fractional digits as
 * `stepSeconds` (the spacing of neighbouring labels) needs. The zone is
 * not repeated here; the chart says it once.
 */
export function formatTime(
  seconds: number,
  mode: TimeMode,
  captureStart: number,
  stepSeconds = 1,
): string {
  const digits = stepSeconds >= 1 ? 0 : stepSeconds >= 0.1 ? 1
    : stepSeconds >= 0.01 ? 2 : stepSeconds >= 0.001 ? 3 : 6;
  if (mode === 'relative') {
    return `+${formatSpan(seconds - captureStart, digits)}`;
  }
  const shifted = mode === 'local'
    ? seconds + localOffsetMinutes(seconds) * 60 : seconds;
  const whole = Math.floor(shifted);
  const iso = new Date(whole * 1000).toISOString();
  const fraction = digits > 0
    ? (shifted - whole).toFixed(digits).slice(1) : '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}`;
}

/** The same time without the date, for a short axis label. */
export function formatClock(
  seconds: number,
  mode: TimeMode,
  captureStart: number,
  stepSeconds: number,
): string {
  const text = formatTime(seconds, mode, captureStart, stepSeconds);
  return mode === 'relative' ? text : text.slice(11);
}

/** A span of seconds as "1 h 02 min", "3 min 05 s", "12.5 s". */
export function formatSpan(seconds: number, digits = 3): string {
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s >= 3600) {
    const h = Math.floor(s / 3600);
    return `${sign}${h} h ${String(Math.floor((s % 3600) / 60))
      .padStart(2, '0')} min`;
  }
  if (s >= 60) {
    const m = Math.floor(s / 60);
    return `${sign}${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  }
  return `${sign}${Number(s.toFixed(digits))} s`;
}

/** A time as the filter language reads it: RFC 3339 in UTC. */
export function filterTime(seconds: number): string {
  const whole = Math.floor(seconds);
  const nanos = Math.round((seconds - whole) * 1e6) * 1000;
  const iso = new Date(whole * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(nanos).padStart(9, '0').slice(0, 6)}Z`;
}
