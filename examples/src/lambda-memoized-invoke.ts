// MemoizedLambda: deduplicated, memoized invocations of one Lambda function, cached in a
// FaasCacheMap (bounded by bytes and entries, with a TTL) — any Map-like object works. The
// function runs on a LocalLambdaServer started right here, and is called with the real
// LambdaClient over HTTP, exactly as it would call AWS.
import { LambdaFunctionError, MemoizedLambda } from '@memokit/lambda'
import { FaasCacheMap } from '@memokit/memory'
import { LocalLambdaServer } from '@memokit/lambda/testing'

interface User {
  id: number
  name: string
}

const server = await LocalLambdaServer()
  .register('get-user', (event: { id: number; fields?: string[] }) => {
    if (event.id < 0) throw new RangeError(`no user ${event.id}`)
    return { id: event.id, name: `user-${event.id}` }
  })
  .start()
const lambdaClient = server.createClient()

// Results stay for a minute, within 16 MiB and 1,000 entries.
const cache = new FaasCacheMap<string, unknown>({
  defaultTtl: 60_000,
  maxSizeBytes: '16M',
  maxItems: 1000,
})
const users = MemoizedLambda<User, { id: number; fields?: string[] }>({
  lambdaClient,
  functionName: 'get-user',
  cache,
})

// Concurrent identical requests share one invocation; key order does not matter.
const [a, b, c] = await Promise.all([
  users.invoke({ id: 1, fields: ['name'] }),
  users.invoke({ fields: ['name'], id: 1 }),
  users.invoke({ id: 2 }),
])
console.log(a.name, b.name, c.name)
console.log(`invocations: ${server.invocationCount('get-user')}`)

// Later calls are served from the cache, which holds results only.
console.log((await users.invoke({ id: 1, fields: ['name'] })).name)
console.log(`invocations: ${server.invocationCount('get-user')}, cached: ${cache.size}`)
console.log(`cache bytes: ${cache.byteSize > 0 && cache.byteSize < 4096}`)
console.log([...cache.keys()].sort()[0]) // keys include the function name

// A function error is a typed error, and it is never cached.
for (let attempt = 1; attempt <= 2; attempt++) {
  try {
    await users.invoke({ id: -1 })
  } catch (error) {
    if (error instanceof LambdaFunctionError)
      console.log(`attempt ${attempt}: ${error.errorType}: ${error.errorMessage}`)
  }
}
console.log(`invocations: ${server.invocationCount('get-user')}, cached: ${cache.size}`)

cache.close()
lambdaClient.destroy()
await server.close()

// Output:
// user-1 user-1 user-2
// invocations: 2
// user-1
// invocations: 2, cached: 2
// cache bytes: true
// lambda:"get-user":={"fields":["name"],"id":1}
// attempt 1: RangeError: no user -1
// attempt 2: RangeError: no user -1
// invocations: 4, cached: 2
