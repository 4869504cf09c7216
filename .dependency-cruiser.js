/** Architecture guardrails, run by `npm run lint` (and so by `npm test`). */

/**
 * The pipeline's rooms in import order: a room may import the rooms before it, never one after. The counters come
 * first because they are the store both ingest (writes, through their port) and detection (reads) share; each later
 * room consumes what the one before produced, and hands on through a port the later room implements (detection's
 * SignalSink, incidents' listeners), wired in src/service.ts.
 */
const PIPELINE = ['counters', 'ingest', 'detection', 'incidents', 'alerts', 'postmortems'];

const pipelineRules = PIPELINE.slice(0, -1).map((room, i) => ({
  name: `pipeline-${room}`,
  severity: 'error',
  comment: `src/${room} may not import a later room of the pipeline (${PIPELINE.slice(i + 1).join(', ')}): data flows one way.`,
  from: { path: `^src/${room}/` },
  to: { path: PIPELINE.slice(i + 1).map((later) => `^src/${later}/`) },
}));

module.exports = {
  forbidden: [
    ...pipelineRules,
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make start-up order and testing fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain holds pure logic (detection, state machine, postmortems): it imports nothing of ours but src/domain.',
      from: { path: '^src/domain' },
      to: { pathNot: ['^src/domain', '^node_modules/zod/'] },
    },
    {
      name: 'domain-no-node-io',
      severity: 'error',
      from: { path: '^src/domain' },
      to: { dependencyTypes: ['core', 'npm'], pathNot: ['^node_modules/zod/'] },
    },
    {
      name: 'cli-not-from-http',
      severity: 'error',
      comment: 'The command line shares input rules with the API through src/validation.ts, not through the HTTP layer.',
      from: { path: '^src/cli' },
      to: { path: '^src/http' },
    },
    {
      name: 'src-not-from-workers-or-tests',
      severity: 'error',
      comment: 'Only the composition root (src/service.ts) wires the worker processors in.',
      from: { path: '^src', pathNot: '^src/service\\.ts$' },
      to: { path: ['^workers', '^test', '^bench'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
