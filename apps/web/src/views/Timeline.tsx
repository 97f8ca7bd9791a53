import { useMemo, useState } from 'react';
import { useFilter } from '../filter/filter-context';
import { EChart } from './charts/EChart';
import { axisMeasure, formatMeasure } from './measures';
import { Empty, Panel, Picker } from './Panel';
import {
  filterTime,
  formatClock,
  formatSpan,
  formatTime,
  zoneName,
} from './time-format';
import { useViewQuery } from './use-view-query';
import { useViews } from './views-context';

type Series = 'bytes' | 'packets' | 'flows';

const SERIES: ReadonlyArray<{ value: Series; label: string }> = [
  { value: 'bytes', label: 'Bytes' },
  { value: 'packets', label: 'Packets' },
  { value: 'flows', label: 'Flows' },
];

/**
 * The span of the last `frame.time in {"a".."b"}` term of a filter, as
 * epoch seconds (to the millisecond, enough to shade it), or null.
 */
function timeFilterRange(text: string): [number, number] | null {
  const terms = [...text.matchAll(
    /frame\.time in \{"([^"]+)"\.\."([^"]+)"\}/g)];
  const last = terms.at(-1);
  if (!last) return null;
  const from = Date.parse(last[1]) / 1000;
  const to = Date.parse(last[2]) / 1000;
  return Number.isFinite(from) && Number.isFinite(to) ? [from, to] : null;
}

/** Bins across the chart: about one per 4 pixels of a wide screen. */
const MAX_BINS = 300;

type Props = {
  /** Only this address's flows (the IP page). */
  address?: string;
  title?: string;
};

/**
 * Bytes, packets or active flows over the span of the kept flows. Under a
 * filter it shows those flows' own traffic, bin by bin. Dragging across it
 * sets the time filter to the span dragged.
 */
export function Timeline({ address, title = 'Timeline' }: Props) {
  const { timeMode } = useViews();
  const filter = useFilter();
  const [series, setSeries] = useState<Series>('bytes');
  const query = useViewQuery(
    (views) => views.api.timeline({ maxBins: MAX_BINS, address }),
    [address],
  );
  const data = query.data;
  const selected = timeFilterRange(filter.text);

  const option = useMemo(() => {
    if (!data) return null;
    const values = data[series];
    const points: Array<[number, number]> = [];
    for (let i = 0; i < values.length; i++) {
      points.push([data.fromSeconds + i * data.binSeconds, values[i]]);
    }
    const start = data.captureStartSeconds;
    const step = data.binSeconds;
    const end = data.fromSeconds + values.length * step;
    return {
      grid: { left: 12, right: 28, top: 16, bottom: 44, containLabel: true },
      tooltip: {
        trigger: 'axis',
        formatter: (ps: Array<{ value: [number, number] }>) => {
          const [t, v] = ps[0].value;
          return `${formatTime(t, timeMode, start, step)} ` +
            `${zoneName(timeMode, t)}<br>` +
            `${formatMeasure(series, v)} in ${formatSpan(step)}`;
        },
      },
      xAxis: {
        type: 'value',
        min: data.fromSeconds,
        max: end,
        name: `Time (${zoneName(timeMode, data.fromSeconds)})`,
        nameLocation: 'middle',
        nameGap: 28,
        axisLabel: {
          hideOverlap: true,
          formatter: (t: number) =>
            formatClock(t, timeMode, start, (end - data.fromSeconds) / 8),
        },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'value',
        axisLabel: { formatter: (v: number) => axisMeasure(series, v) },
        splitLine: { lineStyle: { color: '#eef1f5' } },
      },
      brush: { xAxisIndex: 0, brushType: 'lineX', brushMode: 'single',
        transformable: false, throttleType: 'debounce',
        brushStyle: { color: 'rgba(29,95,209,0.15)',
          borderColor: '#1d5fd1' } },
      series: [{
        type: 'line',
        step: 'start',
        symbol: 'none',
        data: points,
        lineStyle: { width: 1.5 },
        areaStyle: { opacity: 0.25 },
        // The time the filter keeps: its flows' traffic may run past it.
        markArea: selected ? {
          silent: true,
          itemStyle: { color: 'rgba(232, 113, 10, 0.12)' },
          data: [[{ xAxis: selected[0] }, { xAxis: selected[1] }]],
        } : undefined,
      }],
    };
  }, [data, series, timeMode, selected?.[0], selected?.[1]]);

  const onBrush = (from: number, to: number) => {
    filter.addTerm(`frame.time in {"${filterTime(from)}".."${filterTime(to)}"}`,
      'only');
  };

  return (
    <Panel
      title={title}
      className="panel--wide"
      actions={<Picker label="Measure" value={series} options={SERIES}
        onChange={setSeries} />}
      note={data
        ? `${formatSpan(data.binSeconds)} per bin · drag across the chart ` +
          'to filter to that time' +
          (selected ? ' · shaded: the time the filter keeps' : '') +
          (data.exact ? '' : ' · volumes spread over each flow’s span')
        : undefined}
    >
      {query.status === 'error' && <Empty>{query.message}</Empty>}
      {data === null && query.status === 'done' && (
        <Empty>No packet in the kept flows has a time.</Empty>
      )}
      {option && (
        <EChart option={option} height={220}
          label={`${series} over time`} onBrush={onBrush} />
      )}
    </Panel>
  );
}
