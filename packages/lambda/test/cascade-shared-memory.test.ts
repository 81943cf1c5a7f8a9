// SharedMemory on a real throwaway redis-server: uid-scoped pages with an expiry, typed
// round-trips, item and attribute access, another "Lambda" (its own client and cascade)
// reading by uid, and hostile data treated as missing with a typed error.
import { randomBytes } from 'node:crypto'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import {
  CascadeStoreError,
  CascadeValueTooLargeError,
  CorruptCascadeDataError,
  LambdaCascade,
  type LambdaCascadeOptions,
} from '@memokit/lambda'
import { MemoizeUsageError } from '@memokit/core'
import { createRedisClient, type RedisClient } from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

let redisServer: RedisServer
const clients: RedisClient[] = []
const lambdaClient = { send: async () => ({ StatusCode: 202 }) } as unknown as LambdaClient

beforeAll(async () => {
  redisServer = await startRedisServer()
}, 30_000)

afterAll(async () => {
  for (const client of clients) client.disconnect()
  await redisServer.stop()
})

/** One "Lambda": its own Redis connection and cascade, on a shared namespace. */
function lambda(namespace: string, options: Partial<LambdaCascadeOptions> = {}) {
  const redis = createRedisClient(redisServer.url)
  clients.push(redis)
  return { redis, cascade: LambdaCascade({ lambdaClient, redis, namespace, ...options }) }
}

const fresh = () => `cascade-memory-${randomBytes(4).toString('hex')}`

