/**
 * The client in a real browser: Debian's Chromium (never a downloaded one), driven by
 * playwright-core, loads the client bundled for browsers from a static server on 127.0.0.1 and
 * calls the replica server, another origin, so CORS is real too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReplicaServer, startReplicaServer } from '../src/testing/replica-server.js';
import {
  bundleForBrowser,
  CHROMIUM_ARGS,
  findChromium,
  type StaticServer,
  serveStatic,
} from './helpers/browser-server.js';

const CHROMIUM = findChromium();
if (!CHROMIUM) {
  console.warn(
    '[browser.test] SKIPPED: no chromium on PATH (apt-get install chromium; .ci/run installs it)',
  );
}

/** What the page sees of the client module; functions run in the browser, not here. */
type RickMortyModule = typeof import('./helpers/browser-app.js');
declare global {
  interface Window {
    rickmorty: RickMortyModule;
  }
  /** Uses of a stubbed Node-only module, recorded by the stubs (see browser-server.ts). */
  var __nodeOnlyUses: string[] | undefined;
}

describe.skipIf(!CHROMIUM)('in a real browser (Chromium)', () => {
  let replica: ReplicaServer;
  let site: StaticServer;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const bundled = await bundleForBrowser();
    // The page loads no Node-only module: a bundler without stubs (esbuild for the browser)
    // builds it as it is. Node-only code may sit in lazy chunks the page never loads.
    expect(bundled.eagerNodeOnly).toEqual([]);
    replica = await startReplicaServer();
    site = await serveStatic(bundled.bundle);
    profile = mkdtempSync(join(tmpdir(), 'rickmorty-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM!,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(`${site.url}/`);
    await page
      .waitForFunction(
        () => document.getElementById('status')?.textContent === 'ready',
        undefined,
        {
          timeout: 30_000,
        },
      )
      .catch((error: unknown) => {
        throw new Error(
          `The page did not load the client: ${pageErrors.join('; ') || String(error)}`,
        );
      });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await site?.close();
    await replica?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const nodeOnlyUses = () => page.evaluate(() => globalThis.__nodeOnlyUses ?? []);

  it('loads the client without an error and without touching a Node-only module', async () => {
    expect(pageErrors).toEqual([]);
    expect(await nodeOnlyUses()).toEqual([]);
  });

  it('reads three characters through the batch endpoint across origins', async () => {
    await replica.resetStats();
    const names = await page.evaluate(async (baseUrl) => {
      const client = new window.rickmorty.RickMortyClient({ baseUrl });
      const characters = await client.getCharactersAsync([1, 10, 100]);
      return characters.map((c) => c.name);
    }, replica.url);
    expect(names).toEqual(['Rick Sanchez', 'Alan Rails', 'Bubonic Plague']);
    const stats = await replica.stats();
    expect(stats.byPath['/api/character/1,10,100']).toBe(1);
    // No CORS preflight: the client adds no header of its own that the browser would have to ask
    // the server about first.
    expect(stats.requests).toBe(1);
    expect(await nodeOnlyUses()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('the blocking twin throws a BlockingUnavailableError that names the async twin', async () => {
    await replica.resetStats();
    const thrown = await page.evaluate((baseUrl) => {
      const { RickMortyClient, BlockingUnavailableError } = window.rickmorty;
      const client = new RickMortyClient({ baseUrl });
      try {
        client.getCharacter(1);
        return null;
      } catch (error) {
        const e = error as Error;
        return {
          name: e.name,
          message: e.message,
          isClass: error instanceof BlockingUnavailableError,
        };
      }
    }, replica.url);
    expect(thrown).not.toBeNull();
    expect(thrown!.name).toBe('BlockingUnavailableError');
    expect(thrown!.isClass).toBe(true);
    expect(thrown!.message).toContain('getCharacterAsync');
    expect((await replica.stats()).requests).toBe(0);
  });
});
