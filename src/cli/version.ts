import { readFileSync } from 'node:fs';

/**
 * The package's version, read from its package.json. Looked up by walking up from this module,
 * because the file sits two levels up from the source (`src/cli/`) but one from the build (`dist/`).
 */
export function packageVersion(): string {
  for (let url = new URL('./', import.meta.url); ; ) {
    try {
      const json = JSON.parse(readFileSync(new URL('package.json', url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (json.name === 'rickmorty-client' && typeof json.version === 'string') return json.version;
    } catch {
      // No package.json here, or not ours: keep climbing.
    }
    const parent = new URL('../', url);
    if (parent.href === url.href) return 'unknown';
    url = parent;
  }
}
