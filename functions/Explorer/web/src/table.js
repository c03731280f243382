// The raw points of the selection, a page at a time from /api/query/points. The API pages by
// cursor only forward, so the cursors of the pages seen are kept on a stack for going back.
import { getJson, params } from './api.js';
import { formatTime } from './time.js';

const PAGE_SIZE = 100;

export class RawTable {
  constructor({ onError }) {
    this.body = document.querySelector('#points tbody');
    this.prev = document.getElementById('prev-page');
    this.next = document.getElementById('next-page');
    this.label = document.getElementById('page-label');
    this.onError = onError;
    this.cursors = [];
    this.nextCursor = null;
    this.prev.addEventListener('click', () => this.go(this.cursors.length - 2));
    this.next.addEventListener('click', () => {
      this.cursors.push(this.nextCursor);
      this.go(this.cursors.length - 1);
    });
  }

  /** A new selection starts at its first page. */
  load(selection, tz) {
    this.selection = selection;
    this.tz = tz;
    this.cursors = [null];
    return this.go(0);
  }

  async go(index) {
    this.controller?.abort();
    this.controller = new AbortController();
    this.cursors.length = index + 1;
    const { metric, tags, from, to } = this.selection;
    const query = params({
      metric,
      tag: tags.map(([k, v]) => `${k}:${v}`),
      from,
      to,
      limit: PAGE_SIZE,
      cursor: this.cursors[index],
    });
    this.prev.disabled = true;
    this.next.disabled = true;
    try {
      const page = await getJson('/api/query/points', query, this.controller.signal);
      this.nextCursor = page.nextCursor;
      this.render(page.points, index);
    } catch (error) {
      if (error.name !== 'AbortError') this.onError(error);
    }
  }

  render(points, index) {
    this.body.replaceChildren(...points.map((point) => {
      const row = document.createElement('tr');
      const time = document.createElement('td');
      time.textContent = formatTime(Date.parse(point.timestamp), this.tz);
      const tags = document.createElement('td');
      tags.textContent = Object.entries(point.tags).map(([k, v]) => `${k}=${v}`).join(', ');
      const value = document.createElement('td');
      value.className = 'num';
      value.textContent = String(point.value);
      row.append(time, tags, value);
      return row;
    }));
    if (points.length === 0) {
      const row = document.createElement('tr');
      const cell = document.createElement('td');
      cell.colSpan = 3;
      cell.className = 'empty';
      cell.textContent = 'No points in this range.';
      row.append(cell);
      this.body.append(row);
    }
    const first = index * PAGE_SIZE + 1;
    this.label.textContent = points.length ? `Page ${index + 1} · points ${first}–${first + points.length - 1}` : `Page ${index + 1}`;
    this.prev.disabled = index === 0;
    this.next.disabled = !this.nextCursor;
  }
}
