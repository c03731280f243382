// Calls to the service. A 401 asks the user for a key (keyform.js), which is kept in
// sessionStorage only, never in the URL, and sent as x-functions-key on every call.
import { askForKey } from './keyform.js';

const KEY_STORAGE = 'functions-observability-key';
const KEY_HEADER = 'x-functions-key';

export class ApiError extends Error {
  constructor(status, message, parameter) {
    super(message);
    this.status = status;
    this.parameter = parameter ?? null;
  }
}

/** URLSearchParams from an object; arrays repeat the key (tag=a:1&tag=b:2); empty values are left out. */
export function params(values) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null && item !== '') q.append(name, String(item));
    }
  }
  return q;
}

function headers(extra) {
  const result = { ...extra };
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) result[KEY_HEADER] = key;
  return result;
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's page, an empty body): the status says enough.
  }
  const message = body?.error ?? body?.message ?? `HTTP ${response.status} ${response.statusText}`;
  const retry = response.headers.get('retry-after');
  const error = new ApiError(response.status, retry ? `${message} (retry after ${retry} s)` : message, body?.parameter);
  error.retryAfter = retry;
  return error;
}

/** fetch() that answers a 401 by asking for a key and trying again with it. */
export async function request(path, query, init = {}) {
  const url = query && [...query].length ? `${path}?${query}` : path;
  for (;;) {
    const response = await fetch(url, { ...init, headers: headers(init.headers) });
    if (response.status === 401) {
      const key = await askForKey(sessionStorage.getItem(KEY_STORAGE) !== null);
      sessionStorage.setItem(KEY_STORAGE, key);
      continue;
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }
}

export async function getJson(path, query, signal) {
  const response = await request(path, query, { signal, headers: { accept: 'application/json' } });
  return response.json();
}
