import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from '../src/sse.js';

function parse(chunks) {
  const events = [];
  const parser = new SseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

test('a batch split over points events keeps its id on the last one only', () => {
  const events = parse(['event: points\ndata: [1]\n\nevent: points\ndata: [2]\nid: 7\n\n']);
  assert.deepEqual(events, [
    { event: 'points', data: '[1]', id: null },
    { event: 'points', data: '[2]', id: '7' },
  ]);
});

test('lines split anywhere across chunks, and CRLF, parse the same', () => {
  const text = 'event: reset\r\ndata: {"message":"m"}\r\n\r\n';
  for (let cut = 1; cut < text.length; cut += 1) {
    assert.deepEqual(parse([text.slice(0, cut), text.slice(cut)]), [{ event: 'reset', data: '{"message":"m"}', id: null }], `cut at ${cut}`);
  }
});

test('a heartbeat comment is no event; a heartbeat with an id reports the id alone', () => {
  assert.deepEqual(parse([': heartbeat\n\n']), []);
  assert.deepEqual(parse([': heartbeat\nid: 12\n\n']), [{ event: '', data: '', id: '12' }]);
});

test('several data lines join with newlines', () => {
  assert.deepEqual(parse(['data: a\ndata: b\n\n']), [{ event: 'message', data: 'a\nb', id: null }]);
});
