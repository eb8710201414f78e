/**
 * The CommonJS entry of `rickmorty-client/migrate` (`dist/migrate.cjs`): the ES module itself,
 * loaded through `require(esm)` (Node 20.19 and later, the versions the package supports), so that
 * the package carries the migration assistant once, not twice; its types are `migrate.d.cts`. The
 * path is the built file's sibling, `dist/migrate.js`.
 */
module.exports = require('./migrate.js');
