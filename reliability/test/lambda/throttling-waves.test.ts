// Throttling waves (test plan D1): for three seconds, every invocation is answered 429
// TooManyRequestsException for 250 ms out of every 600, while 24 loops call MemoizedLambda and
// memoizedInvoke over a real LambdaClient (maxAttempts 3) and a local Invoke server. Throttled
// calls fail typed after at most three attempts, the others succeed, and no failure is cached.
import type { LambdaClient } from '@aws-sdk/client-lambda'
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
} from '@memokit/core'
import {
  LambdaThrottledError,
  MemoizedLambda,
  memoizedInvoke,
  type MemoizedLambda as MemoizedLambdaType,
} from '@memokit/lambda'
import { LocalLambdaServer, type FaultHandle } from '@memokit/lambda/testing'
import { certificateProblem, certify, type CertifiedValue } from '../../src/certified'

jest.setTimeout(60_000)

const WAVES = 5
const WAVE_MS = 250
const PERIOD_MS = 600
/** Before the first wave and after the last one. */
const CALM_MS = 500

interface Outcome {
  at: number
  inWave: boolean
  ok: boolean
  wrong: boolean
  error?: unknown
}

let server: LocalLambdaServer
let client: LambdaClient
/** SDK attempts per invocation (initialize-step middleware: after the retry loop). */
const attempts: number[] = []
let invocations = 0

beforeAll(async () => {
  server = await LocalLambdaServer()
    .register('certified', (event: { key: string }) => certify(event.key, `inv:${++invocations}`))
    .start()
  client = server.createClient({ maxAttempts: 3 })
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args)
        attempts.push(result.output.$metadata.attempts ?? 1)
        return result
      } catch (error) {
        attempts.push((error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1)
        throw error
      }
    },
    { step: 'initialize', name: 'countAttempts' },
  )
})
afterAll(async () => {
  client.destroy()
  await server.close()
})

function rate(outcomes: Outcome[]): string {
  return outcomes.length === 0
    ? '-'
    : `${((100 * outcomes.filter((o) => o.ok).length) / outcomes.length).toFixed(1)}%`
}

describe('throttling waves', () => {
  it('fail typed, retried at most 3 times, never cached; success outside the waves', async () => {
    const mlambda: MemoizedLambdaType<CertifiedValue, { key: string }> = MemoizedLambda({
      lambdaClient: client,
      functionName: 'certified',
      cache: new Map(),
    })
    const storage = new LocalInMemoryCacheStorage()
    const invoke = memoizedInvoke<CertifiedValue, { key: string }>({
      lambdaClient: client,
      functionName: 'certified',
      configuration: MutableCacheConfiguration.initializedWith(
        DefaultInMemoryCacheConfiguration({ capacity: 100_000 }),
      )
        .setKeyExtractor(EncodedMethodNameAndArgsKeyExtractor())
        .setStorage(storage),
    })

    // Waves of throttling: on for WAVE_MS out of every PERIOD_MS.
    const waves: [number, number][] = []
    let wave: FaultHandle | undefined
    const started = Date.now()
    const timers: ReturnType<typeof setTimeout>[] = []
    for (let i = 0; i < WAVES; i++) {
      timers.push(
        setTimeout(
          () => {
            wave = server.throttle({ retryAfter: null })
            waves.push([Date.now(), Date.now() + WAVE_MS])
          },
          CALM_MS + i * PERIOD_MS,
        ),
        setTimeout(() => wave?.remove(), CALM_MS + i * PERIOD_MS + WAVE_MS),
      )
    }
    const lastWaveEnd = started + CALM_MS + (WAVES - 1) * PERIOD_MS + WAVE_MS
    const end = lastWaveEnd + CALM_MS
    const inWave = (t: number): boolean => waves.some(([from, to]) => t >= from && t <= to)

    // 12 loops per API, each over its own keys (mostly misses: new invocations all the time).
    const outcomes = { lambda: [] as Outcome[], invoke: [] as Outcome[] }
    let n = 0
    const loop = async (api: 'lambda' | 'invoke'): Promise<void> => {
      while (Date.now() < end) {
        const key = `k${n++ % 4_000}`
        const at = Date.now()
        try {
          const value = api === 'lambda' ? await mlambda.invoke({ key }) : await invoke({ key })
          outcomes[api].push({
            at,
            inWave: inWave(at),
            ok: true,
            wrong: certificateProblem(key, value) !== undefined,
          })
        } catch (error) {
          outcomes[api].push({ at, inWave: inWave(at), ok: false, wrong: false, error })
        }
      }
    }
    await Promise.all([
      ...Array.from({ length: 12 }, () => loop('lambda')),
      ...Array.from({ length: 12 }, () => loop('invoke')),
    ])
    timers.forEach(clearTimeout)
    wave?.remove()

    const all = [...outcomes.lambda, ...outcomes.invoke]
    const failures = all.filter((o) => !o.ok)
    const histogram = [1, 2, 3].map((a) => attempts.filter((x) => x === a).length)
    console.log(
      `throttling waves (${WAVES} × ${WAVE_MS} ms of 429 every ${PERIOD_MS} ms): ` +
        JSON.stringify({
          calls: all.length,
          failed: failures.length,
          successInWaves: rate(all.filter((o) => o.inWave)),
          successOutside: rate(all.filter((o) => !o.inWave)),
          successAfterLastWave: rate(all.filter((o) => o.at > lastWaveEnd + 50)),
          httpRequests: server.requestCount('certified'),
          invocationsRun: invocations,
          attemptsPerInvocation: { 1: histogram[0], 2: histogram[1], 3: histogram[2] },
          throttled: server.invocations.filter((i) => i.fault === 'throttle').length,
        }),
    )
    expect(all.filter((o) => o.wrong)).toEqual([])
    expect(failures.length).toBeGreaterThan(0) // the waves did throttle
    // Every failure is typed: LambdaThrottledError (as the cause, for memoizedInvoke).
    for (const o of outcomes.lambda.filter((x) => !x.ok))
      expect(o.error).toBeInstanceOf(LambdaThrottledError)
    for (const o of outcomes.invoke.filter((x) => !x.ok)) {
      expect(o.error).toBeInstanceOf(CachedMethodFailedError)
      expect((o.error as CachedMethodFailedError).cause).toBeInstanceOf(LambdaThrottledError)
    }
    // The client's retry budget bounds the attempts; some invocations needed a retry.
    expect(Math.max(...attempts)).toBeLessThanOrEqual(3)
    expect(histogram[1]! + histogram[2]!).toBeGreaterThan(0)
    // Calls made after the last wave all succeeded.
    const calm = all.filter((o) => o.at > lastWaveEnd + 50)
    expect(calm.length).toBeGreaterThan(0)
    expect(calm.filter((o) => !o.ok)).toEqual([])
    // Nothing but right values in either cache: no failure was stored.
    for (const [key, value] of mlambda.cache as Map<string, unknown>) {
      const payload = JSON.parse(key.slice(key.indexOf('{'))) as { key: string }
      expect(certificateProblem(payload.key, value)).toBeUndefined()
    }
    expect(storage.size).toBeGreaterThan(0)
    for (const [, entry] of storage.entries()) {
      const value = entry.value as CertifiedValue
      expect(certificateProblem(value.key, value)).toBeUndefined()
    }
  })
})
