// How figures read on the page. Test hooks carry the raw numbers in
// data-value; these are for people.

const counts = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return counts.format(value);
}

const BYTE_UNITS = ['kB', 'MB', 'GB', 'TB', 'PB'];

/** Decimal units, as Wireshark's statistics use them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/**
 * An RFC 3339 UTC time as `2021-01-05 06:55:36.669007`, keeping every
 * digit the capture gave; the caller says "UTC" once, nearby.
 */
export function formatUtcTime(rfc3339: string | null): string {
  if (rfc3339 === null) return 'unknown';
  return rfc3339.replace('T', ' ').replace(/Z$/, '');
}

/** Seconds with up to microsecond digits, as far as the capture resolves. */
export function formatDuration(seconds: number, timeDigits: number): string {
  return `${seconds.toFixed(Math.min(timeDigits, 6))} s`;
}

export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  return `${Math.floor((part / whole) * 100)}%`;
}

/** A round trip in the unit that keeps it short: `850 µs`, `21.4 ms`. */
export function formatRtt(seconds: number | null): string {
  if (seconds === null) return '';
  const [value, unit] = seconds < 1e-3
    ? [seconds * 1e6, 'µs']
    : seconds < 1
      ? [seconds * 1e3, 'ms']
      : [seconds, 's'];
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${unit}`;
}
