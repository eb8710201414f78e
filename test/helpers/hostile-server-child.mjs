// A hostile (or broken) Rick and Morty API for the hardening tests. It runs in a child process
// (see hostile-server.ts): the blocking half parks the test's own thread in Atomics.wait, which
// would starve a server living on that thread.
//
// Each scenario is its own API under `/<scenario>/api`, so a test picks its hostility by its base
// URL and tests share no state. The API's routes are those of the real one (`/character`,
// `/character/1`, `/character/1,2,3`, the same for locations and episodes), answered with valid
// records unless the scenario says otherwise:
//
//   ok                 a well-behaved API: 60 records of each kind, 20 a page
//   huge               list pages claim 1e9 records on 5e7 pages, and every page has 20 more
//   pages-lie          list pages claim 5e7 pages for 60 records
//   endless            3 pages claimed (60 records), but every page, past the third too, has 20
//                      records and a `next`
//   repeats            3 pages of 60 records, but page 2 holds the records of page 1 again
//   batch-dup          a batch answers what was asked, plus its first record again and record 999
//   wrong-id           `/character/N` answers the record of N + 1; a batch answers ids + 1000
//   redirect-bare      302 without a Location
//   not-modified       304 to everything
//   multiple-choices   300 with a Location
//   redirect-secret    302 to the same path under `http://user:s3cret@127.0.0.1:<port>/ok`
//   retry-after-zero   429 with `Retry-After: 0`
//   retry-after-neg    429 with `Retry-After: -5`
//   retry-after-past   429 with a `Retry-After` date in 1999
//   latin1             records whose names are Latin-1 bytes, `charset=latin1`, with a length
//   latin1-chunked     the same, chunked (no content-length)
//   bad-charset        `charset=x-no-such-charset`
//   slow-<ms>          every answer after <ms> milliseconds
//   big                records padded with a 200 KB field the schemas drop
//   evil-error         503 whose error text forges a log line, holds terminal escapes, and runs on
//
// The parent talks over IPC: { id, command } with `requests` (every request since the last
// `reset`), `stats`, `reset`, `close`; see hostile-server.ts.
import { serveInChild } from './server-child.mjs';

const PAGE_SIZE = 20;
const OK_COUNT = 60;
let port = 0;

const RESOURCES = {
  character: (id) => ({
    id,
    name: id === 1 ? 'Rick Sanchez' : `Character ${id}`,
    status: 'Alive',
    species: 'Human',
    type: '',
    gender: 'Male',
    origin: { name: 'unknown', url: '' },
    location: { name: 'unknown', url: '' },
    image: `https://rickandmortyapi.com/api/character/avatar/${id}.jpeg`,
    episode: [`https://rickandmortyapi.com/api/episode/${id}`],
    url: `https://rickandmortyapi.com/api/character/${id}`,
    created: '2017-11-04T18:48:46.250Z',
  }),
  location: (id) => ({
    id,
    name: `Location ${id}`,
    type: 'Planet',
    dimension: 'unknown',
    residents: [],
    url: `https://rickandmortyapi.com/api/location/${id}`,
    created: '2017-11-04T18:48:46.250Z',
  }),
  episode: (id) => ({
    id,
    name: `Episode ${id}`,
    air_date: 'December 2, 2013',
    episode: 'S01E01',
    characters: [`https://rickandmortyapi.com/api/character/${id}`],
    url: `https://rickandmortyapi.com/api/episode/${id}`,
    created: '2017-11-04T18:48:46.250Z',
  }),
};

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function record(scenario, kind, id) {
  const value = RESOURCES[kind](id);
  if (scenario === 'big') return { ...value, padding: 'x'.repeat(200 * 1024) };
  if (scenario.startsWith('latin1')) return { ...value, name: `Se\u00f1or M\u00fcller ${id}` };
  return value;
}

/** A list page: what the scenario claims, and the records it holds. */
function listPage(scenario, kind, url, base) {
  const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
  const first = scenario === 'repeats' && page === 2 ? 0 : (page - 1) * PAGE_SIZE;
  const ids = Array.from({ length: PAGE_SIZE }, (_, i) => first + i + 1);
  const link = (n) => `${base}/${kind}?page=${n}`;
  let info;
  if (scenario === 'huge') {
    info = { count: 1e9, pages: 5e7, next: link(page + 1), prev: page > 1 ? link(page - 1) : null };
  } else if (scenario === 'pages-lie') {
    info = { count: OK_COUNT, pages: 5e7, next: link(page + 1), prev: null };
  } else if (scenario === 'endless') {
    info = {
      count: OK_COUNT,
      pages: 3,
      next: link(page + 1),
      prev: page > 1 ? link(page - 1) : null,
    };
  } else {
    const pages = OK_COUNT / PAGE_SIZE;
    if (page > pages) return { status: 404, body: { error: 'There is nothing here' } };
    info = {
      count: OK_COUNT,
      pages,
      next: page < pages ? link(page + 1) : null,
      prev: page > 1 ? link(page - 1) : null,
    };
  }
  return { status: 200, body: { info, results: ids.map((id) => record(scenario, kind, id)) } };
}

