// settle() also waits for asynchronous update-status endings (a remote lock release, the notice
// to waiting processes): a serverless runtime frozen before they go out would leave the key
// locked until its lease expires.
import {
  DefaultInMemoryCacheConfiguration,
  InMemoryLocks,
  memoize,
  settle,
  type CacheEntry,
  type UpdateClaim,
  type UpdateStatuses,
} from '@memokit/core'
import { flushPromises } from '@memokit/core/testing'
import { deferred, track } from './support/harness'

/** In-memory locks whose endings answer asynchronously, after `gate` opens. */
function asyncEndings(gate: Promise<void>): UpdateStatuses & { ended: number } {
  const locks = new InMemoryLocks()
  const statuses = {
    ended: 0,
    isBeingUpdated: (key: string) => locks.isBeingUpdated(key),
    markBeingUpdated: (key: string) => locks.markBeingUpdated(key),
    tryMarkBeingUpdated: (key: string) => locks.tryMarkBeingUpdated(key),
    awaitUpdated: (key: string) => locks.awaitUpdated(key),
    async markUpdated(key: string, entry: CacheEntry, claim?: UpdateClaim) {
      await gate
      locks.markUpdated(key, entry, claim)
      statuses.ended++
    },
    async markUpdateAborted(key: string, error: unknown, claim?: UpdateClaim) {
      await gate
      locks.markUpdateAborted(key, error, claim)
      statuses.ended++
    },
  }
  return statuses
}

describe('settle() and asynchronous update statuses', () => {
  it('waits until the update statuses have recorded the end of a refresh', async () => {
    // given a call whose refresh ended, but whose update statuses answer later
    const gate = deferred<void>()
    const updateStatuses = asyncEndings(gate.promise)
    const get = memoize(async () => 42, {
      configuration: DefaultInMemoryCacheConfiguration(),
      updateStatuses,
    })
    expect(await get()).toBe(42)

    // when settle() is awaited
    const settled = track(settle())
    await flushPromises(5)

    // then it resolves only after the statuses were told
    expect(settled.settled).toBe(false)
    gate.resolve()
    await settled.promise
    expect(updateStatuses.ended).toBe(1)
  })
})
