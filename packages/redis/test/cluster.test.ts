// Redis Cluster: keys spread over the slots, scripts and pub/sub work across nodes. The
// contract suite also runs on the cluster (storage-contract.test.ts).
import { memoize } from '@memokit/core'
import type { Cluster } from 'ioredis'
import { clusterSlot } from '../src/cluster-slot'
import {
  RedisCacheConfiguration,
  RedisCacheStorage,
  RedisInvalidationBus,
  RedisUpdateStatuses,
  TwoTierCacheStorage,
} from '@memokit/redis'
import {
  closeClients,
  clusterClient,
  connected,
  freshEntry,
  sleep,
  uniqueNamespace,
} from './support/redis'

jest.setTimeout(30_000)

const closing: { close(): Promise<void> }[] = []
afterAll(async () => {
  await Promise.all(closing.map((c) => c.close()))
  closeClients()
})

const cluster = async (): Promise<Cluster> => (await connected(clusterClient())) as Cluster

describe('on a 3-master Redis Cluster', () => {
  it('spreads entries over every master (no hash tag pins them to one slot)', async () => {
    const redis = await cluster()
    const namespace = uniqueNamespace('spread')
    const storage = new RedisCacheStorage({ client: redis, namespace, operationTimeout: 2_000 })
    // Keys whose text contains braces must not become hash tags either.
    const keys = Array.from({ length: 60 }, (_, i) => `Users.search[{"q":"same"},${i}]`)
    for (const key of keys) await storage.offer(key, freshEntry(key))
    // Ask each master directly which of the keys it holds (others answer MOVED).
    const perNode = await Promise.all(
      redis.nodes('master').map(async (node) => {
        let count = 0
        for (const key of keys) count += await node.exists(storage.redisKey(key)).catch(() => 0)
        return count
      }),
    )
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(60)
    expect(perNode.every((n) => n > 0)).toBe(true)
    for (const key of keys) expect((await storage.get(key))?.value).toBe(key)
  })

  it('knows which slot a key hashes to, as the cluster does (hash tags, UTF-8, edge cases)', async () => {
    const redis = await cluster()
    const keys = [
      '',
      'a',
      'memokit:e:Users.byId[1]',
      '{user1000}.following',
      'foo{}{bar}',
      'foo{{bar}}zap',
      'foo{bar}{zap}',
      '{',
      '}{',
      'émoji 🎉 ключ',
      'x'.repeat(1000),
    ]
    for (const key of keys) expect(clusterSlot(key)).toBe(await redis.cluster('KEYSLOT', key))
  })

  it('refuses a namespace with braces', () => {
    expect(() => new RedisCacheStorage({ client: clusterClient(), namespace: 'app{1}' })).toThrow(
      /braces/,
    )
  })

  it('runs one computation across two clients, with notices published from Lua', async () => {
    const namespace = uniqueNamespace('cl-locks')
    let computations = 0
    const make = async () => {
      const redis = await cluster()
      const statuses = new RedisUpdateStatuses({
        client: redis,
        namespace,
        operationTimeout: 2_000,
        pollInterval: 100,
      })
      closing.push(statuses)
      return memoize(
        async (n: number) => {
          computations++
          await sleep(300)
          return { n, token: Math.random() }
        },
        {
          configuration: RedisCacheConfiguration({
            client: redis,
            namespace,
            operationTimeout: 2_000,
          }),
          updateStatuses: statuses,
          name: 'cluster.fn',
        },
      )
    }
    const [a, b] = [await make(), await make()]
    const keys = [1, 2, 3, 4, 5, 6]
    const results = await Promise.all(keys.flatMap((n) => [a(n), b(n), a(n), b(n)]))
    expect(computations).toBe(keys.length)
    for (const [i, n] of keys.entries()) {
      const four = results.slice(i * 4, i * 4 + 4)
      expect(new Set(four.map((r) => r.token)).size).toBe(1)
      expect(four[0]!.n).toBe(n)
    }
  })

  it('keeps two-tier storages coherent through the bus', async () => {
    const namespace = uniqueNamespace('cl-bus')
    const make = async () => {
      const redis = await cluster()
      const bus = new RedisInvalidationBus({ client: redis, namespace, operationTimeout: 2_000 })
      closing.push(bus)
      const storage = new TwoTierCacheStorage({
        remote: new RedisCacheStorage({ client: redis, namespace, operationTimeout: 2_000 }),
        bus,
      })
      await bus.ready()
      return storage
    }
    const [a, b] = [await make(), await make()]
    const delivered = async (count: number): Promise<void> => {
      const deadline = Date.now() + 5_000
      while (b.bus!.stats().received < count && Date.now() < deadline) await sleep(5)
    }
    await a.offer('k', freshEntry('v1'))
    await delivered(1) // a read racing with that message would not be kept
    expect((await b.get('k'))?.value).toBe('v1')
    expect(b.getSync('k')?.value).toBe('v1')
    await a.offer('k', freshEntry('v2'))
    await delivered(2)
    expect(b.getSync('k')).toBeUndefined()
    expect((await b.get('k'))?.value).toBe('v2')
  })
})
