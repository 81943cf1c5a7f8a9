// Method timeouts, the method's AbortSignal, and callers that stop waiting on their own.
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  type MethodTimeoutError,
  memoize,
  memoizeConcurrent,
  methodSignal,
  withSignal,
} from '@memokit/core'

// 1. A method that takes too long: callers get 'Refresh timed out'; the method sees its signal
//    abort and can stop its own work; a late result would never reach the cache.
const slowLookup = memoize(
  async (id: string) => {
    const signal = methodSignal() // read it before the first await
    try {
      await sleep(1_000, undefined, { signal })
      return `result for ${id}`
    } catch (error) {
      console.log(`method saw: ${signal.aborted ? 'aborted' : 'not aborted'}`)
      throw error
    }
  },
  { configuration: new DefaultInMemoryCacheConfiguration({ methodTimeout: 50 }) },
)
try {
  await slowLookup('x')
} catch (error) {
  const failure = error as CachedMethodFailedError
  console.log(`caller got: ${failure.message} (${(failure.cause as MethodTimeoutError).name})`)
}

// 2. One caller gives up; the others keep waiting for the same call.
let executions = 0
const report = memoize(async (name: string) => {
  executions++
  await sleep(100)
  return `report ${name}`
})
const impatient = withSignal(AbortSignal.timeout(10), () => report('q3'))
const patient = report('q3')
const outcomes = await Promise.allSettled([impatient, patient])
console.log(
  `impatient: ${outcomes[0].status}, patient: ${outcomes[1].status}, executions: ${executions}`,
)

// 3. memoizeConcurrent aborts the shared call once every caller gave up.
const download = memoizeConcurrent(async (url: string) => {
  const signal = methodSignal()
  await sleep(1_000, undefined, { signal }).catch(() => {})
  return signal.aborted ? `${url}: abandoned` : `${url}: done`
})
const controllers = [new AbortController(), new AbortController()]
const waits = controllers.map((c) => withSignal(c.signal, () => download('/big')))
controllers.forEach((c) => c.abort(new Error('user navigated away')))
for (const wait of await Promise.allSettled(waits))
  console.log(`download caller: ${wait.status} (${(wait as PromiseRejectedResult).reason.message})`)

// Output:
// caller got: Refresh timed out (MethodTimeoutError)
// method saw: aborted
// impatient: rejected, patient: fulfilled, executions: 1
// download caller: rejected (user navigated away)
// download caller: rejected (user navigated away)
