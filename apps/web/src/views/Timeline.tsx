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
      }],
    };
  }, [data, series, timeMode]);

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
