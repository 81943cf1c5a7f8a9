// Redis hits from 64 concurrent loops: a memoized call answered from Redis against the floor of
// a raw ioredis GET + JSON.parse of the same record, on the run's redis-server.
import type { Redis } from 'ioredis'
import { timeConcurrent, type ConcurrentOptions } from '../lib/harness.js'
import type { Scenario } from '../lib/scenario.js'

/** A typical cached record (~300 bytes of JSON). */
export function user(id: number) {
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

/** The client every contestant gets (the naive floor excepted): auto-pipelining on. */
export async function pipelinedClient(url: string): Promise<Redis> {
  return plainClient(url, true)
}

/** An ioredis client (imported on first use, so measurement processes load it only if needed). */
async function plainClient(url: string, enableAutoPipelining = false): Promise<Redis> {
  const { Redis } = await import('ioredis')
  const client = new Redis(url, { enableAutoPipelining })
  client.on('error', () => {})
  return client
}

/** Refresh after 10 minutes, expiry after 30 (memokit's defaults): every read is a fresh hit. */
const REFRESH = 600_000
const EXPIRE = 1_800_000

type Get = (id: number) => Promise<unknown>

interface Setup {
  /** Fills Redis with every key (through the contestant itself where it can). */
  create(url: string, namespace: string, keys: number): Promise<Get>
}

const load = async (id: number) => user(id)

/** memokit's memoized `load` on a `RedisCacheStorage` (default SerDe unless `json`). */
async function memokitOnRedis(
  url: string,
  namespace: string,
  options: { json?: boolean; signingKey?: string },
): Promise<Get> {
  const { memoize, JsonSerDe } = await import('@memokit/core')
  const { RedisCacheConfiguration } = await import('@memokit/redis')
  return memoize(load, {
    configuration: RedisCacheConfiguration({
      client: await pipelinedClient(url),
      namespace,
      ...(options.json === true ? { serde: new JsonSerDe() } : {}),
      ...(options.signingKey === undefined ? {} : { signingKey: options.signingKey }),
      updateAfter: REFRESH,
      expireAfter: EXPIRE,
    }),
    name: 'Users.byId',
  })
}

const SETUPS: Record<string, Setup> = {
  floor: {
    async create(url, namespace, keys) {
      const client = await plainClient(url)
      for (let id = 0; id < keys; id++)
        await client.set(`${namespace}:${id}`, JSON.stringify(user(id)))
      return async (id) => JSON.parse((await client.get(`${namespace}:${id}`))!) as unknown
    },
  },
  'floor-pipelined': {
    async create(url, namespace, keys) {
      const client = await pipelinedClient(url)
      for (let id = 0; id < keys; id++)
        await client.set(`${namespace}:${id}`, JSON.stringify(user(id)))
      return async (id) => JSON.parse((await client.get(`${namespace}:${id}`))!) as unknown
    },
  },
  'memokit-redis-json': {
    create: (url, namespace) => memokitOnRedis(url, namespace, { json: true }),
  },
  'memokit-redis-signed': {
    create: (url, namespace) =>
      memokitOnRedis(url, namespace, {
        json: true,
        signingKey: 'a benchmark secret, 32 bytes long',
      }),
  },
  'memokit-redis': {
    create: (url, namespace) => memokitOnRedis(url, namespace, {}),
  },
  'memokit-two-tier': {
    async create(url, namespace) {
      const { memoize } = await import('@memokit/core')
      const {
        RedisCacheConfiguration,
        RedisCacheStorage,
        RedisInvalidationBus,
        TwoTierCacheStorage,
      } = await import('@memokit/redis')
      const client = await pipelinedClient(url)
      const bus = new RedisInvalidationBus({ client, namespace })
      await bus.ready()
      const storage = new TwoTierCacheStorage({
        remote: new RedisCacheStorage({ client, namespace }),
        bus,
      })
      return memoize(load, {
        configuration: RedisCacheConfiguration({
          storage,
          updateAfter: REFRESH,
          expireAfter: EXPIRE,
        }),
        name: 'Users.byId',
      })
    },
  },
  'bentocache-l2': {
    async create(url, namespace) {
      const { BentoCache, bentostore } = await import('bentocache')
      const { redisDriver } = await import('bentocache/drivers/redis')
      const bento = new BentoCache({
        default: 'redis',
        prefix: namespace,
        stores: {
          redis: bentostore().useL2Layer(redisDriver({ connection: await pipelinedClient(url) })),
        },
      })
      return (id) =>
        bento.getOrSet({
          key: `user:${id}`,
          factory: () => load(id),
          ttl: REFRESH,
          grace: EXPIRE - REFRESH,
        })
    },
  },
  'bentocache-two-tier': {
    async create(url, namespace) {
      const { BentoCache, bentostore } = await import('bentocache')
      const { redisBusDriver, redisDriver } = await import('bentocache/drivers/redis')
      const { memoryDriver } = await import('bentocache/drivers/memory')
      const { hostname: host, port } = new URL(url)
      const bento = new BentoCache({
        default: 'tiered',
        prefix: namespace,
        stores: {
          tiered: bentostore()
            .useL1Layer(memoryDriver({ maxItems: 10_000, serialize: false }))
            .useL2Layer(redisDriver({ connection: await pipelinedClient(url) }))
            .useBus(redisBusDriver({ connection: { host, port: Number(port) } })),
        },
      })
      return (id) =>
        bento.getOrSet({
          key: `user:${id}`,
          factory: () => load(id),
          ttl: REFRESH,
          grace: EXPIRE - REFRESH,
        })
    },
  },
  'async-cache-dedupe-redis': {
    async create(url, namespace) {
      const { createCache } = await import('async-cache-dedupe')
      const cache = createCache({
        ttl: REFRESH / 1000,
        stale: (EXPIRE - REFRESH) / 1000,
        storage: { type: 'redis', options: { client: await pipelinedClient(url) } },
      }).define(namespace.replace(/\W/g, '_'), (id: number) => load(id)) as unknown as Record<
        string,
        Get
      >
      const fn = cache[namespace.replace(/\W/g, '_')]!
      return (id) => fn(id)
    },
  },
}

interface Params extends ConcurrentOptions {
  keys: number
}

const IN_PROCESS = 'in-process only: no Redis storage'

export const redisHits: Scenario<Params> = {
  id: 'redis-hits',
  title: 'Redis hits, 64 concurrent loops',
  summary:
    'A cache shared through Redis, read by a busy process: 64 async loops read random keys, all cached in Redis. The floor is what a hand-written cache would do: an ioredis `GET` and a `JSON.parse` of the same record with a default client. Coalescing concurrent reads into fewer round trips (auto-pipelining, batched reads) can beat that floor; a memory tier in front of Redis (two-tier) is another game altogether and is shown for scale.',
  needsRedis: true,
  reps: { full: 5, quick: 2, smoke: 1 },
  params: {
    full: {
      keys: 1_000,
      loops: 64,
      samples: 7,
      sampleMs: 200,
      maxOpsPerLoop: 1_000,
      warmupOpsPerLoop: 100,
    },
    quick: {
      keys: 1_000,
      loops: 64,
      samples: 3,
      sampleMs: 150,
      maxOpsPerLoop: 1_000,
      warmupOpsPerLoop: 50,
    },
    smoke: { keys: 20, loops: 64, samples: 1, sampleMs: 1, maxOpsPerLoop: 2, warmupOpsPerLoop: 1 },
  },
  contestants: [
    { id: 'floor', name: 'floor: ioredis GET + JSON.parse', floor: true },
    { id: 'floor-pipelined', name: 'ioredis GET + JSON.parse, auto-pipelining' },
    { id: 'memokit-redis-json', name: 'memokit, Redis storage, JsonSerDe' },
    { id: 'memokit-redis-signed', name: 'memokit, Redis storage, JsonSerDe, signed (HMAC)' },
    { id: 'memokit-redis', name: 'memokit, Redis storage (default SuperJsonSerDe)' },
    { id: 'memokit-two-tier', name: 'memokit, two-tier (memory + Redis + bus)' },
    { id: 'bentocache-l2', name: 'bentocache, Redis L2 only' },
    { id: 'bentocache-two-tier', name: 'bentocache, L1 memory + L2 Redis + bus' },
    { id: 'async-cache-dedupe-redis', name: 'async-cache-dedupe, Redis storage' },
    {
      id: 'cache-manager',
      name: 'cache-manager',
      na: 'its Redis store (@keyv/redis) is built on node-redis, not ioredis',
    },
    { id: 'lru-cache', name: 'lru-cache', na: IN_PROCESS },
    { id: 'memoizee', name: 'memoizee', na: IN_PROCESS },
    {
      id: 'p-memoize',
      name: 'p-memoize',
      na: 'in-process only (a custom async cache store could wrap Redis)',
    },
    { id: 'typescript-memoize', name: 'typescript-memoize', na: IN_PROCESS },
  ],
  columns: [{ key: 'opsPerSec', label: 'ops/s' }],
  ratio: { metric: 'opsPerSec', better: 'higher', label: 'throughput × floor' },
  describe: (p) =>
    `${p.keys.toLocaleString('en')} keys, each a ~300-byte JSON record, all cached; ${p.loops} loops reading random keys; per process ${p.warmupOpsPerLoop} warm-up reads per loop, then the fastest of ${p.samples} samples of about ${p.sampleMs} ms; redis-server on 127.0.0.1 on the same machine; every contestant but the floor gets \`new Redis(url, { enableAutoPipelining: true })\`; lifetimes 10 min / 30 min`,
  async measure(id, _variant, { params: p, redisUrl, namespace }) {
    const setup = SETUPS[id]
    if (setup === undefined) throw new Error(`unknown contestant ${id}`)
    const get = await setup.create(redisUrl!, namespace, p.keys)
    for (let round = 0; round < 2; round++)
      await Promise.all(Array.from({ length: p.keys }, (_, i) => get(i)))
    const opsPerSec = await timeConcurrent(() => get(Math.floor(Math.random() * p.keys)), p)
    return { opsPerSec }
  },
}
