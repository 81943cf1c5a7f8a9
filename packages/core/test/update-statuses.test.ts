// py-memoize tests/unit/test_statuses.py on InMemoryLocks, plus the fix of its lock-timeout
// defect: waiters are rejected with UpdateLockTimeoutError (never handed a missing value), and
// a late end of an outdated update is a no-op that never completes a newer one.
import {
  InvalidConfigurationError,
  InMemoryLocks,
  UpdateLockTimeoutError,
  UpdateStatusError,
  cacheEntry,
} from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import { outcomes, track } from './support/harness'

const entry = cacheEntry(1, 2, 3, 'value')

describe('InMemoryLocks (py-memoize test_statuses)', () => {
  let clock: FakeClock
  let locks: InMemoryLocks

  beforeEach(() => {
    clock = new FakeClock()
    locks = new InMemoryLocks({ clock })
  })

  it('is not updating a key nobody marked', () => {
    expect(locks.isBeingUpdated('key')).toBe(false)
  })

  it('is updating a key once it is marked', () => {
    locks.markBeingUpdated('key')
    expect(locks.isBeingUpdated('key')).toBe(true)
  })

  it('returns a claim when marking a key as being updated', () => {
    const claim = locks.markBeingUpdated('key')
    expect(claim).toBeDefined()
    expect(locks.isBeingUpdated('key')).toBe(true)
    expect(locks.isBeingUpdated('other')).toBe(false)
  })

  it('throws UpdateStatusError when a key is marked twice', () => {
    locks.markBeingUpdated('key')
    expect(() => locks.markBeingUpdated('key')).toThrow(UpdateStatusError)
    expect(locks.tryMarkBeingUpdated('key')).toBeUndefined()
  })

  it('throws UpdateStatusError when marking updated a key that is not being updated', () => {
    expect(() => locks.markUpdated('key', entry)).toThrow(UpdateStatusError)
  })

  it('stops updating a key marked updated', () => {
    locks.markBeingUpdated('key')
    locks.markUpdated('key', entry)
    expect(locks.isBeingUpdated('key')).toBe(false)
  })

  it('throws UpdateStatusError when aborting the update of a key that is not being updated', () => {
    expect(() => locks.markUpdateAborted('key', new Error('x'))).toThrow(UpdateStatusError)
  })

  it('stops updating a key whose update was aborted', () => {
    locks.markBeingUpdated('key')
    locks.markUpdateAborted('key', new Error('x'))
    expect(locks.isBeingUpdated('key')).toBe(false)
  })

  it('rejects with UpdateStatusError when awaiting a key that is not being updated', async () => {
    await expect(locks.awaitUpdated('key')).rejects.toBeInstanceOf(UpdateStatusError)
  })

  it('rejects waiters with UpdateLockTimeoutError when the lock times out (never a missing value)', async () => {
    // given a 1 ms lock and a waiter
    const short = new InMemoryLocks({ updateLockTimeout: 1, clock })
    short.markBeingUpdated('key')
    const waiting = short.awaitUpdated('key').catch((e: unknown) => e)
    // when the lock times out
    clock.advance(1)
    // then the waiter is rejected, and the key is free again
    expect(await waiting).toBeInstanceOf(UpdateLockTimeoutError)
    expect(short.isBeingUpdated('key')).toBe(false)
  })

  it('resolves waiters with the entry the update ends with', async () => {
    locks.markBeingUpdated('key')
    const waiting = locks.awaitUpdated('key')
    locks.markUpdated('key', entry)
    expect(await waiting).toBe(entry)
    expect(locks.isBeingUpdated('key')).toBe(false)
  })

  it('rejects every concurrent waiter with the error of an aborted update', async () => {
    locks.markBeingUpdated('key')
    const waiters = [
      locks.awaitUpdated('key'),
      locks.awaitUpdated('key'),
      locks.awaitUpdated('key'),
    ]
    const stub = new Error('stub')
    locks.markUpdateAborted('key', stub)
    const settled = await Promise.allSettled(waiters)
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(await outcomes(waiters)).toEqual([stub, stub, stub])
  })
})

describe('InMemoryLocks after a lock timeout (upstream defect, fixed)', () => {
  let clock: FakeClock
  let locks: InMemoryLocks

  beforeEach(() => {
    clock = new FakeClock()
    locks = new InMemoryLocks({ updateLockTimeout: 100, clock })
  })

  it('ignores a late markUpdated carrying the outdated claim', async () => {
    // given an update whose lock timed out
    const outdated = locks.markBeingUpdated('key')
    const firstWaiter = locks.awaitUpdated('key').catch((e: unknown) => e)
    clock.advance(100)
    expect(await firstWaiter).toBeInstanceOf(UpdateLockTimeoutError)
    // when it finishes late
    expect(() => locks.markUpdated('key', entry, outdated)).not.toThrow()
    // then nothing is being updated and nothing was resolved
    expect(locks.isBeingUpdated('key')).toBe(false)
  })

  it('never lets a late end of an outdated update complete a newer update', async () => {
    // given an outdated claim and a newer update of the same key with a waiter
    const outdated = locks.markBeingUpdated('key')
    clock.advance(100)
    const newer = locks.markBeingUpdated('key')
    const waiter = track(locks.awaitUpdated('key'))
    // when the outdated update ends, successfully or not
    locks.markUpdated('key', cacheEntry(0, 0, 0, 'late'), outdated)
    locks.markUpdateAborted('key', new Error('late failure'), outdated)
    await new Promise((resolve) => setImmediate(resolve))
    // then the newer update is still running and its waiter still waits
    expect(locks.isBeingUpdated('key')).toBe(true)
    expect(waiter.settled).toBe(false)
    // and only the newer claim completes it
    const fresh = cacheEntry(5, 6, 7, 'fresh')
    locks.markUpdated('key', fresh, newer)
    expect(await waiter.promise).toBe(fresh)
  })

  it('tells whether a claim still holds its key', () => {
    const outdated = locks.markBeingUpdated('key')
    expect(locks.holds('key', outdated)).toBe(true)
    clock.advance(100)
    expect(locks.holds('key', outdated)).toBe(false)
    const newer = locks.markBeingUpdated('key')
    expect(locks.holds('key', outdated)).toBe(false)
    expect(locks.holds('key', newer)).toBe(true)
    locks.markUpdated('key', entry, newer)
    expect(locks.holds('key', newer)).toBe(false)
  })

  it('cancels the lock timer when an update ends in time', async () => {
    const claim = locks.markBeingUpdated('key')
    expect(clock.pendingTimers).toBe(1)
    locks.markUpdated('key', entry, claim)
    expect(clock.pendingTimers).toBe(0)
  })

  it('rejects a lock timeout that is not a positive number of milliseconds', () => {
    for (const updateLockTimeout of [0, -1, NaN, '5' as never])
      expect(() => new InMemoryLocks({ updateLockTimeout })).toThrow(InvalidConfigurationError)
    expect(InMemoryLocks({ updateLockTimeout: Infinity }).updateLockTimeout).toBe(Infinity)
  })
})
