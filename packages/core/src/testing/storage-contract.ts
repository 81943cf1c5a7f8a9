import assert from 'node:assert/strict'
import type { CacheEntry } from '../cache-entry.js'
import type { CacheStorage } from '../cache-storage.js'

/** The test functions the suite registers its cases with (jest, vitest and mocha fit). */
export interface TestFramework {
  describe: (name: string, body: () => void) => void
  it: (name: string, body: () => Promise<void>, timeout?: number) => void
  beforeEach?: (body: () => Promise<void> | void) => void
  afterEach?: (body: () => Promise<void> | void) => void
}

export interface CacheStorageContractOptions {
  /** Returns a fresh, empty storage; called before every case. */
  create(): CacheStorage | Promise<CacheStorage>
  /** Frees what `create` made; called after every case. */
  destroy?(storage: CacheStorage): void | Promise<void>
  /**
   * Values keep their types across a round trip: `Date`, `Map`, `Set`, `BigInt`, `undefined`
   * properties (in-process storages, superjson-based remote storages). @default true
   */
  preservesTypes?: boolean
  /** Deeply equal is enough; set to true when `get` returns the very object offered. @default false */
  preservesIdentity?: boolean
  /** Registers additional cases in the same `describe` block, with the same setup. */
  additionalTests?(context: { storage(): CacheStorage; it: TestFramework['it'] }): void
}

const HOUR = 3_600_000

function entry<T>(value: T, now = Date.now()): CacheEntry<T> {
  return { created: now, updateAfter: now + HOUR, expiresAfter: now + 2 * HOUR, value }
}

function defaultFramework(): TestFramework {
  const g = globalThis as unknown as Partial<TestFramework>
  if (typeof g.describe !== 'function' || typeof g.it !== 'function')
    throw new Error(
      'describeCacheStorageContract(): no global describe/it; pass your test framework as the third argument',
    )
  return g as TestFramework
}

/**
 * The behaviour every `CacheStorage` must have, as a test suite. Run it against your storage:
 *
 * ```ts
 * describeCacheStorageContract('MyStorage', { create: () => new MyStorage() })
 * ```
 */
