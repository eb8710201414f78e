/**
 * ky's default instance, behind a named export: the HTTP transport loads this module on its first
 * request through ky (`import()`), and a named export reads the same from the ES module and the
 * CommonJS builds, where a default export of a split chunk does not.
 *
 * @internal
 * @module
 */
import ky from 'ky';

export const defaultKy = ky;
