// The chart view: queries /api/query/aggregate for the state, draws the answer, and in live mode
// keeps it current from the tail (see live.js) instead of querying again.
import { getJson, params } from './api.js';
import { Chart } from './chart.js';
import { frameFromAggregate } from './frames.js';
import { LiveFolder } from './live.js';
import { TailClient } from './tail.js';
import { PRESETS, alignDown, autoStep, formatStep, isoText, parseStep, resolveRange } from './time.js';
import { unitOf } from './units.js';

const $ = (id) => document.getElementById(id);
const CATCH_UP_PAGE_SIZE = 10000;
const CATCH_UP_PAGES = 5;

export class ChartView {
  constructor({ onZoom, onError }) {
    this.chart = new Chart($('chart'), { onZoom });
    this.onError = onError;
    this.lastQuery = null;
    this.tail = new TailClient({
      onOpen: (needsHistory) => needsHistory && this.loadLiveHistory(),
      onPoints: (points) => this.livePoints(points),
      onStatus: (text) => { $('live-status').textContent = text; },
      onFatal: (error) => {
        $('live-status').textContent = 'stopped';
        this.onError(error);
      },
    });
    // The window slides even when no point arrives.
    setInterval(() => {
      if (this.folder?.extendTo(Date.now())) this.chart.update();
    }, 1000);
  }

  /** The step the state asks for, or the automatic one for its range and the chart's width. */
  step(state) {
    if (state.step) return parseStep(state.step);
    const { from, to } = resolveRange(state, Date.now());
    return autoStep(to - from, this.chart.plotWidth());
  }

  stop() {
    this.controller?.abort();
    this.tail.stop();
    this.folder = null;
    $('live-status').textContent = '';
  }

  /** Draws the state's chart; resolves when it is drawn or its error shown. */
  async show(state) {
    this.stop();
    this.state = state;
    this.stepMs = this.step(state);
    if (state.live) {
      this.buffered = [];
      this.tail.start(state.metric, state.tags);
      return;
    }
    const now = Date.now();
    const range = resolveRange(state, now);
    // A preset ends with the bucket that holds now, as the API does when `to` is left out.
    const to = state.range === 'custom' ? range.to : alignDown(now, this.stepMs) + this.stepMs;
    await this.draw(state, alignDown(range.from, this.stepMs), to);
  }

  async draw(state, from, to) {
    this.controller = new AbortController();
    const started = performance.now();
    const query = params({
      metric: state.metric,
      tag: state.tags.map(([k, v]) => `${k}:${v}`),
      from: isoText(from),
      to: isoText(to),
      step: formatStep(this.stepMs),
      fn: state.fn,
      groupBy: state.groupBy,
    });
    this.lastQuery = `/api/query/aggregate?${query}`;
    try {
      const answer = await getJson('/api/query/aggregate', query, this.controller.signal);
      const frame = frameFromAggregate(answer, { metric: state.metric, fn: state.fn, groupBy: state.groupBy, from, to, step: this.stepMs });
      this.render(frame, state);
      $('status').textContent = `${frame.series.length} series · step ${formatStep(this.stepMs)} · ${Math.round(performance.now() - started)} ms`;
      return frame;
    } catch (error) {
      if (error.name === 'AbortError') return null;
      this.chart.clear();
      this.empty(`No chart: ${error.message}`);
      $('status').textContent = '';
      this.onError(error);
      return null;
    }
  }

  render(frame, state) {
    if (frame.series.length === 0 && !state.live) {
      this.chart.clear();
      this.empty('No points match this selection in this range.');
      return;
    }
    this.empty(null);
    this.chart.render(frame, { unit: unitOf(state.metric, state.fn), tz: state.tz });
    // The canvas says nothing to a screen reader; the legend below it lists the lines' values.
    const names = frame.series.slice(0, 10).map((s) => s.label).join(', ');
    $('chart').setAttribute('aria-label', `Chart of ${state.fn} ${state.metric}, ${frame.series.length} lines: ${names}${frame.series.length > 10 ? '…' : ''}`);
    if (!performance.getEntriesByName('first-chart').length) performance.mark('first-chart');
  }

  empty(text) {
    $('chart-empty').hidden = !text;
    $('chart-empty').textContent = text ?? '';
  }

  /** The history up to the last whole step; live buckets start where it ends. */
  async loadLiveHistory() {
    const { state } = this;
    const windowMs = PRESETS[state.range];
    const now = Date.now();
    const to = alignDown(now, this.stepMs);
    this.folder = null;
    const frame = await this.draw(state, alignDown(now - windowMs, this.stepMs), to);
    if (!frame || this.state !== state) return;
    const folder = new LiveFolder(frame, { windowMs, liveFrom: to });
    folder.extendTo(Date.now());
    // Stream points keep buffering until the catch-up is in, then are folded after it.
    if (!(await this.catchUp(state, folder, to)) || this.state !== state) return;
    this.folder = folder;
    const buffered = this.buffered;
    this.buffered = [];
    this.livePoints(buffered, true);
  }

  /**
   * The points committed from the history's end until now, from the points API, a bounded number
   * of pages: with more than that, the bucket in progress stays short of them, as before.
   */
  async catchUp(state, folder, from) {
    let cursor = null;
    for (let page = 0; page < CATCH_UP_PAGES; page += 1) {
      const query = params({
        metric: state.metric,
        tag: state.tags.map(([k, v]) => `${k}:${v}`),
        from: isoText(from),
        limit: CATCH_UP_PAGE_SIZE,
        cursor,
      });
      let answer;
      try {
        answer = await getJson('/api/query/points', query);
      } catch (error) {
        this.onError(error);
        return false;
      }
      folder.catchUp(answer.points);
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    return true;
  }

  livePoints(points, redraw = false) {
    if (!this.folder) {
      this.buffered.push(...points);
      return;
    }
    const grew = this.folder.add(points);
    if (grew || redraw) this.render(this.folder.frame, this.state);
    else this.chart.update();
  }

  data() {
    return this.chart.data();
  }
}
