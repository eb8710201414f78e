/**
 * The browser test's app: it imports what it uses from the package's entry, as an app would, so
 * that the bundler tree-shakes the rest (the package has `sideEffects: false`), and the page hands
 * it to the test.
 */
export { BlockingUnavailableError, RickMortyClient } from '../../src/index.js';
