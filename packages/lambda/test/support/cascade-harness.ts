// A LocalLambdaServer whose functions all run one LambdaCascade's handler (the same code
// deployed as several Lambdas), a Redis client with a namespace of its own, and helpers to
// re-deliver an Event invocation as Lambda would after a retry or a duplicate delivery.
import { randomBytes } from 'node:crypto'
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda'
import type { Clock } from '@memokit/core'
import { LambdaCascade, type LambdaCascadeOptions, type StepOutcome } from '@memokit/lambda'
import {
  LocalLambdaServer,
  type LocalInvocation,
  type LocalLambdaContext,
} from '@memokit/lambda/testing'
import { createRedisClient, type RedisClient } from '@memokit/redis'

export interface CascadeHarness {
  readonly server: LocalLambdaServer
  readonly lambdaClient: LambdaClient
  readonly redis: RedisClient
  readonly cascade: LambdaCascade
  readonly namespace: string
  /** Every handler run, by function name, in start order (the handler's own promise). */
  readonly runs: Map<string, Promise<unknown>[]>
  /** Handler runs of one function. */
  ran(functionName: string): number
  /** The Event invocations a function received, in arrival order. */
  eventsOf(functionName: string): LocalInvocation[]
  /** Sends an invocation's event again (a retry or duplicate delivery); resolves once handled. */
  redeliver(invocation: LocalInvocation): Promise<LocalInvocation>
  close(): Promise<void>
}

export interface CascadeHarnessOptions {
  /** Lambda functions to create; each runs the cascade's handler. */
  functions: readonly string[]
  /** The server's and the cascade's clock. */
  clock?: Clock
  /** Every function's timeout (ms). */
  timeout?: number
  cascade?: Omit<LambdaCascadeOptions, 'lambdaClient' | 'redis' | 'clock'>
}

/** `redis`: a redis-server URL, or a function that opens a client (e.g. a Redis Cluster one). */
export async function startCascadeHarness(
  redis: string | (() => RedisClient),
  options: CascadeHarnessOptions,
): Promise<CascadeHarness> {
  const server = LocalLambdaServer(options.clock === undefined ? {} : { clock: options.clock })
  await server.start()
  const lambdaClient = server.createClient()
  const client = typeof redis === 'string' ? createRedisClient(redis) : redis()
  const namespace = `cascade-test-${randomBytes(4).toString('hex')}`
  const cascade = LambdaCascade({
    lambdaClient,
    redis: client,
    namespace,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...options.cascade,
  })
  const handler = cascade.lambdaHandler<unknown, LocalLambdaContext>()
  const runs = new Map<string, Promise<unknown>[]>()
  for (const name of options.functions) {
    runs.set(name, [])
    server.register(
      name,
      (event: unknown, context: LocalLambdaContext): Promise<StepOutcome> => {
        const run = handler(event, context)
        runs.get(name)!.push(run.catch(() => undefined))
        return run
      },
      options.timeout === undefined ? {} : { timeout: options.timeout },
    )
  }
  const eventsOf = (functionName: string): LocalInvocation[] =>
    server.invocations.filter(
      (invocation) =>
        invocation.functionName === functionName && invocation.invocationType === 'Event',
    )
  return {
    server,
    lambdaClient,
    redis: client,
    cascade,
    namespace,
    runs,
    ran: (functionName) => runs.get(functionName)?.length ?? 0,
    eventsOf,
    async redeliver(invocation) {
      const before = server.invocations.length
      await lambdaClient.send(
        new InvokeCommand({
          FunctionName: invocation.functionName,
          Qualifier: invocation.qualifier,
          InvocationType: 'Event',
          Payload: invocation.payload,
        }),
      )
      const record = server.invocations[before]!
      await record.done
      return record
    },
    async close() {
      lambdaClient.destroy()
      await server.close()
      client.disconnect()
    },
  }
}

/** The event a step received: the original's payload format. */
export function eventOf(invocation: LocalInvocation): {
  payload: unknown
  command: string
  invoked_lambda_uid: string
} {
  return invocation.event as never
}
