// Hostile values planted in Redis (test plan C8, notes §6 "Values"), through a memoized method
// and both SerDes. packages/redis/test/hostile-values.test.ts covers the storage itself (garbage,
// truncated and foreign envelopes, wrong types, superjson payloads with __proto__, a 100 MB
// value); this adds the plain JSON SerDe, escaped spellings of __proto__, entries that outlived
// their expiry without a Redis TTL, and the 100 MB value met by a memoized call, with the
// bytes read and the event-loop delay.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { JsonSerDe, MethodReference, SuperJsonSerDe, memoize, type SerDe } from '@memokit/core'
import {
  ENVELOPE_VERSION,
  RedisCacheConfiguration,
  RedisCacheStorage,
  createRedisClient,
  type RedisClient,
} from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

jest.setTimeout(60_000)

let server: RedisServer
let redis: RedisClient
beforeAll(async () => {
  server = await startRedisServer()
  redis = createRedisClient(server.url)
})
afterAll(async () => {
  redis.disconnect()
  await server.stop()
})

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort()
afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames)
})

/** An envelope as memokit writes it (format 1): header, the Redis key, the SerDe's text. */
function envelope(name: string, payload: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8')
  const header = Buffer.from([0x4d, 0x4b, ENVELOPE_VERSION, 0x45, 1, 0, 0, 0, 0])
  header.writeUInt32BE(nameBytes.length, 5)
  return Buffer.concat([header, nameBytes, Buffer.from(payload, 'utf8')])
}

/** The JSON SerDe's text for an entry fresh for a minute, with `value` spliced in as text. */
function jsonEntry(valueText: string, now = Date.now()): string {
  return `{"created":${now},"updateAfter":${now + 60_000},"expiresAfter":${now + 120_000},"value":${valueText}}`
}
function superjsonEntry(valueText: string, now = Date.now()): string {
  return `{"json":${jsonEntry(valueText, now)}}`
}

/** A memoized function on Redis with `serde`, and a way to plant bytes under its key. */
function setup(serde: SerDe, label: string) {
  const namespace = `hostile-${label}-${Math.random().toString(36).slice(2)}`
  const storage = new RedisCacheStorage({ client: redis, namespace, serde })
  const configuration = RedisCacheConfiguration({ client: redis, storage })
  let computations = 0
  const fn = memoize(
    async (id: number) => {
      computations++
      return { id, computed: true }
    },
    { configuration, name: 'hostile' },
  )
  const redisKey = (id: number): string =>
    storage.redisKey(configuration.keyExtractor().formatKey(new MethodReference('hostile'), [id]))
  const plant = (id: number, bytes: Buffer | string): Promise<unknown> =>
    redis.set(redisKey(id), bytes)
  return { storage, fn, redisKey, plant, computations: () => computations }
}

const PROTO_PAYLOADS: [string, string][] = [
  ['__proto__ at depth 0', '{"__proto__":{"polluted":1}}'],
  ['__proto__ at depth 1', '{"a":{"__proto__":{"polluted":1}}}'],
  ['__proto__ at depth 5', '{"a":{"b":{"c":{"d":{"e":{"__proto__":{"polluted":1}}}}}}}'],
  ['__proto__ in an array', '[{"__proto__":{"polluted":1}}]'],
  ['__proto__ spelled with escapes', '{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":1}}'],
  ['__proto__ partly escaped', '{"__pro\\u0074o__":{"polluted":1}}'],
]

describe.each([
  ['JsonSerDe', new JsonSerDe(), jsonEntry],
  ['SuperJsonSerDe', new SuperJsonSerDe(), superjsonEntry],
])('values planted for a memoized call, %s', (label, serde, entryText) => {
  it.each(PROTO_PAYLOADS)(
    '%s: a miss, recomputed, the prototype untouched',
    async (_case, value) => {
      const s = setup(serde, label.toLowerCase())
      await s.plant(1, envelope(s.redisKey(1), entryText(value)))
      expect(await s.fn(1)).toEqual({ id: 1, computed: true })
      expect(s.computations()).toBe(1)
      expect(s.storage.stats().corrupt).toBe(1)
      // Stored properly now: a hit.
      expect(await s.fn(1)).toEqual({ id: 1, computed: true })
      expect(s.computations()).toBe(1)
    },
  )

  it('{"constructor":{"prototype":…}} is inert data: a hit that pollutes nothing, even merged', async () => {
    const s = setup(serde, label.toLowerCase())
    await s.plant(
      2,
      envelope(s.redisKey(2), entryText('{"constructor":{"prototype":{"polluted":1}}}')),
    )
    const value = (await s.fn(2)) as Record<string, unknown>
    expect(s.computations()).toBe(0) // well-formed: served as stored
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    Object.assign({}, value)
    expect({ ...value }.constructor).toEqual({ prototype: { polluted: 1 } })
  })

  it('an entry past its expiry, planted without a Redis TTL, is never served', async () => {
    const s = setup(serde, label.toLowerCase())
    const past = Date.now() - 10 * 60_000
    await s.plant(3, envelope(s.redisKey(3), entryText('{"id":3,"computed":false}', past)))
    expect(await redis.pttl(s.redisKey(3))).toBe(-1) // no TTL at all
    expect(await s.fn(3)).toEqual({ id: 3, computed: true })
    expect(s.computations()).toBe(1)
  })

  it('a stale entry (past updateAfter, before expiry) is served once and refreshed', async () => {
    const s = setup(serde, label.toLowerCase())
    const now = Date.now()
    const stale = `{"created":${now - 90_000},"updateAfter":${now - 30_000},"expiresAfter":${now + 30_000},"value":{"id":4,"computed":false}}`
    await s.plant(4, envelope(s.redisKey(4), label === 'JsonSerDe' ? stale : `{"json":${stale}}`))
    expect(await s.fn(4)).toEqual({ id: 4, computed: false })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await s.fn(4)).toEqual({ id: 4, computed: true })
  })
})

describe('a 100 MB value planted under a memoized key', () => {
  it('is never transferred or parsed: the call computes, reading at most maxValueBytes', async () => {
    const s = setup(new JsonSerDe(), 'big')
    const name = s.redisKey(5)
    await server.cli(['-x', 'SET', name], envelope(name, '{"created":'))
    await server.cli(['SETRANGE', name, String(100 * 1024 * 1024 - 1), 'x'])
    expect(await redis.strlen(name)).toBe(100 * 1024 * 1024)
    const socket = (redis as unknown as { stream: { bytesRead: number } }).stream
    const before = socket.bytesRead
    const delay = monitorEventLoopDelay({ resolution: 5 })
    delay.enable()
    const started = Date.now()
    expect(await s.fn(5)).toEqual({ id: 5, computed: true })
    const took = Date.now() - started
    delay.disable()
    const read = socket.bytesRead - before
    console.log(
      `100 MB planted value met by a memoized call: ${read} bytes read, call ${took} ms, ` +
        `max event-loop delay ${delay.count === 0 ? 'under 5 ms (no 5 ms sample)' : `${(delay.max / 1e6).toFixed(1)} ms`}`,
    )
    expect(read).toBeLessThan(s.storage.maxValueBytes + 4096)
    expect(s.storage.stats()).toMatchObject({ oversize: 1, hits: 0 })
    expect(s.computations()).toBe(1)
    // The computed value replaced it (the write is small).
    expect(await redis.strlen(name)).toBeLessThan(1024)
  })
})
