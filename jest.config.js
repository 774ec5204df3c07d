// Jest runs in native ESM mode (NODE_OPTIONS=--experimental-vm-modules, set by `npm test`).
// Sources are TypeScript compiled by SWC with decorator metadata, as Nest needs.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        sourceMaps: 'inline',
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
          keepClassNames: true,
          // `import … with { type: 'json' }` must reach Node as written (it needs the attribute).
          experimental: { keepImportAttributes: true },
        },
        module: { type: 'es6' },
      },
    ],
  },
  // Our own relative imports carry the `.js` suffix NodeNext requires; map them back to the `.ts` sources.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/{apps,libs,test,migrations}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // Generous: this VM's speed drifts several-fold within minutes, and a timeout is for a hang, not a speed target
  // (those are benchmarks, bench/).
  testTimeout: 120000,
  setupFiles: ['reflect-metadata'],
  setupFilesAfterEnv: ['<rootDir>/test/support/after-each-file.ts'],
  // A handle a test leaks must not hold CI open until its time limit; after-each-file.ts closes what tests
  // abandon, and this ends the run whatever else is left.
  forceExit: true,
};
