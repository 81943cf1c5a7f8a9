// In a serverless function the runtime may freeze as soon as the handler returns, so a
// background refresh started by a stale read must be awaited first: settle() does that.
import { setTimeout as sleep } from 'node:timers/promises'
import { DefaultInMemoryCacheConfiguration, memoize, settle } from '@memokit/core'

let version = 0
const configuration = memoize(
  async () => {
    await sleep(10)
    return { version: ++version }
  },
  {
    configuration: new DefaultInMemoryCacheConfiguration({ updateAfter: 50, expireAfter: 60_000 }),
  },
)

/** The Lambda handler: serves from the cache, then lets pending refreshes finish. */
async function handler(event: { id: number }): Promise<string> {
  const config = await configuration()
  await settle() // before returning: the runtime may freeze right after
  return `invocation ${event.id} used configuration v${config.version}`
}

console.log(await handler({ id: 1 }))
console.log(await handler({ id: 2 }))
await sleep(60) // the entry is now stale
console.log(await handler({ id: 3 })) // served at once; its refresh completes before returning
console.log(await handler({ id: 4 }))

// Output:
// invocation 1 used configuration v1
// invocation 2 used configuration v1
// invocation 3 used configuration v1
// invocation 4 used configuration v2
