import type { ImportOptions } from '../worker/protocol';

/** Past this many, workers only compete for memory bandwidth. */
const MAX_AUTO_WORKERS = 4;
/**
 * Cores the browser itself needs while workers import: every worker reads
 * the whole file, and Chromium serves each read from its browser process.
 * On two cores, two workers took 4.53 s for the bench's 1 GB capture
 * against 3.04 s for one (`npm run bench`, December 2026), so a machine
 * shares only with cores to spare. Not measured on more than two cores.
 */
const CORES_KEPT = 2;

/**
 * How many workers share a local file's import: one per core past
 * CORES_KEPT, up to MAX_AUTO_WORKERS, else one. `?workers=N` in the
 * page's address sets exactly N for any file (tests compare 1, 2, 3, 7).
 */
export function importOptions(): ImportOptions {
  const asked = new URLSearchParams(location.search).get('workers');
  const exact = asked === null ? NaN : Number(asked);
  if (Number.isInteger(exact) && exact >= 1) return { exactWorkers: exact };
  const cores = navigator.hardwareConcurrency || 1;
  return {
    workers: Math.max(1, Math.min(MAX_AUTO_WORKERS, cores - CORES_KEPT)),
  };
}
