import { formatBytes, formatCount } from '../format';

export type Measure = 'flows' | 'packets' | 'bytes';

export const MEASURES: ReadonlyArray<{ value: Measure; label: string }> = [
  { value: 'flows', label: 'Flows' },
  { value: 'packets', label: 'Packets' },
  { value: 'bytes', label: 'Bytes' },
];

/** A figure in its unit: bytes as "1.25 MB", counts with separators. */
export function formatMeasure(measure: string, value: number): string {
  return measure.toLowerCase().includes('bytes')
    ? formatBytes(Math.round(value)) : formatCount(Math.round(value));
}

const AXIS_BYTE_UNITS: Array<[number, string]> = [
  [1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB'],
];

/** "1.5 MB" for an axis: short, one decimal at most, decimal units. */
export function axisMeasure(measure: string, value: number): string {
  if (measure.toLowerCase().includes('bytes')) {
    for (const [size, unit] of AXIS_BYTE_UNITS) {
      if (Math.abs(value) >= size) {
        return `${Number((value / size).toFixed(1))} ${unit}`;
      }
    }
    return `${Math.round(value)} B`;
  }
  if (value >= 1e6) return `${Number((value / 1e6).toFixed(1))}M`;
  if (value >= 1e3) return `${Number((value / 1e3).toFixed(1))}k`;
  return String(Math.round(value * 100) / 100);
}

/** "12%" of a whole, with one decimal under 10%. */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const share = (part / whole) * 100;
  return share < 10 && share > 0 ? `${share.toFixed(1)}%`
    : `${Math.round(share)}%`;
}
