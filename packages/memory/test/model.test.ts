// FaasCacheMap against a plain reference model, on random operation sequences (fast-check).
// Sizes come from a simple sizeCalculation so the engine's rules are checked, not the size
// model: eviction order, expired-first purging, item and byte limits, TTL semantics, and the
// removals reported to onDelete.
import { FakeClock } from '@memokit/core/testing'
import { DataTooLargeError, FaasCacheMap, SIZE_MODEL, type RemovalReason } from '@memokit/memory'
import fc from 'fast-check'
import { inspect } from 'node:util'

interface ModelEntry {
  key: string
  value: string
  size: number
  expiresAt: number
}

/** The specification, written for clarity: an array in LRU order, scanned on every call. */
class Model {
  entries: ModelEntry[] = []
  removed: [string, string, RemovalReason][] = []
  defaultTtl: number | undefined = undefined
  constructor(
    public maxBytes: number,
    public maxItems: number,
    readonly clock: FakeClock,
  ) {}

  static size(key: string, value: string): number {
    return SIZE_MODEL.entryOverhead + key.length + value.length
  }

  #expired(entry: ModelEntry): boolean {
    return entry.expiresAt <= this.clock.now()
  }
  #index(key: string): number {
    return this.entries.findIndex((entry) => entry.key === key)
  }
  #remove(index: number, reason: RemovalReason): void {
    const [entry] = this.entries.splice(index, 1) as [ModelEntry]
    this.removed.push([entry.key, entry.value, reason])
  }
  #bytes(): number {
    return this.entries.reduce((sum, entry) => sum + entry.size, 0)
  }
  #purgeExpired(): void {
    // In expiry order (the order within one instant is not specified).
    const expired = this.entries.filter((entry) => this.#expired(entry))
    expired.sort((a, b) => a.expiresAt - b.expiresAt)
    for (const entry of expired) this.#remove(this.entries.indexOf(entry), 'expire')
  }
  #makeRoom(extraItems: number, extraBytes: number, keep?: ModelEntry): void {
    const over = (): boolean =>
      this.entries.length + extraItems > this.maxItems || this.#bytes() + extraBytes > this.maxBytes
    if (!over()) return
    this.#purgeExpired()
    for (let i = 0; i < this.entries.length && over();) {
      if (this.entries[i] === keep) i++
      else this.#remove(i, 'evict')
    }
  }
  #live(key: string): ModelEntry | undefined {
    const index = this.#index(key)
    if (index < 0) return undefined
    const entry = this.entries[index] as ModelEntry
    if (!this.#expired(entry)) return entry
    this.#remove(index, 'expire')
    return undefined
  }

  set(key: string, value: string): 'ok' | 'too-large' {
    const size = Model.size(key, value)
    if (size > this.maxBytes) return 'too-large'
    const expiresAt = this.defaultTtl === undefined ? Infinity : this.clock.now() + this.defaultTtl
    let index = this.#index(key)
    if (index >= 0 && this.#expired(this.entries[index] as ModelEntry)) {
      this.#remove(index, 'expire')
      index = -1
    }
    if (index >= 0) {
      const [entry] = this.entries.splice(index, 1) as [ModelEntry]
      Object.assign(entry, { value, size, expiresAt })
      this.entries.push(entry)
      this.#makeRoom(0, 0, entry)
    } else {
      this.#makeRoom(1, size)
      this.entries.push({ key, value, size, expiresAt })
    }
    return 'ok'
  }
  get(key: string): string | undefined {
    const entry = this.#live(key)
    if (entry === undefined) return undefined
    this.entries.splice(this.entries.indexOf(entry), 1)
    this.entries.push(entry)
    return entry.value
  }
  has(key: string): boolean {
    return this.#live(key) !== undefined
  }
  delete(key: string): boolean {
    const index = this.#index(key)
    if (index < 0) return false
    const expired = this.#expired(this.entries[index] as ModelEntry)
    this.#remove(index, expired ? 'expire' : 'delete')
    return !expired
  }
  setTtl(key: string, ttl: number | undefined): boolean {
    const entry = this.#live(key)
    if (entry === undefined) return false
    entry.expiresAt = ttl === undefined ? Infinity : this.clock.now() + ttl
    return true
  }
  changeMaxItems(max: number): void {
    this.maxItems = max
    this.#makeRoom(0, 0)
  }
  changeMaxBytes(max: number): void {
    this.maxBytes = max
    this.#makeRoom(0, 0)
  }
  snapshot(): [string, string][] {
    this.#purgeExpired()
    return this.entries.map((entry) => [entry.key, entry.value])
  }
  bytes(): number {
    this.#purgeExpired()
    return this.#bytes()
  }
}

