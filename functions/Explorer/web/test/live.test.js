import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveFolder } from '../src/live.js';

const STEP = 10_000;

function frame(fn, groupBy = 'host') {
  const xs = [0, STEP, 2 * STEP];
  return { xs, step: STEP, query: { metric: 'm', fn, groupBy }, series: [{ key: 'a', label: 'a', values: [1, null, 3] }] };
}

const point = (ms, value, host = 'a') => ({ metric: 'm', tags: { host }, timestamp: new Date(ms).toISOString(), value });

test('points fold into buckets after the history; older ones are left to it', () => {
  const folder = new LiveFolder(frame('avg'), { windowMs: 10 * STEP, liveFrom: 3 * STEP });
  folder.add([point(2 * STEP + 1, 100), point(3 * STEP + 1, 4), point(3 * STEP + 2, 6), point(4 * STEP, 10)]);
  assert.deepEqual(folder.frame.xs, [0, STEP, 2 * STEP, 3 * STEP, 4 * STEP]);
  assert.deepEqual(folder.frame.series[0].values, [1, null, 3, 5, 10]);
});

for (const [fn, expected] of [['sum', 10], ['count', 3], ['min', 1], ['max', 6], ['p50', 3], ['p90', 5.4], ['p99', 5.94]]) {
  test(`${fn} of a live bucket`, () => {
    const folder = new LiveFolder(frame(fn), { windowMs: 10 * STEP, liveFrom: 3 * STEP });
    folder.add([point(3 * STEP, 6), point(3 * STEP + 1, 1), point(3 * STEP + 2, 3)]);
    assert.ok(Math.abs(folder.frame.series[0].values[3] - expected) < 1e-9, `${fn}: ${folder.frame.series[0].values[3]}`);
  });
}

test('a new group gets a new line, empty before it appeared', () => {
  const folder = new LiveFolder(frame('avg'), { windowMs: 10 * STEP, liveFrom: 3 * STEP });
  assert.equal(folder.add([point(3 * STEP, 2, 'b')]), true);
  assert.deepEqual(folder.frame.series.map((s) => s.key), ['a', 'b']);
  assert.deepEqual(folder.frame.series[1].values, [null, null, null, 2]);
});

test('the window slides: buckets older than its length leave on the left', () => {
  const folder = new LiveFolder(frame('avg'), { windowMs: 2 * STEP, liveFrom: 3 * STEP });
  assert.equal(folder.extendTo(5 * STEP + 5), true);
  assert.deepEqual(folder.frame.xs, [3 * STEP, 4 * STEP, 5 * STEP]);
  assert.deepEqual(folder.frame.series[0].values, [null, null, null]);
  assert.equal(folder.extendTo(5 * STEP + 6), false);
});

test('caught-up points count once when the stream brings them again', () => {
  const folder = new LiveFolder(frame('count'), { windowMs: 10 * STEP, liveFrom: 3 * STEP });
  folder.catchUp([point(3 * STEP + 1, 4), point(3 * STEP + 2, 6)]);
  folder.add([point(3 * STEP + 2, 6), point(3 * STEP + 3, 8), point(3 * STEP + 1, 4, 'b')]);
  assert.deepEqual(folder.frame.series.map((s) => [s.key, s.values[3]]), [['a', 3], ['b', 1]]);
});
