// Fuzzing the decoders of untrusted data (test plan B5, security checklist 4–5): serialized
// entries are mutated (bytes flipped, cut short, __proto__ keys spliced in at any depth,
// arbitrary JSON) and decoded by every SerDe, and planted in a real Redis under a memoized key.
// Decoding yields an entry or a SerDeError, nothing else; no decoded value carries an own
// __proto__ key; Object.prototype is never touched. `pnpm soak` runs these for a time budget.
import {
  EncodingSerDe,
  JsonSerDe,
  SerDeError,
  SuperJsonSerDe,
  isCacheEntry,
  type CacheEntry,
  type SerDe,
} from '@memokit/core'
import { RedisCacheStorage, createRedisClient, type RedisClient } from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'
import fc from 'fast-check'
import { checkProperty } from '../support/fuzz'

jest.setTimeout(15 * 60_000)

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort()
function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames)
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined()
}

/** True when `value` holds an own `__proto__` key anywhere (what a naive merge would follow). */
function hasOwnProto(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value !== 'object' || seen.has(value)) return false
  seen.add(value)
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return true
  if (value instanceof Map)
    return [...value].some(([k, v]) => hasOwnProto(k, seen) || hasOwnProto(v, seen))
  if (value instanceof Set) return [...value].some((v) => hasOwnProto(v, seen))
  return Object.values(value).some((v) => hasOwnProto(v, seen))
}

const entryOf = (value: unknown): CacheEntry => ({
  created: 1_700_000_000_000,
  updateAfter: 1_700_000_060_000,
  expiresAfter: 1_700_000_120_000,
  value,
})

/** Inserts `"__proto__":{"polluted":1}` after the `{` at a position chosen by `at`. */
function spliceProto(text: string, at: number): string {
  const braces = [...text.matchAll(/\{/g)].map((m) => m.index)
  if (braces.length === 0) return text
  const i = braces[at % braces.length]! + 1
  const rest = text.slice(i)
  const key = at % 3 === 0 ? '"\\u005f_proto__"' : '"__proto__"'
  return `${text.slice(0, i)}${key}:{"polluted":1}${rest.startsWith('}') ? '' : ','}${rest}`
}

type Mutation =
  | { kind: 'flip'; at: number; bits: number }
  | { kind: 'cut'; at: number }
  | { kind: 'proto'; at: number }
  | { kind: 'replace'; json: string }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bits: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('proto' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), json: fc.json() }),
)

function mutate(data: Buffer, m: Mutation): Buffer {
  switch (m.kind) {
    case 'flip': {
      if (data.length === 0) return data
      const copy = Buffer.from(data)
      copy[m.at % copy.length]! ^= m.bits
      return copy
    }
    case 'cut':
      return data.subarray(0, m.at % (data.length + 1))
    case 'proto':
      return Buffer.from(spliceProto(data.toString('utf8'), m.at), 'utf8')
    case 'replace':
      return Buffer.from(m.json, 'utf8')
  }
}

const values = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  maxDepth: 4,
})

const serdes: [string, SerDe, fc.Arbitrary<unknown>][] = [
  ['JsonSerDe', new JsonSerDe(), fc.jsonValue()],
  ['SuperJsonSerDe', new SuperJsonSerDe(), values],
  ['EncodingSerDe(superjson, gzip)', new EncodingSerDe(new SuperJsonSerDe(), 'gzip'), values],
  ['EncodingSerDe(json, base64)', new EncodingSerDe(new JsonSerDe(), 'base64'), fc.jsonValue()],
]

describe.each(serdes)('%s decoding mutated data', (name, serde, valueArb) => {
  it('yields an entry or a SerDeError; never an own __proto__, never a polluted prototype', async () => {
    await checkProperty(
      `serde: ${name}`,
      fc.property(
        valueArb,
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (value, mutations) => {
          let data: Buffer
          try {
            data = Buffer.from(serde.serialize(entryOf(value)))
          } catch (error) {
            // Values the SerDe refuses to write (e.g. own __proto__ keys): nothing to decode.
            expect(error).toBeInstanceOf(SerDeError)
            return
          }
          for (const m of mutations) data = mutate(data, m)
          let decoded: CacheEntry | undefined
          try {
            decoded = serde.deserialize(data)
          } catch (error) {
            if (!(error instanceof SerDeError))
              throw new Error(`${name} threw ${String(error)}, not a SerDeError`, { cause: error })
          }
          if (decoded !== undefined) {
            expect(isCacheEntry(decoded)).toBe(true)
            expect(hasOwnProto(decoded)).toBe(false)
          }
          expectPrototypeUntouched()
        },
      ),
      300,
    )
  })
})

describe('mutated entries planted in Redis', () => {
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

  it('are read as a miss or a well-formed entry, never an exception or pollution', async () => {
    const storage = new RedisCacheStorage({
      client: redis,
      namespace: 'fuzz',
      maxValueBytes: 64 * 1024,
    })
    let n = 0
    await checkProperty(
      'redis: mutated envelopes',
      fc.asyncProperty(
        values,
        fc.array(mutation, { minLength: 0, maxLength: 3 }),
        async (value, mutations) => {
          const key = `k${n++ % 50}`
          await storage.offer(key, entryOf(value))
          const stored = await redis.getBuffer(storage.redisKey(key))
          if (stored === null) return // not storable (over maxValueBytes): nothing to mutate
          let data = stored
          for (const m of mutations) data = mutate(data, m)
          await redis.set(storage.redisKey(key), data)
          const found = await storage.get(key)
          if (found !== undefined) {
            expect(isCacheEntry(found)).toBe(true)
            expect(hasOwnProto(found)).toBe(false)
          }
          if (mutations.length === 0) expect(found).toBeDefined()
          expectPrototypeUntouched()
        },
      ),
      200,
    )
    expect(storage.stats().faults).toBe(0)
  })
})
