import { useFilter } from '../../filter/filter-context';
import { formatBytes, formatCount } from '../../format';
import { countryLabel } from '../country-names';
import { formatShare } from '../measures';
import { Empty } from '../Panel';
import { useViewQuery } from '../use-view-query';
import { useViews } from '../views-context';

/** A country's panel: its share of the capture, top addresses, protocols. */
export function CountryPanel({ code, onClose }: {
  code: string;
  onClose(): void;
}) {
  const filter = useFilter();
  const { openAddress } = useViews();
  const query = useViewQuery((views) => views.api.countryPanel(code), [code]);
  const data = query.data;
  return (
    <section className="country-panel" aria-label={countryLabel(code)}
      data-testid="country-panel" data-country={code}>
      <header className="ip-page__head">
        <h2 className="ip-page__title">{countryLabel(code)}</h2>
        <button type="button" className="button button--quiet"
          onClick={onClose}>Close</button>
      </header>
      {query.status === 'error' && <Empty>{query.message}</Empty>}
      {data && data.code === code && (
        <div className="country-panel__body">
          <p>
            {formatCount(data.flows)} flows (
            {formatShare(data.flows, data.captureFlows)} of the capture’s),{' '}
            {formatBytes(data.bytes)} (
            {formatShare(data.bytes, data.captureBytes)} of its bytes): sent{' '}
            {formatBytes(data.bytesSent)}, received{' '}
            {formatBytes(data.bytesReceived)}
            {data.bytesSent + data.bytesReceived > data.bytes &&
              ' (a flow between two of its addresses counts both ways)'}.
          </p>
          <table className="small-table">
            <caption>Top addresses</caption>
            <tbody>
              {data.addresses.map((a) => (
                <tr key={a.address}>
                  <td>
                    <button type="button" className="link-button mono"
                      onClick={() => openAddress(a.address)}>
                      {a.address}
                    </button>
                  </td>
                  <td className="num">{formatCount(a.flows)} flows</td>
                  <td className="num">{formatBytes(a.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="small-table">
            <caption>Protocols</caption>
            <tbody>
              {data.protocols.slice(0, 8).map((p) => (
                <tr key={p.label}>
                  <td>
                    <button type="button" className="link-button"
                      onClick={() => p.filter && filter.addTerm(p.filter,
                        'only')}>
                      {p.label}
                    </button>
                  </td>
                  <td className="num">{formatCount(p.flows)} flows</td>
                  <td className="num">{formatBytes(p.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
