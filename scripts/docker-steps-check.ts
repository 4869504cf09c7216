/* eslint-disable no-console -- a command-line check reports to its terminal */
/**
 * The Dockerfile's steps, performed outside Docker (no daemon runs on the development machines): the `build` stage's
 * instructions in a temporary copy of the build context (.dockerignore applied), then the runtime stage's command with
 * only what the image itself sets plus ADMIN_TOKEN, as the unprivileged user when run as root, with a fresh directory
 * standing in for the /data volume. It passes when /readyz answers 200 and the image's HEALTHCHECK command exits 0.
 *
 *   npm run check:docker-steps            (needs Redis on 127.0.0.1:6379, like the tests; takes minutes: npm ci)
 *
 * TypeScript run through test/support/swc-register.cjs (no build step), sharing the tests' Redis and port helpers.
 *   npm run check:docker-steps -- --keep  (leaves the temporary copy for a look)
 *
 * Only the instructions this Dockerfile uses are understood; anything else stops the check rather than being skipped.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../test/support/ports';
import { deletePrefix } from '../test/support/redis';

const ROOT = path.resolve(__dirname, '..');
const keep = process.argv.includes('--keep');
/** The unprivileged user (nobody) that stands in for the image's `USER node` when this runs as root. */
const UNPRIVILEGED = 65534;
const READY_TIMEOUT_MS = 60_000;

const started = Date.now();
const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);
const fail = (message: string): never => {
  throw new Error(message);
};

interface Instruction {
  keyword: string;
  rest: string;
}
interface Stage {
  name: string | undefined;
  from: string;
  instructions: Instruction[];
}

/** Dockerfile instructions, continued lines joined, comments dropped, grouped by stage. */
function stagesOf(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of text.replace(/\\\n\s*/g, ' ').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [, keyword = '', rest = ''] = /^(\w+)\s+(.*)$/.exec(trimmed) ?? fail(`cannot read Dockerfile line: ${trimmed}`);
    if (keyword.toUpperCase() === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)/i.exec(rest)?.[1], from: rest, instructions: [] });
    } else {
      (stages.at(-1) ?? fail('instruction before FROM')).instructions.push({ keyword: keyword.toUpperCase(), rest });
    }
  }
  return stages;
}

