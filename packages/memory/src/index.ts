/**
 * A RAM-bounded LRU + TTL store for serverless runtimes: `FaasCacheMap` (a `Map` bounded by
 * estimated bytes and item count, with per-entry TTLs) and `MemoryCacheStorage` (the same
 * engine as a memokit `CacheStorage`), plus the `MemoryCacheConfiguration` preset.
 *
 * @packageDocumentation
 */
export {
  FaasCacheMap,
  type FaasCacheMapConstructor,
  type FaasCacheMapOptions,
} from './faas-cache-map.js'
export { MemoryCacheStorage, type MemoryCacheStorageOptions } from './memory-cache-storage.js'
export {
  MemoryCacheConfiguration,
  memoryCacheConfiguration,
  type MemoryCacheConfigurationOptions,
} from './memory-cache-configuration.js'
export { type OnDelete, type RemovalReason } from './lru-ttl-store.js'
export { parseByteSize, BYTE_SIZE_SUFFIXES, type ByteSize } from './byte-size.js'
export { estimateByteSize, SIZE_MODEL, CUSTOM_BYTE_SIZE } from './size-estimate.js'
export { lambdaMemoryBudget, LAMBDA_MEMORY_FRACTION } from './lambda-budget.js'
export { DEFAULT_PURGE_INTERVAL } from './options.js'
export { DataTooLargeError, KeyNotFoundError } from './errors.js'
