import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ENV_VARS, loadConfig } from '../../src/config';
import { startTestService, type TestService } from '../support/service';

/**
 * The deployment files as written: no Docker daemon runs here, so they are parsed and held to the service's own
 * configuration, Prometheus's own tool checks its files, and a real /metrics scrape vouches for every metric name the
 * alert rules and the dashboard use.
 */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const yamlFile = <T>(file: string): T => parseYaml(read(file), { merge: true }) as T;

interface Healthcheck {
  test: string[];
}
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition: string }> | string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}
interface PromConfig {
  rule_files: string[];
  scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
}
interface Rules {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
}
interface Dashboard {
  panels: { type: string; title: string; targets?: { expr: string }[] }[];
}

const compose = yamlFile<Compose>('docker-compose.yml');
const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

/** Compose's interpolation of ${VAR}, ${VAR:-default} and ${VAR:?error}, from `env`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (op === '?') throw new Error(`compose needs ${name}: ${arg ?? ''}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

const SECRETS = {
  ADMIN_TOKEN: 'admin-token-of-at-least-16-chars',
  VIGIL_MONGO_PASSWORD: 'apppassword',
  MONGO_ROOT_PASSWORD: 'rootpassword',
  GRAFANA_ADMIN_PASSWORD: 'grafanapassword',
};
const envOf = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, interpolate(String(v), SECRETS)]));

/** The port a `node -e "fetch('http://127.0.0.1:PORT/…')"` healthcheck asks. */
const healthcheckTarget = (s: Service): { port: number; path: string } => {
  const match = /http:\/\/127\.0\.0\.1:(\d+)(\/\w+)/.exec((s.healthcheck?.test ?? []).join(' '));
  if (!match) throw new Error(`no HTTP healthcheck in ${JSON.stringify(s.healthcheck)}`);
  return { port: Number(match[1]), path: match[2]! };
};

describe('docker-compose.yml', () => {
  it('when parsed, then it runs api, worker, redis, mongo, prometheus and grafana, each with a healthcheck', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'grafana', 'mongo', 'prometheus', 'redis', 'worker']);
    for (const [name, s] of Object.entries(compose.services)) {
      expect({ name, test: s.healthcheck?.test[0] }).toEqual({ name, test: 'CMD' });
    }
  });

  it('when API and worker read their environment, then every variable is one Vigil knows and the config loads', () => {
    for (const name of ['api', 'worker']) {
      const env = envOf(name);
      expect(Object.keys(env).filter((k) => !ENV_VARS.includes(k))).toEqual([]);
      const config = loadConfig(env);
      expect(config.mongodbUrl).toMatch(/^mongodb:\/\/vigil:apppassword@mongo:27017\/vigil\?authSource=vigil$/);
      expect(config.adminToken).toBe(SECRETS.ADMIN_TOKEN);
      expect(config.redisUrl).toBe('redis://redis:6379');
    }
  });

  it('when a secret is missing, then compose refuses to start instead of running with an empty one', () => {
    const { ADMIN_TOKEN: _, ...withoutToken } = SECRETS;
    expect(() => interpolate(String(service('api').environment?.ADMIN_TOKEN), withoutToken)).toThrow(/ADMIN_TOKEN/);
    expect(service('mongo').environment?.MONGO_INITDB_ROOT_PASSWORD).toMatch(/^\$\{MONGO_ROOT_PASSWORD:\?/);
  });

  it('when checked for health, then the API answers on PORT, published, and the worker on WORKER_PORT, exposed only', () => {
    const api = loadConfig(envOf('api'));
    expect(healthcheckTarget(service('api'))).toEqual({ port: api.port, path: '/readyz' });
    expect(service('api').ports).toEqual([`${api.port}:${api.port}`]);

    const worker = loadConfig(envOf('worker'));
    expect(service('worker').command).toEqual(['node', 'dist/src/main.js', 'worker']);
    expect(healthcheckTarget(service('worker'))).toEqual({ port: worker.workerPort, path: '/readyz' });
    expect(service('worker').expose).toEqual([String(worker.workerPort)]);
    // Published ports would collide as soon as workers scale out.
    expect(service('worker').ports).toBeUndefined();
  });

  it('when MongoDB starts empty, then the app user of MONGODB_URL is created by the mounted script, least privileged', () => {
    const url = new URL(loadConfig(envOf('api')).mongodbUrl ?? '');
    const script = read('deploy/mongo/create-app-user.js');
    expect(service('mongo').volumes).toContain('./deploy/mongo/create-app-user.js:/docker-entrypoint-initdb.d/create-app-user.js:ro');
    expect(script).toContain(`db.getSiblingDB('${url.searchParams.get('authSource')}')`);
    expect(script).toContain(`user: '${url.username}'`);
    expect(script).toContain(`roles: [{ role: 'readWrite', db: '${url.pathname.slice(1)}' }]`);
    expect(service('mongo').environment?.VIGIL_MONGO_PASSWORD).toMatch(/^\$\{VIGIL_MONGO_PASSWORD:\?/);
  });

  it('when volumes are mounted, then named ones are declared and bind-mounted files exist in the repository', () => {
    const used = Object.values(compose.services).flatMap((s) => s.volumes ?? []);
    for (const volume of used) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('./')) expect({ volume, exists: existsSync(path.join(ROOT, source)) }).toEqual({ volume, exists: true });
      else expect(Object.keys(compose.volumes)).toContain(source);
    }
  });

  it('when Prometheus scrapes, then it finds every API and worker replica on the ports their healthchecks use', () => {
    const prom = yamlFile<PromConfig>('deploy/prometheus/prometheus.yml');
    const job = (name: string) => prom.scrape_configs.find((j) => j.job_name === name)?.dns_sd_configs?.[0];
    expect(job('vigil-api')).toMatchObject({ names: ['api'], port: healthcheckTarget(service('api')).port });
    expect(job('vigil-worker')).toMatchObject({ names: ['worker'], port: healthcheckTarget(service('worker')).port });
    expect(service('prometheus').volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    expect(service('prometheus').command).toContain('--config.file=/etc/prometheus/prometheus.yml');
  });

  it('when Grafana starts, then its data source is the compose Prometheus and its dashboards folder is the mounted one', () => {
    const datasources = yamlFile<{ datasources: { url: string; uid: string }[] }>('deploy/grafana/provisioning/datasources/prometheus.yml');
    expect(datasources.datasources).toEqual([expect.objectContaining({ url: 'http://prometheus:9090', uid: 'vigil-prometheus' })]);
    expect(service('prometheus').ports).toEqual(['9090:9090']);
    const providers = yamlFile<{ providers: { options: { path: string } }[] }>('deploy/grafana/provisioning/dashboards/vigil.yml');
    const mount = (service('grafana').volumes ?? []).find((v) => v.startsWith('./deploy/grafana/dashboards:'));
    expect(mount?.split(':')[1]).toBe(providers.providers[0]?.options.path);
  });
});

