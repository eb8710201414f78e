import { describe, expect, it } from 'vitest';
import { ResponseError, RickMortyClient, type TransportRequest } from '../src/index.js';
import { createMockTransport } from '../src/testing/index.js';

const API = 'https://rickandmortyapi.com/api';

function halves(client: RickMortyClient) {
  // Redirects are followed above the transport, once for both halves: check both.
  return [
    ['blocking', (id: number) => Promise.resolve().then(() => client.getCharacter(id))],
    ['async', (id: number) => client.getCharacterAsync(id)],
  ] as const;
}

describe('redirects', () => {
  it('follows a redirect within the origin, keeping the headers, in both halves', async () => {
    const seen: TransportRequest[] = [];
    const transport = createMockTransport({
      respond: (request, next) => {
        seen.push(request);
        // Moved within the API: the record at the new URL is still the one asked for.
        if (request.url.endsWith('/character/1')) {
          return {
            status: 308,
            statusText: 'Permanent Redirect',
            headers: { location: `${API}/character/1?moved=1` },
            body: '',
          };
        }
        return next(request);
      },
    });
    const client = new RickMortyClient({ transport, headers: { authorization: 'Bearer s3cret' } });
    for (const [half, get] of halves(client)) {
      seen.length = 0;
      expect((await get(1)).name, half).toBe('Rick Sanchez');
      expect(
        seen.map((request) => request.url),
        half,
      ).toEqual([`${API}/character/1`, `${API}/character/1?moved=1`]);
      expect(
        seen.every((request) => request.headers?.authorization === 'Bearer s3cret'),
        half,
      ).toBe(true);
    }
  });

  it('drops the headers when a redirect leaves the origin, in both halves', async () => {
    const seen: TransportRequest[] = [];
    const transport = createMockTransport({
      respond: (request, next) => {
        seen.push(request);
        const url = new URL(request.url);
        if (url.hostname === 'rickandmortyapi.com' && url.pathname.endsWith('/character/1')) {
          return {
            status: 301,
            statusText: 'Moved',
            headers: { location: 'https://mirror.example/api/character/1' },
            body: '',
          };
        }
        return next({ ...request, url: `${API}${url.pathname.replace(/^\/api/, '')}` });
      },
    });
    const client = new RickMortyClient({
      transport,
      headers: { authorization: 'Bearer s3cret', 'x-team': 'a' },
    });
    for (const [half, get] of halves(client)) {
      seen.length = 0;
      const character = await get(1);
      expect(character.name, half).toBe('Rick Sanchez');
      expect(
        seen.map((request) => new URL(request.url).host),
        half,
      ).toEqual(['rickandmortyapi.com', 'mirror.example']);
      expect(seen[0]?.headers, half).toMatchObject({
        authorization: 'Bearer s3cret',
        'x-team': 'a',
      });
      expect(seen[1]?.headers, half).toEqual({});
    }
  });

  it('resolves a relative Location against the URL that redirected', async () => {
    const seen: string[] = [];
    const transport = createMockTransport({
      respond: (request, next) => {
        seen.push(request.url);
        if (request.url.endsWith('/character/1')) {
          return {
            status: 307,
            statusText: 'Temporary Redirect',
            headers: { location: '1?moved=1' },
            body: '',
          };
        }
        return next(request);
      },
    });
    const client = new RickMortyClient({ transport });
    expect(client.getCharacter(1).name).toBe('Rick Sanchez');
    expect(seen).toEqual([`${API}/character/1`, `${API}/character/1?moved=1`]);
  });

  it('stops after maxRedirects with a ResponseError that names the URL, in both halves', async () => {
    const looping = createMockTransport({
      respond: (request) => ({
        status: 302,
        statusText: 'Found',
        headers: { location: `${request.url}x` },
        body: '',
      }),
    });
    const looped = new RickMortyClient({ transport: looping, maxRedirects: 3 });
    for (const [half, get] of halves(looped)) {
      looping.reset();
      const error = await get(1).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, half).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).code, half).toBe('TOO_MANY_REDIRECTS');
      expect((error as ResponseError).message, half).toContain(`${API}/character/1xxx`);
      // The first request and three redirects: no more, and no retries of a permanent error.
      expect(looping.calls.length, half).toBe(4);
    }
  });

  it('refuses a redirect to a URL that is not http(s)', async () => {
    for (const location of ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://example.com/x']) {
      const transport = createMockTransport({
        respond: () => ({ status: 302, statusText: 'Found', headers: { location }, body: '' }),
      });
      const client = new RickMortyClient({ transport });
      for (const [half, get] of halves(client)) {
        const error = await get(1).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect((error as ResponseError).code, `${half} ${location}`).toBe('BAD_REDIRECT');
      }
      expect(transport.calls.length).toBe(2);
    }
  });
});

describe('the response size cap', () => {
  it('passes maxResponseBytes to the transport, and a larger body is a TOO_LARGE error, in both halves', async () => {
    const transport = createMockTransport();
    const client = new RickMortyClient({ transport, maxResponseBytes: 200 });
    for (const [half, get] of halves(client)) {
      const error = await get(1).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, half).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).code, half).toBe('TOO_LARGE');
    }
    // A permanent error: one request per half, no retries.
    expect(transport.calls.length).toBe(2);
  });
});
