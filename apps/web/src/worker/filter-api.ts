import {
  compileFilterText,
  filterFlows,
  type FlowPredicate,
} from '@capscope/analytics/filter/compile';
import { FilterError } from '@capscope/analytics/filter/lexer';
import { formatTime } from '@capscope/parser/time';
import { transfer } from 'comlink';
import type { FilterApi, FilterFigures, FilterOutcome } from './protocol';
import type { WorkerDataset, WorkerState } from './state';

const TCP = 6;
const UDP = 17;

/**
 * The filter every view shares: it is set here, kept in the state, and
 * every query (sorting, views, exports) reads the flows it keeps.
 */
export function createFilterApi(state: WorkerState): FilterApi {
  // One filter at a time, in the order asked: one that waits for GeoIP
  // must not land after a later one.
  let queue: Promise<unknown> = Promise.resolve();

  return {
    setFilter(text: string): Promise<FilterOutcome> {
      const outcome = queue.then(() => applyFilter(state, text));
      queue = outcome.catch(() => undefined);
      return outcome;
    },

    keptFlows(): Uint32Array | null {
      const matches = state.filter?.matches;
      if (!matches) return null;
      // A copy: the state keeps its own for the next query.
      const copy = matches.slice();
      return transfer(copy, [copy.buffer]);
    },
  };
}

async function applyFilter(
  state: WorkerState,
  text: string,
): Promise<FilterOutcome> {
  // Countries come from GeoIP, which may not have run yet.
  if (/country/i.test(text) && !state.dataset?.countries) {
    await state.locateCountries?.();
  }
  // So do findings, which run when first asked for.
  if (/finding/i.test(text)) await state.prepareFindings?.();
  const dataset = state.dataset;
  if (!dataset) {
    return {
      ok: false,
      error: {
        message: 'No capture is open to filter.',
        position: 0,
        expected: 'a capture',
      },
    };
  }

  const { columns } = dataset;
  let predicate: FlowPredicate;
  try {
    predicate = compileFilterText(text, state.filterContext(dataset));
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    // The previous filter stays in force.
    const { message, position, expected } = error;
    return { ok: false, error: { message, position, expected } };
  }

  const matches =
    text.trim() === '' ? null : filterFlows(predicate, columns.count);
  state.filter = { text, predicate, matches };
  return { ok: true, figures: filterFigures(dataset, matches) };
}

/**
 * Figures of the kept flows. A filter's packets and bytes are its flows'
 * sums; with no filter they are the capture's own totals, which count
 * frames that are in no flow (ARP, STP...) as well.
 */
export function filterFigures(
  dataset: WorkerDataset,
  matches: Uint32Array | null,
): FilterFigures {
  const c = dataset.columns;
  const count = matches ? matches.length : c.count;
  let tcpFlows = 0;
  let udpFlows = 0;
  let packets = 0;
  let bytes = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < count; i++) {
    const flow = matches ? matches[i] : i;
    if (c.protocol[flow] === TCP) tcpFlows++;
    else if (c.protocol[flow] === UDP) udpFlows++;
    packets += c.packetsOut[flow] + c.packetsIn[flow];
    bytes += c.bytesOut[flow] + c.bytesIn[flow];
    if (first < 0 || earlier(c.firstSeconds, c.firstNanos, flow, first)) {
      first = flow;
    }
    if (last < 0 || earlier(c.lastSeconds, c.lastNanos, last, flow)) {
      last = flow;
    }
  }

  const digits = dataset.timeDigits;
  const figures: FilterFigures = {
    filtered: matches !== null,
    flows: count,
    tcpFlows,
    udpFlows,
    packets,
    bytes,
    firstSeen: first < 0
      ? null
      : formatTime(c.firstSeconds[first], c.firstNanos[first], digits),
    lastSeen: last < 0
      ? null
      : formatTime(c.lastSeconds[last], c.lastNanos[last], digits),
  };
  const totals = dataset.totals;
  return !matches && totals ? { ...figures, ...totals } : figures;
}

function earlier(
  seconds: Float64Array,
  nanos: Uint32Array,
  a: number,
  b: number,
): boolean {
  return seconds[a] < seconds[b] ||
    (seconds[a] === seconds[b] && nanos[a] < nanos[b]);
}
