// Redis is untrusted: values planted with redis-cli are misses (counted and reported), never
// exceptions, never a polluted prototype, and a huge value is never transferred.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { JsonSerDe, memoize, MethodReference, type CacheEntry } from '@memokit/core'
import {
  ENVELOPE_VERSION,
  RedisCacheConfiguration,
  RedisCacheStorage,
  type RedisEvent,
} from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'
import { client, closeClients, connected, freshEntry, uniqueNamespace } from './support/redis'

jest.setTimeout(30_000)

let server: RedisServer
beforeAll(async () => {
  // Its own server: this file plants a 100 MB value.
  server = await startRedisServer()
})
afterAll(async () => {
  closeClients()
  await server.stop()
})

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort()
afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames)
})

/** An envelope as memokit writes it (format version 1), with the parts overridable. */
function envelope(
  name: string,
  payload: string | Buffer,
  { version = ENVELOPE_VERSION, kind = 'E', text = typeof payload === 'string' } = {},
): Buffer {
  const nameBytes = Buffer.from(name, 'utf8')
  const header = Buffer.from([0x4d, 0x4b, version, kind.charCodeAt(0), text ? 1 : 0, 0, 0, 0, 0])
  header.writeUInt32BE(nameBytes.length, 5)
  return Buffer.concat([header, nameBytes, Buffer.from(payload)])
}

const superjsonEntry = (value: unknown): string => {
  const now = Date.now()
  return JSON.stringify({
    json: { created: now, updateAfter: now + 60_000, expiresAfter: now + 120_000, value },
  })
}

async function setup() {
  const redis = await connected(client(server.url))
  const namespace = uniqueNamespace('hostile')
  const events: RedisEvent[] = []
  const storage = new RedisCacheStorage({
    client: redis,
    namespace,
    onEvent: (e) => events.push(e),
  })
  /** Plants raw bytes under the entry of `key` with redis-cli. */
  const plant = (key: string, bytes: string | Buffer): Promise<string> =>
    server.cli(['-x', 'SET', storage.redisKey(key)], bytes)
  return { redis, namespace, storage, events, plant }
}

