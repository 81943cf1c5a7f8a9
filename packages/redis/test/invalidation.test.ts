// Invalidation reaches Redis; the bus keeps memory tiers coherent.
import { invalidate, InvalidationSupport, memoize, type CacheEntry } from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import type { Redis } from 'ioredis'
import {
  RedisCacheConfiguration,
  RedisCacheStorage,
  RedisInvalidationBus,
  TwoTierCacheStorage,
  type InvalidationListener,
} from '@memokit/redis'
import {
  client,
  closeClients,
  connected,
  freshEntry,
  sleep,
  uniqueNamespace,
} from './support/redis'

jest.setTimeout(20_000)

let shared: Redis | undefined
/** A client for checks made from outside the two "processes" of a test. */
const redis = (): Redis => (shared ??= client() as Redis)

const buses: RedisInvalidationBus[] = []
afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()))
  closeClients()
})

async function bus(namespace: string): Promise<RedisInvalidationBus> {
  const created = new RedisInvalidationBus({ client: await connected(client()), namespace })
  buses.push(created)
  return created
}

function recorder(): InvalidationListener & { keys: string[]; resets: number } {
  const seen = { keys: [] as string[], resets: 0 }
  return Object.assign(seen, {
    invalidate: (keys: readonly string[]) => seen.keys.push(...keys),
    reset: () => seen.resets++,
  })
}

async function until(condition: () => boolean, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await sleep(5)
  }
}

describe('invalidation by arguments', () => {
  it('deletes the entry in Redis', async () => {
    const redis = await connected(client())
    const namespace = uniqueNamespace('inv')
    const storage = new RedisCacheStorage({ client: redis, namespace })
    const invalidation = new InvalidationSupport<[string]>()
    let computations = 0
    const byId = memoize(
      async (id: string) => {
        computations++
        return { id, n: computations }
      },
      { configuration: RedisCacheConfiguration({ storage }), invalidation, name: 'Users.byId' },
    )
    expect(await byId('42')).toEqual({ id: '42', n: 1 })
    expect(await byId('42')).toEqual({ id: '42', n: 1 })
    const name = storage.redisKey('Users.byId["42"]')
    expect(await redis.exists(name)).toBe(1)
    await invalidation.invalidateForArguments(['42'])
    expect(await redis.exists(name)).toBe(0)
    expect(await byId('42')).toEqual({ id: '42', n: 2 })
    await invalidate(() => byId('42'))
    expect(await redis.exists(name)).toBe(0)
    expect(storage.stats().releases).toBe(2)
  })

  it('wins over a refresh running in another process: its result is not stored', async () => {
    // Two processes (two clients and storages) memoize the same function on one namespace.
    const namespace = uniqueNamespace('inv-race')
    const slow: { release?: () => void } = {}
    const process = async (slowFirst: boolean) => {
      const storage = new RedisCacheStorage({ client: await connected(client()), namespace })
      const invalidation = new InvalidationSupport<[string]>()
      let runs = 0
      const price = memoize(
        async (sku: string) => {
          runs++
          if (slowFirst && runs === 1) await new Promise<void>((r) => (slow.release = r))
          return `${sku}@${slowFirst ? 'A' : 'B'}${runs}`
        },
        { configuration: RedisCacheConfiguration({ storage }), invalidation, name: 'Shop.price' },
      )
      return { storage, invalidation, price }
    }
    const a = await process(true)
    const b = await process(false)
    const name = a.storage.redisKey('Shop.price["book"]')

    const pending = a.price('book') // A computes from data read before the invalidation...
    await until(() => slow.release !== undefined)
    await b.invalidation.invalidateForArguments(['book']) // ...B changes the data, invalidates
    slow.release!()
    expect(await pending).toBe('book@A1') // A's caller still gets its value
    expect(await redis().exists(name)).toBe(0) // but it is not stored: it predates the change
    expect(a.storage.stats().fenced).toBe(1)
    expect(await b.price('book')).toBe('book@B1') // the next reader computes afresh
    expect(await a.price('book')).toBe('book@B1') // and A reads what B stored
    expect(await redis().exists(name)).toBe(1)

    // A refresh that starts after the invalidation is stored as usual.
    await a.invalidation.invalidateForArguments(['book'])
    expect(await b.price('book')).toBe('book@B2')
    expect(await a.price('book')).toBe('book@B2')
  })

  it('never uses KEYS, SCAN or FLUSH, and touches only its namespace', async () => {
    const redis = await connected(client())
    const namespace = uniqueNamespace('scope')
    const bystander = `${uniqueNamespace('other')}:e:k`
    await redis.set(bystander, 'untouched')
    const monitor = await (client() as Redis).monitor()
    const commands: string[] = []
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args.join(' ')))
    const storage = new RedisCacheStorage({ client: redis, namespace })
    await storage.offer('k', freshEntry(1))
    await storage.get('k')
    await storage.release('k')
    await sleep(100)
    monitor.disconnect()
    const ours = commands.filter((c) => c.includes(namespace))
    expect(ours.length).toBeGreaterThanOrEqual(3)
    expect(commands.some((c) => /^(keys|scan|flushdb|flushall)\b/i.test(c))).toBe(false)
    expect(await redis.get(bystander)).toBe('untouched')
  })
})

