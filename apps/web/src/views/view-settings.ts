// Settings the views keep between visits: in localStorage, which holds
// small text only (the user's GeoIP database goes to IndexedDB).

import { DEFAULT_HOME_NETWORKS } from '@capscope/analytics/aggregates/home-networks';
import type { TimeMode } from './time-format';

const TIME_MODE_KEY = 'capscope.timeMode';
const HOME_NETWORKS_KEY = 'capscope.homeNetworks';
const LOCATION_KEY = 'capscope.captureLocation';

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage disabled: the defaults hold
  }
}

function write(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // storage disabled or full: the setting lasts for this page only
  }
}

export function loadTimeMode(): TimeMode {
  const saved = read(TIME_MODE_KEY);
  return saved === 'local' || saved === 'relative' ? saved : 'utc';
}

export function saveTimeMode(mode: TimeMode): void {
  write(TIME_MODE_KEY, mode);
}

export function loadHomeNetworks(): string[] {
  const saved = read(HOME_NETWORKS_KEY);
  return saved === null ? [...DEFAULT_HOME_NETWORKS] : saved.split('\n');
}

export function saveHomeNetworks(lines: string[]): void {
  write(HOME_NETWORKS_KEY, lines.join('\n'));
}

/** The capture location's id (map/locations.ts), or '' for none. */
export function loadCaptureLocation(): string {
  return read(LOCATION_KEY) ?? '';
}

export function saveCaptureLocation(id: string): void {
  write(LOCATION_KEY, id);
}
