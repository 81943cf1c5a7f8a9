// The LambdaPromise cascade, "standard usage" from the original README: a step, a callback
// run after it, and an error logger run if it fails. Each step is an asynchronous (Event)
// invocation of its own Lambda; the chain's state lives in Redis.
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
} from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'
import { createRedisClient } from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

// ---- The Lambdas' code: one module, deployed as three functions -------------------------

interface Lyrics {
  arg0: string
  arg1: string
  arg2?: string
}

// @lambda_promise() def some_function(arg0, arg1, arg2)
lambdaPromise(
  ({ arg0, arg1, arg2 }: Lyrics) => {
    if (arg2 === undefined) throw new TypeError('some_function() missing argument: arg2')
    console.log(arg0, arg1, arg2)
  },
  { functionName: 'some_function' },
)

// @lambda_promise(pass_promise_object=True) def some_function_callback(promise)
lambdaPromise(
  (promise: CascadeStep) => console.log(`arguments were printed (by ${promise.parent?.command})`),
  { passPromiseObject: true, functionName: 'some_function_callback' },
)

// @lambda_promise(pass_promise_object=True) def some_function_error_logging(promise)
lambdaPromise(
  (promise: CascadeStep) => {
    const error = promise.parent?.error
    console.log(`error occurred ${error?.type}: ${error?.message}`)
  },
  { passPromiseObject: true, functionName: 'some_function_error_logging' },
)

// @lambda_handler def main(event, context): cascade events run the registered functions,
// anything else reaches main.
const handler = lambdaHandler(() => ({ handled: 'by main' }))

// ---- Local stand-ins for AWS: a Lambda endpoint and a Redis ---------------------------

let redisServer: RedisServer | undefined
const redis = createRedisClient(
  process.env.REDIS_URL ?? (redisServer = await startRedisServer()).url,
)
const server = LocalLambdaServer()
for (const name of ['some_function', 'some_function_callback', 'some_function_error_logging'])
  server.register(name, handler)
await server.start()
const lambdaClient = server.createClient()
// Once, at start-up, in every Lambda and in the caller (a fresh namespace keeps runs apart).
configureLambdaCascade({
  lambdaClient,
  redis,
  namespace: `example-${randomBytes(4).toString('hex')}`,
  ttl: 60_000,
})

// ---- The caller: build the chain, proceed, wait ------------------------------------

const arn = `arn:aws:lambda:${server.region}:${server.accountId}:function:`
const chain = (payload: Lyrics) =>
  LambdaPromise({ arn, functionName: 'some_function', payload })
    .then(LambdaPromise({ arn, functionName: 'some_function_callback' }))
    .catch(LambdaPromise({ arn, functionName: 'some_function_error_logging' }))

const cascade = defaultLambdaCascade()
for (const payload of [
  { arg0: 'somebody', arg1: 'once', arg2: 'told me' },
  { arg0: 'somebody', arg1: 'once' }, // some_function fails: the catch runs instead
]) {
  const uid = await chain(payload).asyncProceed()
  const report = await cascade.waitForSettled(uid) // polls the chain's state in Redis
  const steps = [report, ...report.then, ...report.catch]
  console.log(steps.map((step) => `${step.command}: ${step.status}`).join(', '))
}

lambdaClient.destroy()
await server.close()
redis.disconnect()
await redisServer?.stop()

// Output:
// somebody once told me
// arguments were printed (by some_function)
// some_function: completed, some_function_callback: completed, some_function_error_logging: skipped
// error occurred TypeError: some_function() missing argument: arg2
// some_function: failed, some_function_callback: skipped, some_function_error_logging: completed
