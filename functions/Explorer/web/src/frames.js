// A frame is what the chart draws: a regular grid of bucket times (ms) and one array of values
// per series, null where a bucket is empty, so gaps stay gaps.
import { alignDown } from './time.js';

/** Which live group a point or answer series belongs to: the group-by tag's value, or one group. */
export function groupKey(tags, groupBy) {
  return groupBy ? (tags?.[groupBy] ?? '') : '';
}

export function seriesLabel(key, { groupBy, fn, metric }) {
  if (!groupBy) return `${fn}(${metric})`;
  return key === '' ? `(no ${groupBy})` : key;
}

export function emptySeries(key, query, length) {
  return { key, label: seriesLabel(key, query), values: new Array(length).fill(null) };
}

/** The aggregate answer on the grid [alignDown(from), to) of the step. */
export function frameFromAggregate(answer, query) {
  const { step } = query;
  const start = alignDown(query.from, step);
  const times = new Set();
  for (let t = start; t < query.to; t += step) times.add(t);
  const parsed = answer.series.map((s) => s.points.map((p) => [Date.parse(p.timestamp), p.value]));
  // The grid should hold every bucket already; a bucket outside it is kept rather than dropped.
  for (const points of parsed) for (const [t] of points) times.add(t);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const series = answer.series.map((s, i) => {
    const item = emptySeries(groupKey(s.tags, query.groupBy), query, xs.length);
    for (const [t, value] of parsed[i]) item.values[index.get(t)] = value;
    return item;
  });
  return { xs, series, step, query };
}
