// faas-cache-dict's test_lru, plus the 0.9.0 fixes to write ordering and item-count eviction.
import { InvalidConfigurationError } from '@memokit/core'
import { fakeMap, recorder } from '../support/maps'

describe('FaasCacheMap LRU order', () => {
  it('respects maxItems, keeping the most recent entries', () => {
    const { map } = fakeMap({ maxItems: 2 })
    map.set('a', 1)
    expect(map.size).toBe(1)
    map.set('b', 2)
    expect(map.size).toBe(2)
    map.set('c', 3)
    expect(map.size).toBe(2)
    map.set('d', 4)
    expect(map.size).toBe(2)
    expect([...map.keys()]).toEqual(['c', 'd'])
  })

  it('keeps the least recently used entry first and the newest last', () => {
    const { map } = fakeMap({ maxItems: 4 })
    for (const key of ['a', 'b', 'c', 'd']) map.set(key, key)
    const keys = [...map.keys()]
    expect(keys[0]).toBe('a')
    expect(keys.at(-1)).toBe('d')
  })

  it('moves an entry to the end when it is read', () => {
    const { map } = fakeMap({ maxItems: 4 })
    for (const key of ['a', 'b', 'c', 'd']) map.set(key, key)
    map.get('a')
    const keys = [...map.keys()]
    expect(keys[0]).toBe('b')
    expect(keys.at(-1)).toBe('a')
    expect(keys).toHaveLength(4)
  })

  it('evicts the least recently used entry: a read protects an old entry', () => {
    const { map } = fakeMap({ maxItems: 3 })
    for (const key of ['a', 'b', 'c']) map.set(key, key)
    map.get('a')
    map.set('d', 'd')
    expect([...map.keys()]).toEqual(['c', 'a', 'd'])
  })

  it('moves an overwritten key to the end (0.9.0)', () => {
    const { map } = fakeMap({ maxItems: 10 })
    for (const key of ['a', 'b', 'c']) map.set(key, key)
    map.set('a', 'again')
    expect([...map.keys()]).toEqual(['b', 'c', 'a'])
  })

  it('never evicts a neighbour when overwriting at capacity (0.1.2 evicted one)', () => {
    const { calls, onDelete } = recorder()
    const { map } = fakeMap({ maxItems: 2, onDelete })
    map.set('a', 1).set('b', 2)
    map.set('b', 3)
    expect([...map]).toEqual([
      ['a', 1],
      ['b', 3],
    ])
    expect(calls).toEqual([])
  })

  it('does not reorder on has, peek, iteration or TTL calls', () => {
    const { map } = fakeMap({ maxItems: 3, defaultTtl: 1000 })
    for (const key of ['a', 'b', 'c']) map.set(key, key)
    expect(map.has('a')).toBe(true)
    expect(map.peek('a')).toBe('a')
    map.getTtl('a')
    map.setTtl('a', 5000)
    map.expireAt('a', Date.UTC(2030, 0, 1))
    map.isExpired('a')
    expect([...map.keys()]).toEqual(['a', 'b', 'c'])
    map.set('d', 'd')
    expect([...map.keys()]).toEqual(['b', 'c', 'd'])
  })

  it('purges expired entries before evicting live ones at maxItems (all expired)', () => {
    const { map, clock } = fakeMap({ maxItems: 3, defaultTtl: 100 })
    for (const key of ['a', 'b', 'c']) map.set(key, key)
    clock.advance(100)
    map.set('d', 'd')
    expect(map.size).toBe(1)
    expect([...map.keys()]).toEqual(['d'])
  })

  it('purges expired entries before evicting live ones at maxItems (some expired)', () => {
    const { calls, onDelete } = recorder()
    const { map, clock } = fakeMap({ maxItems: 3, onDelete })
    map.set('keep', 'forever') // the least recently used, but it never expires
    map.defaultTtl = 100
    map.set('b', 'b').set('c', 'c')
    clock.advance(100)
    map.set('d', 'd')
    expect([...map.keys()]).toEqual(['keep', 'd'])
    expect(calls.map(([key, , reason]) => `${key}:${reason}`).sort()).toEqual([
      'b:expire',
      'c:expire',
    ])
  })

  it('shrinks to a smaller item limit, dropping the oldest (change_max_items)', () => {
    const { map } = fakeMap({ maxItems: 20 })
    for (const key of ['a', 'b', 'c', 'd', 'e']) map.set(key, key)
    map.changeMaxItems(2)
    expect(map.size).toBe(2)
    expect([...map.keys()]).toEqual(['d', 'e'])
    expect(map.maxItems).toBe(2)
  })

  it('drops expired entries first when shrinking the item limit', () => {
    const { map } = fakeMap({ maxItems: 20 })
    for (const key of ['a', 'b', 'c', 'd', 'e']) map.set(key, key)
    map.expireAt('d', 10) // an instant long past
    map.changeMaxItems(2)
    expect(map.size).toBe(2)
    expect([...map.keys()]).toEqual(['c', 'e'])
  })

  it('removes the item limit with null or undefined, and refuses invalid limits', () => {
    const { map } = fakeMap({ maxItems: 1 })
    map.changeMaxItems(null)
    for (let i = 0; i < 100; i++) map.set(`k${i}`, i)
    expect(map.size).toBe(100)
    map.changeMaxItems(10)
    map.changeMaxItems(undefined)
    expect(map.maxItems).toBeUndefined()
    for (const bad of [0, -1, 2.5, NaN, Infinity, '3', true])
      expect(() => map.changeMaxItems(bad as never)).toThrow(InvalidConfigurationError)
    expect(map.size).toBe(10)
  })
})
