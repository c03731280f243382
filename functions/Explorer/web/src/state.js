// The whole view lives in the URL's query string, so a link reproduces it. User changes push a
// history entry; back and forward restore the view from the URL.
import { PRESETS, isoText, parseStep, parseTime } from './time.js';

const FUNCTIONS = ['avg', 'min', 'max', 'sum', 'count', 'p50', 'p90', 'p99'];

export const DEFAULTS = Object.freeze({
  metric: '',
  tags: [],
  range: '1h',
  from: null,
  to: null,
  fn: 'avg',
  step: '',
  groupBy: '',
  view: 'chart',
  tz: 'local',
  live: false,
});

export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const state = { ...DEFAULTS, tags: [] };
  state.metric = q.get('metric') ?? '';
  for (const tag of q.getAll('tag')) {
    const at = tag.indexOf(':');
    if (at > 0) state.tags.push([tag.slice(0, at), tag.slice(at + 1)]);
  }
  const from = parseTime(q.get('from'));
  const to = parseTime(q.get('to'));
  if (from !== null && to !== null && to > from) {
    Object.assign(state, { range: 'custom', from, to });
  } else if (q.get('range') in PRESETS) {
    state.range = q.get('range');
  }
  if (FUNCTIONS.includes(q.get('fn'))) state.fn = q.get('fn');
  if (q.get('step') && parseStep(q.get('step')) !== null) state.step = q.get('step');
  state.groupBy = q.get('groupBy') ?? '';
  if (q.get('view') === 'table') state.view = 'table';
  if (q.get('tz') === 'utc') state.tz = 'utc';
  state.live = q.get('live') === '1' && state.range !== 'custom';
  return state;
}

export function toQuery(state) {
  const q = new URLSearchParams();
  if (state.metric) q.set('metric', state.metric);
  for (const [key, value] of state.tags) q.append('tag', `${key}:${value}`);
  if (state.range === 'custom') {
    q.set('from', isoText(state.from));
    q.set('to', isoText(state.to));
  } else {
    q.set('range', state.range);
  }
  if (state.fn !== DEFAULTS.fn) q.set('fn', state.fn);
  if (state.step) q.set('step', state.step);
  if (state.groupBy) q.set('groupBy', state.groupBy);
  if (state.view !== DEFAULTS.view) q.set('view', state.view);
  if (state.tz !== DEFAULTS.tz) q.set('tz', state.tz);
  if (state.live) q.set('live', '1');
  return q.toString();
}

/** Holds the state; every change goes through set(), which updates the URL and tells listeners. */
export class Store {
  constructor() {
    this.state = fromQuery(window.location.search);
    this.listeners = [];
    window.addEventListener('popstate', () => {
      this.state = fromQuery(window.location.search);
      this.emit();
    });
    window.history.replaceState(null, '', this.url());
  }

  url() {
    return `${window.location.pathname}?${toQuery(this.state)}`;
  }

  subscribe(listener) {
    this.listeners.push(listener);
  }

  /** A user's change: a new history entry, unless replace is asked for (typing, corrections). */
  set(patch, { replace = false } = {}) {
    const next = { ...this.state, ...patch };
    if (next.range === 'custom') next.live = false;
    this.state = next;
    const url = this.url();
    if (url !== window.location.pathname + window.location.search) {
      if (replace) window.history.replaceState(null, '', url);
      else window.history.pushState(null, '', url);
    }
    this.emit();
  }

  emit() {
    for (const listener of this.listeners) listener(this.state);
  }
}
