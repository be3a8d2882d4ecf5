/**
 * Charts on the pages. echarts lives in its own chunk (echarts-setup.ts), fetched as soon as the shell starts and
 * awaited only when a chart is drawn, so the data requests run while it loads. SVG rather than canvas: crisp at any
 * zoom, and the drawn shapes are DOM nodes the e2e test can count. Charts are disposed when the page changes and follow
 * their container's size; `chartsDrawn()` resolves when every chart of the page is on screen.
 */
import type { ECharts } from 'echarts/core';
import { h } from './dom.js';
import type * as EchartsSetup from './echarts-setup.js';
import type { ChartOption } from './echarts-setup.js';
import { usd } from './format.js';

export type { ChartOption };

let engine: Promise<typeof EchartsSetup> | null = null;
/** Starts loading echarts (idempotent). */
export const loadCharts = () => (engine ??= import('./echarts-setup.js'));

const live = new Set<{ chart: ECharts; observer: ResizeObserver }>();
let pending: Array<Promise<void>> = [];

/** The page's font, spelled out: echarts measures text with it ("inherit" would be measured as the default font). */
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export const palette = ['#2f6fdf', '#e8833a', '#2aa876', '#d64550', '#8a5cd6', '#c9a227', '#1fa2b8', '#7a7f87', '#b0578d', '#5c8a2e'];

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/** A chart in a labelled figure; `label` is its accessible name. Drawn once echarts is loaded and the figure is in the page. */
export function chart(options: { label: string; option: ChartOption; height?: number; testid?: string }): HTMLElement {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': options.label, style: `height:${options.height ?? 280}px` });
  const figure = h('figure', { class: 'chart-figure', 'data-testid': options.testid ?? 'chart' }, box);
  const draw = async () => {
    const { init } = await loadCharts();
    await nextFrame();
    if (!box.isConnected) return;
    const instance = init(box, undefined, { renderer: 'svg' });
    instance.setOption({ color: palette, animation: false, aria: { enabled: true }, textStyle: { fontFamily: FONT }, ...options.option });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(box);
    live.add({ chart: instance, observer });
  };
  pending.push(draw());
  return figure;
}

/** Resolves when every chart created since the last disposeCharts() has been drawn (or skipped, if removed). */
export async function chartsDrawn(): Promise<void> {
  while (pending.length > 0) {
    const batch = pending;
    pending = [];
    await Promise.all(batch);
  }
}

export function disposeCharts(): void {
  for (const entry of live) {
    entry.observer.disconnect();
    entry.chart.dispose();
  }
  live.clear();
  pending = [];
}

export const usdAxis = { type: 'value' as const, axisLabel: { formatter: (value: number) => usd(value) } };
export const usdTooltip = { trigger: 'axis' as const, valueFormatter: (value: unknown) => (typeof value === 'number' ? usd(value) : String(value)) };
export const grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };
