import type { FindingKind } from '@capscope/analytics/findings/finding';
import {
  CLEARTEXT_APPS,
  DNS_FAILURE_CODES,
  ENCRYPTED_APPS,
  LONG_FACTOR,
  LONG_MIN_SECONDS,
  OUTSIZED_FACTOR,
  OUTSIZED_MIN_BYTES,
  RARE_MIN_FLOWS,
  SCAN_MIN_TARGETS,
  SCAN_WINDOW_SECONDS,
} from '@capscope/analytics/findings/rules';
import { dnsRcodeName } from '@capscope/analytics/flow-record';
import { useFilter } from '../filter/filter-context';
import { formatBytes, formatCount } from '../format';
import type { FindingSummary } from '../worker/findings-protocol';
import { Empty, Panel } from './Panel';
import { useViewQuery } from './use-view-query';
import './findings.css';

const KIND_LABELS: Record<FindingKind, string> = {
  scan: 'Scan',
  'failed-connections': 'Failed connections',
  'dns-failure': 'DNS failure',
  'outsized-flow': 'Outsized flow',
  'long-flow': 'Long flow',
  'rare-country': 'Rare country',
  'rare-port': 'Rare port',
  cleartext: 'Clear text',
};

const upper = (names: readonly string[]) =>
  names.map((name) => name.toUpperCase()).join(', ');

/** The rules' thresholds, from the rules themselves, so both agree. */
const THRESHOLDS = [
  `scan: ${SCAN_MIN_TARGETS} ports or hosts within ${SCAN_WINDOW_SECONDS} s`,
  `outsized: ${OUTSIZED_FACTOR}× the median flow and at least ` +
    formatBytes(OUTSIZED_MIN_BYTES),
  `long: ${LONG_FACTOR}× the median duration and over ` +
    `${LONG_MIN_SECONDS / 3600} h`,
  `rare: one flow in a capture of ${RARE_MIN_FLOWS} or more`,
  `DNS: ${DNS_FAILURE_CODES.map(dnsRcodeName).join(', ')} or no answer`,
  `clear text: ${upper(CLEARTEXT_APPS)} where ${upper(ENCRYPTED_APPS)} ` +
    'carry more flows',
].join(' · ');

type Props = {
  /** Shows the flows table (with the finding's filter in force). */
  onShowFlows(): void;
};

/**
 * What looks wrong in the capture, ranked: each finding says why it fired,
 * and a click filters every view to its flows. The findings do not follow
 * the filter; they are the capture's.
 */
export default function Findings({ onShowFlows }: Props) {
  const { text, setText } = useFilter();
  const query = useViewQuery((views) => views.api.findings(), []);
  const findings = query.data;

  return (
    <div className="findings">
      <Panel
        title={findings ? `Findings (${formatCount(findings.length)})` :
          'Findings'}
        note={'What looks wrong in this capture, most telling first. ' +
          'Click one to filter every view to its flows.'}
      >
        {query.status === 'error' && (
          <p className="findings__error">{query.message}</p>
        )}
        {findings === null ? (
          query.status === 'loading' && <Empty>Looking at the flows…</Empty>
        ) : findings.length === 0 ? (
          <Empty>
            Nothing stood out: no scans, failed connections, DNS failures,
            outsized or long flows, rare countries or ports, or clear text.
          </Empty>
        ) : (
          <ol className="findings__list">
            {findings.map((finding, rank) => (
              <FindingItem
                key={`${rank}:${finding.filter}`}
                finding={finding}
                active={finding.filter === text}
                onApply={() => setText(finding.filter)}
                onShowFlows={onShowFlows}
              />
            ))}
          </ol>
        )}
        <p className="findings__thresholds">Thresholds: {THRESHOLDS}.</p>
      </Panel>
    </div>
  );
}

type ItemProps = {
  finding: FindingSummary;
  /** Its filter is the one in force. */
  active: boolean;
  onApply(): void;
  onShowFlows(): void;
};

function FindingItem({ finding, active, onApply, onShowFlows }: ItemProps) {
  return (
    <li className="findings__item">
      <button
        type="button"
        className="finding"
        data-testid="finding-item"
        data-kind={finding.kind}
        data-value={finding.flows}
        aria-pressed={active}
        title={`Filter: ${finding.filter}`}
        onClick={onApply}
      >
        <span className="finding__kind" data-kind={finding.kind}>
          {KIND_LABELS[finding.kind]}
        </span>
        <span className="finding__reason">{finding.reason}</span>
        <span className="finding__flows num">
          {formatCount(finding.flows)}
          {finding.flows === 1 ? ' flow' : ' flows'}
        </span>
        <code className="finding__filter mono">{finding.filter}</code>
      </button>
      {active && (
        <button type="button" className="link-button finding__show"
          onClick={onShowFlows}>
          Show its flows
        </button>
      )}
    </li>
  );
}
