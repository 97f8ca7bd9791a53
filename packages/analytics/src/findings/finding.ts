import type { DnsName } from '../app-hints.js';
import type { FlowColumns } from '../flow-table.js';
import type { FlowCountries } from '../geo.js';

export type FindingKind =
  | 'scan'
  | 'failed-connections'
  | 'dns-failure'
  | 'outsized-flow'
  | 'long-flow'
  | 'rare-country'
  | 'rare-port'
  | 'cleartext';

/** Something that deserves a look, and the flows it is about. */
export interface Finding {
  kind: FindingKind;
  /** One line that says why it fired, with the figures. */
  reason: string;
  /** A filter expression that selects the flows (click to filter). */
  filter: string;
  /** The flows concerned, by index. */
  flows: number[];
  /** Ranks findings: higher first. */
  score: number;
}

/** The kinds, in the bit order FlowFindings uses. */
export const FINDING_KINDS: readonly FindingKind[] = ['scan',
  'failed-connections', 'dns-failure', 'outsized-flow', 'long-flow',
  'rare-country', 'rare-port', 'cleartext'];

/** Which findings name each flow: bit i stands for FINDING_KINDS[i]. */
export interface FlowFindings {
  kinds: readonly string[];
  flowKinds: Uint8Array;
}

/** Marks every flow with the kinds of the findings that name it. */
export function flowFindings(findings: Finding[], count: number): FlowFindings {
  const flowKinds = new Uint8Array(count);
  for (const finding of findings) {
    const bit = 1 << FINDING_KINDS.indexOf(finding.kind);
    for (const flow of finding.flows) flowKinds[flow] |= bit;
  }
  return { kinds: FINDING_KINDS, flowKinds };
}

/** What every rule reads. */
export interface FindingInput {
  columns: FlowColumns;
  names: readonly string[];
  dnsNames: ReadonlyMap<string, DnsName>;
  countries: FlowCountries | null;
  /** Flows an earlier rule already explained, which later rules skip. */
  explained: Uint8Array;
}
