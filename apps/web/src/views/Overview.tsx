import type { HeatMap } from '@capscope/analytics/aggregates/heat-map';
import type { SankeyData } from '@capscope/analytics/aggregates/sankey';
import { useMemo, useState } from 'react';
import { useFilter } from '../filter/filter-context';
import { formatBytes, formatCount } from '../format';
import { EChart } from './charts/EChart';
import { PALETTE } from './charts/echarts';
import { escapeHtml, RankedBars } from './charts/RankedBars';
import { countryLabel } from './country-names';
import { HierarchyTable } from './HierarchyTable';
import { formatMeasure, MEASURES, type Measure } from './measures';
import { Empty, Panel, Picker } from './Panel';
import { filterTime, localOffsetMinutes, zoneName } from './time-format';
import { Timeline } from './Timeline';
import { useViewQuery } from './use-view-query';
import { useViews } from './views-context';

/** Rows in the protocol and country bar charts. */
const BAR_ROWS = 12;
/** Countries' colour in every chart of them. */
const COUNTRY_COLOUR = '#e8710a';
/** Applications' colours in the Sankey: any but the countries' orange. */
const PROTOCOL_COLOURS = PALETTE.filter((c) => c !== COUNTRY_COLOUR);

/**
 * The overview: traffic over time, the protocol hierarchy, volumes by
 * application, transport and remote country, a day-by-hour heat map and
 * the flow of bytes from protocols to countries.
 */
export default function Overview() {
  const { timeMode } = useViews();
  const filter = useFilter();
  const [measure, setMeasure] = useState<Measure>('bytes');
  // Hours of the heat map in the zone the times are shown in; a relative
  // clock has no hour of day, so it uses UTC's.
  const offsetMinutes = timeMode === 'local'
    ? localOffsetMinutes(Date.now() / 1000) : 0;
  const query = useViewQuery((views) => views.api.overview(offsetMinutes),
    [offsetMinutes]);
  const data = query.data;
  const pick = (term: string | null, exclude: boolean) => {
    if (term) filter.addTerm(term, exclude ? 'exclude' : 'only');
  };

  const measurePicker = (
    <Picker label="Measure" value={measure} options={MEASURES}
      onChange={setMeasure} />
  );

  return (
    <div className="view-grid">
      <Timeline />
      {query.status === 'error' && <Empty>{query.message}</Empty>}
      {data && (
        <>
          <Panel title="Protocol hierarchy" className="panel--wide"
            note={data.hierarchyLevel === 'frames'
              ? 'Every frame by the headers it carried, as Wireshark counts them'
              : 'The kept flows by IP version, transport and application ' +
                '(frames are counted per flow under a filter)'}>
            <HierarchyTable nodes={data.hierarchy}
              level={data.hierarchyLevel} />
          </Panel>

          <Panel title="Applications" actions={measurePicker}
            note="By the application a flow carried, else its transport">
            {data.protocols.length === 0 ? <Empty>No flows.</Empty> : (
              <RankedBars measure={measure}
                label={`Applications by ${measure}`}
                rows={byMeasure(data.protocols, measure).slice(0, BAR_ROWS)
                  .map((p) => ({
                  label: p.label, value: p[measure], filter: p.filter,
                  detail: `${formatCount(p.flows)} flows · ` +
                    `${formatBytes(p.bytes)}` }))}
                onPick={(row, exclude) => pick(row.filter, exclude)} />
            )}
          </Panel>

          <Panel title="Transports" actions={measurePicker}>
            {data.transports.length === 0 ? <Empty>No flows.</Empty> : (
              <RankedBars measure={measure}
                label={`Transports by ${measure}`} color="#1e8e3e"
                rows={byMeasure(data.transports, measure).map((p) => ({
                  label: p.label,
                  value: p[measure], filter: p.filter }))}
                onPick={(row, exclude) => pick(row.filter, exclude)} />
            )}
          </Panel>

          <Panel title="Remote countries" actions={measurePicker}
            note="The country of each flow’s far end, outside the home networks">
            {data.remoteCountries.length === 0 ? <Empty>No flows.</Empty> : (
              <RankedBars measure={measure}
                label={`Remote countries by ${measure}`}
                color={COUNTRY_COLOUR}
                rows={byMeasure(data.remoteCountries, measure)
                  .slice(0, BAR_ROWS).map((c) => ({
                  label: countryLabel(c.code), value: c[measure],
                  filter: c.filter }))}
                onPick={(row, exclude) => pick(row.filter, exclude)} />
            )}
          </Panel>

          <Panel title="Day and hour" className="panel--wide"
            note={`Bytes by hour of the day (${zoneName(timeMode === 'relative'
              ? 'utc' : timeMode, Date.now() / 1000)}); click an hour to ` +
              'filter to it'}>
            <HeatMapChart map={data.heatMap} offsetMinutes={offsetMinutes}
              onPick={(term) => pick(term, false)} />
          </Panel>

          <Panel title="Protocols to countries" className="panel--wide"
            note="Bytes from each application to the remote end’s country; click a band or a name to filter">
            <SankeyChart data={data.sankey}
              onPick={(term, exclude) => pick(term, exclude)} />
          </Panel>
        </>
      )}
    </div>
  );
}

