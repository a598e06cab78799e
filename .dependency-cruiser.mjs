// Architecture rules checked by `npm test` (`npm run deps`): no import cycle in src/, and a pure domain.
const frameworks = [
  'graphql',
  'type-graphql',
  '@apollo',
  '@prisma',
  'prisma',
  'redis',
  '@redis',
  '@hyperledger',
  'fabric-[a-z-]+',
  'pg',
  '@electric-sql',
  'pino',
  'jose',
];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: move what both sides need into a module both can import.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'src/domain imports no framework, database, cache, ledger or transport; pass it in through an interface.',
      from: { path: '^src/domain/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        path: `^node_modules/(${frameworks.join('|')})/`,
      },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'src/domain depends on nothing else in src/.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
