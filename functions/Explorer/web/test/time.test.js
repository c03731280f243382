import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autoStep, formatStep, fromInputValue, inputValue, parseStep } from '../src/time.js';

test('steps parse and format in the API syntax', () => {
  assert.equal(parseStep('10s'), 10_000);
  assert.equal(parseStep('1h'), 3_600_000);
  assert.equal(parseStep('500ms'), 500);
  assert.equal(parseStep('0s'), null);
  assert.equal(parseStep('5 minutes'), null);
  assert.equal(formatStep(300_000), '5m');
  assert.equal(formatStep(86_400_000), '1d');
  assert.equal(formatStep(1500), '1500ms');
});

test('the automatic step is the first nice one with a bucket per 4 pixels at most', () => {
  assert.equal(formatStep(autoStep(3_600_000, 1200)), '30s');
  assert.equal(formatStep(autoStep(86_400_000, 1120)), '10m');
  assert.equal(formatStep(autoStep(900_000, 1200)), '5s');
  assert.equal(formatStep(autoStep(7 * 86_400_000, 1200)), '1h');
});

test('UTC input values round-trip', () => {
  const ms = Date.UTC(2026, 11, 5, 12, 34, 56);
  assert.equal(inputValue(ms, 'utc'), '2026-12-05T12:34:56');
  assert.equal(fromInputValue('2026-12-05T12:34:56', 'utc'), ms);
});
