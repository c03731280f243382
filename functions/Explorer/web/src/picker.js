// The metric picker: a searchable combobox (ARIA 1.2 pattern) listing every metric with its
// series and point counts from /api/metrics.
const numberFormat = new Intl.NumberFormat();
const MAX_SHOWN = 200;

export class MetricPicker {
  constructor(onPick) {
    this.input = document.getElementById('metric-input');
    this.list = document.getElementById('metric-list');
    this.onPick = onPick;
    this.metrics = [];
    this.shown = [];
    this.active = -1;
    this.input.addEventListener('input', () => this.open());
    this.input.addEventListener('focus', () => this.open());
    this.input.addEventListener('keydown', (event) => this.key(event));
    this.input.addEventListener('blur', () => this.close());
    // mousedown, not click: it comes before the input's blur closes the list.
    this.list.addEventListener('mousedown', (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) {
        event.preventDefault();
        this.pick(option.dataset.metric);
      }
    });
  }

  setMetrics(metrics) {
    this.metrics = metrics;
    if (!this.list.hidden) this.render();
  }

  setValue(metric) {
    this.value = metric;
    if (document.activeElement !== this.input) this.input.value = metric;
  }

  open() {
    this.render();
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.input.value = this.value ?? '';
  }

  render() {
    const needle = this.input.value.trim().toLowerCase();
    const matching = needle && needle !== (this.value ?? '').toLowerCase()
      ? this.metrics.filter((m) => m.metric.toLowerCase().includes(needle))
      : this.metrics;
    this.shown = matching.slice(0, MAX_SHOWN);
    this.active = Math.min(this.active, this.shown.length - 1);
    this.list.replaceChildren(...this.shown.map((m, i) => {
      const li = document.createElement('li');
      li.id = `metric-option-${i}`;
      li.setAttribute('role', 'option');
      li.dataset.metric = m.metric;
      li.setAttribute('aria-selected', String(i === this.active));
      const name = document.createElement('span');
      name.textContent = m.metric;
      const counts = document.createElement('small');
      counts.textContent = `${numberFormat.format(m.series)} series · ${numberFormat.format(m.points)} points`;
      li.append(name, counts);
      return li;
    }));
    if (this.shown.length === 0) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = this.metrics.length ? 'No metric matches' : 'No metrics stored yet';
      this.list.append(li);
    } else if (matching.length > MAX_SHOWN) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = `${matching.length - MAX_SHOWN} more: type to narrow`;
      this.list.append(li);
    }
    if (this.active >= 0) this.input.setAttribute('aria-activedescendant', `metric-option-${this.active}`);
    else this.input.removeAttribute('aria-activedescendant');
  }

  key(event) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (this.list.hidden) this.open();
      const delta = event.key === 'ArrowDown' ? 1 : -1;
      this.active = Math.max(0, Math.min(this.shown.length - 1, this.active + delta));
      this.render();
      document.getElementById(`metric-option-${this.active}`)?.scrollIntoView({ block: 'nearest' });
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const choice = this.shown[this.active] ?? this.shown.find((m) => m.metric === this.input.value.trim()) ?? (this.shown.length === 1 ? this.shown[0] : null);
      if (choice) this.pick(choice.metric);
    } else if (event.key === 'Escape') {
      this.input.blur();
    }
  }

  pick(metric) {
    this.value = metric;
    this.active = -1;
    this.input.blur();
    this.close();
    this.onPick(metric);
  }
}
