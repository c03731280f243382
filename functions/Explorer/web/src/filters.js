// Tag filters (key and value pickers from /api/metrics/{metric}/tags; all filters must match)
// and the group-by picker, which offers the same keys.
export class TagControls {
  constructor({ onFilters, onGroupBy }) {
    this.rows = document.getElementById('filter-rows');
    this.groupBy = document.getElementById('group-by');
    this.tags = {};
    this.onFilters = onFilters;
    document.getElementById('add-filter').addEventListener('click', () => {
      const key = Object.keys(this.tags)[0] ?? '';
      this.rows.append(this.row(key, ''));
      this.rows.lastElementChild?.querySelector('select')?.focus();
    });
    this.groupBy.addEventListener('change', () => onGroupBy(this.groupBy.value));
  }

  /** The metric's tag keys and values; filters and group-by keep values that are not there, marked. */
  setTags(tags) {
    this.tags = tags;
  }

  show(state) {
    this.rows.replaceChildren(...state.tags.map(([key, value]) => this.row(key, value)));
    const keys = new Set(Object.keys(this.tags));
    if (state.groupBy) keys.add(state.groupBy);
    this.groupBy.replaceChildren(option('', '(none)'), ...[...keys].sort().map((key) => option(key, key)));
    this.groupBy.value = state.groupBy;
  }

  row(key, value) {
    const row = document.createElement('div');
    row.className = 'filter';
    const index = this.rows.children.length + 1;
    const keySelect = select(`Filter ${index} tag key`, ['', ...Object.keys(this.tags)], key, '(key)');
    const valueSelect = select(`Filter ${index} tag value`, ['', ...(this.tags[key] ?? [])], value, '(value)');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = '×';
    remove.setAttribute('aria-label', `Remove filter ${index}`);
    keySelect.addEventListener('change', () => {
      const values = ['', ...(this.tags[keySelect.value] ?? [])];
      valueSelect.replaceChildren(...values.map((v) => option(v, v || '(value)')));
    });
    valueSelect.addEventListener('change', () => this.changed());
    remove.addEventListener('click', () => {
      row.remove();
      this.changed();
    });
    row.append(keySelect, document.createTextNode('='), valueSelect, remove);
    return row;
  }

  changed() {
    const tags = [];
    for (const row of this.rows.children) {
      const [key, value] = [...row.querySelectorAll('select')].map((s) => s.value);
      if (key && value) tags.push([key, value]);
    }
    this.onFilters(tags);
  }
}

function option(value, text) {
  const element = document.createElement('option');
  element.value = value;
  element.textContent = text;
  return element;
}

function select(label, values, chosen, placeholder) {
  const element = document.createElement('select');
  element.setAttribute('aria-label', label);
  const all = values.includes(chosen) ? values : [...values, chosen];
  element.append(...all.map((v) => option(v, v || placeholder)));
  element.value = chosen;
  return element;
}
