/**
 * The CommonJS entry `dist/index.cjs`: the ES module `dist/index.js` itself, loaded through
 * `require(esm)` (Node 20.19 and 22.12 and later, the versions the package supports), so that
 * `require` and `import` get the same module (one copy of every class, no dual-package hazard) and
 * the package carries its code once. Its types are `index.d.cts`.
 */
module.exports = require('./index.js');
