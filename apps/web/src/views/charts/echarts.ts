// ECharts with only the parts the views use, drawn on canvas: the bundle
// carries no chart type or component it does not need.

import { BarChart, HeatmapChart, LineChart, SankeyChart } from 'echarts/charts';
import {
  BrushComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  SankeyChart,
  BrushComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };

/**
 * Colours for categories (protocols, stacked series): distinct at a
 * glance and readable on white, in the order the busiest come.
 */
export const PALETTE = [
  '#1d5fd1', '#e8710a', '#1e8e3e', '#a142f4', '#d93025', '#12a4af',
  '#b06000', '#5f6b7a', '#f538a0', '#7cb342',
];

/** Text and lines of every chart, matching the page. */
export const CHART_TEXT = {
  color: '#1f2933',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
  fontSize: 12,
};
