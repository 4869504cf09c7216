import { runCli } from './program';

/** Entry point of `npm run vigil -- <command>`: the process's streams and environment, and its exit code. */
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`vigil: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