type Command =
  | { op: 'set'; key: string; value: string }
  | { op: 'get' | 'has' | 'delete'; key: string }
  | { op: 'setTtl'; key: string; ttl: number | undefined }
  | { op: 'defaultTtl'; ttl: number | undefined }
  | { op: 'advance'; by: number }
  | { op: 'maxItems'; max: number }
  | { op: 'maxBytes'; max: number }
  | { op: 'check' }

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h')
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      key,
      value: fc.string({ maxLength: 300 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constantFrom('get' as const, 'has' as const, 'delete' as const),
      key,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('setTtl' as const),
      key,
      ttl: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('defaultTtl' as const),
      ttl: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      by: fc.integer({ min: 0, max: 30 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('maxItems' as const),
      max: fc.integer({ min: 1, max: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('maxBytes' as const),
      max: fc.integer({ min: 200, max: 1500 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ op: 'check' as const }) },
)

describe('FaasCacheMap against a reference model', () => {
  it('agrees with the model on every operation of random sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 200, max: 1500 }),
        fc.array(command, { minLength: 5, maxLength: 100, size: 'max' }),
        (maxItems, maxBytes, commands) => {
          const clock = new FakeClock()
          const model = new Model(maxBytes, maxItems, clock)
          const removed: [string, string, RemovalReason][] = []
          const map = new FaasCacheMap<string, string>({
            clock,
            maxItems,
            maxSizeBytes: maxBytes,
            purgeInterval: false,
            sizeCalculation: (k, v) => k.length + v.length,
            onDelete: (k, v, reason) => removed.push([k, v, reason]),
          })
          const sameRemovals = (): void => {
            // Same removals; those of one purge may come in any order within one instant.
            const normalize = (list: [string, string, RemovalReason][]) =>
              list.map((entry) => entry.join('|'))
            expect(normalize(removed).sort()).toEqual(normalize(model.removed).sort())
            expect(removed.filter(([, , r]) => r !== 'expire')).toEqual(
              model.removed.filter(([, , r]) => r !== 'expire'),
            )
            removed.length = 0
            model.removed.length = 0
          }
          for (const step of commands) {
            switch (step.op) {
              case 'set': {
                const expected = model.set(step.key, step.value)
                let actual = 'ok'
                try {
                  map.set(step.key, step.value)
                } catch (error) {
                  expect(error).toBeInstanceOf(DataTooLargeError)
                  actual = 'too-large'
                }
                expect(actual).toBe(expected)
                break
              }
              case 'get':
                expect(map.get(step.key)).toBe(model.get(step.key))
                break
              case 'has':
                expect(map.has(step.key)).toBe(model.has(step.key))
                break
              case 'delete':
                expect(map.delete(step.key)).toBe(model.delete(step.key))
                break
              case 'setTtl': {
                const expected = model.setTtl(step.key, step.ttl)
                let actual = true
                try {
                  map.setTtl(step.key, step.ttl)
                } catch {
                  actual = false
                }
                expect(actual).toBe(expected)
                break
              }
              case 'defaultTtl':
                map.defaultTtl = step.ttl
                model.defaultTtl = step.ttl
                break
              case 'advance':
                clock.advance(step.by)
                break
              case 'maxItems':
                map.changeMaxItems(step.max)
                model.changeMaxItems(step.max)
                break
              case 'maxBytes':
                map.changeByteSize(step.max)
                model.changeMaxBytes(step.max)
                break
              case 'check':
                expect([...map]).toEqual(model.snapshot())
                expect(map.byteSize).toBe(model.bytes())
                break
            }
            sameRemovals()
            // The bounds hold for what is held, expired or not (read without purging).
            const held = /size: (\d+), byteSize: (\d+)/.exec(inspect(map))
            expect(Number(held?.[2])).toBeLessThanOrEqual(model.maxBytes)
            expect(Number(held?.[1])).toBeLessThanOrEqual(model.maxItems)
          }
          expect([...map]).toEqual(model.snapshot())
          sameRemovals()
        },
      ),
      { numRuns: 300 },
    )
  })
})
