// What memokit keeps per instance and per key stays bounded (test plan A5, A13): dropped
// instances of decorated classes are garbage-collected (no strong map keyed on `this`), entries
// that reference their instance keep at most `capacity` of them alive, and the in-flight map
// holds exactly the keys being computed.
import {
  DefaultInMemoryCacheConfiguration,
  type LocalInMemoryCacheStorage,
  cacheControl,
  memoize,
  type MemoizedMethod,
} from '@memokit/core'
import { collectUntil } from '../../../packages/core/test/support/gc'

jest.setTimeout(60_000)

describe('instances of decorated classes', () => {
  it('10,000 dropped instances, two memoized methods each: ≥ 99.9% collected, storage within capacity', async () => {
    const configuration = DefaultInMemoryCacheConfiguration({ capacity: 1_000 })
    const storage = configuration.storage() as LocalInMemoryCacheStorage
    const finalized = { count: 0 }
    const registry = new FinalizationRegistry(() => finalized.count++)
    class Account {
      readonly ballast = new Uint8Array(1024)
      constructor(readonly id: number) {}
      @memoize({ configuration })
      async balance(currency: string): Promise<number> {
        return this.id + currency.length
      }
      @memoize({ configuration })
      async owner(): Promise<string> {
        return `owner ${this.id}`
      }
    }
    let largest = 0
    const use = async (): Promise<void> => {
      for (let i = 0; i < 10_000; i++) {
        const account = new Account(i)
        registry.register(account, i)
        expect(await account.balance('EUR')).toBe(i + 3)
        expect(await account.owner()).toBe(`owner ${i}`)
        largest = Math.max(largest, storage.size)
      }
    }
    await use()
    // Within capacity all along (the newest entry may wait a microtask for its victim's release).
    expect(largest).toBeLessThanOrEqual(1_001)
    expect(await collectUntil(() => finalized.count >= 9_990)).toBe(true)
  })

  it('entries that reference their instance keep at most `capacity` instances alive', async () => {
    const configuration = DefaultInMemoryCacheConfiguration({ capacity: 500 })
    let alive = 0
    const registry = new FinalizationRegistry(() => alive--)
    class Session {
      readonly ballast = new Uint8Array(1024)
      @memoize({ configuration })
      async self(): Promise<{ session: Session }> {
        return { session: this } // the cached value holds the instance
      }
    }
    // In a function of its own: a suspended async frame can keep its loop's objects reachable.
    const use = async (): Promise<void> => {
      for (let i = 0; i < 5_000; i++) {
        const session = new Session()
        alive++
        registry.register(session, i)
        await session.self()
      }
    }
    await use()
    await cacheControl(Session.prototype.self).settle() // evictions run in the background
    expect(await collectUntil(() => alive <= 500)).toBe(true)
    expect(alive).toBeGreaterThan(0) // the cached ones are, rightly, still there
  })
})

describe('the in-flight map', () => {
  it('holds exactly the keys being computed, and empties as they complete', async () => {
    const pending = new Map<number, () => void>()
    const fn = memoize(
      (key: number) => new Promise<number>((resolve) => pending.set(key, () => resolve(key))),
      { configuration: DefaultInMemoryCacheConfiguration({ capacity: 100_000 }) },
    )
    const engine = cacheControl(fn) as MemoizedMethod
    const calls = []
    for (let i = 0; i < 20_000; i++) calls.push(fn(i % 5_000)) // 4 callers per key
    await new Promise((resolve) => setImmediate(resolve))
    expect(engine.refreshesInFlight).toBe(5_000)
    expect(pending.size).toBe(5_000)
    let peak = engine.refreshesInFlight
    for (const [key, resolve] of pending) {
      resolve()
      if (key % 1_000 === 0) {
        await new Promise((done) => setImmediate(done))
        peak = Math.max(peak, engine.refreshesInFlight)
        expect(engine.refreshesInFlight).toBeLessThanOrEqual(5_000 - key)
      }
    }
    expect((await Promise.all(calls)).length).toBe(20_000)
    expect(peak).toBe(5_000)
    expect(engine.refreshesInFlight).toBe(0)
  })
})
