import { VERSION } from '../internal/version.js';

/** The package's version, as `rickmorty --version` prints it: package.json's, written in by the build. */
export function packageVersion(): string {
  return VERSION;
}
