/**
 * Timestamps travel as a pair: whole seconds since the Unix epoch (an
 * integer held exactly in a float64) and nanoseconds within that second.
 * A 64-bit count of capture units is split into that pair without BigInt
 * on the hot path, and formatted without Date, so a capture's own time is
 * never shifted by the viewer's zone or rounded by a float.
 */

/** Seconds at 9999-12-31T23:59:59Z; later times are reported, not shown. */
export const MAX_SECONDS = 253402300799;
/** Seconds at 0001-01-01T00:00:00Z. */
export const MIN_SECONDS = -62135596800;

const TWO_POW_16 = 65536;

/**
 * Divides the unsigned 64-bit value hi * 2^32 + lo by `divisor` (at most
 * 2^36, so that every partial remainder times 2^16 stays exact in a
 * float64) and writes quotient and remainder into `out`.
 */
export function divide64(
  hi: number,
  lo: number,
  divisor: number,
  out: { quotient: number; remainder: number },
): void {
  // Long division in base 2^16, most significant limb first.
  const limbs = [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff];
  let remainder = 0;
  let quotient = 0;
  for (let i = 0; i < 4; i++) {
    const part = remainder * TWO_POW_16 + limbs[i];
    const digit = Math.floor(part / divisor);
    remainder = part - digit * divisor;
    quotient = quotient * TWO_POW_16 + digit;
  }
  out.quotient = quotient;
  out.remainder = remainder;
}

/** Days from 1970-01-01 to the civil date, proleptic Gregorian. */
function civilFromDays(days: number): [number, number, number] {
  // Eras of 400 years, shifted so that a year starts on March 1st.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36524) -
      Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear =
    dayOfEra -
    (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return [year, month, day];
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function isTimeInRange(seconds: number): boolean {
  return seconds >= MIN_SECONDS && seconds <= MAX_SECONDS;
}

/**
 * RFC 3339 in UTC with `digits` fractional digits (0-9), for example
 * `2025-11-30T10:00:00.123456Z`; null outside years 0001-9999.
 */
export function formatTime(
  seconds: number,
  nanos: number,
  digits: number,
): string | null {
  if (!isTimeInRange(seconds)) return null;
  const days = Math.floor(seconds / 86400);
  const secondOfDay = seconds - days * 86400;
  if (days !== lastDays) {
    const [year, month, day] = civilFromDays(days);
    lastDays = days;
    lastDate = `${pad(year, 4)}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
  }
  let text = lastDate + TWO_DIGITS[Math.floor(secondOfDay / 3600)] + ':' +
    TWO_DIGITS[Math.floor((secondOfDay % 3600) / 60)] + ':' +
    TWO_DIGITS[secondOfDay % 60];
  if (digits > 0) {
    text += '.' + pad(nanos, 9).slice(0, Math.min(digits, 9));
  }
  return text + 'Z';
}

/** "00" to "99": the two-digit parts of a time. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => pad(i, 2));
/**
 * The date part of the last time formatted: a capture's times mostly
 * share their day, and working out the calendar is the slow part.
 */
let lastDays = NaN;
let lastDate = '';

/** The timestamp as one BigInt count of nanoseconds since the epoch. */
export function toNanosBigInt(seconds: number, nanos: number): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}

/** Orders two timestamps: negative, zero or positive. */
export function compareTime(
  secondsA: number,
  nanosA: number,
  secondsB: number,
  nanosB: number,
): number {
  return secondsA !== secondsB ? secondsA - secondsB : nanosA - nanosB;
}

/** Days from 1970-01-01 to a civil date, proleptic Gregorian. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthIndex = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * monthIndex + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) -
    Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const TIME_TEXT =
  /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?(Z|[+-]\d\d:?\d\d)?$/;

/**
 * Reads "2025-11-30", "2025-11-30 10:00", "2025-11-30T10:00:00.5Z" or
 * "...+01:00" (UTC when no zone is written) into seconds and nanoseconds
 * since the epoch, without Date. Null when the text is not such a time.
 */
export function parseTime(
  text: string,
): { seconds: number; nanos: number } | null {
  const m = TIME_TEXT.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  let seconds = daysFromCivil(Number(y), month, day) * 86400 +
    Number(h) * 3600 + Number(mi) * 60 + Number(s);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    seconds -= sign * (Number(digits.slice(0, 2)) * 3600 +
      Number(digits.slice(2)) * 60);
  }
  return { seconds, nanos: Number(fraction.padEnd(9, '0')) };
}
