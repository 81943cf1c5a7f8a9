// py-memoize's "granular TTL" example: a custom entry builder gives each entry its own
// lifetime, taken from the value (for instance from a Cache-Control header).
import { randomInt } from 'node:crypto'
import {
  DefaultInMemoryCacheConfiguration,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  memoize,
  type CacheEntry,
  type CacheEntryBuilder,
  type CacheKey,
} from '@memokit/core'

interface ValueWithTtl {
  value: string
  ttlSeconds: number
}

class TtlRespectingCacheEntryBuilder implements CacheEntryBuilder {
  build<T>(_key: CacheKey, value: T, now = Date.now()): CacheEntry<T> {
    const { ttlSeconds } = value as ValueWithTtl
    const ttlEndsAt = now + ttlSeconds * 1000
    return {
      created: now,
      updateAfter: ttlEndsAt,
      expiresAfter: ttlEndsAt + Math.floor(ttlSeconds / 10) * 1000, // stale for 10 % of the TTL
      value,
    }
  }
}

const storage = new LocalInMemoryCacheStorage() // extracted for demonstration purposes only

const externalCall = memoize(
  async (key: string): Promise<ValueWithTtl> => ({
    value: `${key}-result-${randomInt(1, 101)}`,
    ttlSeconds: randomInt(60, 301),
  }),
  {
    configuration: MutableCacheConfiguration.initializedWith(
      new DefaultInMemoryCacheConfiguration(),
    )
      .setEntryBuilder(new TtlRespectingCacheEntryBuilder())
      .setStorage(storage),
  },
)

await externalCall('a')
await externalCall('b')
await externalCall('b')

console.log('Entries persisted in the cache:')
for (const entry of storage.entries()) {
  const { value, ttlSeconds } = entry[1].value as ValueWithTtl
  console.log(`Entry: ${value} (ttl ${ttlSeconds} s)`)
  console.log(`Effective TTL: ${(entry[1].updateAfter - entry[1].created) / 1000} s`)
}

// Output:
// Entries persisted in the cache:
// Entry: a-result-{{\d+}} (ttl {{(?<a>\d+)}} s)
// Effective TTL: {{\k<a>}} s
// Entry: b-result-{{\d+}} (ttl {{(?<b>\d+)}} s)
// Effective TTL: {{\k<b>}} s
