// py-memoize's "custom configuration" example: every part of the default is overridden.
import {
  DeepcopyPostprocessing,
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  InMemoryLocks,
  LeastRecentlyUpdatedEvictionStrategy,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  ProvidedLifeSpanCacheEntryBuilder,
  memoize,
  minutes,
} from '@memokit/core'

const storage = new LocalInMemoryCacheStorage()

const cached = memoize(async (): Promise<{ answer: string }> => ({ answer: 'dummy' }), {
  name: 'cached',
  configuration: MutableCacheConfiguration.initializedWith(new DefaultInMemoryCacheConfiguration())
    .setMethodTimeout(minutes(2))
    .setEntryBuilder(
      new ProvidedLifeSpanCacheEntryBuilder({ updateAfter: minutes(2), expireAfter: minutes(5) }),
    )
    .setEvictionStrategy(new LeastRecentlyUpdatedEvictionStrategy({ capacity: 2048 }))
    .setKeyExtractor(new EncodedMethodNameAndArgsKeyExtractor({ skipFirstArgAsSelf: false }))
    .setStorage(storage)
    .setPostprocessing(new DeepcopyPostprocessing()),
  updateStatuses: new InMemoryLocks({ updateLockTimeout: minutes(5) }),
})

const first = await cached()
first.answer = 'mutated by the caller' // a deep copy: the cached value is untouched
const second = await cached()
console.log(second.answer)
for (const [key, entry] of storage.entries()) {
  console.log(`${key} refreshes after ${(entry.updateAfter - entry.created) / 60_000} min`)
  console.log(`${key} expires after ${(entry.expiresAfter - entry.created) / 60_000} min`)
}

// Output:
// dummy
// cached[] refreshes after 2 min
// cached[] expires after 5 min
