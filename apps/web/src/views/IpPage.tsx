import type {
  IpRole,
  LabelledVolume,
} from '@capscope/analytics/aggregates/ip-detail';
import { useFilter } from '../filter/filter-context';
import { formatBytes, formatCount } from '../format';
import { countryLabel, countryName, countryShort } from './country-names';
import { Empty, Panel } from './Panel';
import { Timeline } from './Timeline';
import { useViewQuery } from './use-view-query';
import { useViews } from './views-context';

type Props = {
  address: string;
  onClose(): void;
};

/**
 * One address's own page: what it did as a source and as a destination
 * (peers, protocols, countries), its traffic over time, and the names the
 * capture gave it.
 */
export function IpPage({ address, onClose }: Props) {
  const filter = useFilter();
  const query = useViewQuery((views) => views.api.ipPage(address), [address]);
  const data = query.data;
  const term = `ip.addr == ${address}`;

  return (
    <section className="ip-page panel--wide" aria-label={`Address ${address}`}
      data-testid="ip-page">
      <header className="ip-page__head">
        <h2 className="ip-page__title mono">{address}</h2>
        {data && (
          <span className="ip-page__where">
            {[countryLabel(data.country), data.city, data.network]
              .filter(Boolean).join(' · ')}
          </span>
        )}
        <span className="ip-page__actions">
          <button type="button" className="button"
            onClick={() => filter.addTerm(term, 'only')}>
            Only this address
          </button>
          <button type="button" className="button"
            onClick={() => filter.addTerm(term, 'exclude')}>
            Exclude it
          </button>
          <button type="button" className="button button--quiet"
            onClick={onClose} aria-label="Close the address page">
            Close
          </button>
        </span>
      </header>
      {query.status === 'error' && <Empty>{query.message}</Empty>}
      {query.status === 'done' && data === null && (
        <Empty>No kept flow has this address.</Empty>
      )}
      {data && (
        <>
          <p className="ip-page__names">
            Names seen for it:{' '}
            {data.names.length > 0 ? data.names.join(', ')
              : 'none in this capture’s DNS or server names'}
          </p>
          <div className="view-grid ip-page__grid">
            <Timeline address={address} title="Its traffic over time" />
            <RoleSummary title="As source" role={data.asSource}
              field="ip.dst" />
            <RoleSummary title="As destination" role={data.asDestination}
              field="ip.src" />
          </div>
        </>
      )}
    </section>
  );
}

function RoleSummary({ title, role, field }: {
  title: string;
  role: IpRole;
  /** The peers' side, for their filter terms. */
  field: string;
}) {
  const filter = useFilter();
  const { openAddress } = useViews();
  return (
    <Panel title={title}
      note={`${plural(role.flows, 'flow')} · sent ` +
        `${formatBytes(role.bytesSent)} in ${formatCount(role.packetsSent)} ` +
        `packets · received ${formatBytes(role.bytesReceived)}`}>
      {role.flows === 0 ? <Empty>None.</Empty> : (
        <>
          <table className="small-table">
            <caption>Peers</caption>
            <thead>
              <tr><th>Address</th><th>Country</th>
                <th className="num">Flows</th><th className="num">Bytes</th></tr>
            </thead>
            <tbody>
              {role.peers.map((peer) => (
                <tr key={peer.address}>
                  <td>
                    <button type="button" className="link-button mono"
                      onClick={() => openAddress(peer.address)}>
                      {peer.address}
                    </button>
                    <button type="button" className="chip-button"
                      title={`Keep only flows with ${field} == ${peer.address}`}
                      onClick={() => filter.addTerm(
                        `${field} == ${peer.address}`, 'only')}>
                      filter
                    </button>
                  </td>
                  <td title={countryName(peer.country)}>
                    {countryShort(peer.country)}
                  </td>
                  <td className="num">{formatCount(peer.flows)}</td>
                  <td className="num">{formatBytes(peer.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <VolumeList caption="Protocols" rows={role.protocols} />
          <VolumeList caption="Peer countries" rows={role.countries}
            country />
        </>
      )}
    </Panel>
  );
}

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

function VolumeList({ caption, rows, country }: {
  caption: string;
  rows: LabelledVolume[];
  country?: boolean;
}) {
  const filter = useFilter();
  return (
    <table className="small-table">
      <caption>{caption}</caption>
      <tbody>
        {rows.slice(0, 8).map((row) => (
          <tr key={row.label}>
            <td>
              {row.filter ? (
                <button type="button" className="link-button"
                  onClick={(event) => filter.addTerm(row.filter!,
                    event.shiftKey ? 'exclude' : 'only')}>
                  {country ? countryLabel(row.label) : row.label}
                </button>
              ) : (country ? countryLabel(row.label) : row.label)}
            </td>
            <td className="num">{plural(row.flows, 'flow')}</td>
            <td className="num">{formatBytes(row.bytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
