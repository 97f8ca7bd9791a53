import { useMemo } from 'react';
import { axisMeasure, formatMeasure } from '../measures';
import { EChart } from './EChart';

export interface RankedRow {
  label: string;
  value: number;
  /** Filter term a click adds; null when the row cannot be filtered on. */
  filter: string | null;
  /** Extra tooltip lines. */
  detail?: string;
}

type Props = {
  rows: RankedRow[];
  /** 'flows', 'bytes'...: how values read. */
  measure: string;
  label: string;
  onPick?: (row: RankedRow, exclude: boolean) => void;
  /** Bars in a given colour (default: the first of the palette). */
  color?: string;
};

const ROW_PX = 24;
/** Room for the axis under the bars. */
const AXIS_PX = 34;

/** Horizontal bars, the largest on top; a click filters to the bar's row. */
export function RankedBars({ rows, measure, label, onPick, color }: Props) {
  const option = useMemo(() => {
    const shown = [...rows].reverse(); // ECharts draws categories bottom-up
    // Room for the longest label (a full IPv6 address), no more.
    const longest = Math.max(0, ...rows.map((row) => row.label.length));
    const labelWidth = Math.min(270, Math.max(60, longest * 7));
    return {
      grid: { left: 8, right: 24, top: 6, bottom: 24, containLabel: true },
      tooltip: {
        trigger: 'item',
        formatter: (p: { dataIndex: number }) => {
          const row = shown[p.dataIndex];
          return [`<b>${escapeHtml(row.label)}</b>`,
            formatMeasure(measure, row.value),
            row.detail ? escapeHtml(row.detail) : '',
            row.filter ? '<small>Click: only these · Shift+click: exclude</small>'
              : ''].filter(Boolean).join('<br>');
        },
      },
      xAxis: {
        type: 'value',
        splitNumber: 4,
        axisLabel: { hideOverlap: true,
          formatter: (v: number) => axisMeasure(measure, v) },
        splitLine: { lineStyle: { color: '#eef1f5' } },
      },
      yAxis: {
        type: 'category',
        data: shown.map((row) => row.label),
        axisTick: { show: false },
        axisLabel: { width: labelWidth, overflow: 'truncate' },
      },
      series: [{
        type: 'bar',
        data: shown.map((row) => row.value),
        barMaxWidth: 16,
        itemStyle: color ? { color } : undefined,
        cursor: onPick ? 'pointer' : 'default',
      }],
    };
  }, [rows, measure, onPick, color]);

  return (
    <EChart
      option={option}
      height={Math.max(rows.length, 3) * ROW_PX + AXIS_PX}
      label={`${label}: ${rows.slice(0, 5).map((r) =>
        `${r.label} ${formatMeasure(measure, r.value)}`).join(', ')}`}
      onClick={(click) => {
        const row = [...rows].reverse()[click.dataIndex];
        if (row?.filter && onPick) onPick(row, click.exclude);
      }}
    />
  );
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) =>
    ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
