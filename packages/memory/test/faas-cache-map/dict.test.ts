// faas-cache-dict's test_dict (0.1.2 scenarios plus the 0.9.0 additions that have a Map
// equivalent), on the Map API.
import { InvalidConfigurationError } from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import { FaasCacheMap } from '@memokit/memory'
import { inspect } from 'node:util'
import { fakeMap } from '../support/maps'

function basic(): FaasCacheMap<string, number> {
  return fakeMap<string, number>({ defaultTtl: 60_000, maxSizeBytes: '1M' }).map
}

describe('FaasCacheMap as a Map', () => {
  it('reads back what was written', () => {
    const map = basic()
    map.set('a', 1)
    map.set('b', 2)
    expect(map.get('a')).toBe(1)
    expect(map.get('b')).toBe(2)
  })

  it('deletes entries; deleting a missing key returns false', () => {
    const map = basic()
    map.set('a', 1).set('b', 2)
    expect(map.size).toBe(2)
    expect(map.delete('b')).toBe(true)
    expect(map.size).toBe(1)
    expect(map.get('a')).toBe(1)
    expect(map.get('b')).toBeUndefined()
    expect(map.has('b')).toBe(false)
    expect(map.delete('unknown')).toBe(false)
  })

  it('returns undefined for a missing key (callers supply their own default)', () => {
    const map = basic()
    map.set('a', 1)
    expect(map.get('non-exist') ?? 9000).toBe(9000)
  })

  it('lists keys, values and entries in LRU order (oldest first)', () => {
    const map = basic()
    map.set('a', 1)
    expect([...map.values()]).toEqual([1])
    expect([...map.entries()]).toEqual([['a', 1]])
    map.set('b', 2)
    expect([...map.keys()]).toEqual(['a', 'b'])
    expect([...map.values()]).toEqual([1, 2])
    expect([...map.entries()]).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect([...map]).toEqual([...map.entries()])
  })

  it('counts entries; overwriting keeps the count', () => {
    const map = basic()
    expect(map.size).toBe(0)
    map.set('a', 1)
    expect(map.size).toBe(1)
    map.set('b', 2)
    expect(map.size).toBe(2)
    map.set('a', 3)
    expect(map.size).toBe(2)
    expect(map.get('a')).toBe(3)
    map.delete('a')
    expect(map.size).toBe(1)
  })

  it('iterates over its keys', () => {
    const map = basic()
    map.set('a', 1).set('b', 2).set('c', 3)
    const keys = [...map.keys()]
    for (const [key] of map) expect(keys).toContain(key)
  })

  it('returns itself from set, for chaining', () => {
    const map = basic()
    expect(map.set('a', 1)).toBe(map)
  })

  it('accepts any value as a key, compared like Map keys (SameValueZero)', () => {
    const { map } = fakeMap<unknown, string>()
    const objectKey = { id: 1 }
    const arrayKey = [1, 2]
    map.set(NaN, 'nan').set(0, 'zero').set(objectKey, 'object').set(arrayKey, 'array')
    map.set(null, 'null').set(undefined, 'undefined').set(1n, 'bigint').set('1', 'string')
    expect(map.get(NaN)).toBe('nan')
    expect(map.get(-0)).toBe('zero')
    expect(map.get(objectKey)).toBe('object')
    expect(map.get({ id: 1 })).toBeUndefined()
    expect(map.get(arrayKey)).toBe('array')
    expect(map.get(null)).toBe('null')
    expect(map.get(undefined)).toBe('undefined')
    expect(map.get(1n)).toBe('bigint')
    expect(map.get(1)).toBeUndefined()
    expect(map.get('1')).toBe('string')
    expect(map.size).toBe(8)
  })

  it('stores undefined as a value (has tells it apart from a miss)', () => {
    const { map } = fakeMap<string, undefined>()
    map.set('a', undefined)
    expect(map.has('a')).toBe(true)
    expect(map.get('a')).toBeUndefined()
    expect(map.size).toBe(1)
  })

  it('calls forEach with value, key and the map, binding thisArg', () => {
    const map = basic()
    map.set('a', 1).set('b', 2)
    const seen: unknown[] = []
    const context = { tag: 'ctx' }
    map.forEach(function (this: unknown, value, key, self) {
      seen.push([value, key, self === map, this])
    }, context)
    expect(seen).toEqual([
      [1, 'a', true, context],
      [2, 'b', true, context],
    ])
  })

  it('takes initial entries, written in order', () => {
    const map = new FaasCacheMap<string, number>({
      maxItems: 2,
      entries: [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ],
    })
    expect([...map]).toEqual([
      ['b', 2],
      ['c', 3],
    ])
  })

  it('can be called without new', () => {
    const map = FaasCacheMap<string, number>({ maxItems: 3 })
    expect(map).toBeInstanceOf(FaasCacheMap)
    expect(map.set('a', 1).get('a')).toBe(1)
  })

  it('clears everything', () => {
    const map = basic()
    map.set('a', 1).set('b', 2)
    map.clear()
    expect(map.size).toBe(0)
    expect(map.byteSize).toBe(0)
    expect([...map]).toEqual([])
    map.set('c', 3)
    expect([...map.keys()]).toEqual(['c'])
  })

  it('reads and writes during iteration without looping or corrupting the map', () => {
    const map = basic()
    for (const key of ['a', 'b', 'c', 'd']) map.set(key, 1)
    const visited: string[] = []
    for (const [key] of map) {
      visited.push(key)
      map.get(key) // would move it to the end of a live list
      if (key === 'a') map.delete('c') // removed before being reached: skipped
      if (key === 'b') map.set('e', 5) // added meanwhile: not visited
    }
    expect(visited).toEqual(['a', 'b', 'd'])
    expect([...map.keys()]).toEqual(['a', 'b', 'e', 'd']) // each visited key was read
  })

  it('does not change the LRU order by iterating', () => {
    const map = basic()
    map.set('a', 1).set('b', 2)
    map.forEach(() => undefined)
    expect([...map.values()]).toEqual([1, 2])
  })

  it('reports itself as FaasCacheMap and inspects without keys or values', () => {
    const map = basic()
    map.set('secret-key', 42)
    expect(Object.prototype.toString.call(map)).toBe('[object FaasCacheMap]')
    const shown = inspect(map)
    expect(shown).toMatch(/^FaasCacheMap \{ size: 1, byteSize: \d+, defaultTtl: 60000/)
    expect(shown).toContain('maxSizeBytes: 1048576')
    expect(shown).not.toContain('secret')
  })

  describe('option validation', () => {
    const invalid: [string, object][] = [
      ['defaultTtl -1', { defaultTtl: -1 }],
      ['defaultTtl NaN', { defaultTtl: NaN }],
      ['defaultTtl true', { defaultTtl: true }],
      ['defaultTtl "10"', { defaultTtl: '10' }],
      ['maxSizeBytes 0', { maxSizeBytes: 0 }],
      ["maxSizeBytes ''", { maxSizeBytes: '' }],
      ['maxSizeBytes 1.5', { maxSizeBytes: 1.5 }],
      ['maxSizeBytes true', { maxSizeBytes: true }],
      ['maxSizeBytes Infinity', { maxSizeBytes: Infinity }],
      ['maxItems 0', { maxItems: 0 }],
      ['maxItems -1', { maxItems: -1 }],
      ['maxItems 1.5', { maxItems: 1.5 }],
      ['maxItems Infinity', { maxItems: Infinity }],
      ['maxItems true', { maxItems: true }],
      ['purgeInterval 0', { purgeInterval: 0 }],
      ['purgeInterval true', { purgeInterval: true }],
      ['onDelete "x"', { onDelete: 'not a callable' }],
      ['sizeCalculation 1', { sizeCalculation: 1 }],
    ]
    it.each(invalid)('refuses %s with InvalidConfigurationError', (_name, options) => {
      expect(() => new FaasCacheMap(options as never)).toThrow(InvalidConfigurationError)
    })

    it('names the option in the error message', () => {
      expect(() => new FaasCacheMap({ maxItems: 0 })).toThrow(/maxItems.*got 0/)
      expect(() => new FaasCacheMap({ defaultTtl: -5 })).toThrow(/defaultTtl.*got -5/)
      expect(() => new FaasCacheMap({ maxSizeBytes: 'K' })).toThrow(/maxSizeBytes.*'K'/)
    })

    it('treats null as "no limit" and accepts Infinity as "no expiry"', () => {
      const map = new FaasCacheMap({
        maxSizeBytes: null,
        maxItems: null,
        defaultTtl: Infinity,
        clock: new FakeClock(),
      })
      expect(map.maxSizeBytes).toBeUndefined()
      expect(map.maxItems).toBeUndefined()
      expect(map.defaultTtl).toBeUndefined()
    })

    it('refuses an invalid new defaultTtl and keeps the old one', () => {
      const { map } = fakeMap({ defaultTtl: 1000 })
      expect(() => (map.defaultTtl = -1)).toThrow(InvalidConfigurationError)
      expect(map.defaultTtl).toBe(1000)
    })
  })
})
