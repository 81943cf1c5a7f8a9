// A cache shared by two processes through Redis, with cross-process dog-pile protection.
//
// This file is both programs: run without arguments it starts two copies of itself ("process
// A" and "process B") and tells them what to call. It uses REDIS_URL when set; otherwise it
// starts a throwaway redis-server (it needs `redis-server` installed).
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { invalidate, memoize, settle } from '@memokit/core'
import { createRedisClient, RedisCacheConfiguration, RedisUpdateStatuses } from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

type Command = { id: number; call: 'rate' | 'burst' | 'invalidate'; currency: string }
/** `backendCalls`: how many times this process called the backend for that currency. */
type Reply = { id: number; value?: number; backendCalls: number }

if (process.argv[2] === 'child') {
  // ---- One application process ---------------------------------------------------------
  const [, , , url, namespace] = process.argv
  const client = createRedisClient(url)
  const updateStatuses = new RedisUpdateStatuses({ client, namespace })
  const backendCalls: Record<string, number> = {}

  // The memoized function: its key is "exchangeRate" + the arguments, the same in every process.
  const exchangeRate = memoize(
    async (currency: string): Promise<number> => {
      backendCalls[currency] = (backendCalls[currency] ?? 0) + 1
      await sleep(100) // a slow backend
      return { EUR: 1.08, GBP: 1.27, JPY: 0.0067 }[currency] ?? 1
    },
    {
      configuration: RedisCacheConfiguration({ client, namespace, updateAfter: 60_000 }),
      updateStatuses,
      name: 'exchangeRate',
    },
  )

  const handle = async ({ id, call, currency }: Command): Promise<void> => {
    let value: number | undefined
    if (call === 'rate') value = await exchangeRate(currency)
    if (call === 'burst')
      value = (await Promise.all(Array.from({ length: 100 }, () => exchangeRate(currency))))[0]
    if (call === 'invalidate') await invalidate(() => exchangeRate(currency))
    await settle() // lock releases and notices are out before we answer
    process.send!({ id, value, backendCalls: backendCalls[currency] ?? 0 } satisfies Reply)
  }
  process.on('message', (command: Command) => void handle(command))
  process.on('disconnect', () => {
    void updateStatuses.close().then(() => client.disconnect())
  })
  process.send!({ id: 0, backendCalls: 0 } satisfies Reply)
} else {
  // ---- The orchestrator ------------------------------------------------------------------
  let server: RedisServer | undefined
  const url = process.env.REDIS_URL ?? (server = await startRedisServer()).url
  const namespace = `example-${randomBytes(4).toString('hex')}` // never collides with real data

  /** Starts one application process; returns a function that sends it a command. */
  const start = async () => {
    const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['child', url, namespace])
    const replies = new Map<number, (reply: Reply) => void>()
    child.on('message', (reply: Reply) => replies.get(reply.id)?.(reply))
    await new Promise<Reply>((resolve) => replies.set(0, resolve))
    let next = 1
    const ask = (call: Command['call'], currency: string): Promise<Reply> =>
      new Promise((resolve) => {
        const id = next++
        replies.set(id, resolve)
        child.send({ id, call, currency } satisfies Command)
      })
    return { ask, child }
  }
  const [a, b] = [await start(), await start()]

  let reply = await a.ask('rate', 'EUR')
  console.log(`A: EUR rate ${reply.value} (A called the backend ${reply.backendCalls} time)`)
  reply = await b.ask('rate', 'EUR')
  console.log(`B: EUR rate ${reply.value} (B called the backend ${reply.backendCalls} times)`)

  // Both processes miss the same cold key at the same moment: one computes, the other waits
  // for its result.
  const [fromA, fromB] = await Promise.all([a.ask('burst', 'GBP'), b.ask('burst', 'GBP')])
  console.log(
    `A and B, 100 concurrent calls each for GBP: ${fromA.value} and ${fromB.value}, ` +
      `${fromA.backendCalls + fromB.backendCalls} backend call in all`,
  )

  await b.ask('invalidate', 'EUR')
  console.log('B invalidates the EUR rate: the entry is deleted in Redis')
  reply = await a.ask('rate', 'EUR')
  console.log(`A: EUR rate ${reply.value} (A called the backend ${reply.backendCalls} times)`)

  for (const { child } of [a, b]) child.disconnect()
  await Promise.all([a, b].map(({ child }) => new Promise((done) => child.once('exit', done))))
  await server?.stop()
}

// Output:
// A: EUR rate 1.08 (A called the backend 1 time)
// B: EUR rate 1.08 (B called the backend 0 times)
// A and B, 100 concurrent calls each for GBP: 1.27 and 1.27, 1 backend call in all
// B invalidates the EUR rate: the entry is deleted in Redis
// A: EUR rate 1.08 (A called the backend 2 times)
