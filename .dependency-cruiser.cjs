// Import rules that keep data flowing one way (README "What is inside"). `npm run lint`
// fails on any of them. Type-only imports count: a type import is still an arrow a reader follows.

/**
 * Every folder and top-level module under src/, lowest first. A module may import only from its
 * own folder and from entries before it: one order means no cycle between folders can form, and
 * the pipeline reads top to bottom (sources → collection → ingest → analysis → detection →
 * incidents → notification, each stage importing what it calls, never what calls it). When an
 * arrow must run the other way, move the shared piece down (as the mention record, the bucket size
 * and the permission table were), do not reorder to make the error go away.
 */
const layers = [
  // the kernel: no database, no feature
  'errors.ts',
  'random.ts',
  'logger.ts',
  'metrics.ts', // what this process counts (prom-client); read by GET /metrics
  'display.ts',
  'validation.ts',
  'outbound',
  'config.ts',
  'access', // the role × action table and the caller's identity: what http and auth share
  // pure stages and the record they pass along
  'analysis',
  'mention.ts',
  'detection',
  'sources',
  // storage and what every verb receives
  'db',
  'secrets',
  'context.ts',
  'jobs',
  'audit',
  // the HTTP toolkit (route definitions, schemas, the caller); it knows no feature
  'http',
  'auth',
  // notification below the crisis workflow that calls it
  'incident-record',
  'notify',
  'oncall',
  'organizations',
  // the pipeline and the crisis workflow, in the order data reaches them
  'ingest',
  'collection',
  'mentions',
  'statements',
  'post-review', // the clinic's own posts checked before publishing (issue 17)
  'postmortems',
  'incidents',
  'privacy', // erasure on request: reads what incidents cite
  'backup', // hinoko backup / restore: the whole database, as its owner
  'detection-pass',
  'overview', // reads mentions, alerts, incidents and sources for the wall screen
  'live', // NOTIFY → the pages' event streams
  'pipeline-stages.ts',
  // the edges: pages, demo data, the composed app, the process, the command line
  'web',
  'bootstrap',
  'server',
  'main.ts',
  'cli',
];
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathOf = (entry) => (entry.endsWith('.ts') ? `^src/${escapeRe(entry)}$` : `^src/${escapeRe(entry)}/`);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layers.slice(0, -1).map((entry, i) => ({
      name: `flows-one-way:${entry}`,
      severity: 'error',
      comment: `src/${entry} imports only what comes before it in the layer order (.dependency-cruiser.cjs).`,
      from: { path: pathOf(entry) },
      to: { path: layers.slice(i + 1).map(pathOf) },
    })),
    {
      name: 'every-folder-has-a-layer',
      severity: 'error',
      comment: 'A new folder or top-level module gets its place in `layers`, so the order above stays complete.',
      from: { path: '^src/', pathNot: layers.map(pathOf) },
      to: { path: '^src/' },
    },
    {
      name: 'every-folder-has-a-layer',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: layers.map(pathOf) },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules cannot be understood, tested or moved apart.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'pure-stages-have-no-database',
      severity: 'error',
      comment:
        'Sources map payloads, analysis reads text, detectors read series and views take plain props: ' +
        'none of them may reach the database, so their tests need none and they cannot write behind a verb’s back.',
      from: { path: '^src/(sources|analysis|detection|web)/' },
      to: { path: ['^src/db/', '^node_modules/(postgres|kysely|kysely-postgres-js)/'] },
    },
    {
      name: 'src-does-not-import-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'src-does-not-import-dev-dependencies',
      severity: 'error',
      comment: 'npm ci --omit=dev must still run the service.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.json'],
    },
    skipAnalysisNotInRules: true,
  },
};
