// Live mode folds tail points into the chart's frame without querying again: each group (the
// group-by tag's value, or the one series) gets the step's buckets from where the history query
// ended, and the window slides so it always spans the preset's length ending now.
import { emptySeries, groupKey } from './frames.js';
import { alignDown } from './time.js';

const QUANTILES = { p50: 0.5, p90: 0.9, p99: 0.99 };

// One point of one series: the API writes tags sorted by key, in the tail and the points API alike.
function pointId(point) {
  return `${JSON.stringify(point.tags)}\u0000${point.timestamp}`;
}

// Linear interpolation between the nearest ranks, as DuckDB's quantile_cont does on the server.
function quantile(sorted, q) {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

function evaluate(bucket, fn) {
  switch (fn) {
    case 'sum': return bucket.sum;
    case 'count': return bucket.count;
    case 'min': return bucket.min;
    case 'max': return bucket.max;
    case 'avg': return bucket.sum / bucket.count;
    default: return quantile(bucket.values.sort((a, b) => a - b), QUANTILES[fn]);
  }
}

export class LiveFolder {
  /** frame: the history, whose grid ends at liveFrom (the query's `to`, aligned to the step). */
  constructor(frame, { windowMs, liveFrom }) {
    this.frame = frame;
    this.windowMs = windowMs;
    this.liveFrom = liveFrom;
    this.buckets = new Map(); // `${group}\u0000${bucketStart}` -> running figures
    this.keepValues = frame.query.fn in QUANTILES;
    // Points read by catchUp: the stream may bring some of them again, and each must count once.
    this.seen = new Set();
  }

  /**
   * Folds in the points committed between the history's end and the stream's start, read from
   * the points API, so the bucket in progress is whole; remembers them so the stream's copies
   * of the same points are not counted twice.
   */
  catchUp(points) {
    for (const point of points) this.seen.add(pointId(point));
    return this.add(points, true);
  }

  /** Folds a batch in; answers whether a new group appeared (the chart must be built again). */
  add(points, caughtUp = false) {
    const { frame } = this;
    const { fn, groupBy, metric } = frame.query;
    let newSeries = false;
    for (const point of points) {
      const time = Date.parse(point.timestamp);
      // Older points are already in the history (or arrived too late to change it).
      if (point.metric !== metric || !(time >= this.liveFrom)) continue;
      if (!caughtUp && this.seen.size > 0 && this.seen.has(pointId(point))) continue;
      const start = alignDown(time, frame.step);
      this.extendTo(start);
      // Searching from the end: live points land in the last buckets.
      const index = frame.xs.lastIndexOf(start);
      if (index < 0) continue;
      const key = groupKey(point.tags, groupBy);
      let series = frame.series.find((s) => s.key === key);
      if (!series) {
        series = emptySeries(key, frame.query, frame.xs.length);
        frame.series.push(series);
        newSeries = true;
      }
      const id = `${key}\u0000${start}`;
      let bucket = this.buckets.get(id);
      if (!bucket) {
        bucket = { sum: 0, count: 0, min: Infinity, max: -Infinity, values: this.keepValues ? [] : null };
        this.buckets.set(id, bucket);
      }
      bucket.sum += point.value;
      bucket.count += 1;
      bucket.min = Math.min(bucket.min, point.value);
      bucket.max = Math.max(bucket.max, point.value);
      bucket.values?.push(point.value);
      series.values[index] = evaluate(bucket, fn);
    }
    return newSeries;
  }

  /** Adds empty buckets up to the one holding `time`, drops those that left the window; answers whether any did. */
  extendTo(time) {
    const { frame } = this;
    const last = alignDown(time, frame.step);
    let next = frame.xs.length ? frame.xs.at(-1) + frame.step : this.liveFrom;
    const changed = next <= last;
    for (; next <= last; next += frame.step) {
      frame.xs.push(next);
      for (const series of frame.series) series.values.push(null);
    }
    const cutoff = alignDown(last - this.windowMs, frame.step);
    let drop = 0;
    while (drop < frame.xs.length && frame.xs[drop] < cutoff) drop += 1;
    if (drop > 0) {
      frame.xs.splice(0, drop);
      for (const series of frame.series) series.values.splice(0, drop);
      for (const id of this.buckets.keys()) {
        if (Number(id.slice(id.indexOf('\u0000') + 1)) < cutoff) this.buckets.delete(id);
      }
    }
    return changed;
  }
}
