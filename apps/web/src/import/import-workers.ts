import { parseKernelChoice } from '@capscope/analytics/kernel-choice';
import type { ImportOptions } from '../worker/protocol';

/** Past this many, workers only compete for memory bandwidth. */
const MAX_AUTO_WORKERS = 4;
/**
 * Cores left to the page and the browser while workers import. Each
 * share frames every record of the file (and its worker gets a copy of
 * every byte), so a share costs more than its part of the flows: on two
 * cores, two workers took 3.3 to 3.4 s for the bench's 1 GB capture
 * against 2.3 to 2.5 s for one (`npm run bench`, December 2026; 4.5 s
 * against 3.0 s when each worker read the file itself). Not measured on
 * more than two cores.
 */
const CORES_KEPT = 2;

/**
 * How many workers share a local file's import: one per core past
 * CORES_KEPT, up to MAX_AUTO_WORKERS, else one. `?workers=N` in the
 * page's address sets exactly N for any file (tests compare 1, 2, 3, 7),
 * up to the import worker's limit of 8. `?kernel=ts` or `?kernel=wasm`
 * reads classic pcap through a header kernel (kernel-choice.ts), for the
 * bench to compare.
 */
export function importOptions(): ImportOptions {
  const params = new URLSearchParams(location.search);
  const kernel = parseKernelChoice(params.get('kernel')) ?? 'decoder';
  const asked = params.get('workers');
  const exact = asked === null ? NaN : Number(asked);
  if (Number.isInteger(exact) && exact >= 1) {
    return { exactWorkers: exact, kernel };
  }
  const cores = navigator.hardwareConcurrency || 1;
  return {
    workers: Math.max(1, Math.min(MAX_AUTO_WORKERS, cores - CORES_KEPT)),
    kernel,
  };
}
