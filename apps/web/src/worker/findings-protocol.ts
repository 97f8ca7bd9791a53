// The findings' side of the worker boundary: types only. A finding crosses
// as its summary; its flows stay in the worker, where the filter
// `finding == "<kind>"` and the finding's own filter expression reach them.

import type { FindingKind } from '@capscope/analytics/findings/finding';

/** One finding as the page lists it. */
export interface FindingSummary {
  kind: FindingKind;
  /** One line with the figures that made it fire. */
  reason: string;
  /** A filter expression that keeps exactly its flows. */
  filter: string;
  flows: number;
  /** Ranks findings: higher first. */
  score: number;
}

/** What looks wrong in the open capture (findings-api.ts). */
export interface FindingsApi {
  /**
   * Every finding of the capture, ranked, highest score first; empty
   * before an import finished. The rules run once per capture (again
   * after GeoIP names other countries), whatever the filter.
   */
  findings(): Promise<FindingSummary[]>;
}