/** The records of `/character/{ids}`, as the scenario answers them. */
function byIds(scenario, kind, text) {
  const batch = text.includes(',');
  const ids = text.split(',').filter(Boolean).map(Number);
  if (scenario === 'wrong-id') {
    return batch
      ? ids.map((id) => record(scenario, kind, id + 1000))
      : record(scenario, kind, ids[0] + 1);
  }
  if (!batch) {
    return ids[0] > OK_COUNT && scenario === 'ok' ? undefined : record(scenario, kind, ids[0]);
  }
  const records = ids
    .filter((id) => scenario !== 'ok' || id <= OK_COUNT)
    .map((id) => record(scenario, kind, id));
  if (scenario === 'batch-dup') records.push(records[0], record(scenario, kind, 999));
  return records;
}

/** Answers that replace the API's whatever the path: redirects, 429s. */
function hostileAnswer(scenario, res, rest) {
  switch (scenario) {
    case 'evil-error':
      send(res, 503, {
        error: `busy\r\n2026-01-01 INFO all is well\u001b[2J${'A'.repeat(10_000)}`,
      });
      return true;
    case 'redirect-bare':
      send(res, 302, { error: 'Found, but where?' });
      return true;
    case 'not-modified':
      res.writeHead(304, {});
      res.end();
      return true;
    case 'multiple-choices':
      send(res, 300, { error: 'Choose' }, { location: `/ok/api${rest}` });
      return true;
    case 'redirect-secret':
      send(
        res,
        302,
        { redirect: true },
        { location: `http://user:s3cret@127.0.0.1:${port}/ok/api${rest}` },
      );
      return true;
    case 'retry-after-zero':
    case 'retry-after-neg':
    case 'retry-after-past': {
      const value = {
        'retry-after-zero': '0',
        'retry-after-neg': '-5',
        'retry-after-past': 'Fri, 31 Dec 1999 23:59:59 GMT',
      }[scenario];
      send(res, 429, { error: 'Too many requests' }, { 'retry-after': value });
      return true;
    }
    default:
      return false;
  }
}

function sendRecords(scenario, res, value) {
  if (scenario === 'latin1' || scenario === 'latin1-chunked' || scenario === 'bad-charset') {
    const charset = scenario === 'bad-charset' ? 'x-no-such-charset' : 'latin1';
    const body = Buffer.from(JSON.stringify(value), 'latin1');
    res.writeHead(200, {
      'content-type': `application/json; charset=${charset}`,
      ...(scenario === 'latin1-chunked' ? {} : { 'content-length': body.length }),
    });
    if (scenario === 'latin1-chunked') {
      // Split inside a character's bytes would not matter for Latin-1; split anyway, twice.
      const third = Math.floor(body.length / 3);
      res.write(body.subarray(0, third));
      res.write(body.subarray(third, 2 * third));
      res.end(body.subarray(2 * third));
    } else {
      res.end(body);
    }
    return;
  }
  send(res, 200, value);
}

function answer(res, url) {
  const match = /^\/([^/]+)\/api(\/.*)?$/.exec(url.pathname);
  if (!match) return send(res, 404, { error: 'There is nothing here.' });
  const [, scenario, rest = ''] = match;
  if (hostileAnswer(scenario, res, `${rest}${url.search}`)) return;
  const base = `http://127.0.0.1:${port}/${scenario}/api`;
  const parts = rest.split('/').filter(Boolean);
  const kind = parts[0];
  if (rest === '' || rest === '/') {
    return send(res, 200, {
      characters: `${base}/character`,
      locations: `${base}/location`,
      episodes: `${base}/episode`,
    });
  }
  if (!kind || !Object.hasOwn(RESOURCES, kind) || parts.length > 2) {
    return send(res, 404, { error: 'There is nothing here.' });
  }
  if (parts.length === 1) {
    const page = listPage(scenario, kind, url, base);
    return page.status === 200
      ? sendRecords(scenario, res, page.body)
      : send(res, page.status, page.body);
  }
  const value = byIds(scenario, kind, decodeURIComponent(parts[1]));
  if (value === undefined)
    return send(res, 404, { error: `${kind[0].toUpperCase()}${kind.slice(1)} not found` });
  sendRecords(scenario, res, value);
}

serveInChild(
  (_req, res, url) => {
    const slow = /^\/slow-(\d+)\//.exec(url.pathname);
    if (slow) {
      const timer = setTimeout(() => {
        url.pathname = url.pathname.replace(/^\/slow-\d+\//, '/ok/');
        answer(res, url);
      }, Number(slow[1]));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    answer(res, url);
  },
  {
    onListening: (listening) => {
      port = listening;
    },
  },
);
