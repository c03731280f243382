// The controls other than the metric and tag pickers: function, step, range, live, time zone and
// view. Each user change goes to the store; showControls() reflects a state back into them.
import { showError } from './errors.js';
import { fromInputValue, inputValue, parseStep, resolveRange } from './time.js';

const $ = (id) => document.getElementById(id);

export function bindControls(store) {
  $('fn').addEventListener('change', (event) => store.set({ fn: event.target.value }));

  $('step').addEventListener('change', (event) => {
    const text = event.target.value.trim();
    if (text === '' || parseStep(text) !== null) {
      store.set({ step: text });
    } else {
      showError({ parameter: 'step', message: `"${text}" is not a step such as 10s, 1m or 1h` });
    }
  });

  for (const button of document.querySelectorAll('[data-range]')) {
    button.addEventListener('click', () => store.set({ range: button.dataset.range, from: null, to: null }));
  }

  $('custom-range').addEventListener('submit', (event) => {
    event.preventDefault();
    const { tz } = store.state;
    const from = fromInputValue($('from').value, tz);
    const to = fromInputValue($('to').value, tz);
    if (from === null) showError({ parameter: 'from', message: 'from is not a date and time' });
    else if (to === null) showError({ parameter: 'to', message: 'to is not a date and time' });
    else if (to <= from) showError({ parameter: 'to', message: 'to must be later than from' });
    else store.set({ range: 'custom', from, to });
  });

  $('live').addEventListener('change', (event) => {
    const { range } = store.state;
    // Live mode slides a preset's window; from a custom range it starts at the last hour.
    store.set({ live: event.target.checked, ...(range === 'custom' ? { range: '1h', from: null, to: null } : {}) });
  });

  for (const button of document.querySelectorAll('[data-tz]')) {
    button.addEventListener('click', () => store.set({ tz: button.dataset.tz }));
  }

  const tabs = [...document.querySelectorAll('[role="tab"]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => store.set({ view: tab.dataset.view }));
    tab.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      const next = tabs[(tabs.indexOf(tab) + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
      next.focus();
      store.set({ view: next.dataset.view });
    });
  }
}

export function showControls(state, autoStepText) {
  $('fn').value = state.fn;
  if (document.activeElement !== $('step')) $('step').value = state.step;
  $('step').placeholder = autoStepText ? `auto ${autoStepText}` : 'auto';
  $('step-hint').textContent = state.step ? 'set by you; empty it for automatic' : `automatic: ${autoStepText || '—'}`;
  for (const button of document.querySelectorAll('[data-range]')) {
    button.setAttribute('aria-pressed', String(state.range === button.dataset.range));
  }
  const { from, to } = resolveRange(state, Date.now());
  $('from').value = inputValue(from, state.tz);
  $('to').value = inputValue(to, state.tz);
  $('live').checked = state.live;
  for (const button of document.querySelectorAll('[data-tz]')) {
    button.setAttribute('aria-pressed', String(state.tz === button.dataset.tz));
  }
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.dataset.view === state.view;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  $('chart-panel').hidden = state.view !== 'chart';
  $('table-panel').hidden = state.view !== 'table';
}