describe('values planted in Redis', () => {
  const cases: [string, (name: string) => string | Buffer][] = [
    ['garbage text', () => 'garbage'],
    ['random bytes', () => Buffer.from([0xff, 0x00, 0x13, 0x37, 0x4d, 0x4b, 0x01])],
    ['a bare superjson document (no envelope)', () => superjsonEntry('x')],
    ['a truncated envelope', (name) => envelope(name, superjsonEntry('x')).subarray(0, 30)],
    ['a truncated payload', (name) => envelope(name, superjsonEntry('x').slice(0, -5))],
    ['an unknown envelope version', (name) => envelope(name, superjsonEntry('x'), { version: 9 })],
    ['an envelope of another kind', (name) => envelope(name, superjsonEntry('x'), { kind: 'D' })],
    ['an envelope for another key', (name) => envelope(name + 'x', superjsonEntry('x'))],
    [
      'an envelope claiming a 4 GB key',
      (name) => {
        const bytes = envelope(name, superjsonEntry('x'))
        bytes.writeUInt32BE(0xffffffff, 5)
        return bytes
      },
    ],
    ['valid JSON of the wrong shape', (name) => envelope(name, '[1, 2, 3]')],
    ['an entry without instants', (name) => envelope(name, JSON.stringify({ json: { value: 1 } }))],
    [
      'invalid UTF-8 flagged as text',
      (name) => envelope(name, Buffer.from([0xc3, 0x28]), { text: true }),
    ],
    ['__proto__ at depth 0', (name) => envelope(name, '{"json":{"__proto__":{"polluted":1}}}')],
    [
      '__proto__ at depth 1',
      (name) =>
        envelope(
          name,
          superjsonEntry({}).replace('"value":{}', '"value":{"__proto__":{"polluted":1}}'),
        ),
    ],
    [
      '__proto__ at depth 5',
      (name) =>
        envelope(
          name,
          superjsonEntry({}).replace(
            '"value":{}',
            '"value":{"a":{"b":{"c":{"d":{"__proto__":{"polluted":1}}}}}}',
          ),
        ),
    ],
    [
      'a superjson path through __proto__',
      (name) =>
        envelope(
          name,
          JSON.stringify({
            ...JSON.parse(superjsonEntry({})),
            meta: { values: { 'value.__proto__.polluted': ['undefined'] } },
          }),
        ),
    ],
    [
      'a superjson path through constructor.prototype',
      (name) =>
        envelope(
          name,
          JSON.stringify({
            ...JSON.parse(superjsonEntry({ a: 1 })),
            meta: { values: { 'value.constructor.prototype.polluted': ['Date'] } },
          }),
        ),
    ],
  ]

  it.each(cases)('treats %s as a miss and reports it', async (_label, make) => {
    const { storage, events, plant } = await setup()
    await plant('k', make(storage.redisKey('k')))
    expect(await storage.get('k')).toBeUndefined()
    expect(storage.stats()).toMatchObject({ hits: 0, misses: 1, corrupt: 1, faults: 0 })
    expect(events.map((e) => [e.type, e.operation, e.key])).toEqual([['corrupt', 'get', 'k']])
    expect(typeof events[0]?.reason).toBe('string')
  })

  it('reads a value written by the same format, under the right key, as a hit', async () => {
    const { storage, plant } = await setup()
    await plant('k', envelope(storage.redisKey('k'), superjsonEntry({ ok: true })))
    expect((await storage.get('k'))?.value).toEqual({ ok: true })
  })

  it('keeps a planted {"constructor":{"prototype":…}} value as inert data', async () => {
    const { storage, plant } = await setup()
    const value = { constructor: { prototype: { polluted: 1 } } }
    await plant('k', envelope(storage.redisKey('k'), superjsonEntry(value)))
    const found = (await storage.get('k'))?.value as Record<string, unknown>
    expect(Object.getPrototypeOf(found)).toBe(Object.prototype)
    expect(found.constructor).toEqual({ prototype: { polluted: 1 } })
  })

  it('refuses the value of another namespace copied under this key', async () => {
    const { redis, storage } = await setup()
    const other = new RedisCacheStorage({ client: redis, namespace: uniqueNamespace('other') })
    await other.offer('k', freshEntry('from the other app'))
    await server.cli(['COPY', other.redisKey('k'), storage.redisKey('k')])
    expect(await storage.get('k')).toBeUndefined()
    expect(storage.stats().corrupt).toBe(1)
  })

  it.each([
    ['a hash', ['HSET', 'field', 'value']],
    ['a list', ['RPUSH', 'a', 'b']],
    ['a set', ['SADD', 'member']],
    ['a sorted set', ['ZADD', '1', 'member']],
  ])('treats %s under the key as a miss', async (_label, [command, ...args]) => {
    const { storage, events } = await setup()
    await server.cli([command!, storage.redisKey('k'), ...args])
    expect(await storage.get('k')).toBeUndefined()
    expect(storage.stats()).toMatchObject({ misses: 1, corrupt: 1, faults: 0 })
    expect(events.map((e) => e.type)).toEqual(['corrupt'])
    // Writing over it works (SET replaces any type).
    await storage.offer('k', freshEntry('v'))
    expect((await storage.get('k'))?.value).toBe('v')
  })

  it('never transfers or parses a planted 100 MB value', async () => {
    const { redis, storage, events } = await setup()
    const name = storage.redisKey('big')
    // A valid header followed by 100 MB of padding, built inside Redis.
    await server.cli(['-x', 'SET', name], envelope(name, '{"json":'))
    await server.cli(['SETRANGE', name, String(100 * 1024 * 1024 - 1), 'x'])
    const socket = (redis as unknown as { stream: { bytesRead: number } }).stream
    const before = socket.bytesRead
    const delay = monitorEventLoopDelay({ resolution: 5 })
    delay.enable()
    expect(await storage.get('big')).toBeUndefined()
    delay.disable()
    const transferred = socket.bytesRead - before
    console.log(
      `100 MB planted value: ${transferred} bytes read, max event-loop delay ${(delay.max / 1e6).toFixed(1)} ms`,
    )
    expect(transferred).toBeLessThan(storage.maxValueBytes + 1024)
    expect(storage.stats()).toMatchObject({ oversize: 1, misses: 1, hits: 0 })
    expect(events.map((e) => [e.type, e.bytes])).toEqual([['oversize', storage.maxValueBytes + 1]])
    await redis.del(name)
  })

  it('sorts out every case when the reads share one batched script call', async () => {
    const { redis, storage, events, plant } = await setup()
    await storage.offer('valid', freshEntry('ok'))
    await plant('garbage', 'garbage')
    await server.cli(['RPUSH', storage.redisKey('list'), 'a'])
    const big = storage.redisKey('big')
    await server.cli(['-x', 'SET', big], envelope(big, '{"json":'))
    await server.cli(['SETRANGE', big, String(10 * 1024 * 1024), 'x'])
    const socket = (redis as unknown as { stream: { bytesRead: number } }).stream
    const before = socket.bytesRead
    const found = await Promise.all(
      ['valid', 'garbage', 'list', 'big', 'missing', 'valid'].map((k) => storage.get(k)),
    )
    expect(socket.bytesRead - before).toBeLessThan(storage.maxValueBytes + 4096)
    expect(found.map((entry) => entry?.value)).toEqual([
      'ok',
      undefined,
      undefined,
      undefined,
      undefined,
      'ok',
    ])
    expect(storage.stats()).toMatchObject({
      hits: 1,
      misses: 4,
      corrupt: 2,
      oversize: 1,
      faults: 0,
    })
    expect(events.map((e) => [e.type, e.key]).sort()).toEqual([
      ['corrupt', 'garbage'],
      ['corrupt', 'list'],
      ['oversize', 'big'],
    ])
    await redis.del(big)
  })

  it('does not write a value over maxValueBytes, and drops the older entry', async () => {
    const { redis, namespace, events } = await setup()
    const storage = new RedisCacheStorage({
      client: redis,
      namespace,
      maxValueBytes: 1_000,
      onEvent: (e) => events.push(e),
    })
    await storage.offer('k', freshEntry('small'))
    expect((await storage.get('k'))?.value).toBe('small')
    await storage.offer('k', freshEntry('x'.repeat(2_000)))
    expect(await storage.get('k')).toBeUndefined()
    expect(storage.stats()).toMatchObject({ oversize: 1, writes: 1 })
    expect(events.map((e) => e.type)).toEqual(['oversize'])
    expect(events[0]?.bytes).toBeGreaterThan(2_000)
  })
})

