import type { ImportOptions } from '../worker/protocol';

/** Past this many, workers only compete for memory bandwidth. */
const MAX_AUTO_WORKERS = 4;

/**
 * How many workers share a local file's import: one per core, up to
 * MAX_AUTO_WORKERS. `?workers=N` in the page's address sets exactly N for
 * any file (tests compare 1, 2, 3 and 7).
 */
export function importOptions(): ImportOptions {
  const asked = new URLSearchParams(location.search).get('workers');
  const exact = asked === null ? NaN : Number(asked);
  if (Number.isInteger(exact) && exact >= 1) return { exactWorkers: exact };
  const cores = navigator.hardwareConcurrency || 1;
  return { workers: Math.min(MAX_AUTO_WORKERS, cores) };
}
