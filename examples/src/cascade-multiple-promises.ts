// The LambdaPromise cascade, "multiple promises" from the original README: `then()` returns
// the promise it was called on, so calling it several times gives one step several callbacks.
// They are invoked in the order they were added (each is queued before the next), and each
// runs the same function with its own payload.
//
// The Lambda runs on a LocalLambdaServer started here (the real LambdaClient over HTTP), and
// Redis is REDIS_URL when set, else a throwaway redis-server (it needs redis-server installed).
import { randomBytes } from 'node:crypto'
import {
  configureLambdaCascade,
  defaultLambdaCascade,
  lambdaHandler,
  lambdaPromise,
  LambdaPromise,
} from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'
import { createRedisClient } from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

// ---- The Lambda's code -----------------------------------------------------------------

interface Lyrics {
  arg0: string
  arg1: string
  arg2: string
}

const lines: string[] = []
// @lambda_promise(pass_promise_object=False) def some_function(arg0, arg1, arg2, invoked_from=None)
export const someFunction = lambdaPromise(
  ({ arg0, arg1, arg2 }: Lyrics) => {
    const line = [arg0, arg1, arg2].join(' ')
    lines.push(line) // the callbacks run concurrently: print them afterwards, in a fixed order
    return line
  },
  { functionName: 'some_function' },
)

// ---- Local stand-ins for AWS -----------------------------------------------------------

let redisServer: RedisServer | undefined
const redis = createRedisClient(
  process.env.REDIS_URL ?? (redisServer = await startRedisServer()).url,
)
const server = await LocalLambdaServer().register('some_function', lambdaHandler()).start()
const lambdaClient = server.createClient()
configureLambdaCascade({
  lambdaClient,
  redis,
  namespace: `example-${randomBytes(4).toString('hex')}`,
  ttl: 60_000,
})

// ---- The caller ------------------------------------------------------------------------

const arn = `arn:aws:lambda:${server.region}:${server.accountId}:function:some_function`
const promise = LambdaPromise({
  arn,
  payload: { arg0: 'somebody', arg1: 'once', arg2: 'told me' },
})
  .then(LambdaPromise({ arn, payload: { arg0: 'the world was', arg1: 'gonna', arg2: 'roll me' } }))
  .then(
    LambdaPromise({
      arn,
      payload: { arg0: "i ain't", arg1: 'the sharpest', arg2: 'tool in the shed' },
    }),
  )
console.log(`some_function has ${promise.thenCallbacks.length} callbacks`)
const report = await defaultLambdaCascade().waitForSettled(await promise.asyncProceed())

console.log(report.result)
for (const callback of report.then) console.log(`  then: ${String(callback.result)}`)
// Invocation order: the first step, then its callbacks in the order they were added.
const order = server.invocations.map((invocation) => {
  const event = invocation.event as { invoked_lambda_uid: string }
  return [promise, ...promise.thenCallbacks].findIndex(
    (step) => step.uid === event.invoked_lambda_uid,
  )
})
console.log(`invoked in order: ${order.join(', ')}; lines printed: ${lines.length}`)
console.log(
  `called directly, it is still the plain function: ${someFunction({ arg0: 'a', arg1: 'b', arg2: 'c' })}`,
)

lambdaClient.destroy()
await server.close()
redis.disconnect()
await redisServer?.stop()

// Output:
// some_function has 2 callbacks
// somebody once told me
//   then: the world was gonna roll me
//   then: i ain't the sharpest tool in the shed
// invoked in order: 0, 1, 2; lines printed: 3
// called directly, it is still the plain function: a b c
