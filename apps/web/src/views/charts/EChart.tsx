import { useEffect, useRef } from 'react';
import { CHART_TEXT, echarts, PALETTE } from './echarts';

/** What a click on a chart element reports. */
export interface ChartClick {
  /** Series and data index, as ECharts names them. */
  seriesIndex: number;
  dataIndex: number;
  name: string;
  /** Sankey and graph: 'node' or 'edge'. */
  dataType?: string;
  data: unknown;
  /** Shift or Alt held: the click excludes instead of keeping. */
  exclude: boolean;
}

type Props = {
  option: echarts.EChartsCoreOption;
  height: number;
  /** Said by screen readers: what the chart shows, in a sentence. */
  label: string;
  onClick?: (click: ChartClick) => void;
  /** With it, dragging across the x axis selects a range of its values. */
  onBrush?: (from: number, to: number) => void;
};

/**
 * One ECharts canvas. The chart follows its box's size, keeps its
 * instance across renders (only the option changes), and is disposed
 * with the component.
 */
export function EChart({ option, height, label, onClick, onBrush }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const handlers = useRef({ onClick, onBrush });
  handlers.current = { onClick, onBrush };

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = echarts.init(element, null, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => {
      const p = params as unknown as {
        seriesIndex: number; dataIndex: number; name: string;
        dataType?: string; data: unknown;
        event?: { event?: MouseEvent };
      };
      const native = p.event?.event;
      handlers.current.onClick?.({ seriesIndex: p.seriesIndex,
        dataIndex: p.dataIndex, name: p.name, dataType: p.dataType,
        data: p.data, exclude: !!(native?.shiftKey || native?.altKey) });
    });
    instance.on('brushEnd', (params) => {
      const areas = (params as { areas?: Array<{ coordRange?: number[] }> })
        .areas;
      const range = areas?.[0]?.coordRange;
      instance.dispatchAction({ type: 'brush', areas: [] });
      if (range && range.length === 2 && range[1] > range[0]) {
        handlers.current.onBrush?.(range[0], range[1]);
      }
    });
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const instance = chart.current;
    if (!instance) return;
    instance.setOption({ color: PALETTE, textStyle: CHART_TEXT,
      animation: false, ...option }, { notMerge: true });
    if (onBrush) {
      instance.dispatchAction({ type: 'takeGlobalCursor', key: 'brush',
        brushOption: { brushType: 'lineX', brushMode: 'single' } });
    }
  }, [option, onBrush !== undefined]);

  return (
    <div
      ref={box}
      className="echart"
      style={{ height }}
      role="img"
      aria-label={label}
    />
  );
}