export function describeCacheStorageContract(
  name: string,
  options: CacheStorageContractOptions,
  framework: TestFramework = defaultFramework(),
): void {
  const { describe, it } = framework
  const preservesTypes = options.preservesTypes ?? true
  let current: CacheStorage | undefined
  const storage = (): CacheStorage => {
    if (current === undefined) throw new Error('storage not created yet')
    return current
  }

  describe(`${name} satisfies the CacheStorage contract`, () => {
    framework.beforeEach?.(async () => {
      current = await options.create()
    })
    framework.afterEach?.(async () => {
      if (current !== undefined) await options.destroy?.(current)
      current = undefined
    })
    const test = (title: string, body: () => Promise<void>): void =>
      it(title, async () => {
        if (framework.beforeEach === undefined) current = await options.create()
        try {
          await body()
        } finally {
          if (framework.afterEach === undefined && current !== undefined) {
            await options.destroy?.(current)
            current = undefined
          }
        }
      })

    test('resolves undefined for a key that was never offered', async () => {
      assert.equal(await storage().get('never-offered'), undefined)
    })

    test('returns an equal entry after offer', async () => {
      const offered = entry({ id: 42, name: 'Ada', tags: ['a', 'b'], nested: { ok: true } })
      await storage().offer('k', offered)
      const found = await storage().get('k')
      assert.deepEqual(found, offered)
      if (options.preservesIdentity) assert.equal(found, offered)
    })

    test('keeps the instants of the entry exactly', async () => {
      const offered: CacheEntry = {
        created: 1_700_000_000_123,
        updateAfter: 4_000_000_000_456,
        expiresAfter: 4_000_000_001_789,
        value: 1,
      }
      await storage().offer('instants', offered)
      const found = await storage().get('instants')
      assert.equal(found?.created, offered.created)
      assert.equal(found?.updateAfter, offered.updateAfter)
      assert.equal(found?.expiresAfter, offered.expiresAfter)
    })

    test('forgets an entry after release', async () => {
      await storage().offer('k', entry('v'))
      await storage().release('k')
      assert.equal(await storage().get('k'), undefined)
    })

    test('treats releasing a missing key as a no-op', async () => {
      await storage().release('missing')
      assert.equal(await storage().get('missing'), undefined)
    })

    test('replaces an entry offered again under the same key', async () => {
      await storage().offer('k', entry('first'))
      await storage().offer('k', entry('second'))
      assert.equal((await storage().get('k'))?.value, 'second')
    })

    test('keeps distinct keys independent', async () => {
      await storage().offer('a', entry('A'))
      await storage().offer('b', entry('B'))
      await storage().release('a')
      assert.equal(await storage().get('a'), undefined)
      assert.equal((await storage().get('b'))?.value, 'B')
    })

    test('round-trips JSON-like values', async () => {
      const values: unknown[] = [
        null,
        0,
        -1.5,
        Number.MAX_SAFE_INTEGER,
        true,
        false,
        '',
        'plain',
        'ünïcødé ✓ 🚀',
        [],
        [1, [2, [3]]],
        {},
        { a: { b: { c: [null, 'x'] } } },
        'x'.repeat(100_000),
      ]
      for (const [index, value] of values.entries()) {
        await storage().offer(`json-${index}`, entry(value))
        assert.deepEqual((await storage().get(`json-${index}`))?.value, value, `value #${index}`)
      }
    })

    test('stores an entry whose value is undefined (not a miss)', async () => {
      await storage().offer('undefined', entry(undefined))
      const found = await storage().get('undefined')
      assert.notEqual(found, undefined)
      assert.equal(found?.value, undefined)
    })

    if (preservesTypes) {
      test('round-trips Date, Map, Set, BigInt and undefined properties', async () => {
        const value = {
          when: new Date(Date.UTC(2024, 1, 29, 12)),
          map: new Map<unknown, unknown>([
            ['a', 1],
            [2, { b: true }],
          ]),
          set: new Set(['x', 'y']),
          big: 12345678901234567890n,
          missing: undefined,
        }
        await storage().offer('typed', entry(value))
        const found = (await storage().get('typed'))?.value as typeof value
        assert.ok(found.when instanceof Date, 'Date comes back as a Date')
        assert.equal(found.when.getTime(), value.when.getTime())
        assert.ok(found.map instanceof Map, 'Map comes back as a Map')
        assert.deepEqual([...found.map], [...value.map])
        assert.ok(found.set instanceof Set, 'Set comes back as a Set')
        assert.deepEqual([...found.set], [...value.set])
        assert.equal(found.big, value.big)
        assert.ok('missing' in found, 'undefined property is kept')
      })
    }

    test('accepts keys with special characters', async () => {
      const keys = [
        'with space',
        'colon:separated:key',
        'glob*?[]\\chars',
        '{hash}tag',
        'ünïcødé-🔑',
        'quote"and\'apostrophe',
        'newline\nkey',
        'long-' + 'k'.repeat(10_000),
      ]
      for (const [index, key] of keys.entries()) await storage().offer(key, entry(index))
      for (const [index, key] of keys.entries())
        assert.equal((await storage().get(key))?.value, index, `key #${index}`)
    })

    test('stays consistent under concurrent offers, gets and releases', async () => {
      const s = storage()
      await Promise.all(Array.from({ length: 100 }, (_, i) => s.offer(`c${i}`, entry({ i }))))
      await Promise.all(Array.from({ length: 50 }, (_, i) => s.release(`c${i * 2}`)))
      const found = await Promise.all(Array.from({ length: 100 }, (_, i) => s.get(`c${i}`)))
      found.forEach((e, i) => {
        if (i % 2 === 0) assert.equal(e, undefined, `c${i} was released`)
        else assert.deepEqual(e?.value, { i }, `c${i} is kept`)
      })
    })

    test('with a fence: declines a write whose key was released since, takes the others', async () => {
      const s = storage()
      if (s.fence === undefined) return // optional: storages shared by processes implement it
      await s.offer('f', entry('old'))
      const before = await s.fence('f')
      await s.release('f') // an invalidation while a refresh was computing
      await s.offer('f', entry('stale'), before)
      assert.equal(await s.get('f'), undefined, 'a refresh older than the release is declined')
      const after = await s.fence('f')
      await s.offer('f', entry('fresh'), after)
      assert.equal((await s.get('f'))?.value, 'fresh', 'a refresh newer than the release is kept')
      const unchanged = await s.fence('g')
      await s.offer('g', entry('g'), unchanged)
      assert.equal((await s.get('g'))?.value, 'g', 'nothing released: the write is kept')
    })

    options.additionalTests?.({ storage, it: (title, body, timeout) => it(title, body, timeout) })
  })
}
