// A Lambda-style handler that keeps bounded caches in module scope, so warm invocations of
// the same container reuse them without outgrowing the function's memory:
// - a FaasCacheMap of per-user sessions (a Map with a TTL and a byte budget);
// - a memoized product loader on MemoryCacheStorage (the memoryCacheConfiguration preset).
// Several invocations are simulated in one process, on a hand-driven clock.
import { memoize, settle, type Clock } from '@memokit/core'
import { FaasCacheMap, memoryCacheConfiguration } from '@memokit/memory'

const MINUTE = 60_000

// On Lambda the runtime sets this (the function's memory in MB); the demo pretends to be a
// 128 MB function. With no maxSizeBytes given, stores then take a quarter of it.
process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ??= '128'

// Simulated time; a real handler leaves `clock` out and gets the system clock.
let now = Date.UTC(2024, 0, 1)
const clock: Clock = { now: () => now }

interface Product {
  id: string
  name: string
  description: string
}

// ---- module scope: created once per container, kept between warm invocations ----

/** Visits per user in the last 15 minutes. */
const sessions = new FaasCacheMap<string, number>({ clock, defaultTtl: 15 * MINUTE })

const productCache = memoryCacheConfiguration({
  clock,
  maxSizeBytes: '64K', // room for three ~20 KB products
  updateAfter: 5 * MINUTE,
  expireAfter: 60 * MINUTE,
})
let backendCalls = 0
const loadProduct = memoize(
  async (id: string): Promise<Product> => {
    backendCalls++
    return { id, name: `Product ${id}`, description: `About ${id}. `.repeat(2000) }
  },
  { configuration: productCache },
)

// ---- the handler ----

export async function handler(event: { user: string; productId: string }) {
  const product = await loadProduct(event.productId)
  const visits = (sessions.get(event.user) ?? 0) + 1
  sessions.set(event.user, visits)
  await settle() // finish background refreshes before the runtime freezes the container
  return { product: product.name, visits }
}

// ---- simulated invocations ----

console.log(`session budget: ${(sessions.maxSizeBytes ?? 0) / 1024 / 1024} MiB`)
const invocations: [string, string, number][] = [
  // user, product, minutes since the previous invocation
  ['alice', 'A', 0],
  ['bob', 'A', 1], // a hit
  ['alice', 'B', 1],
  ['carol', 'C', 1],
  ['bob', 'D', 1], // the 64K budget holds three products: A, the least recently used, goes
  ['alice', 'A', 1], // loaded again
  ['carol', 'C', 20], // carol's session expired meanwhile; C is stale: served, refreshed
]
for (const [index, [user, productId, minutes]] of invocations.entries()) {
  now += minutes * MINUTE
  const result = await handler({ user, productId })
  console.log(
    `#${index + 1} ${user} -> ${result.product}, visit ${result.visits}, backend calls ${backendCalls}`,
  )
}
const storage = productCache.memoryStorage
console.log(
  `products cached: ${storage.size}, ${storage.byteSize} of ${storage.maxSizeBytes} bytes`,
)
console.log(`sessions: ${[...sessions.keys()].join(', ')}`)

// Output
// session budget: 32 MiB
// #1 alice -> Product A, visit 1, backend calls 1
// #2 bob -> Product A, visit 1, backend calls 1
// #3 alice -> Product B, visit 2, backend calls 2
// #4 carol -> Product C, visit 1, backend calls 3
// #5 bob -> Product D, visit 2, backend calls 4
// #6 alice -> Product A, visit 3, backend calls 5
// #7 carol -> Product C, visit 1, backend calls 6
// products cached: 3, {{\d+}} of 65536 bytes
// sessions: carol
