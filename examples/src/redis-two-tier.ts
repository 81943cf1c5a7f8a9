// A memory tier in front of Redis, kept coherent across application instances by an
// invalidation bus. Hits come from memory (synchronously); a write in one instance makes the
// others drop their copy.
//
// The two instances live in one process here to keep the example short; each has its own
// connections, exactly as two processes would. Uses REDIS_URL when set, else a throwaway
// redis-server.
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { forceRefresh, memoize } from '@memokit/core'
import {
  createRedisClient,
  RedisCacheConfiguration,
  RedisCacheStorage,
  RedisInvalidationBus,
  TwoTierCacheStorage,
} from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

let server: RedisServer | undefined
const url = process.env.REDIS_URL ?? (server = await startRedisServer()).url
const namespace = `example-${randomBytes(4).toString('hex')}`

let version = 0 // what the "database" holds: bumped by each computation below

/** One application instance: its own Redis connections, bus and memory tier. */
async function instance(name: string) {
  const client = createRedisClient(url)
  const bus = new RedisInvalidationBus({ client, namespace })
  const storage = new TwoTierCacheStorage({
    remote: new RedisCacheStorage({ client, namespace }),
    bus,
    localMaxAge: 60_000,
  })
  await bus.ready() // subscribed: from now on no invalidation is missed
  const settings = memoize(
    async (tenant: string) => {
      version++
      return { tenant, theme: 'dark', version, computedBy: name }
    },
    { configuration: RedisCacheConfiguration({ storage }), name: 'settings' },
  )
  const close = async (): Promise<void> => {
    storage.close()
    await bus.close()
    client.disconnect()
  }
  return { settings, storage, bus, close }
}

const a = await instance('A')
const b = await instance('B')

console.log('A computes:', await a.settings('acme'))
// Its write is announced on the bus; B's read below starts after B heard it (a read racing with
// an invalidation of its key is returned, but not kept in memory).
while (b.bus.stats().received < 1) await sleep(1)
console.log('B reads it from Redis:', await b.settings('acme'))
console.log('B again, from memory:', await b.settings('acme'))
console.log('B memory-tier hits so far:', b.storage.stats().localHits)

// A refreshes the entry: Redis gets the new value, and the bus tells B to drop its copy.
await forceRefresh(() => a.settings('acme'))
while (b.bus.stats().received < 2) await sleep(1) // the consistency window: one pub/sub hop
console.log('B after A refreshed:', await b.settings('acme'))

await a.close()
await b.close()
await server?.stop()

// Output:
// A computes: { tenant: 'acme', theme: 'dark', version: 1, computedBy: 'A' }
// B reads it from Redis: { tenant: 'acme', theme: 'dark', version: 1, computedBy: 'A' }
// B again, from memory: { tenant: 'acme', theme: 'dark', version: 1, computedBy: 'A' }
// B memory-tier hits so far: 1
// B after A refreshed: { tenant: 'acme', theme: 'dark', version: 2, computedBy: 'A' }
