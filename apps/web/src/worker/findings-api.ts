import type { Finding } from '@capscope/analytics/findings/finding';
import { flowFindings } from '@capscope/analytics/findings/finding';
import { runFindings } from '@capscope/analytics/findings/run';
import {
  compileFilterText,
  filterFlows,
} from '@capscope/analytics/filter/compile';
import type { FindingSummary, FindingsApi } from './findings-protocol';
import type { WorkerDataset, WorkerState } from './state';

/** The findings of one dataset, with the countries they were found with. */
interface Found {
  dataset: WorkerDataset;
  countries: WorkerDataset['countries'];
  findings: Finding[];
}

/**
 * The Findings view's rules over the worker's capture. They run when first
 * asked for (the view, or a filter naming `finding`), and the flows each
 * finding names go into the state, for the filter to read.
 */
export function createFindingsApi(state: WorkerState): FindingsApi {
  let found: Found | null = null;

  async function current(): Promise<Found | null> {
    // The rare-country rule needs countries: let GeoIP run first.
    if (state.dataset && !state.dataset.countries) {
      await state.locateCountries?.();
    }
    const dataset = state.dataset;
    if (!dataset) return null;
    if (found?.dataset === dataset && found.countries === dataset.countries) {
      return found;
    }

    const findings = runFindings({
      columns: dataset.columns,
      names: dataset.names,
      dnsNames: dataset.dnsNames ?? new Map(),
      countries: dataset.countries,
    });
    found = { dataset, countries: dataset.countries, findings };
    state.findings = {
      dataset,
      flows: flowFindings(findings, dataset.columns.count),
    };
    recompileFindingFilter(state);
    return found;
  }

  state.prepareFindings = async () => {
    await current();
  };

  return {
    async findings(): Promise<FindingSummary[]> {
      const result = await current();
      if (!result) return [];
      return result.findings.map(({ kind, reason, filter, flows, score }) =>
        ({ kind, reason, filter, flows: flows.length, score }));
    },
  };
}

/**
 * A filter on `finding` compiled before the rules ran (or before GeoIP
 * changed what they found) kept the wrong flows: compile it again.
 */
function recompileFindingFilter(state: WorkerState): void {
  const filter = state.filter;
  const dataset = state.dataset;
  if (!filter || !dataset || !/finding/i.test(filter.text)) return;
  const predicate = compileFilterText(filter.text,
    state.filterContext(dataset));
  state.filter = { ...filter, predicate, matches: filter.matches
    ? filterFlows(predicate, dataset.columns.count)
    : null };
}
