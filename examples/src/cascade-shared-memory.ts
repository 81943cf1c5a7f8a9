// SharedMemory on its own, from the original README: a page of memory any Lambda can read
// given its uid. Pages live in Redis under their uid (never a global key) and expire after
// their last write; values keep their types (Date, Map, Set, BigInt, undefined) instead of
// going through json.dumps. Redis is asynchronous, so values are read and written with
// `await`: `get`/`set` item style, and `memory.vars.name` as an attribute-style read.
//
// Redis is REDIS_URL when set, else a throwaway redis-server (it needs redis-server installed).
import { randomBytes } from 'node:crypto'
import { configureLambdaCascade, SharedMemory } from '@memokit/lambda'
import { createRedisClient } from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

let redisServer: RedisServer | undefined
const redis = createRedisClient(
  process.env.REDIS_URL ?? (redisServer = await startRedisServer()).url,
)
// Shared memory needs only Redis (a lambdaClient is for chains).
const namespace = `example-${randomBytes(4).toString('hex')}`
configureLambdaCascade({ redis, namespace, ttl: 60_000 })

// The page's value types, for TypeScript (optional: untyped pages hold unknown values).
interface Page {
  some_variable: string
  some_value: { something: string; json: string }
  typed: { at: Date; ids: Set<number>; big: bigint }
}

// shared_memory = SharedMemory()
const sharedMemory = SharedMemory<Page>()
// shared_memory.some_variable = "value"
await sharedMemory.set('some_variable', 'value')
// shared_memory["some_value"] = json.dumps({...}): no JSON needed, and types survive
await sharedMemory.set('some_value', { something: 'that is', json: 'encodable' })
await sharedMemory.set('typed', {
  at: new Date(Date.UTC(2024, 4, 1)),
  ids: new Set([1, 2]),
  big: 2n ** 64n,
})

// other_shared_memory = SharedMemory(shared_memory.uid), e.g. in another Lambda
const otherSharedMemory = SharedMemory<Page>(sharedMemory.uid)
console.log(await otherSharedMemory.vars.some_variable)
console.log(await otherSharedMemory.get('some_value'))
const typed = (await otherSharedMemory.get('typed'))!
console.log(typed.at.toISOString(), typed.ids.has(2), typed.big)

// Another page (another uid) sees nothing of this one, and every key expires.
console.log(await SharedMemory().get('some_variable'))
const [key] = await redis.keys(`${namespace}:*`)
console.log(key === `${namespace}:{${sharedMemory.uid}}:mem`, (await redis.pttl(key!)) > 0)

redis.disconnect()
await redisServer?.stop()

// Output:
// value
// { something: 'that is', json: 'encodable' }
// 2024-05-01T00:00:00.000Z true 18446744073709551616n
// undefined
// true true
