/**
 * memokit core: the `@memoize()` decorator and function wrapper, the call engine with dog-pile
 * protection and background refresh, and every pluggable policy.
 *
 * @packageDocumentation
 */
export { memoize, cacheControl, type MemoizeOptions, type MemoizeDecorator } from './memoize.js'
export { memoizeConcurrent, type MemoizeConcurrentOptions } from './memoize-concurrent.js'
export {
  forceRefresh,
  invalidate,
  withSignal,
  methodSignal,
  takeCallRequest,
  raceSignal,
  type CallRequest,
} from './call-context.js'
export { settle } from './background.js'
export {
  MemoizedMethod,
  type MemoizedControl,
  type MemoizedMethodOptions,
} from './memoized-method.js'
export { MethodReference } from './method-reference.js'
export { callable, type Callable } from './callable.js'

export {
  MutableCacheConfiguration,
  DefaultInMemoryCacheConfiguration,
  snapshotOf,
  type CacheConfiguration,
  type ConfigurationSnapshot,
  type MutableCacheConfigurationOptions,
  type DefaultInMemoryCacheConfigurationOptions,
} from './configuration.js'
export { cacheEntry, isCacheEntry, type CacheEntry, type CacheKey } from './cache-entry.js'
export {
  systemClock,
  seconds,
  minutes,
  hours,
  type Clock,
  type Milliseconds,
  type Timestamp,
  type TimerHandle,
} from './clock.js'
export {
  ProvidedLifeSpanCacheEntryBuilder,
  type CacheEntryBuilder,
  type ProvidedLifeSpanCacheEntryBuilderOptions,
} from './entry-builder.js'
export {
  EncodedMethodReferenceAndArgsKeyExtractor,
  EncodedMethodNameAndArgsKeyExtractor,
  type KeyExtractor,
  type EncodedMethodReferenceAndArgsKeyExtractorOptions,
  type EncodedMethodNameAndArgsKeyExtractorOptions,
} from './key-extractor.js'
export {
  cacheKey,
  encodeArguments,
  encodeValue,
  hashKey,
  type KeyEncodingLimits,
} from './canonical-key.js'
export { LocalInMemoryCacheStorage, type CacheStorage } from './cache-storage.js'
export {
  LeastRecentlyUpdatedEvictionStrategy,
  NoEvictionStrategy,
  type EvictionStrategy,
  type LeastRecentlyUpdatedEvictionStrategyOptions,
} from './eviction-strategy.js'
export { NoPostprocessing, DeepcopyPostprocessing, type Postprocessing } from './postprocessing.js'
export { deepCopy } from './deep-copy.js'
export {
  InMemoryLocks,
  type UpdateStatuses,
  type ClaimOptions,
  type UpdateClaim,
  type InMemoryLocksOptions,
  type MaybePromise,
} from './update-statuses.js'
export { InvalidationSupport } from './invalidation.js'
export { type SerDe } from './serde.js'
export { JsonSerDe, type JsonSerDeOptions } from './json-serde.js'
export { SuperJsonSerDe } from './superjson-serde.js'
export { EncodingSerDe, type BinaryEncoding, type EncodingSerDeOptions } from './encoding-serde.js'
export {
  DIAGNOSTICS_CHANNEL,
  type CacheEvent,
  type CacheEventListener,
  type CacheEventType,
  type MemoizeStats,
} from './events.js'
export {
  MemoizeError,
  CachedMethodFailedError,
  MethodTimeoutError,
  NotConfiguredCacheCalledError,
  KeyDerivationError,
  InvalidConfigurationError,
  MemoizeUsageError,
  InvalidationNotBoundError,
  UpdateStatusError,
  UpdateLockTimeoutError,
  RefreshSupersededError,
  SerDeError,
  type CachedMethodFailure,
} from './errors.js'
