import type {
  FilterContext,
  FlowPredicate,
} from '@capscope/analytics/filter/compile';
import type { DnsName } from '@capscope/analytics/app-hints';
import type { FlowFindings } from '@capscope/analytics/findings/finding';
import type {
  FlowColumns,
  FlowKeyPorts,
} from '@capscope/analytics/flow-table';
import type { ActivitySnapshot } from '@capscope/analytics/aggregates/flow-activity';
import type { HierarchyNode } from '@capscope/analytics/aggregates/protocol-hierarchy';
import type { FlowCountries } from '@capscope/analytics/geo';

/**
 * The capture a worker holds once it is read, whether it came from a file,
 * a URL or IndexedDB. Every query (sorting, filtering, views) reads it;
 * nothing here is sent to the page except through a query's answer.
 */
export interface WorkerDataset {
  /** The worker's own columns; the page gets transferred copies. */
  columns: FlowColumns;
  /** Host names; the `host` column indexes them. */
  names: readonly string[];
  /** Names the capture's DNS answers gave, by address text. */
  addressNames: ReadonlyMap<string, string>;
  /**
   * DNS queries and failures by name, from the import; a dataset reopened
   * from IndexedDB has none (the findings then quote no query counts).
   */
  dnsNames?: ReadonlyMap<string, DnsName>;
  /** Fractional digits the capture's times resolve. */
  timeDigits: number;
  /** Countries of each flow's ends, once GeoIP has run (null before). */
  countries: FlowCountries | null;
  /**
   * The capture's own totals, frames in no flow (ARP...) included: what
   * the figures show with no filter. Without them the flows' sums stand in.
   */
  totals?: {
    packets: number;
    bytes: number;
    firstSeen: string | null;
    lastSeen: string | null;
  };
  /** Key ports per flow: captures' flows merge by them (dataset-api.ts). */
  keyPorts?: FlowKeyPorts;
  /**
   * Frames by header chain, and each flow's traffic over time (views-api.ts).
   * Absent for a dataset stored without them: the views then fall back to
   * the flows' own figures.
   */
  hierarchy?: HierarchyNode[];
  activity?: ActivitySnapshot;
}

/** The filter every view reads: its text and the flows it keeps. */
export interface WorkerFilter {
  text: string;
  predicate: FlowPredicate;
  /** Indices of the kept flows, in flow order; null keeps every flow. */
  matches: Uint32Array | null;
}

/**
 * What the worker's APIs share. Each feature's API is made from it by a
 * factory in its own file, and import.worker.ts exposes them together.
 */
export class WorkerState {
  dataset: WorkerDataset | null = null;
  filter: WorkerFilter | null = null;
  /**
   * Fills `dataset.countries` (GeoIP), set by whichever API owns GeoIP;
   * the filter awaits it before compiling a filter on countries.
   */
  locateCountries: (() => Promise<void>) | null = null;
  /**
   * Which findings name each flow, for the dataset they were found in
   * (findings-api.ts); `finding == "scan"` filters read it.
   */
  findings: { dataset: WorkerDataset; flows: FlowFindings } | null = null;
  /** Runs the findings rules if they have not run on this dataset yet. */
  prepareFindings: (() => Promise<void>) | null = null;

  /** What a filter over `dataset` compiles against. */
  filterContext(dataset: WorkerDataset): FilterContext {
    const { columns, names, countries } = dataset;
    const findings = this.findings?.dataset === dataset
      ? this.findings.flows
      : undefined;
    return { columns, names, countries: countries ?? undefined, findings };
  }

  /** The flows the current filter keeps, as indices (every flow if none). */
  keptFlows(): Uint32Array {
    const dataset = this.dataset;
    if (!dataset) return new Uint32Array(0);
    const matches = this.filter?.matches;
    if (matches) return matches;
    const all = new Uint32Array(dataset.columns.count);
    for (let i = 0; i < all.length; i++) all[i] = i;
    return all;
  }
}
