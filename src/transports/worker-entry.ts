/**
 * Where a worker thread's code lives. Built, it is the file beside the calling module in `dist/`:
 * `.cjs` for the workers built as CommonJS (which the bootstrap `require`s, so that their thread
 * starts no ES module loader), `.js` for the others. From source (tests, `npm start`), it is the
 * `.ts` file beside it, loaded through a small module that registers tsx first, because Node 20
 * cannot run TypeScript by itself.
 *
 * Pass `workerData` through this function: from source it adds the entry that module loads.
 *
 * @internal
 */
export function workerEntry(
  name: 'blocking-worker' | 'make-async-worker' | 'replica-worker',
  fromUrl: string,
  workerData: Record<string, unknown> = {},
): { url: URL; workerData: Record<string, unknown> } {
  const fromSource = /\.[cm]?ts$/.test(new URL(fromUrl).pathname);
  if (!fromSource) {
    // Built as CommonJS by tsup.config.ts (COMMONJS_WORKERS).
    const extension = name === 'blocking-worker' ? 'cjs' : 'js';
    return { url: new URL(`./${name}.${extension}`, fromUrl), workerData };
  }
  return {
    url: new URL('./tsx-worker.mjs', import.meta.url),
    workerData: { ...workerData, tsxEntry: new URL(`./${name}.ts`, fromUrl).href },
  };
}
