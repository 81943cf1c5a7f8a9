/**
 * memokit on Redis and Redis Cluster (ioredis): a shared cache that fails open, cross-process
 * dog-pile protection, and an invalidation bus that keeps per-process memory tiers coherent.
 *
 * @packageDocumentation
 */
export {
  RedisCacheStorage,
  type RedisCacheStorageOptions,
  type RedisCacheStorageStats,
} from './redis-cache-storage.js'
export {
  RedisUpdateStatuses,
  type RedisUpdateStatusesOptions,
  type RedisUpdateStatusesStats,
} from './redis-update-statuses.js'
export {
  RedisInvalidationBus,
  type RedisInvalidationBusOptions,
  type RedisInvalidationBusStats,
  type InvalidationListener,
} from './redis-invalidation-bus.js'
export {
  TwoTierCacheStorage,
  type TwoTierCacheStorageOptions,
  type TwoTierCacheStorageStats,
} from './two-tier-cache-storage.js'
export {
  RedisCacheConfiguration,
  type RedisCacheConfigurationOptions,
} from './redis-cache-configuration.js'
export {
  createRedisClient,
  createRedisCluster,
  cappedRetryStrategy,
  recommendedRedisOptions,
  type CreateRedisClientOptions,
  type CreateRedisClusterOptions,
} from './create-redis-client.js'
export {
  RedisCircuitBreaker,
  circuitBreakerOf,
  type RedisCircuitBreakerOptions,
  type CircuitState,
} from './circuit-breaker.js'
export type { RedisClient } from './redis-client.js'
export { ENVELOPE_VERSION } from './envelope.js'
export {
  REDIS_DIAGNOSTICS_CHANNEL,
  type RedisEvent,
  type RedisEventListener,
  type RedisEventType,
} from './events.js'
export {
  RedisFaultError,
  RedisTimeoutError,
  RedisUnavailableError,
  RedisCommandError,
  RemoteRefreshError,
} from './errors.js'
export { type SigningKey } from './signing.js'
