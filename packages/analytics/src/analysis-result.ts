import type { Problem } from '@capscope/parser/problems';
import type { CaptureInfo, InterfaceInfo } from '@capscope/parser/record';
import { formatTime } from '@capscope/parser/time';
import type { ActivitySnapshot } from './aggregates/flow-activity.js';
import type { HierarchyNode } from './aggregates/protocol-hierarchy.js';
import type { CaptureSummary, CaptureTotals } from './analysis.js';
import type { DnsName } from './app-hints.js';
import type { FlowColumns, FlowKeyPorts } from './flow-table.js';

/**
 * A finished analysis, whether one CaptureAnalysis made it or several
 * workers' shares were merged (partition-merge.ts): what the CLI prints
 * and the page keeps.
 */
export interface AnalysisResult {
  info: CaptureInfo | null;
  interfaces: InterfaceInfo[];
  totals: CaptureTotals;
  /** True when the file could not be framed to its end. */
  stopped: boolean;
  problems: Problem[];
  problemCount: number;
  /** Columns cut to the flow count. */
  columns: FlowColumns;
  keyPorts: FlowKeyPorts;
  /** Host names; the `host` column indexes this list. */
  names: string[];
  addressNames: Map<string, string>;
  dnsNames: Map<string, DnsName>;
  dnsResponseCodes: number[];
  hierarchy: HierarchyNode[];
  activity: ActivitySnapshot;
}

/** The `capscope summary` object of a result. */
export function summarize(
  result: Pick<AnalysisResult, 'info' | 'interfaces' | 'totals' | 'problems'>
    & { columns: { count: number } },
): CaptureSummary {
  const t = result.totals;
  const linkTypes = [...new Set(result.interfaces.map((i) => i.linkType))];
  return {
    format: result.info?.format ?? null,
    linkTypes,
    packets: t.packets,
    bytes: t.bytes,
    flows: result.columns.count,
    firstSeen: t.hasTime
      ? formatTime(t.firstSeconds, t.firstNanos, t.timeDigits)
      : null,
    lastSeen: t.hasTime
      ? formatTime(t.lastSeconds, t.lastNanos, t.timeDigits)
      : null,
    problems: result.problems.map(({ kind, offset, packet }) => ({
      kind,
      offset,
      packet,
    })),
  };
}
