// What memoizing Lambda invocations saves, measured against a LocalLambdaServer on the loopback
// interface (no AWS: real network latency would make the gaps far larger).
import type { Scenario } from '../lib/scenario.js'

interface Params {
  /** Sequential calls timed for hits (and for uncached calls, which are slower). */
  hitCalls: number
  uncachedCalls: number
  /** Concurrent calls in the cold variant. */
  concurrent: number
}

const PAYLOAD = { id: 42, fields: ['name', 'email'], locale: 'en' }

export const lambda: Scenario<Params> = {
  id: 'lambda',
  title: 'Lambda invocations (@memokit/lambda)',
  summary:
    'Memoized AWS Lambda invocations against a local server that speaks the Lambda Invoke API over HTTP on the loopback interface, with the real `LambdaClient`. Sequential hits show what a memoized invocation costs once cached; concurrent cold calls show the deduplication (HTTP requests made for 1,000 identical calls). Real network latency to AWS would make the gaps far larger.',
  reps: { full: 3, quick: 1, smoke: 1 },
  params: {
    full: { hitCalls: 100_000, uncachedCalls: 500, concurrent: 1_000 },
    quick: { hitCalls: 50_000, uncachedCalls: 200, concurrent: 1_000 },
    smoke: { hitCalls: 20, uncachedCalls: 2, concurrent: 10 },
  },
  variants: [
    { id: 'sequential', title: 'Sequential calls, one payload (cached after the first call)' },
    { id: 'cold', title: 'Concurrent calls on a cold cache' },
  ],
  contestants: [
    {
      id: 'floor',
      name: 'floor: Map.get + Promise.resolve',
      floor: true,
      naIn: { cold: 'a preloaded Map never misses' },
    },
    { id: 'mlambda', name: 'MemoizedLambda.invoke' },
    { id: 'engine', name: 'memoizedInvoke (core engine)' },
    { id: 'uncached', name: 'uncached invoke (distinct payloads when concurrent)' },
  ],
  columns: [
    { key: 'calls', label: 'calls' },
    { key: 'usPerCall', label: 'µs/call', digits: 2 },
    { key: 'wallMs', label: 'wall ms', digits: 1 },
    { key: 'requests', label: 'HTTP requests' },
  ],
  ratio: { metric: 'usPerCall', better: 'lower', label: 'time × floor' },
  describe: (p) =>
    `a LocalLambdaServer with an echo handler on 127.0.0.1, the real \`LambdaClient\`; sequential: ${p.hitCalls.toLocaleString('en')} calls with one payload (${p.uncachedCalls} when uncached), after one untimed warm-up run; cold: ${p.concurrent.toLocaleString('en')} concurrent calls with one new payload (distinct payloads for the uncached row); caches are \`Map\`s (MemoizedLambda) and \`DefaultInMemoryCacheConfiguration()\` (memoizedInvoke)`,
  async measure(id, variant, { params: p }) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    const { DefaultInMemoryCacheConfiguration } = await import('@memokit/core')
    const { MemoizedLambda, memoizedInvoke } = await import('@memokit/lambda')
    const { LocalLambdaServer } = await import('@memokit/lambda/testing')
    const server = await LocalLambdaServer()
      .register('echo', (event) => event)
      .start()
    const lambdaClient = server.createClient()
    try {
      let call: (payload: unknown) => Promise<unknown>
      if (id === 'floor') {
        const cache = new Map([['k', PAYLOAD]])
        call = () => Promise.resolve(cache.get('k'))
      } else if (id === 'mlambda') {
        const m = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
        call = (payload) => m.invoke(payload)
      } else if (id === 'engine') {
        call = memoizedInvoke({
          lambdaClient,
          functionName: 'echo',
          configuration: DefaultInMemoryCacheConfiguration(),
        })
      } else {
        // Every call invokes: nothing is stored (concurrent identical calls would still share one).
        const m = MemoizedLambda({
          lambdaClient,
          functionName: 'echo',
          cache: new Map(),
          cacheFilter: () => false,
        })
        call = (payload) => m.invoke(payload)
      }
      let round = 0
      const run =
        variant === 'cold'
          ? async (): Promise<number> => {
              const fresh = { ...PAYLOAD, round: round++ }
              await Promise.all(
                Array.from({ length: p.concurrent }, (_, i) =>
                  call(id === 'uncached' ? { ...fresh, i } : fresh),
                ),
              )
              return p.concurrent
            }
          : async (): Promise<number> => {
              const calls = id === 'uncached' ? p.uncachedCalls : p.hitCalls
              for (let i = 0; i < calls; i++) await call(PAYLOAD)
              return calls
            }
      await run() // warm-up: connection, JIT, first cache fill
      server.reset()
      const started = performance.now()
      const calls = await run()
      const wallMs = performance.now() - started
      return { calls, usPerCall: (wallMs * 1000) / calls, wallMs, requests: server.requestCount() }
    } finally {
      lambdaClient.destroy()
      await server.close()
    }
  },
}