/** `ENV A=1 B=2` (the forms this Dockerfile uses). */
const envOf = (rest: string): Record<string, string> =>
  Object.fromEntries(rest.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

/** The build context as Docker sends it: everything under the root except what .dockerignore excludes. */
function copyContext(to: string): void {
  const patterns = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (patterns.some((p) => p.startsWith('!'))) fail('.dockerignore exceptions (!) are not understood by this check');
  const ignored = (relative: string) => {
    const parts = relative.split(path.sep);
    // A path is out when it, or any folder above it, matches.
    return parts.some((_, i) => patterns.some((p) => path.matchesGlob(parts.slice(0, i + 1).join('/'), p)));
  };
  cpSync(ROOT, to, { recursive: true, filter: (src) => src === ROOT || !ignored(path.relative(ROOT, src)) });
}

/** The environment a step sees: this machine's PATH and HOME, none of npm's own variables of this run. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) fail(`the service exited with ${child.exitCode} before it was ready`);
    const status = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) fail(`/readyz did not answer 200 within ${READY_TIMEOUT_MS / 1000} s (last: ${status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  const stages = stagesOf(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const build = stages.find((s) => s.name === 'build') ?? fail('the Dockerfile has no `build` stage');
  const runtime = stages.at(-1) ?? fail('the Dockerfile has no stage');
  const work = mkdtempSync(path.join(tmpdir(), 'vigil-docker-steps-'));
  const app = path.join(work, 'app');
  const data = path.join(work, 'data');
  const prefix = `vigil-docker-steps-${process.pid}`;
  let service: ChildProcess | undefined;
  try {
    log(`build stage (${build.from}) in ${app}`);
    const buildEnv = baseEnv();
    for (const { keyword, rest } of build.instructions) {
      if (keyword === 'WORKDIR') continue;
      if (keyword === 'ENV') Object.assign(buildEnv, envOf(rest));
      else if (keyword === 'COPY' && rest === '. .') {
        copyContext(app);
        log('COPY . .  (context copied, .dockerignore applied)');
      } else if (keyword === 'RUN' && rest.startsWith('apt-get ')) {
        log(`RUN ${rest.slice(0, 60)}…  skipped: OS packages (this machine has its own compiler and Python)`);
      } else if (keyword === 'RUN') {
        // BuildKit's cache mounts only speed a build up; the command is what runs.
        const shell = rest.replace(/^(--mount=\S+\s+)+/, '');
        const stepStart = Date.now();
        execFileSync('sh', ['-c', shell], { cwd: app, env: buildEnv, stdio: ['ignore', 'inherit', 'inherit'] });
        log(`RUN ${shell}  (${((Date.now() - stepStart) / 1000).toFixed(1)} s)`);
      } else fail(`build stage: ${keyword} ${rest} is not understood by this check`);
    }

    const runEnv = baseEnv();
    let user = false;
    let healthcheck: string[] | undefined;
    let command: string[] | undefined;
    for (const { keyword, rest } of runtime.instructions) {
      if (keyword === 'ENV') Object.assign(runEnv, envOf(rest));
      else if (keyword === 'USER') user = true;
      else if (keyword === 'HEALTHCHECK') healthcheck = JSON.parse(/\bCMD\s+(\[.*\])\s*$/.exec(rest)?.[1] ?? fail(`HEALTHCHECK ${rest}`)) as string[];
      else if (keyword === 'CMD') command = JSON.parse(rest) as string[];
    }
    if (!command || !healthcheck) return fail('the runtime stage needs a CMD and a HEALTHCHECK in exec form');

    // The /data volume: a fresh directory owned by the user the service runs as, as the image's chown makes it.
    mkdirSync(data);
    const asUser = user && process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
    if (asUser) {
      chownSync(data, UNPRIVILEGED, UNPRIVILEGED);
      // mkdtemp made the copy private to root; the image's /app is readable by everyone.
      chmodSync(work, 0o755);
    }
    const port = await freePort();
    // Only ADMIN_TOKEN is added to the image's own ENV. DATA_DIR points at the stand-in volume; PORT and REDIS_PREFIX
    // are moved aside because this machine's Redis and ports are shared with other runs.
    const env = { ...runEnv, ADMIN_TOKEN: 'docker-steps-check-admin-token', DATA_DIR: data, PORT: String(port), REDIS_PREFIX: prefix };
    const [program, ...args] = asUser
      ? ['setpriv', `--reuid=${UNPRIVILEGED}`, `--regid=${UNPRIVILEGED}`, '--clear-groups', ...command]
      : command;
    log(`runtime stage: ${command.join(' ')}${asUser ? ` as uid ${UNPRIVILEGED}` : ''}, env ${Object.keys(env).join(' ')}`);
    service = spawn(program ?? fail('empty CMD'), args, { cwd: app, env, stdio: ['ignore', 'inherit', 'inherit'] });
    await waitReady(`http://127.0.0.1:${port}`, service);
    log('/readyz answered 200');
    const health = spawnSync(healthcheck[0] ?? fail('empty HEALTHCHECK'), healthcheck.slice(1), { cwd: app, env, encoding: 'utf8' });
    if (health.status !== 0) fail(`the HEALTHCHECK command exited ${health.status}: ${health.stderr}`);
    log('HEALTHCHECK command exited 0');
    if (!existsSync(path.join(data, 'vigil.sqlite'))) fail('the embedded store did not write to DATA_DIR');
    log('the embedded store lives in the data volume');
    service.kill('SIGTERM');
    const [code] = (await once(service, 'exit')) as [number | null];
    service = undefined;
    if (code !== 0) fail(`SIGTERM: the service exited with ${code}`);
    log('SIGTERM: drained and exited 0');
    console.log(`docker-steps-check: PASSED in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    service?.kill('SIGKILL');
    await deletePrefix(prefix);
    if (keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`docker-steps-check: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
