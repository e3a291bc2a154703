/**
 * The layers of CommuneWatch, checked on every `npm test` (`npm run check:imports`).
 * Type-only imports count too (tsPreCompilationDeps): a cycle of types is still a cycle of concepts.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment:
        'Modules in server/ and agent/ form a graph without cycles: each layer can be read (and replaced) on its own.',
      severity: 'error',
      from: { path: '^(server|agent|protocol|common|cli)/' },
      to: { circular: true },
    },
    {
      name: 'server-not-agent-code',
      comment:
        'The server loads no probe code: it imports only the contract modules (protocol/, agent/probes/schemas.ts).',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^agent/', pathNot: '^agent/probes/schemas[.]ts$' },
    },
    {
      name: 'schemas-are-contract-only',
      comment: 'Target schemas are a contract: no runtime dependency on probe code (the ping package, sockets, ...).',
      severity: 'error',
      from: { path: '^agent/probes/schemas[.]ts$' },
      to: { path: '^agent/', pathNot: '^agent/probes/schemas[.]ts$' },
    },
    {
      name: 'sql-only-in-store',
      comment: 'Every line of SQL lives under server/store/: only the store opens the database driver.',
      severity: 'error',
      from: { path: '^server/', pathNot: '^server/store/' },
      to: { path: 'node_modules/better-sqlite3' },
    },
    {
      name: 'seams-not-implementations',
      comment:
        'Store seams (server/store/*-store.ts, store.ts, ...) are interfaces a second store implements: they import neither the driver nor an sqlite-* file.',
      severity: 'error',
      from: { path: '^server/store/', pathNot: '^server/store/sqlite-' },
      to: { path: ['node_modules/better-sqlite3', '^server/store/sqlite-'] },
    },
    {
      name: 'protocol-is-a-leaf',
      comment: 'protocol/ is shared by agent and server and depends on neither.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: '^(agent|server|cli)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
  },
};
