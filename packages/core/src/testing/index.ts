/**
 * Test helpers for code that uses memokit and for storage authors.
 *
 * @packageDocumentation
 */
export { FakeClock, flushPromises } from './fake-clock.js'
export {
  describeCacheStorageContract,
  type CacheStorageContractOptions,
  type TestFramework,
} from './storage-contract.js'