describe('RedisInvalidationBus', () => {
  it('delivers to other processes, not back to the publisher', async () => {
    const namespace = uniqueNamespace('bus')
    const [a, b] = [await bus(namespace), await bus(namespace)]
    const [onA, onB] = [recorder(), recorder()]
    a.subscribe(onA)
    b.subscribe(onB)
    await Promise.all([a.ready(), b.ready()])
    expect(await a.publish(['k1', 'k2'], onA)).toBe(true)
    await until(() => onB.keys.length === 2)
    expect(onB.keys).toEqual(['k1', 'k2'])
    await sleep(50)
    expect(onA.keys).toEqual([]) // its own message came back and was ignored
    expect(a.stats()).toMatchObject({ published: 1, ownIgnored: 1 })
    expect(b.stats()).toMatchObject({ received: 1 })
  })

  it('tells other listeners in the same process directly', async () => {
    const a = await bus(uniqueNamespace('bus'))
    const [first, second] = [recorder(), recorder()]
    a.subscribe(first)
    a.subscribe(second)
    await a.ready()
    await a.publish(['k'], first)
    expect(second.keys).toEqual(['k'])
    expect(first.keys).toEqual([])
  })

  it('ignores unreadable messages', async () => {
    const namespace = uniqueNamespace('bus')
    const b = await bus(namespace)
    const onB = recorder()
    b.subscribe(onB)
    await b.ready()
    const redis = await connected(client())
    for (const garbage of ['nope', '{"v":2}', '{"v":1,"o":"x","k":[1]}', '{"__proto__":{"x":1}}'])
      await redis.publish(`${namespace}:bus`, garbage)
    await redis.publish(`${namespace}:bus`, JSON.stringify({ v: 1, o: 'someone', k: ['ok'] }))
    await until(() => onB.keys.length === 1)
    expect(onB.keys).toEqual(['ok'])
    expect(b.stats().corrupt).toBe(4)
  })

  it('tells listeners to reset when its subscription drops, and is synced again after', async () => {
    const namespace = uniqueNamespace('bus')
    const subscriber = await connected(client())
    const id = await subscriber.client('ID')
    const b = new RedisInvalidationBus({ client: await connected(client()), namespace, subscriber })
    buses.push(b)
    const onB = recorder()
    b.subscribe(onB)
    await b.ready()
    const resetsBefore = onB.resets
    expect(b.synced).toBe(true)
    const admin = await connected(client())
    await admin.client('KILL', 'ID', id)
    await until(() => onB.resets >= resetsBefore + 1)
    await b.ready()
    expect(b.synced).toBe(true)
    // Still delivering after the reconnection.
    await admin.publish(`${namespace}:bus`, JSON.stringify({ v: 1, o: 'x', k: ['after'] }))
    await until(() => onB.keys.includes('after'))
  })
})

