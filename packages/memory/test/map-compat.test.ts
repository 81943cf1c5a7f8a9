// FaasCacheMap is typed as a Map<K, V> (it implements the interface) without subclassing Map.
import { FakeClock } from '@memokit/core/testing'
import { FaasCacheMap } from '@memokit/memory'

/** Stands for any API typed against Map, e.g. MemoizedLambda's `cache` option. */
function rememberResponse(cache: Map<string, unknown>, key: string, response: unknown): unknown {
  if (!cache.has(key)) cache.set(key, response)
  return cache.get(key)
}

function readOnly(view: ReadonlyMap<string, number>): number[] {
  return [...view.values()]
}

describe('FaasCacheMap where a Map is expected', () => {
  it('fits a Map<string, unknown> parameter (checked by the type-checker) and works there', () => {
    const cache = new FaasCacheMap<string, unknown>({ clock: new FakeClock(), maxItems: 2 })
    expect(rememberResponse(cache, 'k1', { ok: 1 })).toEqual({ ok: 1 })
    expect(rememberResponse(cache, 'k1', { ok: 2 })).toEqual({ ok: 1 })
    const typed: Map<string, unknown> = cache
    expect(typed.size).toBe(1)
  })

  it('fits ReadonlyMap and Iterable<[K, V]> too', () => {
    const cache = new FaasCacheMap<string, number>({ clock: new FakeClock() })
    cache.set('a', 1)
    expect(readOnly(cache)).toEqual([1])
    const iterable: Iterable<[string, number]> = cache
    expect(new Map(iterable)).toEqual(new Map([['a', 1]]))
    expect(Object.fromEntries(cache)).toEqual({ a: 1 })
    expect(Array.from(cache.keys())).toEqual(['a'])
  })

  it('is not a Map subclass: instanceof Map is false by design', () => {
    const cache = new FaasCacheMap({ clock: new FakeClock() })
    expect(cache instanceof Map).toBe(false)
    expect(cache instanceof FaasCacheMap).toBe(true)
    // The built-in Map methods refuse it instead of silently reading an empty table.
    expect(() => Map.prototype.get.call(cache, 'a')).toThrow(TypeError)
  })

  it('returns iterators that are themselves iterable', () => {
    const cache = new FaasCacheMap<string, number>({ clock: new FakeClock() })
    cache.set('a', 1).set('b', 2)
    const keys = cache.keys()
    expect(keys[Symbol.iterator]()).toBe(keys)
    expect(keys.next()).toEqual({ value: 'a', done: false })
    expect([...keys]).toEqual(['b'])
  })
})
