// Stops what global-setup.ts started (both run in jest's parent process).
import type { RedisCluster, RedisServer } from '../src/testing/index'

export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as Record<string, unknown>).__memokitRedis as
    { server: RedisServer; cluster: RedisCluster } | undefined
  if (started === undefined) return
  await Promise.all([started.server.stop(), started.cluster.stop()])
}
