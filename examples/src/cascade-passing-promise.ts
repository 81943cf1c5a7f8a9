// The LambdaPromise cascade, "passing promise for a callback" from the original README: a
// function registered with passPromiseObject receives the running step first, so it can read
// the step that triggered it (the README's `invoked_from`) and that step's result, which the
// cascade stores before it invokes any callback. Nesting `then` gives a deeper chain.
//
// The Lambdas run on a LocalLambdaServer started here (the real LambdaClient over HTTP), and
// Redis is REDIS_URL when set, else a throwaway redis-server (it needs redis-server installed).
import { randomBytes } from 'node:crypto'
import {
  configureLambdaCascade,
  defaultLambdaCascade,
  lambdaHandler,
  lambdaPromise,
  LambdaPromise,
  type CascadeStep,
  type StepReport,
} from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'
import { createRedisClient } from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

// ---- The Lambdas' code ------------------------------------------------------------------

interface Lyrics {
  arg0: string
  arg1: string
  arg2: string
}

// @lambda_promise(ignore_result=False, pass_promise_object=False) def some_function(arg0, arg1, arg2)
lambdaPromise(
  ({ arg0, arg1, arg2 }: Lyrics) => {
    console.log(arg0, arg1, arg2)
    return [arg0, arg1, arg2].join(' ') // stored, for the callbacks
  },
  { functionName: 'some_function' },
)

// @lambda_promise(ignore_result=True, pass_promise_object=True)
// def some_other_function(promise, arg0, arg1, arg2, invoked_from=None)
lambdaPromise(
  (promise: CascadeStep, { arg0, arg1, arg2 }: Lyrics) => {
    const from = promise.parent!
    console.log(`some other function was called from ${from.command} arguments:`, arg0, arg1, arg2)
    console.log(`  ${from.command} returned "${String(from.result)}" (hop ${promise.hop})`)
    return 'not stored'
  },
  { passPromiseObject: true, ignoreResult: true, functionName: 'some_other_function' },
)

// @lambda_promise(pass_promise_object=True) def some_function_callback(promise)
lambdaPromise(
  (promise: CascadeStep) =>
    console.log(
      `arguments were printed (${promise.parent!.command} stored ${String(promise.parent!.result)})`,
    ),
  { passPromiseObject: true, functionName: 'some_function_callback' },
)

// @lambda_promise(pass_promise_object=True) def some_function_error_logging(promise)
lambdaPromise(() => console.log('error occurred during printing'), {
  passPromiseObject: true,
  functionName: 'some_function_error_logging',
})

const handler = lambdaHandler()

// ---- Local stand-ins for AWS -----------------------------------------------------------

let redisServer: RedisServer | undefined
const redis = createRedisClient(
  process.env.REDIS_URL ?? (redisServer = await startRedisServer()).url,
)
const server = LocalLambdaServer()
const functions = [
  'some_function',
  'some_other_function',
  'some_function_callback',
  'some_function_error_logging',
]
for (const name of functions) server.register(name, handler)
await server.start()
const lambdaClient = server.createClient()
configureLambdaCascade({
  lambdaClient,
  redis,
  namespace: `example-${randomBytes(4).toString('hex')}`,
  ttl: 60_000,
})

// ---- The caller ------------------------------------------------------------------------

const arn = `arn:aws:lambda:${server.region}:${server.accountId}:function:`
const uid = await LambdaPromise({
  arn,
  functionName: 'some_function',
  payload: { arg0: 'somebody', arg1: 'once', arg2: 'told me' },
})
  .then(
    LambdaPromise({
      arn,
      functionName: 'some_other_function',
      payload: { arg0: 'the world was', arg1: 'gonna', arg2: 'roll me' },
    }).then(LambdaPromise({ arn, functionName: 'some_function_callback' })),
  )
  // The README's catch names "arn:aws:lambda:us-east-2:some_function_error_logging:function:"
  // (the name and the account swapped); the intended function is this one.
  .catch(LambdaPromise({ arn, functionName: 'some_function_error_logging' }))
  .asyncProceed()

const show = (step: StepReport, depth = 0): void => {
  console.log(`${'  '.repeat(depth)}${step.command} (hop ${step.hop}): ${step.status}`)
  for (const next of [...step.then, ...step.catch]) show(next, depth + 1)
}
show(await defaultLambdaCascade().waitForSettled(uid))

lambdaClient.destroy()
await server.close()
redis.disconnect()
await redisServer?.stop()

// Output:
// somebody once told me
// some other function was called from some_function arguments: the world was gonna roll me
//   some_function returned "somebody once told me" (hop 2)
// arguments were printed (some_other_function stored undefined)
// some_function (hop 1): completed
//   some_other_function (hop 2): completed
//     some_function_callback (hop 3): completed
//   some_function_error_logging (hop 2): skipped
