/**
 * The character record's schema, wherever the package exports it. It is public API today in the
 * root entry; the layout of entry points may move the record schemas to a subpath, so the suite
 * looks through every public entry point (the `exports` map) instead of naming one.
 */
import { entryPoints, entryUrl } from './dist.js';

/** What the suite needs of a zod schema. */
export interface RecordSchema {
  safeParse(value: unknown): { readonly success: boolean; readonly data?: unknown };
}

const NAME = 'characterSchema';

function isSchema(value: unknown): value is RecordSchema {
  return typeof (value as RecordSchema | undefined)?.safeParse === 'function';
}

/** `characterSchema` from the first public entry point (root first) that exports it. */
export async function findRecordSchema(): Promise<RecordSchema> {
  const subpaths = entryPoints().sort((a, b) => (a === '.' ? -1 : b === '.' ? 1 : 0));
  for (const subpath of subpaths) {
    let entry: Record<string, unknown>;
    try {
      entry = (await import(entryUrl(subpath))) as Record<string, unknown>;
    } catch {
      continue; // e.g. an entry that needs an optional peer dependency
    }
    const schema = entry[NAME];
    if (isSchema(schema)) return schema;
  }
  throw new Error(`No public entry point of the package exports ${NAME}`);
}