describe('Dockerfile', () => {
  // Continued lines joined: one instruction per line.
  const dockerfile = read('Dockerfile').replace(/\\\n\s*/g, ' ');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('when the image runs, then it is non-root, keeps its data in the /data volume and has a healthcheck', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(runtime).toMatch(/DATA_DIR=\/data/);
    expect(runtime).toMatch(/chown node:node \/data/);
    expect(runtime).toMatch(/^HEALTHCHECK .*\/healthz/m);
    // The healthcheck reads the port from the same variable the service listens on.
    expect(loadConfig({ PORT: /PORT=(\d+)/.exec(runtime)?.[1] }).port).toBe(8080);
  });

  it('when the context is sent, then local state, secrets and build output stay out of it', () => {
    const ignored = read('.dockerignore').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', '**/dist', 'data', '.env']));
  });
});

const promtool = spawnSync('promtool', ['--version']).status === 0;
(promtool ? describe : describe.skip)(`Prometheus files${promtool ? '' : ' (SKIPPED: promtool is not on PATH)'}`, () => {
  const run = (...args: string[]) => execFileSync('promtool', args, { cwd: path.join(ROOT, 'deploy/prometheus'), encoding: 'utf8' });

  it('when promtool checks the config and the rules, then both pass', () => {
    expect(run('check', 'config', 'prometheus.yml')).toContain('SUCCESS');
    expect(run('check', 'rules', 'rules.yml')).toContain('SUCCESS');
  });

  it('when promtool runs the rule unit tests, then every alert fires on its trouble and only then', () => {
    expect(run('test', 'rules', 'rules.test.yml')).toContain('SUCCESS');
  });
});

/** Prometheus's own PromQL grammar; an ES module, so loaded with import(). */
const loadPromql = async () => (await import('@prometheus-io/lezer-promql')).parser;
type PromqlParser = Awaited<ReturnType<typeof loadPromql>>;

/** Metric names a PromQL expression selects; throws on an expression that does not parse. */
function metricNames(promql: PromqlParser, expr: string): string[] {
  // Grafana's own variable is no PromQL: any duration stands in for it.
  const text = expr.replaceAll('$__rate_interval', '5m');
  const names: string[] = [];
  promql.parse(text).iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`not PromQL at ${node.from}: ${expr}`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(text.slice(node.from, node.to));
    },
  });
  return names;
}

/** Names of the samples a /metrics page can carry, from its TYPE lines (present before any sample is recorded). */
function exposedNames(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const suffixes = type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['', '_sum', '_count'] : [''];
    for (const suffix of suffixes) names.add(`${name}${suffix}`);
  }
  return names;
}

describe('metric names in the alert rules and the dashboard', () => {
  let svc: TestService;
  let exposed: Set<string>;
  let promql: PromqlParser;
  const namesIn = (expr: string) => metricNames(promql, expr);

  beforeAll(async () => {
    promql = await loadPromql();
    svc = await startTestService('deploy-metrics');
    const res = await fetch(`${svc.url}/metrics`);
    exposed = exposedNames(await res.text());
  });
  afterAll(() => svc?.cleanup());

  it('when /metrics is scraped, then process metrics keep their conventional names and Vigil’s are prefixed', () => {
    const names = [...exposed];
    expect(names).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds']));
    expect(names.filter((n) => /^vigil_(process|nodejs)_/.test(n))).toEqual([]);
    expect(names.filter((n) => !/^(vigil|process|nodejs)_/.test(n))).toEqual([]);
  });

  it('when the alert rules select metrics, then /metrics exposes every one of them', () => {
    const rules = yamlFile<Rules>('deploy/prometheus/rules.yml');
    // `up` is Prometheus's own record of each scrape.
    const used = rules.groups.flatMap((g) => g.rules.flatMap((r) => namesIn(r.expr))).filter((n) => n !== 'up');
    expect(used.length).toBeGreaterThan(0);
    expect([...new Set(used)].filter((n) => !exposed.has(n))).toEqual([]);
  });

  it('when the dashboard queries, then every query parses and /metrics exposes every metric it selects', () => {
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/vigil.json')) as Dashboard;
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const used = new Set(exprs.flatMap(namesIn));
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
    // The panels the deployment promises.
    for (const title of ['Ingest rate', 'Accepted vs rejected events', 'Queue depth', 'Ingest lag', 'Detector run time', 'Open incidents', 'Notification outcomes']) {
      expect(dashboard.panels.map((p) => p.title)).toContain(title);
    }
  });
});
