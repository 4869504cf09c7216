import type { Writable } from 'node:stream';

/** What every command shares: exit codes, the streams it writes to, its help's closing lines. */

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Where a run reads its settings and writes: the process's own streams and environment, or a test's. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** A failure that says enough in its message: printed without a stack, exit 1. */
export class CliFailure extends Error {}

/** A command that has said what it had to and ends with its own exit code (`vigil gate`'s verdicts). */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  failed (a file that cannot be read, a store that does not answer, a name taken…)
  2  usage error (unknown command, missing or bad flag)`;

/** Help text after a command's options: examples, then the exit codes every command shares. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n${EXIT_CODES_HELP}`;
}
