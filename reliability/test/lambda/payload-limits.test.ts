// Oversized payloads (test plan D3), measured in bytes: requests at and just over the 6 MB
// synchronous limit (ASCII and multi-byte UTF-8) through MemoizedLambda and memoizedInvoke,
// responses at and just over it, and responses cut short or reset. Oversized requests never
// reach the network; oversized, truncated or reset responses are errors, never cached.
import type { LambdaClient } from '@aws-sdk/client-lambda'
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
} from '@memokit/core'
import {
  LambdaFunctionError,
  MemoizedLambda,
  MemoizedLambdaError,
  SYNC_PAYLOAD_LIMIT_BYTES,
  memoizedInvoke,
} from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'

jest.setTimeout(60_000)

const LIMIT = SYNC_PAYLOAD_LIMIT_BYTES // 6,291,456

let server: LocalLambdaServer
let client: LambdaClient
beforeAll(async () => {
  server = await LocalLambdaServer()
    // Answers the byte size of what it received.
    .register('size', (event: string) => Buffer.byteLength(JSON.stringify(event)))
    // Answers a string whose JSON response is exactly `bytes` bytes.
    .register('respond', (event: { bytes: number }) => 'r'.repeat(event.bytes - 2))
    .start()
  client = server.createClient()
})
afterAll(async () => {
  client.destroy()
  await server.close()
})

/** The outcome of one call, for the table. */
interface Row {
  case: string
  chars: number
  bytes: number
  outcome: string
  requestsSent: number
}

async function outcome(call: () => Promise<unknown>): Promise<[string, number]> {
  const before = server.requestCount()
  const result = await call().then(
    (value) => `ok (${String(value).slice(0, 12)})`,
    (error: unknown) => {
      const cause = error instanceof CachedMethodFailedError ? (error.cause as Error) : error
      return `${(cause as Error).name}${cause instanceof MemoizedLambdaError ? ` (${cause.reason})` : ''}`
    },
  )
  return [result, server.requestCount() - before]
}

describe('payload limits, in bytes', () => {
  it('refuses requests over 6 MB before any network call, through both APIs; accepts exactly 6 MB', async () => {
    const cache = new Map<string, unknown>()
    const mlambda = MemoizedLambda({ lambdaClient: client, functionName: 'size', cache })
    const invoke = memoizedInvoke({ lambdaClient: client, functionName: 'size' })
    const requests: [string, string][] = [
      ['ASCII, exactly the limit', 'a'.repeat(LIMIT - 2)],
      ['ASCII, limit + 1 byte', 'a'.repeat(LIMIT - 1)],
      ['é (2 bytes), exactly the limit', 'é'.repeat((LIMIT - 2) / 2)],
      ['é (2 bytes), limit + 2 bytes', 'é'.repeat(LIMIT / 2)],
      ['😀 (4 bytes, 2 UTF-16 units), limit + 2 bytes', '😀'.repeat(LIMIT / 4)],
    ]
    const rows: Row[] = []
    for (const [label, payload] of requests) {
      const bytes = Buffer.byteLength(JSON.stringify(payload))
      const [viaLambda, sentLambda] = await outcome(() => mlambda.invoke(payload))
      const [viaInvoke, sentInvoke] = await outcome(() => invoke(payload))
      rows.push({
        case: `MemoizedLambda: ${label}`,
        chars: payload.length,
        bytes,
        outcome: viaLambda,
        requestsSent: sentLambda,
      })
      rows.push({
        case: `memoizedInvoke: ${label}`,
        chars: payload.length,
        bytes,
        outcome: viaInvoke,
        requestsSent: sentInvoke,
      })
      const fits = bytes <= LIMIT
      for (const [result, sent] of [
        [viaLambda, sentLambda],
        [viaInvoke, sentInvoke],
      ] as const) {
        expect(result).toBe(fits ? `ok (${bytes})` : 'PayloadTooLargeError (payload-too-large)')
        expect(sent).toBe(fits ? 1 : 0)
      }
    }
    console.table(rows)
    expect(cache.size).toBe(2) // the two that fit
  })

  it('turns a response over 6 MB into an uncached function error; exactly 6 MB is fine', async () => {
    const storage = new LocalInMemoryCacheStorage()
    const cache = new Map<string, unknown>()
    const mlambda = MemoizedLambda<string>({ lambdaClient: client, functionName: 'respond', cache })
    const invoke = memoizedInvoke<string>({
      lambdaClient: client,
      functionName: 'respond',
      configuration: MutableCacheConfiguration.initializedWith(DefaultInMemoryCacheConfiguration())
        .setKeyExtractor(EncodedMethodNameAndArgsKeyExtractor())
        .setStorage(storage),
    })
    const rows: Row[] = []
    for (const bytes of [LIMIT, LIMIT + 1]) {
      for (const [api, call] of [
        ['MemoizedLambda', () => mlambda.invoke({ bytes })],
        ['memoizedInvoke', () => invoke({ bytes })],
      ] as const) {
        const [result, sent] = await outcome(call)
        rows.push({
          case: `${api}: response of ${bytes} bytes`,
          chars: bytes - 2,
          bytes,
          outcome: result,
          requestsSent: sent,
        })
        expect(result).toBe(
          bytes <= LIMIT ? `ok (${'r'.repeat(12)})` : 'LambdaFunctionError (function-error)',
        )
      }
    }
    console.table(rows)
    // Only the response that fit is cached, once per API.
    expect(cache.size).toBe(1)
    expect(storage.size).toBe(1)
    const error = await mlambda.invoke({ bytes: LIMIT + 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LambdaFunctionError)
    expect((error as LambdaFunctionError).errorType).toBe('Function.ResponseSizeTooLarge')
  })

  it('treats a response cut short or reset as a transport error, never cached', async () => {
    const cache = new Map<string, unknown>()
    const mlambda = MemoizedLambda({ lambdaClient: client, functionName: 'size', cache })
    for (const kind of ['truncate', 'reset'] as const) {
      server.inject({ kind }, { next: 1 })
      const error = await mlambda.invoke(kind).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MemoizedLambdaError)
      expect((error as MemoizedLambdaError).reason).toBe('transport')
      expect(cache.size).toBe(0)
    }
    expect(await mlambda.invoke('truncate')).toBe(10) // retried afresh, then cached
    expect(cache.size).toBe(1)
  })
})
