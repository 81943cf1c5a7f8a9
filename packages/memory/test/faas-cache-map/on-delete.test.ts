// faas-cache-dict 0.9.0's test_on_delete_callable, with removal reasons.
import { fakeMap, recorder } from '../support/maps'

describe('FaasCacheMap onDelete', () => {
  it('is called for evicted entries, oldest first, with the reason', () => {
    const { calls, onDelete } = recorder()
    const { map } = fakeMap({ maxItems: 3, onDelete })
    map.set('a', 1).set('b', 2).set('c', 3).set('d', 4)
    expect(calls).toEqual([['a', 1, 'evict']])
    map.set('e', 5)
    map.set('a', 2)
    expect(calls).toEqual([
      ['a', 1, 'evict'],
      ['b', 2, 'evict'],
      ['c', 3, 'evict'],
    ])
  })

  it('swallows what the callback throws and hands it to onError', () => {
    const errors: unknown[] = []
    const onDelete = jest.fn(() => {
      throw new Error('Silly mistakes happen')
    })
    const { map } = fakeMap({ maxItems: 2, onDelete, onError: (error) => errors.push(error) })
    map.set('a', 1).set('b', 2)
    expect(map.size).toBe(2)
    map.set('c', 3)
    expect(onDelete).toHaveBeenLastCalledWith('a', 1, 'evict')
    expect(map.size).toBe(2)
    expect(errors).toHaveLength(1)
    expect((errors[0] as Error).message).toBe('Silly mistakes happen')
    map.delete('b')
    expect(errors).toHaveLength(2)
  })

  it('warns once per map when no onError is given', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    try {
      const { map } = fakeMap({
        onDelete: () => {
          throw new Error('bad callback')
        },
      })
      map.set('a', 1).set('b', 2)
      map.delete('a')
      map.delete('b')
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]?.[0])).toContain('bad callback')
      expect(warn.mock.calls[0]?.[1]).toEqual({ code: 'MEMOKIT_ON_DELETE_FAILED' })
    } finally {
      warn.mockRestore()
    }
  })

  it('survives an onError that throws too', () => {
    const { map } = fakeMap({
      onDelete: () => {
        throw new Error('first')
      },
      onError: () => {
        throw new Error('second')
      },
    })
    map.set('a', 1)
    expect(map.delete('a')).toBe(true)
    expect(map.size).toBe(0)
  })

  it('is not called for overwrites and reads (non-terminal)', () => {
    const { calls, onDelete } = recorder()
    const { map } = fakeMap({ maxItems: 3, onDelete })
    map.set('a', 1).set('b', 2).set('c', 3)
    map.set('a', 1) // now the most recently used
    map.get('b')
    expect(calls).toEqual([])
    map.set('e', 2)
    expect(calls).toEqual([['c', 3, 'evict']])
  })

  it('is called once for a delete, and not for a missing key', () => {
    const { calls, onDelete } = recorder()
    const { map } = fakeMap({ onDelete })
    map.set('a', 1).set('b', 2).set('c', 3)
    expect(map.delete('a')).toBe(true)
    expect(map.delete('nonexistent')).toBe(false)
    expect(map.size).toBe(2)
    expect(calls).toEqual([['a', 1, 'delete']])
  })

  it('is called for every entry on clear, in LRU order', () => {
    const { calls, onDelete } = recorder()
    const { map, clock } = fakeMap({ onDelete })
    map.set('a', 1).set('b', 2)
    map.defaultTtl = 10
    map.set('c', 3)
    clock.advance(10)
    map.get('a')
    calls.length = 0
    map.clear()
    expect(calls).toEqual([
      ['b', 2, 'clear'],
      ['c', 3, 'expire'],
      ['a', 1, 'clear'],
    ])
    expect(map.size).toBe(0)
  })

  it('is called for memory-based evictions', () => {
    const deleted: string[] = []
    const { map } = fakeMap({ maxSizeBytes: '100K', onDelete: (key: string) => deleted.push(key) })
    for (let i = 0; i < 50; i++) map.set(`key_${i}`, 'x'.repeat(5000))
    expect(deleted.length).toBeGreaterThan(0)
    expect(deleted[0]).toBe('key_0')
    expect(deleted.length + map.size).toBe(50)
  })

  it('is called for expired entries, found by a read, by has, or by a purge', () => {
    const { calls, onDelete } = recorder()
    const { map, clock } = fakeMap({ defaultTtl: 10, onDelete })
    map.set('a', 1).set('b', 2).set('c', 3)
    clock.advance(10)
    expect(map.get('a')).toBeUndefined()
    expect(map.has('b')).toBe(false)
    expect(map.purgeExpired()).toBe(1)
    expect(calls).toEqual([
      ['a', 1, 'expire'],
      ['b', 2, 'expire'],
      ['c', 3, 'expire'],
    ])
  })

  it('reports a delete of an expired key as expiry, and the delete returns false', () => {
    const { calls, onDelete } = recorder()
    const { map, clock } = fakeMap({ defaultTtl: 10, onDelete })
    map.set('a', 1)
    clock.advance(10)
    expect(map.delete('a')).toBe(false)
    expect(calls).toEqual([['a', 1, 'expire']])
  })

  it('reports expired entries before evicted ones when a write needs room', () => {
    const { calls, onDelete } = recorder()
    const { map, clock } = fakeMap({ maxItems: 3, onDelete })
    map.set('old', 0)
    map.defaultTtl = 10
    map.set('short', 1)
    map.defaultTtl = null
    map.set('live', 2)
    clock.advance(10)
    map.set('new1', 3)
    map.set('new2', 4)
    expect(calls).toEqual([
      ['short', 1, 'expire'],
      ['old', 0, 'evict'],
    ])
  })

  it('runs once the map is consistent, and may use the map', () => {
    const seen: unknown[] = []
    const { map } = fakeMap<string, number>({
      maxItems: 2,
      onDelete: (key, _value, reason) => {
        seen.push([key, reason, map.has(key), map.size, [...map.keys()]])
      },
    })
    map.set('a', 1).set('b', 2).set('c', 3)
    expect(seen).toEqual([['a', 'evict', false, 2, ['b', 'c']]])
  })

  it('keeps removal order when a callback removes entries itself', () => {
    const order: string[] = []
    const { map } = fakeMap<string, number>({
      maxItems: 3,
      onDelete: (key, _value, reason) => {
        order.push(`${key}:${reason}`)
        if (key === 'a') map.delete('c') // reported after this callback returns
      },
    })
    map.set('a', 1).set('b', 2).set('c', 3).set('d', 4)
    expect(order).toEqual(['a:evict', 'c:delete'])
    expect([...map.keys()]).toEqual(['b', 'd'])
  })

  it('is called once per removal under rapid churn', () => {
    let count = 0
    const { map } = fakeMap({ onDelete: () => count++ })
    for (let i = 0; i < 100; i++) map.set(`key_${i}`, i)
    for (let i = 0; i < 100; i++) map.delete(`key_${i}`)
    expect(count).toBe(100)
  })
})
