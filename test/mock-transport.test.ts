import { describe, expect, it } from 'vitest';
import { isTimeoutError, ResponseError } from '../src/errors/index.js';
import { generateDataset } from '../src/testing/dataset.js';
import { createMockTransport } from '../src/testing/mock-transport.js';
import {
  isAsyncTransport,
  isBlockingTransport,
  type TransportRequest,
} from '../src/transports/types.js';

const BASE = 'https://rickandmortyapi.com/api';

function request(path: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return { method: 'GET', url: `${BASE}${path}`, ...extra };
}

describe('createMockTransport', () => {
  it('is a transport for both halves', () => {
    const transport = createMockTransport();
    expect(isAsyncTransport(transport)).toBe(true);
    expect(isBlockingTransport(transport)).toBe(true);
  });

  it('answers the async half from the fake API', async () => {
    const transport = createMockTransport();
    const response = await transport.request(request('/character/1'));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body).name).toBe('Rick Sanchez');
    expect((await transport.request(request('/character/abc'))).status).toBe(500);
  });

  it('answers the blocking half from the fake API, at once', () => {
    const transport = createMockTransport({ latencyMs: 60_000 });
    const response = transport.requestSync(request('/episode/1'));
    expect(JSON.parse(response.body)).toMatchObject({ name: 'Pilot', episode: 'S01E01' });
    expect(transport.requestSync(request('/episode/9999')).status).toBe(404);
  });

  it('records every call with its mode, and forgets them on reset()', async () => {
    const transport = createMockTransport();
    await transport.request(request('/character/1'));
    transport.requestSync(request('/location/1'));
    expect(transport.requestCount).toBe(2);
    expect(transport.calls).toEqual([
      { url: `${BASE}/character/1`, method: 'GET', mode: 'async' },
      { url: `${BASE}/location/1`, method: 'GET', mode: 'blocking' },
    ]);
    transport.reset();
    expect(transport.calls).toEqual([]);
    expect(transport.requestCount).toBe(0);
    expect(transport.maxInFlight).toBe(0);
  });

  it('serves the given data under the given base URL', () => {
    const data = generateDataset({ counts: { characters: 3 } });
    const transport = createMockTransport({ data, baseUrl: 'http://127.0.0.1:1/api' });
    expect(transport.api.data).toBe(data);
    const response = transport.requestSync({
      method: 'GET',
      url: 'http://127.0.0.1:1/api/character',
    });
    const page = JSON.parse(response.body);
    expect(page.info).toEqual({ count: 3, pages: 1, next: null, prev: null });
    // Routes are matched on the path below the base; the origin is not checked.
    expect(transport.requestSync(request('/character/1')).status).toBe(200);
    const elsewhere = createMockTransport({ baseUrl: 'http://127.0.0.1:1/v2' });
    expect(elsewhere.requestSync(request('/character/1')).status).toBe(404);
  });

  it('lets respond() replace an answer, or pass it on to next()', async () => {
    const seen: { mode: string; index: number }[] = [];
    const transport = createMockTransport({
      respond: (req, next, context) => {
        seen.push(context);
        if (req.url.endsWith('/character/1')) {
          return {
            status: 503,
            statusText: 'Service Unavailable',
            headers: {},
            body: '{"error":"busy"}',
          };
        }
        const answer = next(req);
        return { ...answer, headers: { ...answer.headers, 'x-mock': 'yes' } };
      },
    });
    expect((await transport.request(request('/character/1'))).status).toBe(503);
    const passed = transport.requestSync(request('/character/2'));
    expect(JSON.parse(passed.body).name).toBe('Morty Smith');
    expect(passed.headers['x-mock']).toBe('yes');
    expect(seen).toEqual([
      { mode: 'async', index: 0 },
      { mode: 'blocking', index: 1 },
    ]);
    expect(transport.requestCount).toBe(2);
  });

  it('passes on what respond() throws, in both halves', async () => {
    const failure = new Error('connection refused');
    const transport = createMockTransport({
      respond: () => {
        throw failure;
      },
    });
    await expect(transport.request(request('/character/1'))).rejects.toBe(failure);
    expect(() => transport.requestSync(request('/character/1'))).toThrow(failure);
    expect(transport.requestCount).toBe(2);
    expect(transport.inFlight).toBe(0);
  });

  it('rejects a request whose signal already aborted with its reason, without recording it', async () => {
    const transport = createMockTransport();
    const reason = new Error('stop');
    const signal = AbortSignal.abort(reason);
    await expect(transport.request(request('/character/1', { signal }))).rejects.toBe(reason);
    expect(() => transport.requestSync(request('/character/1', { signal }))).toThrow(reason);
    expect(transport.requestCount).toBe(0);
  });

  it('aborts a request waiting out its latency with the signal reason', async () => {
    const transport = createMockTransport({ latencyMs: 60_000 });
    const controller = new AbortController();
    const pending = transport.request(request('/character/1', { signal: controller.signal }));
    expect(transport.inFlight).toBe(1);
    const reason = new Error('user gave up');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(transport.inFlight).toBe(0);
    expect(transport.requestCount).toBe(1);
  });

  it('fails with a TimeoutError when the latency is longer than the request timeout', async () => {
    const transport = createMockTransport({ latencyMs: 60_000 });
    const error = await transport
      .request(request('/character/1', { timeout: 5 }))
      .catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 5, url: `${BASE}/character/1`, method: 'GET' });
  });

  it('answers after the latency when the timeout allows it', async () => {
    const transport = createMockTransport({ latencyMs: 5 });
    const response = await transport.request(request('/character/1', { timeout: 60_000 }));
    expect(response.status).toBe(200);
  });

  it('counts the most async requests in flight at once', async () => {
    const transport = createMockTransport({ latencyMs: 20 });
    const pending = [1, 2, 3, 4, 5].map((id) => transport.request(request(`/character/${id}`)));
    expect(transport.inFlight).toBe(5);
    transport.requestSync(request('/character/6'));
    expect(transport.inFlight).toBe(5);
    const responses = await Promise.all(pending);
    expect(responses.map((r) => JSON.parse(r.body).id)).toEqual([1, 2, 3, 4, 5]);
    expect(transport.maxInFlight).toBe(5);
    expect(transport.inFlight).toBe(0);
    await transport.request(request('/character/7'));
    expect(transport.maxInFlight).toBe(5);
    transport.reset();
    expect(transport.maxInFlight).toBe(0);
  });

  it('keeps requests started together in flight together even with no latency', async () => {
    const transport = createMockTransport();
    await Promise.all([1, 2, 3].map((id) => transport.request(request(`/character/${id}`))));
    expect(transport.maxInFlight).toBe(3);
  });

  it('fails with a ResponseError TOO_LARGE when the body exceeds maxResponseBytes', async () => {
    const transport = createMockTransport();
    const large = request('/character', { maxResponseBytes: 100 });
    await expect(transport.request(large)).rejects.toBeInstanceOf(ResponseError);
    expect(() => transport.requestSync(large)).toThrow(
      expect.objectContaining({ code: 'TOO_LARGE' }),
    );
    const ok = transport.requestSync(request('/character/1', { maxResponseBytes: 1_000_000 }));
    expect(ok.status).toBe(200);
  });

  it('counts body bytes in UTF-8, as a network transport would', () => {
    const body = '{"name":"Ã©"}';
    const transport = createMockTransport({
      respond: () => ({ status: 200, statusText: 'OK', headers: {}, body }),
    });
    const bytes = Buffer.byteLength(body);
    expect(bytes).toBeGreaterThan(body.length);
    expect(transport.requestSync(request('/', { maxResponseBytes: bytes })).body).toBe(body);
    expect(() => transport.requestSync(request('/', { maxResponseBytes: bytes - 1 }))).toThrow(
      ResponseError,
    );
  });
});

describe('createMockTransport: options from plain JavaScript', () => {
  it('are checked, naming the option', () => {
    const cases: [unknown, RegExp][] = [
      [{ latencyMs: '5' }, /`latencyMs` to be a number of milliseconds/],
      [{ latencyMs: -1 }, /`latencyMs` to be from 0/],
      [{ respond: 'ok' }, /`respond` to be a function/],
      [{ baseUrl: 'not a url' }, /`baseUrl`/],
      [{ data: { characters: 'all' } }, /`data\.characters` to be an array/],
      [{ toString: 1 }, /Unknown option `toString`/],
    ];
    for (const [options, message] of cases) {
      expect(() => createMockTransport(options as never), JSON.stringify(options)).toThrow(message);
    }
  });
});
