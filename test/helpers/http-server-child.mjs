// A scriptable HTTP server for the transport tests. It runs in a child process (see
// http-server.ts) because the blocking transport parks the test's own thread in Atomics.wait,
// which would starve a server living on that thread's event loop.
//
// The parent talks to it over the IPC channel: it sends { id, command } and gets { id, result }
// (server-child.mjs).
import { gzipSync } from 'node:zlib';
import { serveInChild } from './server-child.mjs';

/** @type {Map<string, number>} */
const counters = new Map();
/** @type {Map<string, Array<{ res: import('node:http').ServerResponse; n: number }>>} */
const barriers = new Map();

function json(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function character(id) {
  return {
    id,
    name: id === 1 ? 'Rick Sanchez' : `Character ${id}`,
    status: 'Alive',
    species: 'Human',
    type: '',
    gender: 'Male',
    origin: { name: 'unknown', url: '' },
    location: { name: 'unknown', url: '' },
    image: `https://rickandmortyapi.com/api/character/avatar/${id}.jpeg`,
    episode: [],
    url: `https://rickandmortyapi.com/api/character/${id}`,
    created: '2017-11-04T18:48:46.250Z',
  };
}

function number(value, fallback) {
  const n = Number(value);
  return value !== null && value !== '' && Number.isFinite(n) ? n : fallback;
}

const routes = [
  // /json?delay=ms: a JSON body after a delay; the body names the request, so that a test can
  // tell which request an answer belongs to.
  [
    /^\/json$/,
    (req, res, url, n) => {
      const delay = number(url.searchParams.get('delay'), 0);
      const timer = setTimeout(() => json(res, 200, { ok: true, url: req.url, n }), delay);
      res.on('close', () => clearTimeout(timer));
    },
  ],
  // /status/:code[/anything]?retryAfter=s&message=text: an error body {"error": "..."}.
  [
    /^\/status\/(\d{3})(?:\/.*)?$/,
    (_req, res, url, _n, match) => {
      const status = Number(match[1]);
      const headers = {};
      const retryAfter = url.searchParams.get('retryAfter');
      if (retryAfter !== null) headers['retry-after'] = retryAfter;
      json(res, status, { error: url.searchParams.get('message') ?? `Status ${status}` }, headers);
    },
  ],
  // /hang, /hang/anything: never answers.
  [/^\/hang(?:\/.*)?$/, () => {}],
  // /reset[/anything]: resets the connection without answering.
  [
    /^\/reset(?:\/.*)?$/,
    (req) => {
      if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
      else req.socket.destroy();
    },
  ],
  // /truncate: promises 1000 bytes, sends a few, then hangs up.
  [
    /^\/truncate$/,
    (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial": "', () => setTimeout(() => req.socket.destroy(), 10));
    },
  ],
  // /stall: sends the headers and part of the body, then never sends the rest.
  [
    /^\/stall$/,
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial": "');
    },
  ],
  // /gzip?bytes=N: N bytes of JSON-ish text, gzipped: a small declared length that inflates.
  [
    /^\/gzip$/,
    (_req, res, url) => {
      const body = gzipSync(Buffer.alloc(number(url.searchParams.get('bytes'), 1024 * 1024), ' '));
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(body.length),
      });
      res.end(body);
    },
  ],
  // /big?bytes=N[&chunked=1]: a body of N bytes, with a content-length unless chunked.
  [
    /^\/big$/,
    (_req, res, url) => {
      const bytes = number(url.searchParams.get('bytes'), 1024 * 1024);
      const chunked = url.searchParams.get('chunked') === '1';
      res.writeHead(200, {
        'content-type': 'text/plain',
        ...(chunked ? {} : { 'content-length': String(bytes) }),
      });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          const size = Math.min(chunk.length, bytes - sent);
          sent += size;
          if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
    },
  ],
  // /redirect?to=URL&status=302
  [
    /^\/redirect$/,
    (_req, res, url) => {
      const status = number(url.searchParams.get('status'), 302);
      const to = url.searchParams.get('to') ?? '/json';
      json(res, status, { redirect: to }, { location: to });
    },
  ],
  // /redirect-chain/:n: n redirects, then JSON.
  [
    /^\/redirect-chain\/(\d+)$/,
    (req, res, _url, n, match) => {
      const left = Number(match[1]);
      if (left > 0) json(res, 302, { left }, { location: `/redirect-chain/${left - 1}` });
      else json(res, 200, { ok: true, url: req.url, n });
    },
  ],
  // /headers: echoes the request's headers.
  [/^\/headers$/, (req, res) => json(res, 200, req.headers)],
  // /counter/:key?failTimes=k&status=503[&retryAfter=s]: fails k times per key, then succeeds.
  [
    /^\/counter\/([^/]+)$/,
    (_req, res, url, _n, match) => {
      const key = match[1];
      const count = (counters.get(key) ?? 0) + 1;
      counters.set(key, count);
      const failTimes = number(url.searchParams.get('failTimes'), 0);
      if (count <= failTimes) {
        const headers = {};
        const retryAfter = url.searchParams.get('retryAfter');
        if (retryAfter !== null) headers['retry-after'] = retryAfter;
        json(
          res,
          number(url.searchParams.get('status'), 503),
          { error: `Failure ${count} of ${failTimes}` },
          headers,
        );
      } else {
        json(res, 200, { ok: true, key, count });
      }
    },
  ],
  // /barrier/:key?n=N: holds each request until N requests with the same key are being held,
  // then answers them all. Requests that do not overlap never get an answer (the client's timeout
  // ends them), so a test can prove concurrency without measuring time.
  [
    /^\/barrier\/([^/]+)$/,
    (_req, res, url, n, match) => {
      const key = match[1];
      const size = number(url.searchParams.get('n'), 2);
      const waiting = barriers.get(key) ?? [];
      barriers.set(key, waiting);
      const entry = { res, n };
      waiting.push(entry);
      res.on('close', () => {
        const index = waiting.indexOf(entry);
        if (index !== -1) waiting.splice(index, 1);
      });
      if (waiting.length >= size) {
        barriers.delete(key);
        for (const held of waiting.splice(0))
          json(held.res, 200, { ok: true, key, n: held.n, together: size });
      }
    },
  ],
  // /barrier/:key/:n/character/:id: the same barrier for a client (baseUrl /barrier/:key/:n), each
  // answer a character record.
  [
    /^\/barrier\/([^/]+)\/(\d+)\/character\/(\d+)$/,
    (_req, res, _url, _n, match) => {
      const key = `client:${match[1]}`;
      const size = Number(match[2]);
      const waiting = barriers.get(key) ?? [];
      barriers.set(key, waiting);
      const entry = { res, id: Number(match[3]) };
      waiting.push(entry);
      res.on('close', () => {
        const index = waiting.indexOf(entry);
        if (index !== -1) waiting.splice(index, 1);
      });
      if (waiting.length >= size) {
        barriers.delete(key);
        for (const held of waiting.splice(0)) json(held.res, 200, character(held.id));
      }
    },
  ],
  // /api/character/:id: a minimal API for client tests: 9999 (and up) is not found.
  [
    /^\/api\/character\/(\d+)$/,
    (_req, res, _url, _n, match) => {
      const id = Number(match[1]);
      if (id >= 9999) json(res, 404, { error: 'Character not found' });
      else json(res, 200, character(id));
    },
  ],
];

serveInChild(
  (req, res, url, n) => {
    for (const [pattern, handle] of routes) {
      const match = pattern.exec(url.pathname);
      if (match) {
        handle(req, res, url, n, match);
        return;
      }
    }
    json(res, 404, { error: 'There is nothing here.' });
  },
  {
    onReset: () => {
      counters.clear();
      barriers.clear();
    },
  },
);
