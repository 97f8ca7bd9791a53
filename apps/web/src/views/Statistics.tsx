import type { DurationHistogram } from '@capscope/analytics/aggregates/durations';
import { useMemo, useState } from 'react';
import { useFilter } from '../filter/filter-context';
import { formatBytes, formatCount } from '../format';
import type { Ranking } from '../worker/views-protocol';
import { EChart } from './charts/EChart';
import { escapeHtml, RankedBars } from './charts/RankedBars';
import { countryLabel } from './country-names';
import { EndpointsTable } from './EndpointsTable';
import { IpPage } from './IpPage';
import { Empty, Panel, Picker } from './Panel';
import { useViewQuery } from './use-view-query';
import { useViews } from './views-context';

type RankMetric = Ranking['metric'];

const RANK_METRICS: ReadonlyArray<{ value: RankMetric; label: string }> = [
  { value: 'flows', label: 'Flows' },
  { value: 'bytesSent', label: 'Sent' },
  { value: 'bytesReceived', label: 'Received' },
];

type Props = {
  /** The address whose page is open, or null. */
  address: string | null;
  onAddress(address: string | null): void;
};

/**
 * Statistics: the busiest sources and destinations, protocols and
 * countries by flows, flow durations, every endpoint, and an address's own
 * page.
 */
export default function Statistics({ address, onAddress }: Props) {
  const filter = useFilter();
  const { openAddress } = useViews();
  const query = useViewQuery((views) => views.api.statistics(), []);
  const data = query.data;
  const pick = (term: string | null, exclude: boolean) => {
    if (term) filter.addTerm(term, exclude ? 'exclude' : 'only');
  };

  return (
    <div className="view-grid">
      {address && (
        <IpPage address={address} onClose={() => onAddress(null)} />
      )}
      {query.status === 'error' && <Empty>{query.message}</Empty>}
      {data && (
        <>
          <p className="top-talker">
            Top talker:{' '}
            {data.topTalker ? (
              <button type="button" className="link-button"
                data-testid="top-talker" data-value={data.topTalker.address}
                onClick={() => openAddress(data.topTalker!.address)}>
                {data.topTalker.address}
              </button>
            ) : (
              <span data-testid="top-talker" data-value="">none</span>
            )}
            {data.topTalker && (
              <span className="top-talker__bytes">
                {formatBytes(data.topTalker.bytes)} sent and received
              </span>
            )}
            <span className="top-talker__count">
              {formatCount(data.endpointCount)} addresses in the kept flows
            </span>
          </p>
          <RankingPanel title="Top sources" role="source"
            rankings={data.rankings} onPick={pick} />
          <RankingPanel title="Top destinations" role="destination"
            rankings={data.rankings} onPick={pick} />
          <Panel title="Protocols by flows">
            {data.protocols.length === 0 ? <Empty>No flows.</Empty> : (
              <RankedBars measure="flows" label="Protocols by flows"
                rows={data.protocols.slice(0, 12).map((p) => ({
                  label: p.label, value: p.flows, filter: p.filter,
                  detail: formatBytes(p.bytes) }))}
                onPick={(row, exclude) => pick(row.filter, exclude)} />
            )}
          </Panel>
          <Panel title="Countries by flows"
            note="A flow counts in the country of each of its ends">
            {data.countries.length === 0 ? <Empty>No flows.</Empty> : (
              <RankedBars measure="flows" label="Countries by flows"
                color="#e8710a"
                rows={data.countries.slice(0, 12).map((c) => ({
                  label: countryLabel(c.code), value: c.flows,
                  filter: c.filter, detail: formatBytes(c.bytes) }))}
                onPick={(row, exclude) => pick(row.filter, exclude)} />
            )}
          </Panel>
          <Panel title="Flow durations" className="panel--wide"
            note="Flows by time from first to last packet, by protocol; click a bar to filter to that duration">
            <DurationChart histogram={data.durations} onPick={pick} />
          </Panel>
          <Panel title="Endpoints" className="panel--wide"
            note="Every address in the kept flows; click one for its page">
            <EndpointsTable onOpen={onAddress} />
          </Panel>
        </>
      )}
    </div>
  );
}

function RankingPanel({ title, role, rankings, onPick }: {
  title: string;
  role: Ranking['role'];
  rankings: Ranking[];
  onPick(term: string, exclude: boolean): void;
}) {
  const [metric, setMetric] = useState<RankMetric>('flows');
  const ranking = rankings.find((r) => r.role === role && r.metric === metric);
  const field = role === 'source' ? 'ip.src' : 'ip.dst';
  return (
    <Panel title={title}
      actions={<Picker label="Measure" value={metric} options={RANK_METRICS}
        onChange={setMetric} />}
      note={metric === 'flows' ? 'By flows started'
        : metric === 'bytesSent' ? 'By bytes they sent'
          : 'By bytes they received'}>
      {!ranking || ranking.rows.length === 0 ? <Empty>No flows.</Empty> : (
        <RankedBars
          measure={metric === 'flows' ? 'flows' : 'bytes'}
          label={title}
          rows={ranking.rows.map((r) => ({ label: r.address, value: r.value,
            filter: `${field} == ${r.address}`,
            detail: countryLabel(r.country) }))}
          onPick={(row, exclude) => row.filter && onPick(row.filter, exclude)}
        />
      )}
    </Panel>
  );
}

function DurationChart({ histogram, onPick }: {
  histogram: DurationHistogram;
  onPick(term: string | null, exclude: boolean): void;
}) {
  const option = useMemo(() => ({
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, type: 'scroll' },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (ps: Array<{ seriesName: string; value: number;
        dataIndex: number; color: string }>) =>
        [`<b>${escapeHtml(histogram.buckets[ps[0].dataIndex].label)}</b>`,
          ...ps.filter((p) => p.value > 0).map((p) =>
            `${escapeHtml(p.seriesName)}: ${formatCount(p.value)}`)]
          .join('<br>'),
    },
    xAxis: { type: 'category', data: histogram.buckets.map((b) => b.label),
      axisTick: { alignWithLabel: true } },
    yAxis: { type: 'value', name: 'Flows', minInterval: 1,
      splitLine: { lineStyle: { color: '#eef1f5' } } },
    series: histogram.series.map((s) => ({ type: 'bar', name: s.label,
      stack: 'flows', data: s.flows, barMaxWidth: 40,
      emphasis: { focus: 'series' } })),
  }), [histogram]);

  if (histogram.series.length === 0) return <Empty>No flows.</Empty>;
  return (
    <EChart option={option} height={260}
      label="Flows by duration, stacked by protocol"
      onClick={(click) => {
        const bucket = histogram.buckets[click.dataIndex];
        const series = histogram.series[click.seriesIndex];
        const terms = [bucket?.filter, series?.filter]
          .filter((t): t is string => !!t);
        onPick(terms.map((t) => `(${t})`).join(' && ') || null,
          click.exclude);
      }} />
  );
}
