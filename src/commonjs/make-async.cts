/**
 * The CommonJS entry `dist/make-async.cjs`: the ES module `dist/make-async.js` itself, loaded through
 * `require(esm)` (Node 20.19 and 22.12 and later, the versions the package supports), so that
 * `require` and `import` get the same module (one copy of every class, no dual-package hazard) and
 * the package carries its code once. Its types are `make-async.d.cts`.
 */
module.exports = require('./make-async.js');
