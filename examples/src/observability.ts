// Per-method stats and events, and the diagnostics channel every memoized method publishes on.
import { subscribe } from 'node:diagnostics_channel'
import { DIAGNOSTICS_CHANNEL, cacheControl, memoize, type CacheEvent } from '@memokit/core'

const lookup = memoize(async function lookup(id: number) {
  if (id < 0) throw new Error('negative id')
  return id * 2
})

const control = cacheControl(lookup)
control.on((event) => console.log(`event: ${event.type} in ${event.method}`))

// APM tools subscribe to the channel; events carry no argument values beyond the key.
let published = 0
subscribe(DIAGNOSTICS_CHANNEL, (message) => {
  if ((message as CacheEvent).method === 'lookup') published++
})

await lookup(1)
await lookup(1)
await lookup(-1).catch(() => {})

const { hits, misses, refreshes, refreshFailures } = control.stats()
console.log(
  `stats: ${hits} hit, ${misses} misses, ${refreshes} refresh, ${refreshFailures} failure`,
)
console.log(`published on ${DIAGNOSTICS_CHANNEL}: ${published}`)

// Output:
// event: miss in lookup
// event: refresh in lookup
// event: hit in lookup
// event: miss in lookup
// event: refresh-failed in lookup
// stats: 1 hit, 2 misses, 1 refresh, 1 failure
// published on memokit:cache: 5
