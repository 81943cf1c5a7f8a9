// A backend that goes down while a value is stale: callers keep getting the old value at once,
// and with `refreshBackoff` the backend gets one retry per backoff window instead of one per
// call. A FakeClock stands in for time so the example runs instantly.
import { DefaultInMemoryCacheConfiguration, cacheControl, memoize, settle } from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'

const clock = new FakeClock(0)
let backendUp = true
let backendCalls = 0

const price = memoize(
  async (sku: string): Promise<string> => {
    backendCalls++
    if (!backendUp) throw new Error('pricing service unavailable')
    return `${sku}: 9.99 (fetched at ${clock.now() / 1000} s)`
  },
  {
    configuration: DefaultInMemoryCacheConfiguration({
      clock,
      updateAfter: 60_000, // refresh in the background after a minute
      expireAfter: 3_600_000, // never serve after an hour
      refreshBackoff: 10_000, // after a failed refresh, wait 10 s before trying again
    }),
  },
)

console.log(await price('book'))
clock.advance(60_000)
backendUp = false

// One call per 100 ms for a minute while the backend is down.
let answered = 0
for (let t = 0; t < 60_000; t += 100) {
  if ((await price('book')).startsWith('book: 9.99')) answered++
  await settle()
  clock.advance(100)
}
console.log(`${answered} calls answered with the stale price, ${backendCalls - 1} backend retries`)
console.log(cacheControl(price).stats().deferredRefreshes, 'stale calls started no refresh')

backendUp = true
await price('book') // stale: the backoff has passed, so this starts a refresh that succeeds
await settle()
console.log(await price('book'))

// Output:
// book: 9.99 (fetched at 0 s)
// 600 calls answered with the stale price, 6 backend retries
// 594 stale calls started no refresh
// book: 9.99 (fetched at 120 s)
