// faas-cache-dict 0.9.0's test_expire_thread: the background purge, on a fake clock, plus
// the properties a serverless runtime needs: the timer never keeps the process or the map
// alive, and close() stops it.
import { systemClock } from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import { DEFAULT_PURGE_INTERVAL, FaasCacheMap } from '@memokit/memory'
import { collectUntil } from '../support/gc'
import { recorder } from '../support/maps'

describe('FaasCacheMap background purge', () => {
  it('removes expired entries without any access, telling onDelete', () => {
    const clock = new FakeClock()
    const { calls, onDelete } = recorder()
    const map = new FaasCacheMap({ clock, defaultTtl: 2000, onDelete })
    map.set('a', 1).set('b', 2).set('c', 3)
    expect(DEFAULT_PURGE_INTERVAL).toBe(5000)
    clock.advance(4999)
    expect(calls).toEqual([])
    clock.advance(1)
    expect(calls.map(([key, , reason]) => `${key}:${reason}`).sort()).toEqual([
      'a:expire',
      'b:expire',
      'c:expire',
    ])
    expect(map.isExpired('a')).toBeUndefined() // physically gone, not just hidden
  })

  it('runs only while some entry has a TTL', () => {
    const clock = new FakeClock()
    const map = new FaasCacheMap({ clock, purgeInterval: 1000 })
    map.set('forever', 1)
    expect(clock.pendingTimers).toBe(0)
    map.defaultTtl = 1500
    map.set('short', 2)
    expect(clock.pendingTimers).toBe(1)
    map.set('short2', 3)
    expect(clock.pendingTimers).toBe(1)
    clock.advance(1000) // nothing expired yet: the timer is set again
    expect(clock.pendingTimers).toBe(1)
    clock.advance(1000) // both purged: no entry with a TTL is left
    expect(clock.pendingTimers).toBe(0)
    expect([...map.keys()]).toEqual(['forever'])
  })

  it('stops with close(); expired entries are still dropped when found', () => {
    const clock = new FakeClock()
    const { calls, onDelete } = recorder()
    const map = new FaasCacheMap({ clock, defaultTtl: 100, onDelete })
    map.set('a', 1)
    map.close()
    expect(clock.pendingTimers).toBe(0)
    clock.advance(60_000)
    expect(calls).toEqual([])
    map.set('b', 2) // no new timer after close
    expect(clock.pendingTimers).toBe(0)
    expect(map.get('a')).toBeUndefined()
    expect(calls).toEqual([['a', 1, 'expire']])
  })

  it('has no timer with purgeInterval false', () => {
    const clock = new FakeClock()
    const map = new FaasCacheMap({ clock, defaultTtl: 100, purgeInterval: false })
    map.set('a', 1)
    expect(clock.pendingTimers).toBe(0)
  })

  it('does not keep an unreachable map alive while its timer is pending', async () => {
    const clock = new FakeClock()
    let finalized = false
    const registry = new FinalizationRegistry(() => (finalized = true))
    ;(() => {
      const map = new FaasCacheMap({ clock, defaultTtl: 60_000 })
      map.set('payload', 'x'.repeat(100_000))
      registry.register(map, 'map')
    })()
    expect(clock.pendingTimers).toBe(1)
    expect(await collectUntil(() => finalized)).toBe(true)
    // A few more collections for the engine behind the map (a WeakRef target is kept until
    // the end of the job that created it), then the orphaned timer fires harmlessly and is
    // not set again.
    await collectUntil(() => false, 3)
    clock.advance(DEFAULT_PURGE_INTERVAL)
    expect(clock.pendingTimers).toBe(0)
  })

  it('never keeps the process alive (real timers are unref-ed)', () => {
    const timeouts = (): number =>
      process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length
    const before = timeouts()
    const spy = jest.spyOn(globalThis, 'setTimeout')
    const map = new FaasCacheMap({ clock: systemClock, defaultTtl: 60_000 })
    try {
      map.set('a', 1)
      expect(spy).toHaveBeenCalledWith(expect.any(Function), DEFAULT_PURGE_INTERVAL)
      expect(timeouts()).toBe(before)
    } finally {
      map.close()
      spy.mockRestore()
    }
  })

  it('falls back to real (unref-ed) timers with a clock that has none', () => {
    let now = 0
    const spy = jest.spyOn(globalThis, 'setTimeout')
    const map = new FaasCacheMap({ clock: { now: () => now }, defaultTtl: 10 })
    try {
      map.set('a', 1)
      expect(spy).toHaveBeenCalledTimes(1)
      now = 10
      expect(map.get('a')).toBeUndefined()
    } finally {
      map.close()
      spy.mockRestore()
    }
  })
})
