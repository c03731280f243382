// The explorer page: wires the controls, the chart and the table to the state in the URL.
import { getJson } from './api.js';
import { ChartView } from './chartview.js';
import { bindControls, showControls } from './controls.js';
import { clearErrors, showError } from './errors.js';
import { TagControls } from './filters.js';
import { MetricPicker } from './picker.js';
import { Store } from './state.js';
import { RawTable } from './table.js';
import { formatStep, resolveRange } from './time.js';

const store = new Store();
let generation = 0;
let settled = -1;
let tagsFor = null;

const report = (error) => showError(error);
const view = new ChartView({
  onZoom: (from, to) => store.set({ range: 'custom', from, to, live: false }),
  onError: report,
});
const table = new RawTable({ onError: report });
const picker = new MetricPicker((metric) => store.set({ metric, tags: [], groupBy: '' }));
const tags = new TagControls({
  onFilters: (chosen) => store.set({ tags: chosen }),
  onGroupBy: (groupBy) => store.set({ groupBy }),
});
bindControls(store);

// One load per metric, shared by the renders that wait for it.
function loadTags(metric) {
  if (tagsFor?.metric !== metric) {
    const loading = getJson(`/api/metrics/${encodeURIComponent(metric)}/tags`)
      .then((answer) => tags.setTags(answer.tags))
      .catch((error) => {
        tags.setTags({});
        if (tagsFor?.loading === loading) tagsFor = null;
        report(error);
      });
    tagsFor = { metric, loading };
  }
  return tagsFor.loading;
}

async function render(state) {
  generation += 1;
  const mine = generation;
  clearErrors();
  showControls(state, state.step ? '' : formatStep(view.step(state)));
  picker.setValue(state.metric);
  if (!state.metric) {
    view.stop();
    tags.setTags({});
    tags.show(state);
    document.getElementById('status').textContent = 'Pick a metric to start.';
    settled = mine;
    return;
  }
  // The tag pickers and the view load side by side: neither needs the other.
  const tagsLoaded = loadTags(state.metric).then(() => {
    if (mine === generation) tags.show(state);
  });
  if (state.view === 'table') {
    view.stop();
    const { from, to } = resolveRange(state, Date.now());
    await table.load({ metric: state.metric, tags: state.tags, from, to }, state.tz);
  } else {
    await view.show(state);
  }
  await tagsLoaded;
  // Live mode is settled once its stream is asked for; its history and points come after.
  if (mine === generation) settled = mine;
}

store.subscribe(render);

async function start() {
  // A view named by the URL is drawn at once; the metric list comes alongside.
  if (store.state.metric) render(store.state);
  try {
    const { metrics } = await getJson('/api/metrics');
    picker.setMetrics(metrics);
    // A first visit shows something at once: the first metric, without a history entry.
    if (!store.state.metric && metrics.length) store.set({ metric: metrics[0].metric }, { replace: true });
    else if (!store.state.metric) render(store.state);
  } catch (error) {
    report(error);
    if (!store.state.metric) render(store.state);
  }
}

// For tests, and for a curious user in the console: what is drawn and what was asked.
window.__explorer = {
  chartData: () => view.data(),
  lastQuery: () => view.lastQuery,
  state: () => structuredClone(store.state),
  idle: () => settled === generation,
  live: () => document.getElementById('live-status').textContent,
};

start();