describe('SharedMemory', () => {
  it('round-trips typed values and is readable from another Lambda given the uid', async () => {
    const namespace = fresh()
    const writer = lambda(namespace).cascade
    const reader = lambda(namespace).cascade
    const memory = writer.SharedMemory()
    expect(memory.uid).toMatch(/^[0-9a-f]{32}$/)
    const values = {
      date: new Date('2024-05-01T12:00:00Z'),
      map: new Map<string, number[]>([['a', [1, 2]]]),
      set: new Set(['x', 'y']),
      big: 12345678901234567890n,
      nothing: undefined,
      nested: { when: new Date(0), tags: new Set([1]), n: -0, nan: NaN },
    }
    for (const [name, value] of Object.entries(values)) await memory.set(name, value)

    const other = reader.SharedMemory(memory.uid)
    for (const [name, value] of Object.entries(values)) expect(await other.get(name)).toEqual(value)
    expect(await other.get('date')).toBeInstanceOf(Date)
    expect(typeof (await other.get('big'))).toBe('bigint')
    expect(await other.has('nothing')).toBe(true) // a stored undefined is there
    expect(await other.has('absent')).toBe(false)
    expect(await other.get('absent')).toBeUndefined()
    expect((await other.keys()).sort()).toEqual(Object.keys(values).sort())
    expect(await other.delete('map')).toBe(true)
    expect(await memory.has('map')).toBe(false)
    await other.clear()
    expect(await memory.keys()).toEqual([])
  })

  it('keeps pages apart by uid and namespace, and never writes a key without an expiry', async () => {
    const namespace = fresh()
    const { cascade, redis } = lambda(namespace, { ttl: 60_000 })
    const a = cascade.SharedMemory()
    const b = cascade.SharedMemory({ ttl: 5_000 })
    await a.set('value', 'a')
    await b.set('value', 'b')
    expect(await a.get('value')).toBe('a')
    expect(await b.get('value')).toBe('b')
    expect(await lambda(fresh()).cascade.SharedMemory(a.uid).get('value')).toBeUndefined()

    const keys = (await redis.keys(`${namespace}:*`)).sort()
    expect(keys).toEqual([`${namespace}:{${a.uid}}:mem`, `${namespace}:{${b.uid}}:mem`].sort())
    const ttlA = await redis.pttl(`${namespace}:{${a.uid}}:mem`)
    const ttlB = await redis.pttl(`${namespace}:{${b.uid}}:mem`)
    expect(ttlA).toBeGreaterThan(50_000)
    expect(ttlA).toBeLessThanOrEqual(60_000)
    expect(ttlB).toBeGreaterThan(0)
    expect(ttlB).toBeLessThanOrEqual(5_000)
    // Every write renews the page's expiry.
    await redis.pexpire(`${namespace}:{${a.uid}}:mem`, 1_000)
    await a.set('other', 1)
    expect(await redis.pttl(`${namespace}:{${a.uid}}:mem`)).toBeGreaterThan(50_000)
  })

  it('offers attribute-style reads as promises, and JavaScript-style writes that reads and flush() wait for', async () => {
    const namespace = fresh()
    const { cascade } = lambda(namespace)
    type Page = { someVariable: string; count: number; when: Date }
    const memory = cascade.SharedMemory<Page>()
    const assign = memory.vars as unknown as Record<string, unknown> // what JavaScript sees
    assign.someVariable = 'value'
    assign.count = 3
    assign.when = new Date(7)
    // A read waits for the page's pending writes (read-your-writes).
    const read: Promise<string> = memory.vars.someVariable
    expect(await read).toBe('value')
    await memory.flush()
    const other = lambda(namespace).cascade.SharedMemory<Page>(memory.uid)
    expect(await other.vars.count).toBe(3)
    expect(await other.vars.when).toEqual(new Date(7))
    delete assign.count
    await memory.flush()
    expect(await other.has('count')).toBe(false)
    // @ts-expect-error TypeScript writes with set(): the view is typed read-only
    memory.vars.count = 4
    await memory.flush()

    // The view is not a thenable, has no synchronous `in`, and refuses bad values at once.
    expect(await Promise.resolve(memory.vars)).toBe(memory.vars)
    expect(() => 'count' in memory.vars).toThrow(MemoizeUsageError)
    expect(() => {
      assign.count = Promise.resolve(1)
    }).toThrow(/promise or thenable/)
    expect(() => {
      assign[''] = 1
    }).toThrow(/non-empty string/)
  })

  it('reports a failed attribute-style write at the next flush or read, once', async () => {
    const { cascade, redis } = lambda(fresh())
    const memory = cascade.SharedMemory()
    await redis.set(cascade.store.memoryKey(memory.uid), 'a string, not a page')
    const assign = memory.vars as Record<string, unknown>
    assign.x = 1
    await expect(memory.flush()).rejects.toBeInstanceOf(CorruptCascadeDataError)
    await expect(memory.flush()).resolves.toBeUndefined()
    assign.y = 2
    await expect(memory.get('y')).rejects.toThrow(/holds another Redis type/)
  })

  it('refuses values over maxValueBytes when writing, and larger stored data before parsing it', async () => {
    const namespace = fresh()
    const { cascade, redis } = lambda(namespace, { maxValueBytes: 1_024 })
    const memory = cascade.SharedMemory()
    await expect(memory.set('big', 'x'.repeat(2_000))).rejects.toBeInstanceOf(
      CascadeValueTooLargeError,
    )
    expect(() => {
      ;(memory.vars as Record<string, unknown>).big = 'x'.repeat(2_000)
    }).toThrow(CascadeValueTooLargeError)
    // Planted: 2 MB of JSON is refused by size, not parsed.
    await redis.hset(cascade.store.memoryKey(memory.uid), 'planted', `"${'y'.repeat(2_000_000)}"`)
    await expect(memory.get('planted')).rejects.toThrow(/over the 1024-byte limit \(not parsed\)/)
  })

  it('treats hostile data as missing with a typed error: garbage, __proto__, a value from another key', async () => {
    const namespace = fresh()
    const { cascade, redis } = lambda(namespace)
    const memory = cascade.SharedMemory()
    const other = cascade.SharedMemory()
    await other.set('secret', 'for another page')
    const key = cascade.store.memoryKey(memory.uid)
    const copied = await redis.hgetBuffer(cascade.store.memoryKey(other.uid), 'secret')
    const planted: Record<string, string | Buffer> = {
      garbage: 'not json at all',
      binary: Buffer.from([0xff, 0xfe, 0x00]),
      proto:
        '{"json":{"created":1,"updateAfter":1,"expiresAfter":1,"value":{"k":"x","v":{"__proto__":{"polluted":true}}}}}',
      constructor:
        '{"json":{"created":1,"updateAfter":1,"expiresAfter":1,"value":{"k":"x","v":{}}},"meta":{"values":{"value.v.constructor.prototype.polluted":["map"]}}}',
      'not-wrapped': '{"json":{"created":1,"updateAfter":1,"expiresAfter":1,"value":"bare"}}',
      copied: copied!,
      secret: copied!, // same field name, but written for another page
    }
    for (const [name, data] of Object.entries(planted)) await redis.hset(key, name, data)
    for (const name of Object.keys(planted)) {
      const error: unknown = await memory.get(name).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(CorruptCascadeDataError)
      expect(error).toMatchObject({ code: 'E_CASCADE_CORRUPT_DATA' })
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    // The page itself still works.
    await memory.set('fine', 1)
    expect(await memory.get('fine')).toBe(1)
  })

  it('fails with CascadeStoreError, within operationTimeout, when Redis does not answer', async () => {
    const { cascade, redis } = lambda(fresh(), { operationTimeout: 150 })
    await redis.ping()
    redis.disconnect()
    clients.splice(clients.indexOf(redis), 1)
    const memory = cascade.SharedMemory()
    await expect(memory.set('x', 1)).rejects.toBeInstanceOf(CascadeStoreError)
    await expect(memory.get('x')).rejects.toBeInstanceOf(CascadeStoreError)
  })

  it('checks its arguments', () => {
    const { cascade } = lambda(fresh())
    expect(() => cascade.SharedMemory('has spaces')).toThrow(/uid must be 1 to 128 letters/)
    expect(() => cascade.SharedMemory('a{b}')).toThrow(/uid must be/)
    expect(() => cascade.SharedMemory({ ttl: 0 })).toThrow(/ttl must be a positive whole number/)
    expect(() => cascade.SharedMemory(42 as never)).toThrow(/a uid or an options object/)
    const memory = new cascade.SharedMemory('fixed-uid_1')
    expect(memory.uid).toBe('fixed-uid_1')
    return expect(memory.get('' as never)).rejects.toThrow(/non-empty string/)
  })
})
