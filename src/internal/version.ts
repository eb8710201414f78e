/**
 * The package's version, from one place: package.json. The build writes it in
 * (`__RICKMORTY_CLIENT_VERSION__`, tsup.config.ts); run from the sources (the tests, tsx), it is read
 * from the package.json two folders up.
 *
 * @module
 */
import { nodeBuiltin } from './node.js';

declare const __RICKMORTY_CLIENT_VERSION__: string | undefined;

function versionFromSources(): string {
  try {
    const text = nodeBuiltin('node:fs')?.readFileSync(
      new URL('../../package.json', import.meta.url),
      'utf8',
    );
    const version: unknown = text && JSON.parse(text).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The package's version, such as `0.1.0`. */
export const VERSION: string =
  typeof __RICKMORTY_CLIENT_VERSION__ === 'string'
    ? __RICKMORTY_CLIENT_VERSION__
    : /* @__PURE__ */ versionFromSources();
