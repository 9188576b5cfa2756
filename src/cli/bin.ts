// The process entry of the `batchwire` command (package.json "bin", built to dist/cli.js): runs
// the CLI on the process's arguments and sets the exit code. Everything else lives in main.ts,
// which can be imported without running anything.
import { reportError } from './io.js';
import { main } from './main.js';

// A reader that stops early (`batchwire demo | head -5`) closes the pipe: stop quietly, as
// Unix tools do, instead of dying with an EPIPE stack.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0);
  reportError(new Error(`cannot write the output: ${error.message}`), process.stderr);
  process.exit(1);
});
process.stderr.on('error', () => process.exit(process.exitCode === undefined ? 1 : Number(process.exitCode)));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    reportError(error, process.stderr);
    process.exitCode = 1;
  },
);
