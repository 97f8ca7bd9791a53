import { formatBytes, formatCount, formatUtcTime } from '../format';
import type { CaptureFigures } from '../worker/protocol';

type Props = {
  figures: CaptureFigures;
  /** True while the import still runs and the figures still grow. */
  partial: boolean;
};

export function Totals({ figures, partial }: Props) {
  return (
    <dl className={partial ? 'totals totals--partial' : 'totals'}>
      <div
        className="totals__item"
        data-testid="flow-count"
        data-value={figures.flows}
        data-tcp={figures.tcpFlows}
        data-udp={figures.udpFlows}
      >
        <dt>Flows</dt>
        <dd>
          {formatCount(figures.flows)}
          <small>{transportSplit(figures)}</small>
        </dd>
      </div>
      <div
        className="totals__item"
        data-testid="packet-count"
        data-value={figures.packets}
      >
        <dt>Packets</dt>
        <dd>{formatCount(figures.packets)}</dd>
      </div>
      <div
        className="totals__item"
        data-testid="byte-total"
        data-value={figures.bytes}
      >
        <dt>Bytes on the wire</dt>
        <dd>
          {formatBytes(figures.bytes)}
          <small>{formatCount(figures.bytes)} bytes</small>
        </dd>
      </div>
      <div className="totals__item totals__item--time">
        <dt>First packet</dt>
        <dd>{utcText(figures.firstSeen)}</dd>
      </div>
      <div className="totals__item totals__item--time">
        <dt>Last packet</dt>
        <dd>{utcText(figures.lastSeen)}</dd>
      </div>
    </dl>
  );
}

function utcText(rfc3339: string | null): string {
  return rfc3339 === null
    ? 'no time recorded'
    : `${formatUtcTime(rfc3339)} UTC`;
}

function transportSplit({ tcpFlows, udpFlows }: CaptureFigures): string {
  return `${formatCount(tcpFlows)} TCP, ${formatCount(udpFlows)} UDP`;
}
