// faas-cache-dict's test_memory_size and test_get_deep_size (0.1.2 and 0.9.0), ported to the
// estimated size model. Differences from upstream: sizes are estimates of live objects (no
// exact re-measurement), an object shared by two entries is counted for each (conservative,
// as 0.9.0's running total), and an empty map measures 0 bytes.
import { MemoizeError } from '@memokit/core'
import { DataTooLargeError, SIZE_MODEL, estimateByteSize, type FaasCacheMap } from '@memokit/memory'
import { KiB, MiB, ONE_MIB_TEXT, fakeMap, loadMebibytes, recorder } from '../support/maps'

function tooLarge(write: () => unknown): DataTooLargeError {
  let caught: unknown
  try {
    write()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(DataTooLargeError)
  return caught as DataTooLargeError
}

describe('FaasCacheMap byte budget', () => {
  it('parses the budget', () => {
    expect(fakeMap({ defaultTtl: 60_000, maxSizeBytes: '1M' }).map.maxSizeBytes).toBe(MiB)
    expect(fakeMap({ defaultTtl: 60_000, maxSizeBytes: '2M' }).map.maxSizeBytes).toBe(2 * MiB)
    expect(fakeMap({ maxSizeBytes: 5000 }).map.maxSizeBytes).toBe(5000)
  })

  it('changes the budget and evicts to fit it (change_byte_size)', () => {
    const { map } = fakeMap({ defaultTtl: 60_000, maxSizeBytes: '1M' })
    map.changeByteSize('2M')
    expect(map.maxSizeBytes).toBe(2 * MiB)
    loadMebibytes(map, 1)
    expect(map.size).toBe(1)
    map.changeByteSize('1M') // 1 MiB of text plus key and overhead is more than 1 MiB
    expect(map.size).toBe(0)
  })

  it('shrinks to fit a smaller budget', () => {
    const { map } = fakeMap({ defaultTtl: 60_000, maxSizeBytes: '10M' })
    loadMebibytes(map, 1)
    expect(map.size).toBe(1)
    map.changeByteSize('1M')
    expect(map.size).toBe(0)
  })

  it('counts the data it holds', () => {
    const { map } = fakeMap({ defaultTtl: 60_000, maxSizeBytes: '10M' })
    expect(map.byteSize).toBe(0)
    loadMebibytes(map, 1)
    expect(map.byteSize).toBeGreaterThan(MiB)
    expect(map.byteSize).toBeLessThan(MiB + 1000)
  })

  it('gives back the bytes of purged expired entries', () => {
    const { map, clock } = fakeMap({ defaultTtl: 500, maxSizeBytes: '10M' })
    const empty = map.byteSize
    map.set('a', 1)
    const loaded = map.byteSize
    expect(empty).toBeLessThan(loaded)
    clock.advance(500)
    expect(map.purgeExpired()).toBe(1)
    expect(map.byteSize).toBe(empty)
  })

  it('lowers the size on delete and raises it on add and on a larger value', () => {
    const { map } = fakeMap({ defaultTtl: 1000, maxSizeBytes: '10M' })
    map.set('a', 'a')
    const one = map.byteSize
    map.set('b', 'b'.repeat(20))
    expect(map.byteSize).toBeGreaterThan(one)
    map.delete('b')
    expect(map.byteSize).toBe(one)
    map.set('a', 'a'.repeat(20))
    expect(map.byteSize).toBeGreaterThan(one)
    map.set('a', 'this is a much larger string value'.repeat(100))
    expect(map.byteSize).toBeGreaterThan(3400)
  })

  it('refuses an item larger than the whole budget with DataTooLargeError', () => {
    const { map } = fakeMap({ defaultTtl: 1000, maxSizeBytes: '2M' })
    loadMebibytes(map, 1)
    const error = tooLarge(() => loadMebibytes(map, 2))
    expect(error).toBeInstanceOf(MemoizeError)
    expect(error.code).toBe('E_DATA_TOO_LARGE')
    expect(error.name).toBe('DataTooLargeError')
    expect(error.limit).toBe(2 * MiB)
    expect(error.size).toBeGreaterThan(2 * MiB)
    tooLarge(() => loadMebibytes(map, 3))
    expect(map.size).toBe(1)
  })

  it('evicts nothing for an item that can never fit (no collateral eviction)', () => {
    const { calls, onDelete } = recorder()
    const { map } = fakeMap({ maxSizeBytes: '4K', onDelete })
    map.set('keep', 'small')
    tooLarge(() => map.set('huge', 'y'.repeat(10_000)))
    expect(map.get('keep')).toBe('small')
    expect(map.has('huge')).toBe(false)
    expect(calls).toEqual([])
  })

  it('keeps the old value when an overwrite is too large', () => {
    const { map } = fakeMap({ maxSizeBytes: '4K' })
    map.set('a', 'small')
    tooLarge(() => map.set('a', 'y'.repeat(10_000)))
    expect(map.get('a')).toBe('small')
  })

  it('evicts the oldest entries to make room for a new one that fits', () => {
    const { map } = fakeMap({ maxSizeBytes: '4K' })
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) map.set(key, key.repeat(800))
    expect(map.has('f')).toBe(true)
    expect(map.has('a')).toBe(false)
    expect(map.byteSize).toBeLessThanOrEqual(4 * KiB)
    expect([...map.keys()]).toEqual(['d', 'e', 'f'])
  })

  it('evicts by bytes for a larger overwrite, never the key being written', () => {
    const { calls, onDelete } = recorder()
    const { map } = fakeMap({ maxSizeBytes: '4K', onDelete })
    for (const key of ['a', 'b', 'c']) map.set(key, key.repeat(800))
    map.set('c', 'c'.repeat(2500))
    expect([...map.keys()]).toEqual(['b', 'c'])
    expect(calls).toEqual([['a', 'a'.repeat(800), 'evict']])
    expect(map.byteSize).toBeLessThanOrEqual(4 * KiB)
  })

  it('has no byte limit with maxSizeBytes null', () => {
    const { map } = fakeMap({ defaultTtl: 1000, maxSizeBytes: null })
    for (let i = 0; i < 3; i++) loadMebibytes(map, 1)
    expect(map.size).toBe(3)
  })

  it('applies a limit set later to what it already holds', () => {
    const { map } = fakeMap({ defaultTtl: 1000, maxSizeBytes: null })
    for (let i = 0; i < 3; i++) loadMebibytes(map, 1)
    map.changeByteSize('1M')
    expect(map.size).toBe(0)
  })

  it('removes the limit with changeByteSize(null)', () => {
    const { map } = fakeMap({ defaultTtl: 1000, maxSizeBytes: '3M' })
    loadMebibytes(map, 1)
    expect(map.size).toBe(1)
    loadMebibytes(map, 1)
    expect(map.size).toBe(2)
    map.changeByteSize(null)
    expect(map.maxSizeBytes).toBeUndefined()
    expect(map.size).toBe(2)
    for (let i = 0; i < 3; i++) loadMebibytes(map, 1)
    expect(map.size).toBe(5)
  })

  it('refuses invalid budgets and keeps the current one', () => {
    const { map } = fakeMap({ maxSizeBytes: '1M' })
    map.set('a', 1)
    for (const bad of [0, -1, '-1M', '', 'K', 1.5, true, 'infK'])
      expect(() => map.changeByteSize(bad as never)).toThrow(/maxSizeBytes/)
    expect(map.maxSizeBytes).toBe(MiB)
    expect(map.get('a')).toBe(1)
  })

  it('measures an empty map as 0 bytes and accepts small items into a 1K budget', () => {
    const { map } = fakeMap({ maxSizeBytes: '1K' })
    expect(map.byteSize).toBe(0)
    map.set('a', 1)
    expect(map.get('a')).toBe(1)
    expect(map.size).toBe(1)
  })

  it('keeps a small budget working as items come and go', () => {
    const { map } = fakeMap({ maxSizeBytes: '2K' })
    for (let i = 0; i < 50; i++) map.set(`k${i}`, i)
    expect(map.size).toBeGreaterThanOrEqual(1)
    expect(map.byteSize).toBeLessThanOrEqual(2 * KiB)
    expect(map.has('k49')).toBe(true)
  })

  it('stays within the budget under distinct values', () => {
    const { map } = fakeMap({ maxSizeBytes: '200K' })
    for (let i = 0; i < 100; i++) map.set(String(i), 'x'.repeat(5000) + String(i))
    expect(map.byteSize).toBeLessThanOrEqual(200 * KiB)
    expect(map.size).toBeGreaterThan(30)
  })

  it('counts an object shared by two entries for each entry (conservative)', () => {
    const { map } = fakeMap()
    const big = 'x'.repeat(100_000)
    map.set('a', big)
    const one = map.byteSize
    map.set('b', big)
    expect(map.byteSize - one).toBeGreaterThan(100_000)
  })

  it('keeps an exact running total when values are changed in place, then corrects it on resize', () => {
    const { map } = fakeMap<string, number[]>({ maxSizeBytes: '1M' })
    for (let i = 0; i < 15; i++) {
      const value: number[] = []
      map.set(`tmp${i}`, value)
      for (let j = 0; j < 40_000; j++) value.push(j) // grows after being measured
      map.delete(`tmp${i}`)
    }
    // What is removed is what was counted: the total never drifts (0.9.0 went negative).
    expect(map.byteSize).toBe(0)
    const grown: number[] = [1]
    map.set('grown', grown)
    const before = map.byteSize
    for (let j = 0; j < 10_000; j++) grown.push(j)
    expect(map.byteSize).toBe(before) // sizes are computed on write only
    const after = map.resize('grown')
    expect(after).toBe(map.byteSize)
    expect(after).toBeGreaterThan(before + 10_000 * SIZE_MODEL.arrayElement - 1)
    map.set('grown', [])
    expect(map.byteSize).toBeLessThan(before + SIZE_MODEL.arrayElement)
  })

  it('evicts other entries when a resized entry has outgrown the room left', () => {
    const { calls, onDelete } = recorder<string, string[]>()
    const { map } = fakeMap<string, string[]>({ maxSizeBytes: '8K', onDelete })
    const growing: string[] = []
    map.set('growing', growing)
    map.set('b', ['b'.repeat(2000)])
    map.set('c', ['c'.repeat(2000)])
    growing.push('g'.repeat(4000))
    map.resize('growing')
    expect([...map.keys()]).toEqual(['growing', 'c']) // order unchanged; 'b' made room
    expect(calls.map(([key, , reason]) => `${key}:${reason}`)).toEqual(['b:evict'])
    expect(map.byteSize).toBeLessThanOrEqual(8 * KiB)
  })

  it('evicts and reports a resized entry that alone exceeds the budget', () => {
    const { calls, onDelete } = recorder<string, string[]>()
    const { map } = fakeMap<string, string[]>({ maxSizeBytes: '4K', onDelete })
    const growing: string[] = []
    map.set('other', ['small'])
    map.set('growing', growing)
    growing.push('g'.repeat(10_000))
    tooLarge(() => map.resize('growing'))
    expect(map.has('growing')).toBe(false)
    expect(map.get('other')).toEqual(['small'])
    expect(calls.map(([key, , reason]) => `${key}:${reason}`)).toEqual(['growing:evict'])
    expect(map.resize('missing')).toBeUndefined()
  })

  it('honours TTL, byte budget and item limit together', () => {
    const { map, clock } = fakeMap({ defaultTtl: 1000, maxSizeBytes: '10K', maxItems: 5 })
    for (let i = 0; i < 10; i++) map.set(`key_${i}`, `value_${i}`.repeat(10))
    expect(map.size).toBeLessThanOrEqual(5)
    expect(map.byteSize).toBeLessThanOrEqual(10 * KiB)
    clock.advance(1500)
    expect(map.size).toBe(0)
  })

  it('measures a nested FaasCacheMap by what it holds', () => {
    const { map: outer } = fakeMap<string, FaasCacheMap<string, string>>()
    const { map: inner } = fakeMap<string, string>()
    outer.set('nested', inner)
    const empty = outer.byteSize
    inner.set('a', 'a'.repeat(1000))
    expect(outer.resize('nested')).toBeGreaterThan(empty + 1000)
    expect(estimateByteSize(inner)).toBe(SIZE_MODEL.objectBase + inner.byteSize)
  })

  it('uses sizeCalculation instead of the estimate: once per write, never on reads', () => {
    const sizeCalculation = jest.fn((_key: string, value: Buffer) => value.byteLength)
    const { map } = fakeMap<string, Buffer>({ maxSizeBytes: 10_000, sizeCalculation })
    map.set('a', Buffer.alloc(4000))
    expect(map.byteSize).toBe(4000 + SIZE_MODEL.entryOverhead)
    for (let i = 0; i < 10; i++) map.get('a')
    map.has('a')
    expect([...map.keys()]).toEqual(['a'])
    expect(sizeCalculation).toHaveBeenCalledTimes(1)
    map.set('b', Buffer.alloc(4000))
    map.set('c', Buffer.alloc(4000))
    expect([...map.keys()]).toEqual(['b', 'c'])
    tooLarge(() => map.set('d', Buffer.alloc(10_000)))
  })

  it('refuses a sizeCalculation result that is not a byte count', () => {
    for (const bad of [-1, NaN, Infinity, '10']) {
      const { map } = fakeMap({ sizeCalculation: () => bad as never })
      expect(() => map.set('a', 1)).toThrow(/sizeCalculation/)
      expect(map.size).toBe(0)
    }
  })

  it('counts the ONE_MIB_TEXT fixture as the mebibyte it is', () => {
    expect(ONE_MIB_TEXT).toHaveLength(MiB)
    expect(estimateByteSize(ONE_MIB_TEXT)).toBeGreaterThan(MiB)
  })
})
