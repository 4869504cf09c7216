import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { z } from 'zod';
import { PLATFORMS } from '../domain/types';
import { CliExit, type CliIo } from './common';

/**
 * `vigil gate`: asks a running Vigil for a release's health and answers with an exit code a CI/CD pipeline acts on.
 * Its codes are its own (docs/release-gate.md): 3 says "not yet", so a pipeline can hold and ask again.
 */
export const GATE_EXIT = { healthy: 0, unhealthy: 1, usage: 2, insufficient_data: 3 } as const;

const DEFAULT_URL = 'http://localhost:8080';

/** The answer's fields the gate relies on; the rest is printed as it came. */
const Health = z.object({
  verdict: z.enum(['healthy', 'unhealthy', 'insufficient_data']),
  appVersion: z.string(),
  evidence: z.string(),
});

function url(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    return value.replace(/\/+$/, '');
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL, e.g. https://vigil.example.com');
  }
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new InvalidArgumentError('expected seconds between 0 and 600');
  return n;
}

/** A failure to get a verdict: printed, exit 2 (the pipeline must not read it as healthy or unhealthy). */
function noVerdict(io: CliIo, message: string): never {
  io.stderr.write(`vigil gate: ${message}\n`);
  throw new CliExit(GATE_EXIT.usage);
}

export function addGateCommand(program: Command, io: CliIo): void {
  program
    .command('gate')
    .description(
      "Ask a running Vigil whether a release is healthy: the version's login failures against the other versions over " +
        'the same minutes, with the detector\'s statistics. Prints the answer as one JSON line; the exit code is the verdict.',
    )
    .requiredOption('--app <id>', 'the app id')
    .requiredOption('--version <version>', 'the app version to judge, e.g. 5.2.0')
    .addOption(new Option('--platform <platform>', 'judge from the release registered for this platform').choices(PLATFORMS))
    .option('--baseline <versions>', 'comma-separated versions to compare with (default: every other version)')
    .option('--url <url>', `Vigil's address (default: $VIGIL_URL, else ${DEFAULT_URL})`, url)
    .option('--token <token>', "the admin token or the app's ingest key (default: $VIGIL_TOKEN)")
    .option('--timeout <seconds>', 'how long to wait for the answer', seconds, 30)
    .addHelpText(
      'after',
      `
Examples:
  vigil gate --app app_0123 --version 5.2.0 --url https://vigil.example.com --token "$VIGIL_INGEST_KEY"
  VIGIL_URL=https://vigil.example.com VIGIL_TOKEN=vk_… vigil gate --app app_0123 --version 5.2.0 --platform android

Exit codes:
  0  healthy: no material excess of failures, and enough logins to say so
  1  unhealthy: the version fails logins significantly more than the other versions; hold the rollout
  3  insufficient data: not enough logins on the version (or on the others) yet; ask again later
  2  usage or connection error (bad flag, no token, Vigil unreachable, unknown app or version)`,
    )
    .action(async (opts) => {
      const base = opts.url ?? (io.env.VIGIL_URL ? url(io.env.VIGIL_URL) : DEFAULT_URL);
      const token = opts.token ?? io.env.VIGIL_TOKEN;
      if (!token) noVerdict(io, 'no token: pass --token or set VIGIL_TOKEN (the admin token or the app ingest key)');
      const query = new URLSearchParams();
      if (opts.platform) query.set('platform', opts.platform);
      if (opts.baseline) query.set('baseline', opts.baseline);
      const target =
        `${base}/v1/apps/${encodeURIComponent(opts.app)}/releases/${encodeURIComponent(opts.version)}/health` +
        (query.size > 0 ? `?${query.toString()}` : '');
      let res: Response;
      let text: string;
      try {
        res = await fetch(target, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(opts.timeout * 1000) });
        text = await res.text();
      } catch (err) {
        // Anything short of an answer is exit 2, never 1: a pipeline must not read an outage as an unhealthy release.
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        noVerdict(io, `could not reach ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        noVerdict(io, `${res.status} from ${base}, not JSON: ${text.slice(0, 200)}`);
      }
      if (!res.ok) {
        const error = (body as { error?: { message?: string } }).error;
        noVerdict(io, `${res.status}: ${error?.message ?? text.slice(0, 200)}`);
      }
      const health = Health.safeParse(body);
      if (!health.success) noVerdict(io, `unexpected answer from ${base}: ${text.slice(0, 200)}`);
      io.stdout.write(`${JSON.stringify(body)}\n`);
      io.stderr.write(`${health.data.verdict}: ${health.data.evidence}\n`);
      throw new CliExit(GATE_EXIT[health.data.verdict]);
    });
}
