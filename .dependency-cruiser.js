/** Architecture guardrails, run by `npm run lint` (and so by `npm test`). */
module.exports = {
  forbidden: [
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
      comment: 'src/domain holds pure logic (detection, state machine, postmortems): no I/O, no infrastructure.',
      from: { path: '^src/domain' },
      to: {
        pathNot: ['^src/domain', '^src/errors\\.ts$', '^src/clock\\.ts$', '^src/ids\\.ts$', '^node_modules/zod/'],
        dependencyTypesNot: ['type-only'],
      },
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
