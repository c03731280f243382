// The live tail: GET /api/tail as a stream of `points` events. Reconnects with backoff, resuming
// from the last whole batch's id; a `reset` (resume window passed) or a `dropped` (the server cut
// a slow reader) means points were missed, so the history is queried again.
import { ApiError, params, request } from './api.js';
import { readEvents } from './sse.js';

const MAX_BACKOFF_MS = 30_000;

function wait(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

export class TailClient {
  /**
   * onOpen(needsHistory): the stream is open; query the history when asked to.
   * onPoints(points): a whole batch. onStatus(text). onFatal(error): an error retrying cannot fix.
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.controller = null;
  }

  start(metric, tags) {
    this.stop();
    this.controller = new AbortController();
    this.run(metric, tags, this.controller.signal);
  }

  stop() {
    this.controller?.abort();
    this.controller = null;
  }

  async run(metric, tags, signal) {
    let lastId = null;
    let missed = true; // the first open needs the history
    let attempt = 0;
    while (!signal.aborted) {
      let delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
      try {
        const headers = { accept: 'text/event-stream' };
        if (lastId !== null) headers['last-event-id'] = lastId;
        const query = params({ metric, tag: tags.map(([k, v]) => `${k}:${v}`) });
        const response = await request('/api/tail', query, { signal, headers, cache: 'no-store' });
        this.handlers.onStatus('live');
        this.handlers.onOpen(missed);
        missed = false;
        attempt = 0;
        let pending = [];
        await readEvents(response, ({ event, data, id }) => {
          if (event === 'points') {
            // Only the last event of a batch carries its id: hand the batch on whole, so a
            // reconnect resuming from that id neither loses nor repeats a part of it.
            pending = pending.concat(JSON.parse(data));
            if (id !== null) {
              lastId = id;
              this.handlers.onPoints(pending);
              pending = [];
            }
          } else if (event === '' && pending.length === 0) {
            lastId = id;
          } else if (event === 'reset') {
            this.handlers.onOpen(true);
          } else if (event === 'dropped') {
            missed = true;
            this.handlers.onStatus(`dropped: ${JSON.parse(data).message}`);
          }
        });
        delay = Math.min(delay, 1000);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ApiError && ![429, 503].includes(error.status)) {
          this.handlers.onFatal(error);
          return;
        }
        const retryAfter = Number(error instanceof ApiError ? error.retryAfter : NaN);
        if (Number.isFinite(retryAfter)) delay = retryAfter * 1000;
      }
      if (signal.aborted) return;
      attempt += 1;
      this.handlers.onStatus(`reconnecting in ${Math.round(delay / 1000)} s`);
      await wait(delay, signal);
    }
  }
}
