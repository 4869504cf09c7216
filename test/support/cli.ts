import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program';

/** Captures what one in-process `vigil` run writes; `tty` makes stderr claim to be a terminal (progress bars). */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean; columns?: number }; text: () => string } {
  const stream: PassThrough & { isTTY?: boolean; columns?: number } = new PassThrough();
  if (isTTY) Object.assign(stream, { isTTY: true, columns: 100 });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function runVigil(args: string[], opts: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}): Promise<CliRun> {
  // Commander's `help` command exits with process.exitCode, which an earlier test file in this jest worker may have
  // left set; a real `vigil` process starts without one.
  process.exitCode = undefined;
  const stdout = capture(false);
  const stderr = capture(opts.tty ?? false);
  const code = await runCli(args, { stdout: stdout.stream, stderr: stderr.stream, env: opts.env ?? process.env });
  // Let the 'data' listeners see the last writes.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
