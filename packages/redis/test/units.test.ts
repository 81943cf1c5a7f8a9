// Pure parts: key escaping, the envelope, option checks, the recommended client options.
import fc from 'fast-check'
import { InvalidConfigurationError } from '@memokit/core'
import {
  cappedRetryStrategy,
  createRedisClient,
  recommendedRedisOptions,
  RedisCacheStorage,
  RedisInvalidationBus,
  TwoTierCacheStorage,
} from '@memokit/redis'
import { decodeEnvelope, encodeEnvelope } from '../src/envelope'
import { checkNamespace, escapeKey, RedisNames } from '../src/keys'

describe('Redis names', () => {
  it('escapes keys injectively, with no braces and no lone surrogates left', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const [ea, eb] = [escapeKey(a), escapeKey(b)]
        expect(ea).not.toMatch(/[{}]/)
        expect(
          /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(ea),
        ).toBe(false)
        if (a !== b) expect(ea).not.toBe(eb)
      }),
      { numRuns: 2_000 },
    )
    expect(escapeKey('\uD800')).not.toBe(escapeKey('\uFFFD'))
    expect(escapeKey('{a}%')).toBe('%7Ba%7D%25')
    expect(escapeKey('plain:key[1]')).toBe('plain:key[1]')
  })

  it('lays out every name under the namespace', () => {
    const names = new RedisNames('app')
    // An entry and its tombstone share a hash tag (one cluster slot for the release script).
    expect(names.entry('k')).toBe('app:e:{k}')
    expect(names.tombstone('k')).toBe('app:t:{k}')
    expect(names.entry('{x}')).toBe('app:e:{%7Bx%7D}')
    expect(names.entry('')).toBe('app:e:{%}')
    expect(names.lock('k')).toBe('app:l:k')
    expect(names.notice('k')).toBe('app:u:k')
    expect(names.bus()).toBe('app:bus')
  })

  it('checks namespaces', () => {
    expect(checkNamespace(undefined)).toBe('memokit')
    expect(checkNamespace('shop-v2')).toBe('shop-v2')
    for (const bad of ['', '{shop}', 'a b', 42, null])
      expect(() => checkNamespace(bad)).toThrow(InvalidConfigurationError)
  })
})

describe('the envelope', () => {
  it('round-trips text and binary payloads, and refuses every defect', () => {
    const text = encodeEnvelope('E', 'ns:e:k', 'héllo')
    expect(decodeEnvelope(text, 'ns:e:k', 'E')).toEqual({ kind: 'E', payload: 'héllo' })
    const bytes = Buffer.from([0, 255, 1])
    expect(decodeEnvelope(encodeEnvelope('D', 'c', bytes), 'c', 'DN')).toEqual({
      kind: 'D',
      payload: bytes,
    })
    expect(decodeEnvelope(text, 'ns:e:other', 'E')).toBe('wrong key')
    expect(decodeEnvelope(text, 'ns:e:k', 'D')).toBe('wrong kind')
    expect(decodeEnvelope(Buffer.from('MK'), 'ns:e:k', 'E')).toBe('not an envelope')
    const future = Buffer.from(text)
    future[2] = 2
    expect(decodeEnvelope(future, 'ns:e:k', 'E')).toBe('unknown version')
    expect(() =>
      decodeEnvelope(encodeEnvelope('E', 'k', Buffer.from([0xc3])).fill(1, 4, 5), 'k', 'E'),
    ).toThrow()
  })
})

describe('option checks', () => {
  const client = createRedisClient('redis://127.0.0.1:1', { lazyConnect: true })
  afterAll(() => client.disconnect())

  it('names the option and the value received', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => new RedisCacheStorage(undefined as never), /options object/],
      [() => new RedisCacheStorage({ client: 'redis://x' as never }), /client must be an ioredis/],
      [() => new RedisCacheStorage({ client, operationTimeout: 0 }), /operationTimeout .* got 0/],
      [() => new RedisCacheStorage({ client, operationTimeout: Infinity }), /operationTimeout/],
      [() => new RedisCacheStorage({ client, maxValueBytes: 1.5 }), /maxValueBytes .* got 1.5/],
      [() => new RedisCacheStorage({ client, namespace: 'a{b}' }), /namespace .* "a\{b\}"/],
      [() => new RedisCacheStorage({ client, serde: {} as never }), /serde must implement/],
      [() => new RedisCacheStorage({ client, circuitBreaker: {} as never }), /circuitBreaker/],
      [() => new RedisInvalidationBus({ client, maxKeysPerMessage: 0 }), /maxKeysPerMessage/],
      [() => new TwoTierCacheStorage({ remote: {} as never }), /remote must be a CacheStorage/],
      [
        () =>
          new TwoTierCacheStorage({ remote: new RedisCacheStorage({ client }), localCapacity: 0 }),
        /localCapacity/,
      ],
    ]
    for (const [make, message] of cases) {
      expect(make).toThrow(InvalidConfigurationError)
      expect(make).toThrow(message)
    }
  })
})

describe('recommended client options', () => {
  it('caps reconnection delays and fails commands fast', () => {
    const retry = cappedRetryStrategy(200)
    for (let attempt = 1; attempt < 100; attempt++) {
      const delay = retry(attempt)
      expect(delay).toBeGreaterThanOrEqual(Math.min(50 * attempt, 200))
      expect(delay).toBeLessThan(250)
    }
    expect(recommendedRedisOptions).toMatchObject({
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      enableAutoPipelining: true,
    })
  })

  it('applies them under the caller’s own options and always listens for errors', () => {
    const redis = createRedisClient('redis://127.0.0.1:1', {
      lazyConnect: true,
      commandTimeout: 300,
    })
    try {
      expect(redis.options.maxRetriesPerRequest).toBe(1)
      expect(redis.options.commandTimeout).toBe(300)
      expect(redis.listenerCount('error')).toBeGreaterThan(0)
    } finally {
      redis.disconnect()
    }
  })
})
