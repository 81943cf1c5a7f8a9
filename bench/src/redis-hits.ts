// Redis hit throughput with 64 concurrent loops: a memoized call served from Redis against the
// floor of a raw ioredis GET + parse of the same data, in the same run, on the same server.
// Run: pnpm build && node bench/dist/redis-hits.js   (starts and stops its own redis-server)
import { cpus } from 'node:os'
import { Redis, type RedisOptions } from 'ioredis'
import { JsonSerDe, memoize, SuperJsonSerDe, type SerDe } from '@memokit/core'
import {
  RedisCacheConfiguration,
  RedisCacheStorage,
  RedisInvalidationBus,
  TwoTierCacheStorage,
} from '@memokit/redis'
import { startRedisServer } from '@memokit/redis/testing'
import {
  compareConcurrent,
  printConcurrentTable,
  type ConcurrentContestant,
} from './redis-harness.js'

const KEYS = 1_000
const JSON_FLOOR = 'floor: ioredis GET + JsonSerDe.deserialize'
const SUPERJSON_FLOOR = 'floor: ioredis GET + SuperJsonSerDe.deserialize'
const quick = process.argv.includes('--quick')
const options = quick ? { rounds: 3, sampleMs: 500 } : { rounds: 5, sampleMs: 1_000 }

/** A typical cached record (~300 bytes of JSON). */
function user(id: number) {
  return {
    id,
    name: `user-${id}`,
    email: `user-${id}@example.com`,
    roles: ['reader', 'writer', 'reviewer'],
    score: id * 1.5,
    createdAt: Date.UTC(2024, 0, 1) + id * 1_000,
    address: { street: `${id} Main Street`, city: 'Springfield', zip: String(10_000 + id) },
    flags: [true, false, true, true],
  }
}

const server = await startRedisServer()
const clients: Redis[] = []
const makeClient = (extra: RedisOptions = {}): Redis => {
  const client = new Redis(server.port, server.host, extra)
  client.on('error', () => {})
  clients.push(client)
  return client
}
const randomId = (): number => Math.floor(Math.random() * KEYS)
const hotId = (): number => Math.floor(Math.random() * 8)

try {
  const setupClient = makeClient()
  const entryOf = (id: number) => {
    const now = Date.now()
    return {
      created: now,
      updateAfter: now + 3_600_000,
      expiresAfter: now + 7_200_000,
      value: user(id),
    }
  }
  const json = new JsonSerDe()
  const superjson = new SuperJsonSerDe()
  for (let id = 0; id < KEYS; id++) {
    await setupClient.set(`raw:json:${id}`, json.serialize(entryOf(id)))
    await setupClient.set(`raw:superjson:${id}`, superjson.serialize(entryOf(id)))
  }

  const table = (pipelining: boolean, pick: () => number): ConcurrentContestant[] => {
    const clientOptions: RedisOptions = { enableAutoPipelining: pipelining }
    const memoized = (label: string, serde: SerDe, floor: string): ConcurrentContestant => ({
      name: `memokit memoized hit, ${label}`,
      floor,
      async setup() {
        const client = makeClient(clientOptions)
        const fn = memoize(async (id: number) => user(id), {
          configuration: RedisCacheConfiguration({
            client,
            namespace: `bench-${serde === json ? 'json' : 'superjson'}`,
            serde,
          }),
          name: 'Users.byId',
        })
        for (let id = 0; id < KEYS; id++) await fn(id)
        return () => fn(pick())
      },
    })
    return [
      {
        name: JSON_FLOOR,
        setup() {
          const client = makeClient(clientOptions)
          return async () => json.deserialize((await client.get(`raw:json:${pick()}`))!)
        },
      },
      {
        name: SUPERJSON_FLOOR,
        setup() {
          const client = makeClient(clientOptions)
          return async () => superjson.deserialize((await client.get(`raw:superjson:${pick()}`))!)
        },
      },
      {
        name: 'memokit RedisCacheStorage.get, JsonSerDe',
        floor: JSON_FLOOR,
        async setup() {
          const storage = new RedisCacheStorage({
            client: makeClient(clientOptions),
            namespace: 'bench-storage',
            serde: json,
          })
          for (let id = 0; id < KEYS; id++) await storage.offer(`u${id}`, entryOf(id))
          return () => storage.get(`u${pick()}`)
        },
      },
      memoized('JsonSerDe', json, JSON_FLOOR),
      memoized('SuperJsonSerDe (default)', superjson, SUPERJSON_FLOOR),
    ]
  }

  console.log(
    `Redis hits, 64 concurrent loops, ${KEYS} keys; redis-server on 127.0.0.1 (same machine); ` +
      `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}`,
  )
  printConcurrentTable(
    'ioredis defaults (no auto-pipelining), random keys',
    await compareConcurrent(table(false, randomId), options),
  )
  printConcurrentTable(
    'enableAutoPipelining: true (as createRedisClient), random keys',
    await compareConcurrent(table(true, randomId), options),
  )
  printConcurrentTable(
    'enableAutoPipelining: true, 8 hot keys (concurrent reads of a key share one GET)',
    await compareConcurrent(table(true, hotId), options),
  )

  const twoTier: ConcurrentContestant[] = [
    table(true, randomId)[1]!,
    {
      name: 'memokit memoized hit, TwoTierCacheStorage (memory tier)',
      floor: SUPERJSON_FLOOR,
      async setup() {
        const client = makeClient({ enableAutoPipelining: true })
        const bus = new RedisInvalidationBus({ client, namespace: 'bench-two-tier' })
        await bus.ready()
        const storage = new TwoTierCacheStorage({
          remote: new RedisCacheStorage({ client, namespace: 'bench-two-tier' }),
          bus,
        })
        const fn = memoize(async (id: number) => user(id), {
          configuration: RedisCacheConfiguration({ storage }),
          name: 'Users.byId',
        })
        for (let id = 0; id < KEYS; id++) await fn(id)
        return () => fn(randomId())
      },
    },
  ]
  printConcurrentTable(
    'two-tier: memory hits against the same floor',
    await compareConcurrent(twoTier, options),
  )
} finally {
  for (const client of clients) client.disconnect()
  await server.stop()
}
process.exit(0)
