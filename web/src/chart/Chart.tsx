import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { clockTime, count, dayTime, percent } from '../format';
import type { ChartData, Markers } from './shape';

/** Okabe-Ito colours: told apart by colour-blind readers too. */
export const LINE_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
export const RELEASE_COLOR = '#6a3d9a';
export const DETECTED_COLOR = '#b00020';
export const BAND_COLOR = 'rgba(213, 94, 0, 0.16)';
const ATTEMPTS_COLOR = 'rgba(120, 132, 148, 0.35)';

interface Props {
  data: ChartData;
  markers: Markers;
  /** The visible range in epoch ms: the x axis spans it even where the data is empty. */
  from: number;
  to: number;
  /** What the chart shows, in words, for screen readers and as its caption. */
  caption: string;
}

const compact = new Intl.NumberFormat('en', { notation: 'compact' });

/**
 * The failure-rate chart: one line per series on a percentage axis, the app's attempts as bars on a second axis (a
 * rate over 3 logins reads as what it is), incident bands (started → resolved) under the lines, release markers and
 * the detection moment over them. uPlot draws; markers and bands go through its draw hooks.
 */
export function Chart({ data, markers, from, to, caption }: Props) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const px = uPlot.pxRatio;
    const vline = (u: uPlot, atMs: number, color: string, dash: number[], label?: string): boolean => {
      const x = Math.round(u.valToPos(atMs / 1000, 'x', true));
      const { left, top, width, height } = u.bbox;
      if (x < left || x > left + width) return false;
      const { ctx } = u;
      ctx.save();
      ctx.strokeStyle = color;
      ctx.lineWidth = 2 * px;
      ctx.setLineDash(dash.map((d) => d * px));
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      if (label) {
        ctx.fillStyle = color;
        ctx.font = `${11 * px}px system-ui, sans-serif`;
        ctx.textAlign = x > left + width - 60 * px ? 'right' : 'left';
        ctx.fillText(label, x + (ctx.textAlign === 'right' ? -4 : 4) * px, top + 12 * px);
      }
      ctx.restore();
      return true;
    };

    const drawBands = (u: uPlot) => {
      const { ctx } = u;
      const { left, top, width, height } = u.bbox;
      let drawn = 0;
      ctx.save();
      ctx.fillStyle = BAND_COLOR;
      for (const band of markers.incidents) {
        const x0 = Math.max(left, u.valToPos(band.start / 1000, 'x', true));
        const x1 = band.end === null ? left + width : Math.min(left + width, u.valToPos(band.end / 1000, 'x', true));
        if (x1 < left || x0 > left + width) continue;
        ctx.fillRect(x0, top, Math.max(2 * px, x1 - x0), height);
        drawn += 1;
      }
      ctx.restore();
      el.dataset.incidentBands = String(drawn);
    };

    const drawMarkers = (u: uPlot) => {
      const releases = markers.releases.filter((r) => vline(u, r.at, RELEASE_COLOR, [6, 4], r.label)).length;
      const detections = markers.incidents.filter((b) => vline(u, b.detected, DETECTED_COLOR, [])).length;
      el.dataset.releaseMarkers = String(releases);
      el.dataset.detectionMarkers = String(detections);
      el.dataset.drawn = 'true';
    };

    const size = () => ({ width: Math.max(200, el.clientWidth), height: el.clientWidth < 600 ? 220 : 300 });
    const opts: uPlot.Options = {
      ...size(),
      scales: {
        x: { time: true, range: () => [from / 1000, to / 1000] },
        rate: { range: (_u, _min, max) => [0, Math.min(1, Math.max(0.05, (max ?? 0) * 1.15))] },
        n: { range: (_u, _min, max) => [0, Math.max(1, (max ?? 0) * 3)] },
      },
      series: [
        { value: (_u, v) => (v === null ? '–' : clockTime(v * 1000)) },
        {
          label: 'Attempts',
          scale: 'n',
          fill: ATTEMPTS_COLOR,
          stroke: ATTEMPTS_COLOR,
          paths: uPlot.paths.bars!({ size: [1, Infinity], gap: 0 }),
          points: { show: false },
          value: (_u, v) => (v === null ? '–' : count(v)),
        },
        ...data.lines.map((line, i) => ({
          label: line.label,
          scale: 'rate',
          stroke: LINE_COLORS[i % LINE_COLORS.length],
          width: 2,
          spanGaps: false,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : percent(v)),
        })),
      ],
      axes: [
        {
          stroke: '#444',
          grid: { stroke: '#eee' },
          ticks: { stroke: '#ddd' },
          // 24-hour times in the reader's zone; the day too once the range spans days.
          values: (_u, ticks) => ticks.map((t) => (to - from > 86_400_000 ? dayTime(t * 1000) : clockTime(t * 1000))),
        },
        {
          scale: 'rate',
          stroke: '#444',
          grid: { stroke: '#eee' },
          ticks: { stroke: '#ddd' },
          size: 48,
          values: (_u, ticks) => ticks.map((t) => percent(t, t < 0.1 && t !== 0 ? 1 : 0)),
        },
        {
          scale: 'n',
          side: 1,
          stroke: '#777',
          grid: { show: false },
          size: 44,
          values: (_u, ticks) => ticks.map((t) => compact.format(t)),
        },
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: { drawClear: [drawBands], draw: [drawMarkers] },
    };
    const plot = new uPlot(opts, [data.xs, data.attempts, ...data.lines.map((l) => l.rates)] as uPlot.AlignedData, el);
    const observer = new ResizeObserver(() => plot.setSize(size()));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
      delete el.dataset.drawn;
    };
  }, [data, markers, from, to]);

  return (
    <figure className="chart">
      <figcaption>{caption}</figcaption>
      <div ref={box} className="chart-canvas" role="img" aria-label={`${caption}. ${describe(data, markers)}`} />
      <MarkerList markers={markers} />
    </figure>
  );
}

/** The chart's story in words: a canvas says nothing to a screen reader. */
export function describe(data: ChartData, markers: Markers): string {
  const parts = data.lines.map((line) => {
    let peak = -1;
    let at = 0;
    line.rates.forEach((r, i) => {
      if (r !== null && r > peak) {
        peak = r;
        at = data.xs[i]!;
      }
    });
    return peak < 0 ? `${line.label}: no logins` : `${line.label}: peak ${percent(peak)} at ${dayTime(at * 1000)}`;
  });
  const attempts = data.attempts.reduce((s, n) => s + n, 0);
  parts.push(`${count(attempts)} login attempts`);
  if (markers.releases.length) parts.push(`${markers.releases.length} release(s)`);
  if (markers.incidents.length) parts.push(`${markers.incidents.length} incident(s)`);
  return parts.join('; ');
}

function MarkerList({ markers }: { markers: Markers }) {
  if (markers.releases.length === 0 && markers.incidents.length === 0) return null;
  return (
    <ul className="chart-markers" aria-label="Markers on the chart">
      {markers.releases.map((r) => (
        <li key={`r${r.at}${r.label}`}>
          <span className="swatch swatch-release" aria-hidden="true" /> Release {r.label} · {dayTime(r.at)}
        </li>
      ))}
      {markers.incidents.map((b) => (
        <li key={b.id}>
          <span className="swatch swatch-band" aria-hidden="true" /> Incident {dayTime(b.start)} → {b.end === null ? 'ongoing' : clockTime(b.end)}
          <span className="swatch swatch-detected" aria-hidden="true" /> detected {clockTime(b.detected)}
        </li>
      ))}
    </ul>
  );
}
