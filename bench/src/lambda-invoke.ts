// Benchmark: what memoizing Lambda invocations saves, measured against a LocalLambdaServer on
// the loopback interface (no AWS: real network latency would make the gaps far larger).
// Run: pnpm build && node bench/dist/lambda-invoke.js
// The speed-up column compares time per call with the first row, measured in the same run.
import { DefaultInMemoryCacheConfiguration } from '@memokit/core'
import { MemoizedLambda, memoizedInvoke } from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

interface Row {
  name: string
  calls: number
  ms: number
  requests: number
}

const server = await LocalLambdaServer()
  .register('echo', (event) => event)
  .start()
const lambdaClient = server.createClient()
const payload = { id: 42, fields: ['name', 'email'], locale: 'en' }

async function measure(name: string, calls: number, run: () => Promise<unknown>): Promise<Row> {
  await run() // warm-up: connection, JIT, first cache fill
  server.reset()
  const started = performance.now()
  await run()
  return { name, calls, ms: performance.now() - started, requests: server.requestCount() }
}

const sequential = (calls: number, call: () => Promise<unknown>) => async () => {
  for (let i = 0; i < calls; i++) await call()
}
const distinct = (call: (p: unknown) => Promise<unknown>) => async () => {
  await Promise.all(Array.from({ length: 1000 }, (_, i) => call({ ...payload, i })))
}

// Every call invokes: nothing is stored (concurrent identical calls would still be shared).
const uncached = MemoizedLambda({
  lambdaClient,
  functionName: 'echo',
  cache: new Map(),
  cacheFilter: () => false,
})
const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
const engine = memoizedInvoke({
  lambdaClient,
  functionName: 'echo',
  configuration: DefaultInMemoryCacheConfiguration(),
})
const floorCache = new Map([['k', payload]])

const rows: Row[] = [
  await measure(
    'uncached invoke, sequential',
    500,
    sequential(500, () => uncached.invoke(payload)),
  ),
  await measure(
    'MemoizedLambda.invoke hit, sequential',
    100_000,
    sequential(100_000, () => mlambda.invoke(payload)),
  ),
  await measure(
    'memoizedInvoke hit, sequential',
    100_000,
    sequential(100_000, () => engine(payload)),
  ),
  await measure(
    'Map.get + Promise.resolve (floor)',
    100_000,
    sequential(100_000, () => Promise.resolve(floorCache.get('k'))),
  ),
  await measure(
    'uncached, 1,000 concurrent distinct',
    1000,
    distinct((p) => uncached.invoke(p)),
  ),
]
// Cold concurrent calls: a new key every run, so each run starts with an empty cache.
let round = 0
const cold = (call: (p: unknown) => Promise<unknown>) => async () => {
  const fresh = { ...payload, round: round++ }
  await Promise.all(Array.from({ length: 1000 }, () => call(fresh)))
}
rows.push(
  await measure(
    'MemoizedLambda, 1,000 concurrent cold',
    1000,
    cold((p) => mlambda.invoke(p)),
  ),
)
rows.push(
  await measure(
    'memoizedInvoke, 1,000 concurrent cold',
    1000,
    cold((p) => engine(p)),
  ),
)

const baseline = rows[0] as Row
const perCall = (row: Row) => (row.ms * 1000) / row.calls
console.log(`node ${process.version}, LocalLambdaServer on loopback\n`)
console.log(
  'case'.padEnd(42) +
    'calls'.padStart(9) +
    'µs/call'.padStart(11) +
    'calls/s'.padStart(12) +
    'HTTP req'.padStart(10) +
    'speed-up'.padStart(10),
)
for (const row of rows) {
  console.log(
    row.name.padEnd(42) +
      String(row.calls).padStart(9) +
      perCall(row).toFixed(2).padStart(11) +
      Math.round((row.calls / row.ms) * 1000)
        .toLocaleString('en')
        .padStart(12) +
      String(row.requests).padStart(10) +
      `${(perCall(baseline) / perCall(row)).toFixed(1)}x`.padStart(10),
  )
}

lambdaClient.destroy()
await server.close()