describe('a memoized method over planted values', () => {
  it('recomputes and succeeds for every hostile value, leaving the prototype untouched', async () => {
    const { redis, namespace, plant } = await setup()
    const configuration = RedisCacheConfiguration({ client: redis, namespace })
    const keyOf = (n: number) =>
      configuration.keyExtractor().formatKey(new MethodReference('hostileFn'), [n])
    let computations = 0
    const fn = memoize(
      async (n: number) => {
        computations++
        return { n }
      },
      { configuration, name: 'hostileFn' },
    )
    const planted: (string | Buffer)[] = [
      'garbage',
      '{"json":{"__proto__":{"polluted":1}}}',
      envelope('someone:else', superjsonEntry({ n: -1 })),
    ]
    for (const [i, bytes] of planted.entries()) await plant(keyOf(i), bytes)
    const storage = configuration.storage() as RedisCacheStorage
    await server.cli(['HSET', storage.redisKey(keyOf(3)), 'f', 'v'])
    const args = [0, 1, 2, 3]
    for (const i of args) expect(await fn(i)).toEqual({ n: i })
    expect(computations).toBe(4)
    expect(storage.stats().corrupt).toBe(4)
    // Now they are stored properly: hits.
    for (const i of args) expect(await fn(i)).toEqual({ n: i })
    expect(computations).toBe(4)
  })
})

