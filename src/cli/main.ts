import { runCli } from './program';

/** Entry point of `npm run vigil -- <command>`: the process's streams and environment, and its exit code. */

// A reader that stops early (`vigil simulate … | head`) closes the pipe: that ends the output, quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`vigil: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
