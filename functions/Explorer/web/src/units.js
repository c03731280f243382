// Metrics carry no unit, so the axis takes one from the common name suffixes (Prometheus style);
// counts are plain numbers whatever the metric.
const SUFFIXES = [
  [/(_bytes|_bytes_total)$/, 'bytes'],
  [/(_seconds|_seconds_total|_duration)$/, 's'],
  [/(_milliseconds|_ms)$/, 'ms'],
  [/(_percent|_pct|_usage_user|_usage_system|_usage_idle)$/, '%'],
  [/(_celsius|_temp|_temperature)$/, '°C'],
];

export function unitOf(metric, fn) {
  if (fn === 'count') return 'count';
  return SUFFIXES.find(([pattern]) => pattern.test(metric))?.[1] ?? '';
}

const BYTES = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const SI = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

function trim(value, digits) {
  return Number(value.toPrecision(digits)).toString();
}

/** A value for an axis tick, the legend or the table. */
export function formatValue(value, unit, digits = 4) {
  if (value == null || Number.isNaN(value)) return '—';
  if (unit === 'bytes') {
    let scaled = value;
    let i = 0;
    while (Math.abs(scaled) >= 1024 && i < BYTES.length - 1) {
      scaled /= 1024;
      i += 1;
    }
    return `${trim(scaled, digits)} ${BYTES[i]}`;
  }
  const abs = Math.abs(value);
  const si = abs >= 1e4 ? SI.find(([size]) => abs >= size) : null;
  const text = si ? `${trim(value / si[0], digits)}${si[1]}` : trim(value, digits);
  return unit && unit !== 'count' ? `${text} ${unit}` : text;
}
