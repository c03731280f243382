// The time-series chart: uPlot, one line per series. Dragging across it selects a range, which
// becomes the new view (the URL changes and the range is queried again at a finer step).
import uPlot from 'uplot';
import { formatTime } from './time.js';
import { formatValue } from './units.js';

const HEIGHT = 380;
const PALETTE = [
  '#2f6fdf', '#e8590c', '#2b9a66', '#c2255c', '#7048e8', '#0c8599', '#b08900', '#5c7cfa',
  '#d6336c', '#37b24d', '#f76707', '#1098ad', '#862e9c', '#74b816', '#495057', '#e64980',
];

const utcDate = (seconds) => uPlot.tzDate(new Date(seconds * 1e3), 'Etc/UTC');

// uPlot draws points only where lines are sparse; a value with empty buckets on both sides would
// have no line at all, so those are always drawn as points.
function isolated(u, seriesIdx, show) {
  if (show) return null;
  const values = u.data[seriesIdx];
  const found = [];
  for (let i = 0; i < values.length; i += 1) {
    if (values[i] != null && values[i - 1] == null && values[i + 1] == null) found.push(i);
  }
  return found.length ? found : null;
}

export class Chart {
  constructor(container, { onZoom }) {
    this.container = container;
    this.onZoom = onZoom;
    this.plot = null;
    this.frame = null;
    new ResizeObserver(() => {
      if (this.plot && this.container.clientWidth > 0) this.plot.setSize({ width: this.container.clientWidth, height: HEIGHT });
    }).observe(container);
  }

  /** The plot area's width for choosing a step: the container less the y axis. */
  plotWidth() {
    return Math.max(200, (this.container.clientWidth || 800) - 80);
  }

  render(frame, { unit, tz }) {
    this.frame = frame;
    this.unit = unit;
    this.plot?.destroy();
    const format = (u, value) => formatValue(value, unit);
    const options = {
      width: this.container.clientWidth || 800,
      height: HEIGHT,
      tzDate: tz === 'utc' ? utcDate : undefined,
      cursor: { drag: { x: true, y: false, setScale: false } },
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.15)' } },
        {
          stroke: 'currentColor',
          grid: { stroke: 'rgba(128,128,128,0.15)' },
          label: unit || undefined,
          size: 72,
          values: (u, splits) => splits.map((v) => formatValue(v, unit, 3)),
        },
      ],
      series: [
        { label: tz === 'utc' ? 'Time (UTC)' : 'Time', value: (u, t) => (t == null ? '—' : formatTime(t * 1e3, tz)) },
        ...frame.series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: false,
          value: format,
          points: { filter: isolated },
        })),
      ],
      hooks: { setSelect: [(u) => this.selected(u)] },
    };
    this.plot = new uPlot(options, this.uplotData(), this.container);
  }

  /** After live points changed the frame in place: same series, new values. */
  update() {
    if (this.plot) this.plot.setData(this.uplotData());
  }

  uplotData() {
    return [this.frame.xs.map((t) => t / 1e3), ...this.frame.series.map((s) => s.values)];
  }

  selected(u) {
    if (u.select.width < 3) return;
    const from = u.posToVal(u.select.left, 'x') * 1e3;
    const to = u.posToVal(u.select.left + u.select.width, 'x') * 1e3;
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.onZoom(Math.floor(from), Math.ceil(to));
  }

  /** What is drawn, for tests and for anyone curious in the console. */
  data() {
    if (!this.frame) return null;
    return {
      labels: this.frame.series.map((s) => s.label),
      timestamps: [...this.frame.xs],
      values: this.frame.series.map((s) => [...s.values]),
      hidden: this.plot ? this.plot.series.slice(1).map((s) => !s.show) : [],
    };
  }

  clear() {
    this.plot?.destroy();
    this.plot = null;
    this.frame = null;
  }
}
