/// ECharts with only the pieces the dashboard draws (bar charts, grid, tooltip, legend, aria),
/// so the bundle stays small.

import { BarChart } from 'echarts/charts';
import {
    AriaComponent,
    GridComponent,
    LegendComponent,
    TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
    BarChart,
    GridComponent,
    TooltipComponent,
    LegendComponent,
    AriaComponent,
    CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

/// Draws `option` into `element` and returns a disposer; charts follow the element's size.
export function chart(element: HTMLElement, option: ChartOption): () => void {
    const instance = echarts.init(element, undefined, { renderer: 'canvas' });
    instance.setOption({ aria: { enabled: true }, animation: false, ...option });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
        observer.disconnect();
        instance.dispose();
    };
}