describe('TwoTierCacheStorage', () => {
  /** A remote tier whose reads can be held, and a bus whose state the test controls. */
  function fixture(options: { synced?: boolean; localCapacity?: number } = {}) {
    const data = new Map<string, CacheEntry>()
    let hold: Promise<void> | undefined
    const remote = {
      reads: 0,
      async get(key: string) {
        remote.reads++
        const entry = data.get(key)
        await hold
        return entry
      },
      async offer(key: string, entry: CacheEntry) {
        data.set(key, entry)
      },
      async release(key: string) {
        if (key === 'fails') throw new Error('remote release failed')
        data.delete(key)
      },
    }
    const listeners: InvalidationListener[] = []
    const published: string[][] = []
    const fakeBus = {
      synced: options.synced ?? true,
      subscribe(listener: InvalidationListener) {
        listeners.push(listener)
        return () => listeners.splice(listeners.indexOf(listener), 1)
      },
      async publish(keys: readonly string[]) {
        published.push([...keys])
        return true
      },
    }
    const clock = new FakeClock()
    const storage = new TwoTierCacheStorage({
      remote,
      bus: fakeBus as unknown as RedisInvalidationBus,
      localMaxAge: 1_000,
      localCapacity: options.localCapacity ?? 100,
      clock,
    })
    return {
      storage,
      remote,
      data,
      bus: fakeBus,
      listeners,
      published,
      clock,
      holdReads: () => {
        let release!: () => void
        hold = new Promise((resolve) => (release = resolve))
        return () => {
          hold = undefined
          release()
        }
      },
    }
  }

  it('serves hits synchronously from memory after the first remote read', async () => {
    const f = fixture()
    f.data.set('k', freshEntry('v'))
    expect(f.storage.getSync('k')).toBeUndefined()
    expect((await f.storage.get('k'))?.value).toBe('v')
    expect(f.storage.getSync('k')?.value).toBe('v')
    expect(f.remote.reads).toBe(1)
    expect(f.storage.stats()).toMatchObject({ localHits: 1, remoteReads: 1, localSize: 1 })
  })

  it('drops a copy when the bus invalidates its key', async () => {
    const f = fixture()
    f.data.set('k', freshEntry('v'))
    await f.storage.get('k')
    f.listeners[0]!.invalidate(['k'])
    expect(f.storage.getSync('k')).toBeUndefined()
    expect(f.storage.stats().invalidated).toBe(1)
  })

  it('does not keep a read that raced with an invalidation of its key', async () => {
    const f = fixture()
    f.data.set('k', freshEntry('old'))
    const release = f.holdReads()
    const reading = f.storage.get('k')
    f.listeners[0]!.invalidate(['k']) // another process wrote 'k' meanwhile
    release()
    expect((await reading)?.value).toBe('old') // the caller still gets it...
    expect(f.storage.getSync('k')).toBeUndefined() // ...but it is not kept
  })

  it('bypasses memory while the bus is not synced, and starts empty after a reset', async () => {
    const f = fixture({ synced: false })
    f.data.set('k', freshEntry('v'))
    await f.storage.get('k')
    await f.storage.offer('j', freshEntry('w'))
    expect(f.storage.getSync('k')).toBeUndefined()
    expect(f.storage.getSync('j')).toBeUndefined()
    f.bus.synced = true
    await f.storage.get('k')
    expect(f.storage.getSync('k')?.value).toBe('v')
    f.listeners[0]!.reset()
    expect(f.storage.getSync('k')).toBeUndefined()
    expect(f.storage.stats().resets).toBe(1)
  })

  it('keeps copies at most localMaxAge, and at most localCapacity of them', async () => {
    const f = fixture({ localCapacity: 2 })
    for (const key of ['a', 'b', 'c']) await f.storage.offer(key, freshEntry(key))
    expect(f.storage.getSync('a')).toBeUndefined() // least recently used went first
    expect(f.storage.getSync('b')?.value).toBe('b')
    f.clock.advance(1_000)
    expect(f.storage.getSync('b')).toBeUndefined()
  })

  it('writes the remote tier before telling other processes; releases even when it fails', async () => {
    const f = fixture()
    await f.storage.offer('k', freshEntry('v'))
    expect(f.data.get('k')?.value).toBe('v')
    expect(f.published).toEqual([['k']])
    await f.storage.release('k')
    expect(f.data.has('k')).toBe(false)
    await expect(f.storage.release('fails')).rejects.toThrow('remote release failed')
    expect(f.published).toEqual([['k'], ['k'], ['fails']])
  })

  it('stays coherent between two processes sharing Redis (in one test process)', async () => {
    const namespace = uniqueNamespace('tt')
    const make = async () => {
      const redis = await connected(client())
      const b = await bus(namespace)
      const storage = new TwoTierCacheStorage({
        remote: new RedisCacheStorage({ client: redis, namespace }),
        bus: b,
      })
      await b.ready()
      return storage
    }
    const [a, b] = [await make(), await make()]
    await a.offer('k', freshEntry('v1'))
    await until(() => b.bus!.stats().received >= 1) // a read racing with it would not be kept
    expect((await b.get('k'))?.value).toBe('v1')
    expect(b.getSync('k')?.value).toBe('v1')
    await a.offer('k', freshEntry('v2'))
    await until(() => b.getSync('k') === undefined)
    expect((await b.get('k'))?.value).toBe('v2')
    await a.release('k')
    await until(() => b.getSync('k') === undefined)
    expect(await b.get('k')).toBeUndefined()
  })
})