describe('binary SerDe output', () => {
  it('round-trips through the envelope untouched', async () => {
    const { redis, namespace } = await setup()
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x4d, 0x4b])
    const binarySerde = {
      inner: new JsonSerDe(),
      serialize(entry: CacheEntry): Uint8Array {
        const json = Buffer.from(this.inner.serialize(entry))
        return Buffer.concat([bytes, json])
      },
      deserialize(data: Uint8Array | string): CacheEntry {
        const buffer = Buffer.from(data as Uint8Array)
        expect(buffer.subarray(0, bytes.length)).toEqual(bytes)
        return this.inner.deserialize(buffer.subarray(bytes.length))
      },
    }
    const storage = new RedisCacheStorage({ client: redis, namespace, serde: binarySerde })
    await storage.offer('k', freshEntry([1, 'two']))
    expect((await storage.get('k'))?.value).toEqual([1, 'two'])
  })
})

describe('signed values (signingKey)', () => {
  const signingKey = 'a shared secret of at least 16 bytes'

  async function signedSetup(key: string | undefined = signingKey) {
    const base = await setup()
    const events: RedisEvent[] = []
    const storage = new RedisCacheStorage({
      client: base.redis,
      namespace: base.namespace,
      signingKey: key,
      onEvent: (e) => events.push(e),
    })
    return { ...base, storage, events }
  }

  it('reads its own signed values, and those of another process with the same key', async () => {
    const { storage, redis, namespace } = await signedSetup()
    await storage.offer('k', freshEntry('v'))
    expect((await storage.get('k'))?.value).toBe('v')
    const other = new RedisCacheStorage({ client: redis, namespace, signingKey })
    expect((await other.get('k'))?.value).toBe('v')
    expect(storage.stats().corrupt).toBe(0)
  })

  it('refuses a well-formed value planted without the key, or signed with another key', async () => {
    const { storage, plant, events, redis, namespace } = await signedSetup()
    // Well formed, right key, right version: only the signature is missing.
    await plant('k', envelope(storage.redisKey('k'), superjsonEntry('planted')))
    expect(await storage.get('k')).toBeUndefined()
    const forger = new RedisCacheStorage({
      client: redis,
      namespace,
      signingKey: 'another secret of at least 16 bytes',
    })
    await forger.offer('k', freshEntry('forged'))
    expect(await storage.get('k')).toBeUndefined()
    expect(storage.stats().corrupt).toBe(2)
    expect(events.filter((e) => e.type === 'corrupt').map((e) => e.reason)).toEqual([
      'the signature is missing or wrong',
      'the signature is missing or wrong',
    ])
    // A memoized method recomputes over it and stores a signed value again.
    const fn = memoize(async (id: string) => `computed ${id}`, {
      configuration: RedisCacheConfiguration({ storage }),
      name: 'Signed.fn',
    })
    const key = storage.redisKey(
      RedisCacheConfiguration({ storage })
        .keyExtractor()
        .formatKey(new MethodReference('Signed.fn', { className: '' }), ['x']),
    )
    expect(await fn('x')).toBe('computed x')
    expect(await fn('x')).toBe('computed x')
    expect(await redis.exists(key)).toBe(1)
  })

  it('refuses a signed value copied under another key', async () => {
    const { storage, redis } = await signedSetup()
    await storage.offer('a', freshEntry('A'))
    const signed = await redis.getBuffer(storage.redisKey('a'))
    await redis.set(storage.redisKey('b'), signed!)
    expect(await storage.get('b')).toBeUndefined() // the signed envelope names key a
    expect((await storage.get('a'))?.value).toBe('A')
  })

  it('checks the key', () => {
    expect(
      () => new RedisCacheStorage({ client: client(server.url), signingKey: 'short' }),
    ).toThrow(/at least 16 bytes/)
    expect(
      () => new RedisCacheStorage({ client: client(server.url), signingKey: 42 as never }),
    ).toThrow(/string or a Uint8Array/)
  })
})
