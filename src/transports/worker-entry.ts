/**
 * Where a worker thread's code lives. Built, it is the `.js` file beside the calling module in
 * `dist/`. From source (tests, `npm start`), it is the `.ts` file beside it, loaded through a small
 * bootstrap that registers tsx first, because Node 20 cannot run TypeScript by itself.
 *
 * Pass `workerData` through this function: from source it adds the entry the bootstrap loads.
 *
 * @internal
 */
export function workerEntry(
  name: string,
  fromUrl: string,
  workerData: Record<string, unknown> = {},
): { url: URL; workerData: Record<string, unknown> } {
  const fromSource = /\.[cm]?ts$/.test(new URL(fromUrl).pathname);
  if (!fromSource) return { url: new URL(`./${name}.js`, fromUrl), workerData };
  return {
    url: new URL('./tsx-worker.mjs', import.meta.url),
    workerData: { ...workerData, tsxEntry: new URL(`./${name}.ts`, fromUrl).href },
  };
}
