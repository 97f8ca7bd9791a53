import type { Finding, FindingInput } from './finding.js';
import {
  findCleartext,
  findDnsFailures,
  findFailedConnections,
  findOutsizedFlows,
  findRarities,
  findScans,
} from './rules.js';

/**
 * Runs every rule, scans first: flows a scan explains are not reported
 * again as failed connections. Findings come back ranked, highest first.
 */
export function runFindings(input: Omit<FindingInput, 'explained'>): Finding[] {
  const full: FindingInput = {
    ...input,
    explained: new Uint8Array(input.columns.count),
  };
  const findings = [
    ...findScans(full),
    ...findFailedConnections(full),
    ...findDnsFailures(full),
    ...findOutsizedFlows(full),
    ...findCleartext(full),
    ...findRarities(full),
  ];
  return findings.sort((a, b) => b.score - a.score);
}
