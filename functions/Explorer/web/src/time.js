// Ranges, steps and time text. Times are Unix milliseconds throughout the page.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const PRESETS = { '15m': 15 * MINUTE, '1h': HOUR, '6h': 6 * HOUR, '24h': DAY, '7d': 7 * DAY };

const UNITS = [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', SECOND], ['ms', 1]];

// Steps a person reads at a glance; the automatic step is the first one that gives no more
// buckets than the chart has room for.
const NICE_STEPS = [
  SECOND, 5 * SECOND, 10 * SECOND, 30 * SECOND,
  MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE,
  HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 7 * DAY,
];

// A bucket every few pixels keeps lines readable and answers small.
const PIXELS_PER_BUCKET = 4;

/** The API's step syntax (10s, 1m, 1h, 500ms) in milliseconds, or null when it is not one. */
export function parseStep(text) {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match || Number(match[1]) <= 0) return null;
  const unit = UNITS.find(([name]) => name === match[2])[1];
  return Number(match[1]) * unit;
}

/** Milliseconds in the API's step syntax, in the largest unit that divides them. */
export function formatStep(ms) {
  for (const [name, size] of UNITS) {
    if (ms % size === 0) return `${ms / size}${name}`;
  }
  return `${ms}ms`;
}

export function autoStep(rangeMs, widthPx) {
  const buckets = Math.max(10, Math.floor(widthPx / PIXELS_PER_BUCKET));
  const wanted = rangeMs / buckets;
  return NICE_STEPS.find((step) => step >= wanted) ?? NICE_STEPS[NICE_STEPS.length - 1];
}

export const alignDown = (t, step) => Math.floor(t / step) * step;

/** The range a state asks for now: a preset ends at now; a custom range is fixed. */
export function resolveRange(state, now) {
  if (state.range !== 'custom') {
    return { from: now - PRESETS[state.range], to: now };
  }
  return { from: state.from, to: state.to };
}

/** Compact ISO text for URLs: no milliseconds when there are none. */
export function isoText(ms) {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function parseTime(text) {
  if (text == null || text === '') return null;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** A time as a datetime-local input's value, in local time or UTC. */
export function inputValue(ms, tz) {
  const d = new Date(ms);
  const utc = tz === 'utc';
  const parts = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${pad(parts[0], 4)}-${pad(parts[1])}-${pad(parts[2])}T${pad(parts[3])}:${pad(parts[4])}:${pad(parts[5])}`;
}

/** A datetime-local input's value read in local time or UTC; null when empty or invalid. */
export function fromInputValue(text, tz) {
  if (!text) return null;
  const ms = Date.parse(tz === 'utc' ? `${text}Z` : text);
  return Number.isFinite(ms) ? ms : null;
}

/** Table and status text: to the millisecond, with the zone said. */
export function formatTime(ms, tz) {
  const d = new Date(ms);
  const text = `${inputValue(ms, tz).replace('T', ' ')}.${pad(tz === 'utc' ? d.getUTCMilliseconds() : d.getMilliseconds(), 3)}`;
  return tz === 'utc' ? `${text} UTC` : text;
}
