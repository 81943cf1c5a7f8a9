// Runs once in jest's parent process, before any test file: builds the packages the
// child-process workers import (packages/*/dist), then starts one throwaway redis-server and
// one 3-master Redis Cluster on random loopback ports. Test files read their addresses from the
// environment; they never touch any other Redis (such as one on 6379).
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type * as Testing from '../src/testing/index'

const root = join(__dirname, '..', '..', '..')

/** A real dynamic import (jest would turn `import()` into `require()` of an ES module). */
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- the only way to a native import()
const importModule = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>

export default async function globalSetup(): Promise<void> {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-b', join(root, 'packages', 'redis', 'tsconfig.json')],
    { stdio: 'inherit' },
  )
  const testing = (await importModule(
    pathToFileURL(join(root, 'packages', 'redis', 'dist', 'testing', 'index.js')).href,
  )) as typeof Testing
  const server = await testing.startRedisServer()
  const cluster = await testing.startRedisCluster({ masters: 3 })
  process.env.MEMOKIT_TEST_REDIS_URL = server.url
  process.env.MEMOKIT_TEST_REDIS_CLUSTER = JSON.stringify(cluster.startupNodes)
  ;(globalThis as Record<string, unknown>).__memokitRedis = { server, cluster }
}
