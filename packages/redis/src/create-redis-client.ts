import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis'

/**
 * A reconnection delay that grows by 50 ms per attempt up to `cap`, plus up to 50 ms of jitter,
 * and never gives up. ioredis 6's default grows to 5 s, so after an outage the first command
 * can succeed seconds after Redis is back; with a 200 ms cap it succeeds within about 0.25 s.
 */
export function cappedRetryStrategy(cap = 200): (attempt: number) => number {
  return (attempt) => Math.min(50 * attempt, cap) + Math.floor(Math.random() * 50)
}

/**
 * ioredis options for a cache, and why:
 *
 * - `retryStrategy: cappedRetryStrategy(200)`: back to cache hits within a second of Redis
 *   returning (the default backoff reaches 5 s);
 * - `maxRetriesPerRequest: 1`: a command caught in a reconnection fails after one retry
 *   instead of twenty (the default made a GET against a killed Redis reject after 73 s);
 * - `commandTimeout: 1000`: ioredis's own backstop for hung servers (without it a GET on a
 *   stopped server stays pending indefinitely; memokit enforces its own, shorter deadline);
 * - `socketTimeout: 1000`: a connection that receives nothing for a second while commands wait
 *   is destroyed and reconnected. Without it, a connection that died silently (its peer gone
 *   without a FIN or RST: a half-open connection behind a firewall that drops packets) is kept
 *   for as long as the operating system takes to notice, up to about 15 minutes, and the cache
 *   stays off (every call computes) all that time;
 * - `connectTimeout: 2000`, `keepAlive: 10000`: notice dead peers sooner;
 * - `enableAutoPipelining: true`: concurrent commands issued in one tick share one write, which
 *   is most of the throughput of a busy cache.
 *
 * The offline queue stays on so commands issued before the first connection wait for it;
 * memokit fails fast by itself while a client that was connected is reconnecting.
 */
export const recommendedRedisOptions: Readonly<RedisOptions> = Object.freeze({
  retryStrategy: cappedRetryStrategy(200),
  maxRetriesPerRequest: 1,
  commandTimeout: 1_000,
  socketTimeout: 1_000,
  connectTimeout: 2_000,
  keepAlive: 10_000,
  enableAutoPipelining: true,
})

export interface CreateRedisClientOptions extends RedisOptions {
  /**
   * Receives connection errors. One is always attached, so a Redis outage never prints
   * ioredis's "Unhandled error event" for every reconnection attempt. @default ignore them
   */
  onError?: (error: Error) => void
}

/**
 * An ioredis `Redis` client with {@link recommendedRedisOptions} (your options win) and an
 * `error` listener attached.
 *
 * ```ts
 * const client = createRedisClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
 * ```
 */
export function createRedisClient(url?: string, options: CreateRedisClientOptions = {}): Redis {
  const { onError, ...rest } = options
  const merged: RedisOptions = { ...recommendedRedisOptions, ...rest }
  const client = url === undefined ? new Redis(merged) : new Redis(url, merged)
  client.on('error', onError ?? (() => {}))
  return client
}

export interface CreateRedisClusterOptions extends ClusterOptions {
  /** Receives connection errors. @default ignore them */
  onError?: (error: Error) => void
}

/**
 * An ioredis `Cluster` client with the recommended options on every node connection
 * ({@link recommendedRedisOptions}), a capped cluster retry strategy, and an `error` listener.
 */
export function createRedisCluster(
  startupNodes: ClusterNode[],
  options: CreateRedisClusterOptions = {},
): Cluster {
  const { onError, redisOptions, ...rest } = options
  const cluster = new Cluster(startupNodes, {
    clusterRetryStrategy: cappedRetryStrategy(200),
    enableAutoPipelining: true,
    slotsRefreshTimeout: 2_000,
    ...rest,
    redisOptions: {
      ...recommendedRedisOptions,
      ...redisOptions,
    },
  })
  cluster.on('error', onError ?? (() => {}))
  return cluster
}
