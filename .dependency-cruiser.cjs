// Import rules that keep data flowing one way (README "How the code is laid out"). `npm run lint`
// fails on any of them. Type-only imports count: a type import is still an arrow a reader follows.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
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
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.json'] },
    skipAnalysisNotInRules: true,
  },
};
