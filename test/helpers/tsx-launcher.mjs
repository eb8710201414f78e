// `node tsx-launcher.mjs script.ts args...` runs the script as `node --import tsx script.ts args...`
// would, with tsx registered here rather than on the command line. Worker threads repeat the
// preloads of their process's command line (src/transports/worker-thread.ts), and tsx's start in a
// thread costs several times the thread's own; registered here, the script's threads load the
// suite's bundle of the workers instead (test/global-setup.ts). Tests of the preloads themselves
// (launch modes, worker failures) use `--import tsx`.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerCommonJs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCommonJs();
register();
// The script sees the command line it would have had: itself as argv[1], then its arguments.
process.argv.splice(1, 1);
await import(pathToFileURL(resolve(process.argv[1])).href);
