import { randomBytes } from 'node:crypto'
import type { CacheEntry } from '@memokit/core'
import {
  createRedisClient,
  createRedisCluster,
  type CreateRedisClientOptions,
  type RedisClient,
} from '@memokit/redis'

const open = new Set<RedisClient>()

function requireEnv(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '')
    throw new Error(
      `${name} is not set: the Redis tests need the jest global setup (packages/redis/test/global-setup.ts), ` +
        'which starts a throwaway redis-server; run them through the root jest config',
    )
  return value
}

/** The URL of the throwaway redis-server started by the global setup. */
export function testRedisUrl(): string {
  return requireEnv('MEMOKIT_TEST_REDIS_URL')
}

/** The startup nodes of the throwaway Redis Cluster started by the global setup. */
export function testClusterNodes(): { host: string; port: number }[] {
  return JSON.parse(requireEnv('MEMOKIT_TEST_REDIS_CLUSTER')) as { host: string; port: number }[]
}

/** A client (recommended options) to `url`, disconnected by {@link closeClients}. */
export function client(url = testRedisUrl(), options: CreateRedisClientOptions = {}): RedisClient {
  const created = createRedisClient(url, options)
  open.add(created)
  return created
}

/** A cluster client to the test cluster, disconnected by {@link closeClients}. */
export function clusterClient(): RedisClient {
  const created = createRedisCluster(testClusterNodes())
  open.add(created)
  return created
}

/** Resolves once `target` is connected. */
export async function connected(target: RedisClient): Promise<RedisClient> {
  if (target.status !== 'ready')
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Redis client did not connect')), 10_000)
      target.once('ready', () => {
        clearTimeout(timer)
        resolve()
      })
    })
  return target
}

/** Disconnects every client made by this module. */
export function closeClients(): void {
  for (const c of open) c.disconnect()
  open.clear()
}

/** A namespace no other test uses (tests share one redis-server). */
export function uniqueNamespace(label = 't'): string {
  return `${label}-${randomBytes(6).toString('hex')}`
}

/** An entry fresh for an hour. */
export function freshEntry<T>(value: T, now = Date.now()): CacheEntry<T> {
  return { created: now, updateAfter: now + 3_600_000, expiresAfter: now + 7_200_000, value }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))
