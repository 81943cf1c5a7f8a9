// The ACL advised in docs/redis.md is enough for every component, and confines an application
// to its namespace.
import { memoize } from '@memokit/core'
import {
  RedisCacheConfiguration,
  RedisCacheStorage,
  RedisInvalidationBus,
  RedisUpdateStatuses,
  TwoTierCacheStorage,
} from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'
import { client, closeClients, connected, freshEntry, sleep } from './support/redis'

jest.setTimeout(20_000)

let server: RedisServer
beforeAll(async () => {
  server = await startRedisServer()
  // The line from docs/redis.md, for the namespace "shop".
  // An application allowed no scripts at all.
  await server.cli(
    'ACL SETUSER plain on >secret ~plain:* -@all +get +getrange +set +del +ping +hello +info'.split(
      ' ',
    ),
  )
  await server.cli(
    (
      'ACL SETUSER shop on >secret ~shop:* &shop:* -@all +get +getrange +set +del +exists ' +
      '+publish +subscribe +unsubscribe +evalsha +eval +ping +hello +client|setname ' +
      '+cluster|slots +cluster|nodes +info'
    ).split(' '),
  )
})
afterAll(async () => {
  closeClients()
  await server.stop()
})

it('lets the storage, the update statuses and the bus work, and nothing outside the namespace', async () => {
  const url = `redis://shop:secret@127.0.0.1:${server.port}`
  const redis = await connected(client(url))
  const statuses = new RedisUpdateStatuses({ client: redis, namespace: 'shop' })
  const bus = new RedisInvalidationBus({ client: redis, namespace: 'shop' })
  await bus.ready()
  const storage = new TwoTierCacheStorage({
    remote: new RedisCacheStorage({ client: redis, namespace: 'shop' }),
    bus,
  })
  let computations = 0
  const fn = memoize(
    async (n: number) => {
      computations++
      await sleep(50)
      return n * 2
    },
    {
      configuration: RedisCacheConfiguration({ storage }),
      updateStatuses: statuses,
      name: 'acl.fn',
    },
  )
  // A second "process" following the first through the lock and the notice channel.
  const other = await connected(client(url))
  const otherStatuses = new RedisUpdateStatuses({ client: other, namespace: 'shop' })
  const otherFn = memoize(
    async (n: number) => {
      computations++
      return n * 2
    },
    {
      configuration: RedisCacheConfiguration({ client: other, namespace: 'shop' }),
      updateStatuses: otherStatuses,
      name: 'acl.fn',
    },
  )
  const [a, b] = await Promise.all([fn(21), (async () => (await sleep(10), otherFn(21)))()])
  expect([a, b]).toEqual([42, 42])
  expect(computations).toBe(1)
  await storage.release('acl.fn[d21]')
  const remote = storage.remote as RedisCacheStorage
  expect(remote.stats().faults).toBe(0)
  expect(statuses.stats().faults + otherStatuses.stats().faults).toBe(0)
  expect(bus.stats().faults).toBe(0)
  // Outside the namespace: refused by Redis.
  const outside = new RedisCacheStorage({ client: redis, namespace: 'other' })
  await outside.offer('k', freshEntry(1))
  expect(outside.stats().faults).toBe(1)
  await expect(outside.release('k')).rejects.toThrow(/NOPERM/)
  storage.close()
  await Promise.all([statuses.close(), otherStatuses.close(), bus.close()])
})

it('reads key by key when the ACL refuses scripts', async () => {
  const redis = await connected(client(`redis://plain:secret@127.0.0.1:${server.port}`))
  const storage = new RedisCacheStorage({ client: redis, namespace: 'plain' })
  await Promise.all(['a', 'b', 'c'].map((k) => storage.offer(k, freshEntry(k))))
  // The first batch is refused (NOPERM): it is retried key by key, and batching stops.
  const first = await Promise.all(['a', 'b', 'c'].map((k) => storage.get(k)))
  const again = await Promise.all(['a', 'b', 'c'].map((k) => storage.get(k)))
  expect([...first, ...again].map((e) => e?.value)).toEqual(['a', 'b', 'c', 'a', 'b', 'c'])
  expect(storage.stats()).toMatchObject({ hits: 6, faults: 1 })
})