function HeatMapChart({ map, offsetMinutes, onPick }: {
  map: HeatMap;
  offsetMinutes: number;
  onPick(term: string): void;
}) {
  const option = useMemo(() => {
    const cells: Array<[number, number, number]> = [];
    let max = 0;
    map.bytes.forEach((row, y) => row.forEach((value, x) => {
      cells.push([x, y, value]);
      if (value > max) max = value;
    }));
    return {
      grid: { left: 8, right: 16, top: 8, bottom: 60, containLabel: true },
      tooltip: {
        formatter: (p: { value: [number, number, number] }) => {
          const [x, y, v] = p.value;
          return `${escapeHtml(map.rows[y])} ${String(x).padStart(2, '0')}:00` +
            `<br>${formatBytes(v)}<br>` +
            `${formatCount(map.flows[y][x])} flows started`;
        },
      },
      xAxis: { type: 'category', data: hourLabels(), splitArea: { show: true },
        axisLabel: { interval: 1 } },
      yAxis: { type: 'category', data: map.rows, inverse: true,
        splitArea: { show: true } },
      visualMap: { min: 0, max: Math.max(max, 1), calculable: false,
        orient: 'horizontal', left: 'center', bottom: 0, itemWidth: 12,
        itemHeight: 200, text: [formatBytes(Math.round(max)), '0 B'],
        formatter: (v: number) => formatBytes(Math.round(v)),
        inRange: { color: ['#f3f6fb', '#9ec1f2', '#1d5fd1', '#0b2e6b'] } },
      series: [{ type: 'heatmap', data: cells,
        itemStyle: { borderColor: '#ffffff', borderWidth: 1 } }],
    };
  }, [map]);

  if (map.rows.length === 0) return <Empty>No packet has a time.</Empty>;
  return (
    <EChart option={option} height={Math.min(map.rows.length, 14) * 26 + 110}
      label="Bytes by day and hour"
      onClick={(click) => {
        if (map.mode !== 'date') return;
        const [x, y] = click.data as [number, number, number];
        const day = Date.parse(`${map.rows[y]}T00:00:00Z`) / 1000;
        const from = day + x * 3600 - offsetMinutes * 60;
        onPick(`frame.time in {"${filterTime(from)}".."` +
          `${filterTime(from + 3600 - 1e-6)}"}`);
      }} />
  );
}

/** Rows in order of the measure shown, the largest first. */
function byMeasure<T extends Record<Measure, number>>(
  rows: readonly T[],
  measure: Measure,
): T[] {
  return [...rows].sort((a, b) => b[measure] - a[measure]);
}

function hourLabels(): string[] {
  return Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
}

function SankeyChart({ data, onPick }: {
  data: SankeyData;
  onPick(term: string | null, exclude: boolean): void;
}) {
  const byId = useMemo(
    () => new Map(data.nodes.map((node) => [node.id, node])), [data]);
  // Colours by volume: the busiest application gets the first colour.
  const protocolRank = useMemo(() => {
    const bytes = new Map<string, number>();
    for (const link of data.links) {
      bytes.set(link.source, (bytes.get(link.source) ?? 0) + link.bytes);
    }
    return new Map(data.nodes.filter((node) => node.side === 'protocol')
      .sort((a, b) => (bytes.get(b.id) ?? 0) - (bytes.get(a.id) ?? 0))
      .map((node, rank) => [node.id, rank]));
  }, [data]);
  const option = useMemo(() => ({
    tooltip: {
      trigger: 'item',
      formatter: (p: { dataType: string; data: { source?: string;
        target?: string; value: number; flows?: number; name?: string } }) => {
        if (p.dataType === 'edge') {
          const s = byId.get(p.data.source ?? '');
          const t = byId.get(p.data.target ?? '');
          return `${escapeHtml(s?.label ?? '')} → ` +
            `${escapeHtml(countryLabel(t?.label ?? ''))}<br>` +
            `${formatBytes(p.data.value)} · ` +
            `${formatMeasure('flows', p.data.flows ?? 0)} flows`;
        }
        const node = byId.get(p.data.name ?? '');
        return `${escapeHtml(node?.side === 'country'
          ? countryLabel(node.label) : node?.label ?? '')}<br>` +
          formatBytes(p.data.value);
      },
    },
    series: [{
      type: 'sankey',
      left: 90, right: 200, top: 8, bottom: 8,
      nodeGap: 16,
      nodeWidth: 14,
      levels: [{ depth: 0, label: { position: 'left' } },
        { depth: 1, label: { position: 'right' } }],
      draggable: false,
      emphasis: { focus: 'adjacency' },
      lineStyle: { color: 'source', opacity: 0.3 },
      label: {
        formatter: (p: { name: string }) => {
          const node = byId.get(p.name);
          return node?.side === 'country' ? countryLabel(node.label)
            : node?.label ?? p.name;
        },
      },
      // Applications in the palette's colours, countries in the orange of
      // the remote-countries chart; each band takes its application's.
      data: data.nodes.map((node) => ({ name: node.id,
        itemStyle: { color: node.side === 'country' ? COUNTRY_COLOUR
          : PROTOCOL_COLOURS[protocolRank.get(node.id)! %
            PROTOCOL_COLOURS.length] } })),
      links: data.links.map((link) => ({ source: link.source,
        target: link.target, value: link.bytes, flows: link.flows })),
    }],
  }), [data, byId, protocolRank]);

  if (data.links.length === 0) return <Empty>No bytes to show.</Empty>;
  const nodesPerSide = Math.max(
    data.nodes.filter((n) => n.side === 'protocol').length,
    data.nodes.filter((n) => n.side === 'country').length);
  return (
    <EChart option={option} height={Math.max(240, nodesPerSide * 40)}
      label="Bytes from applications to remote countries"
      onClick={(click) => {
        if (click.dataType === 'edge') {
          const d = click.data as { source: string; target: string };
          const terms = [byId.get(d.source)?.filter,
            byId.get(d.target)?.filter].filter((t): t is string => !!t);
          if (terms.length > 0) {
            onPick(terms.map((t) => `(${t})`).join(' && '), click.exclude);
          }
        } else {
          const node = byId.get((click.data as { name: string }).name);
          onPick(node?.filter ?? null, click.exclude);
        }
      }} />
  );
}
