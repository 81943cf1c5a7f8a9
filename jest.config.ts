import type { Config } from 'jest'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

// superjson 2 and its dependencies are ESM-only; let ts-jest transpile them to CommonJS.
const esmOnly = ['superjson', 'copy-anything', 'is-what']
const root = __dirname

const common = {
  testEnvironment: 'node',
  transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm|${esmOnly.join('|')})(/|@))`],
  moduleNameMapper: {
    // Tests run against the sources: no build needed.
    '^@memokit/([a-z]+)/testing$': `${root}/packages/$1/src/testing/index.ts`,
    '^@memokit/([a-z]+)$': `${root}/packages/$1/src/index.ts`,
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
}

const transform = (tsconfig: string): Record<string, [string, unknown]> => ({
  '^.+\\.[tj]s$': ['ts-jest', { tsconfig: join(root, tsconfig) }],
})

const hasTests = (dir: string) =>
  existsSync(join(root, dir)) && readdirSync(join(root, dir), { recursive: true }).length > 0

const packageProject = (name: string, extra: Partial<Config> = {}): Config => ({
  ...common,
  displayName: name,
  rootDir: join(root, 'packages', name),
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: transform('tsconfig.test.json'),
  ...extra,
})

const projects: Config[] = [
  packageProject('core'),
  // The decorator tests again, compiled with experimentalDecorators + emitDecoratorMetadata.
  packageProject('core', {
    displayName: 'core:legacy-decorators',
    testMatch: ['<rootDir>/test/decorators/**/*.test.ts'],
    setupFiles: ['reflect-metadata'],
    transform: transform('tsconfig.test.legacy.json'),
  }),
]
for (const name of ['memory', 'redis', 'lambda']) {
  if (!hasTests(`packages/${name}/test`)) continue
  const setup = join(root, 'packages', name, 'test', 'global-setup.ts')
  projects.push(
    packageProject(
      name,
      existsSync(setup)
        ? {
            globalSetup: setup,
            globalTeardown: join(root, 'packages', name, 'test', 'global-teardown.ts'),
          }
        : {},
    ),
  )
}
if (hasTests('examples/test')) {
  projects.push({
    ...common,
    displayName: 'examples',
    rootDir: join(root, 'examples'),
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: transform('tsconfig.test.json'),
  })
}
if (hasTests('bench/test')) {
  projects.push({
    ...common,
    displayName: 'bench',
    rootDir: join(root, 'bench'),
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: transform('tsconfig.test.json'),
  })
}

if (hasTests('reliability/test')) {
  // The reliability suite's fast part (docs/reliability.md); its global setup builds the
  // package, whose worker and child processes run the built JavaScript.
  projects.push({
    ...common,
    displayName: 'reliability',
    rootDir: join(root, 'reliability'),
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: transform('tsconfig.test.json'),
    globalSetup: join(root, 'reliability', 'test', 'global-setup.ts'),
  })
}

// A global option: projects do not inherit it.
const config: Config = { projects, testTimeout: 20_000 }
export default config
