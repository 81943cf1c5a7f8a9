// faas-cache-dict's test_ttl (0.1.2 and 0.9.0) on a fake clock: no sleeps.
import { InvalidConfigurationError } from '@memokit/core'
import { KeyNotFoundError } from '@memokit/memory'
import { fakeMap, recorder } from '../support/maps'

describe('FaasCacheMap TTL', () => {
  it('serves an unexpired key', () => {
    const { map } = fakeMap({ defaultTtl: 60_000 })
    map.set('a', 1)
    expect(map.get('a')).toBe(1)
  })

  it('stops serving a key once its TTL has run out', () => {
    const { map, clock } = fakeMap({ defaultTtl: 250 })
    map.set('a', 1)
    expect(map.get('a')).toBe(1)
    clock.advance(249)
    expect(map.get('a')).toBe(1)
    clock.advance(1)
    expect(map.get('a')).toBeUndefined()
    expect(map.has('a')).toBe(false)
  })

  it('tells whether a key is expired; undefined for a key it does not hold', () => {
    const { map, clock } = fakeMap({ defaultTtl: 250 })
    map.set('a', 1)
    expect(map.isExpired('a')).toBe(false)
    expect(map.isExpired('b')).toBeUndefined()
    clock.advance(300)
    expect(map.isExpired('a')).toBe(true)
    expect(map.isExpired('a')).toBe(true) // isExpired removes nothing
    map.get('a')
    expect(map.isExpired('a')).toBeUndefined()
  })

  it('expires a key at an absolute instant (expireAt)', () => {
    const { map, clock } = fakeMap({ defaultTtl: 100 })
    map.set('a', 1)
    map.expireAt('a', clock.now() + 200)
    clock.advance(100)
    expect(map.get('a')).toBe(1)
    expect(map.isExpired('a')).toBe(false)
    clock.advance(150)
    expect(map.isExpired('a')).toBe(true)
    expect(map.get('a')).toBeUndefined()
  })

  it('lets defaultTtl be reassigned; it applies to later writes only', () => {
    const { map, clock } = fakeMap({ defaultTtl: 1000 })
    expect(map.defaultTtl).toBe(1000)
    map.set('old', 1)
    map.defaultTtl = 10_000
    expect(map.defaultTtl).toBe(10_000)
    map.set('new', 2)
    clock.advance(1000)
    expect(map.get('old')).toBeUndefined()
    expect(map.get('new')).toBe(2)
    map.defaultTtl = null
    map.set('never', 3)
    expect(map.getTtl('never')).toBeUndefined()
  })

  it('sets a new relative TTL (setTtl)', () => {
    const { map, clock } = fakeMap({ defaultTtl: 100 })
    map.set('a', 1)
    clock.advance(50)
    map.setTtl('a', 200)
    clock.advance(100)
    expect(map.get('a')).toBe(1)
    clock.advance(100)
    expect(map.get('a')).toBeUndefined()
  })

  it('removes the expiry with setTtl(key, null | undefined | Infinity)', () => {
    const { map, clock } = fakeMap({ defaultTtl: 100 })
    map.set('a', 1).set('b', 2).set('c', 3)
    expect(map.getTtl('a')).toBe(100)
    map.setTtl('a', null)
    map.setTtl('b', undefined)
    map.setTtl('c', Infinity)
    expect(map.getTtl('a')).toBeUndefined()
    clock.advance(10_000)
    expect([...map.keys()]).toEqual(['a', 'b', 'c'])
  })

  it('reports the remaining TTL in milliseconds', () => {
    const { map, clock } = fakeMap({ defaultTtl: 1000 })
    map.set('a', 1)
    clock.advance(250)
    expect(map.getTtl('a')).toBe(750)
    map.defaultTtl = 10_000
    map.set('b', 2)
    expect(map.getTtl('b')).toBe(10_000)
  })

  it('reports no TTL (undefined) for keys written without one', () => {
    const { map } = fakeMap()
    map.set('a', 1)
    expect(map.getTtl('a')).toBeUndefined()
  })

  it('throws KeyNotFoundError from the TTL methods for missing or expired keys', () => {
    const { map, clock } = fakeMap({ defaultTtl: 100 })
    map.set('a', 1)
    clock.advance(100)
    for (const call of [
      () => map.getTtl('a'),
      () => map.setTtl('a', 10),
      () => map.expireAt('a', clock.now() + 10),
      () => map.getTtl('missing'),
    ]) {
      expect(call).toThrow(KeyNotFoundError)
    }
    try {
      map.getTtl('missing')
    } catch (error) {
      expect((error as KeyNotFoundError).code).toBe('E_KEY_NOT_FOUND')
      expect((error as Error).message).not.toContain('missing')
    }
  })

  it('expires immediately with defaultTtl 0', () => {
    const { map } = fakeMap({ defaultTtl: 0 })
    map.set('a', 1)
    expect(map.isExpired('a')).toBe(true)
    expect(map.get('a')).toBeUndefined()
  })

  it('expires immediately with setTtl(key, 0) or an instant in the past', () => {
    const { map, clock } = fakeMap()
    map.set('a', 1).set('b', 2)
    expect(map.isExpired('a')).toBe(false)
    map.setTtl('a', 0)
    map.expireAt('b', clock.now() - 1)
    expect(map.isExpired('a')).toBe(true)
    expect(map.isExpired('b')).toBe(true)
    expect(map.size).toBe(0)
  })

  it('does not extend a TTL on reads', () => {
    const { map, clock } = fakeMap({ defaultTtl: 100 })
    map.set('a', 1)
    for (let i = 0; i < 9; i++) {
      clock.advance(10)
      expect(map.get('a')).toBe(1)
    }
    clock.advance(10)
    expect(map.get('a')).toBeUndefined()
  })

  it('gives a fresh TTL to a key written again', () => {
    const { map, clock } = fakeMap({ defaultTtl: 100 })
    map.set('a', 1)
    clock.advance(90)
    map.set('a', 2)
    clock.advance(90)
    expect(map.get('a')).toBe(2)
  })

  it('treats a write to an expired key as a new entry (the old one ends as expired)', () => {
    const { calls, onDelete } = recorder()
    const { map, clock } = fakeMap({ defaultTtl: 100, maxItems: 2, onDelete })
    map.set('a', 1).set('b', 2)
    clock.advance(100)
    map.set('a', 3)
    expect(calls[0]).toEqual(['a', 1, 'expire'])
    expect(map.get('a')).toBe(3)
  })

  it('hides expired entries from size, iteration and byteSize', () => {
    const { map, clock } = fakeMap({ defaultTtl: 100 })
    map.set('a', 1)
    map.defaultTtl = 1000
    map.set('b', 2)
    const both = map.byteSize
    clock.advance(100)
    expect(map.size).toBe(1)
    expect([...map.keys()]).toEqual(['b'])
    expect([...map.values()]).toEqual([2])
    expect(map.byteSize).toBeLessThan(both)
  })

  it('expires entries in expiry order, whatever order their TTLs were given in', () => {
    const { calls, onDelete } = recorder()
    const { map, clock } = fakeMap({ onDelete })
    const ttls = [70, 20, 90, 10, 50, 30, 100, 60, 40, 80, 55, 15, 95, 5, 65]
    for (const ttl of ttls) map.set(`t${ttl}`, ttl)
    for (const ttl of ttls) map.setTtl(`t${ttl}`, ttl)
    map.setTtl('t55', 35) // re-timed earlier
    map.expireAt('t95', clock.now() + 45) // and to an absolute instant
    const expected = ttls
      .map((ttl) => (ttl === 55 ? 35 : ttl === 95 ? 45 : ttl))
      .sort((a, b) => a - b)
    for (let step = 1; step <= 100; step++) {
      clock.advance(1)
      map.purgeExpired()
      expect(calls.map(([, value]) => value)).toEqual(
        expected
          .filter((due) => due <= step)
          .map((due) => (due === 35 ? 55 : due === 45 ? 95 : due)),
      )
    }
    expect(calls.every(([, , reason]) => reason === 'expire')).toBe(true)
  })

  it('refuses invalid TTLs and instants', () => {
    const { map } = fakeMap()
    map.set('a', 1)
    for (const bad of [-1, NaN, true, '10', {}])
      expect(() => map.setTtl('a', bad as never)).toThrow(InvalidConfigurationError)
    for (const bad of [NaN, -Infinity, '10', null])
      expect(() => map.expireAt('a', bad as never)).toThrow(InvalidConfigurationError)
    expect(map.getTtl('a')).toBeUndefined()
  })
})
