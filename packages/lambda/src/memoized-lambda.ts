import type { LambdaClient } from '@aws-sdk/client-lambda'
import {
  InvalidConfigurationError,
  memoizeConcurrent,
  methodSignal,
  MemoizeUsageError,
  raceSignal,
  takeCallRequest,
  withSignal,
} from '@memokit/core'
import { callable } from './callable.js'
import { MemoizedLambdaError } from './errors.js'
import { invokeLambda, type InvokeTarget } from './invoke.js'
import {
  jsonRequestTransform,
  jsonResponseTransform,
  lambdaCacheKey,
  prepareRequest,
  SYNC_PAYLOAD_LIMIT_BYTES,
  type LambdaRequest,
  type RequestTransform,
  type ResponseTransform,
} from './payload.js'
import {
  checkFunction,
  checkFunctionName,
  checkLambdaClient,
  checkMaxPayloadBytes,
  checkQualifier,
} from './validate.js'

/**
 * The cache a {@link MemoizedLambda} stores results in: any object with `Map`'s `get`, `set`,
 * `has` and `delete` (a `Map`, a `FaasCacheMap` from `@memokit/memory`, an LRU cache...).
 * Keys are strings; values are results (and, when `cacheFilter` accepts them, the errors a
 * response transform threw, wrapped in an internal record). Eviction and expiry are the
 * cache's business.
 */
export interface MapLikeCache {
  get(key: string): unknown
  set(key: string, value: unknown): unknown
  has(key: string): boolean
  delete(key: string): unknown
}

/**
 * Decides, when an invocation completes, whether its outcome is stored: the result, or the
 * `Error` the response transform threw. Invocation failures (`MemoizedLambdaError`) are never
 * offered: they are never cached.
 */
export type CacheFilter<T> = (outcome: T | Error) => boolean

export interface MemoizedLambdaOptions<T = unknown, P = unknown> {
  /** The client invocations are sent with; its retry policy applies to every invocation. */
  lambdaClient: LambdaClient
  /** The function's name, ARN or partial ARN (optionally with `:alias`). */
  functionName: string
  /** A version or alias; part of the key. */
  qualifier?: string
  /** Where results are stored: any Map-like object ({@link MapLikeCache}). */
  cache: MapLikeCache
  /**
   * Whether an outcome is stored (decided when the invocation completes). Concurrent callers
   * share one invocation whatever it answers. @default always true
   */
  cacheFilter?: CacheFilter<T>
  /**
   * Payload → request bytes (or a string, sent as UTF-8). The request is the cache key: equal
   * requests share one invocation. @default canonical JSON with sorted keys
   */
  requestTransform?: RequestTransform<P>
  /** (request bytes, response bytes) → result. @default `JSON.parse` of the response */
  responseTransform?: ResponseTransform<T>
  /**
   * Largest request sent, in bytes; larger ones are refused with `PayloadTooLargeError` before
   * any network call. @default 6,291,456 (the synchronous invocation limit)
   */
  maxPayloadBytes?: number
}

/** Per-call options of {@link MemoizedLambda.invoke}. */
export interface InvokeOptions {
  /**
   * Lets this caller stop waiting: on abort, this call rejects with `signal.reason`; other
   * callers of the same invocation keep waiting. When every caller gave up, the HTTP request
   * is aborted and the next call starts a new invocation.
   */
  signal?: AbortSignal
}

const OPTION_KEYS = new Set([
  'lambdaClient',
  'functionName',
  'qualifier',
  'cache',
  'cacheFilter',
  'requestTransform',
  'responseTransform',
  'maxPayloadBytes',
])

/** An error a response transform threw, stored because `cacheFilter` accepted it. */
class CachedFailure {
  constructor(readonly error: unknown) {}
}

const alwaysCache = (): boolean => true

/**
 * Deduplicated, memoized invocations of one Lambda function (exg/memoized-lambda, on the AWS
 * SDK v3): the first `invoke` with a given request invokes the function, concurrent callers
 * with the same request share that invocation, and later callers get the stored result for
 * as long as the cache keeps it.
 *
 * ```ts
 * const users = MemoizedLambda<User>({ lambdaClient, functionName: 'get-user', cache: new Map() })
 * await Promise.all([users.invoke({ id: 1 }), users.invoke({ id: 1 })]) // one invocation
 * ```
 *
 * Invocations in flight live in a private map, and only *completed results* go to `cache`: a
 * byte-bounded cache sizes real results (never a promise), `cacheFilter` decides at write
 * time, and no cache eviction can break the sharing of an invocation in flight. Unlike the
 * original, the key includes the function and qualifier; function errors, throttling, service
 * and transport errors raise `MemoizedLambdaError` and are never cached; a caller that aborts
 * never affects others; an oversized request is refused before any network call.
 */
class MemoizedLambdaImpl<T = unknown, P = unknown> {
  readonly functionName: string
  readonly qualifier: string | undefined
  readonly cache: MapLikeCache
  readonly #target: InvokeTarget
  readonly #cacheFilter: CacheFilter<T>
  readonly #requestTransform: RequestTransform<P>
  readonly #responseTransform: ResponseTransform<T>
  readonly #limits: { functionName: string; qualifier: string | undefined; maxPayloadBytes: number }
  readonly #shared: (key: string, request: LambdaRequest) => Promise<T>
  /** Invocations in flight by key, so that `invalidate()` can stop their results being stored. */
  readonly #running = new Map<string, { invalidated: boolean }>()

  constructor(options: MemoizedLambdaOptions<T, P>) {
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError(
        `MemoizedLambda needs an options object, got ${String(options)}`,
      )
    for (const key of Object.keys(options))
      if (!OPTION_KEYS.has(key))
        throw new InvalidConfigurationError(
          `unknown MemoizedLambda option "${key}"; expected one of ${[...OPTION_KEYS].join(', ')}`,
        )
    const lambdaClient = checkLambdaClient(options.lambdaClient)
    this.functionName = checkFunctionName(options.functionName)
    this.qualifier = checkQualifier(options.qualifier)
    this.cache = checkCache(options.cache)
    this.#cacheFilter = checkFunction('cacheFilter', options.cacheFilter) ?? alwaysCache
    this.#requestTransform =
      checkFunction('requestTransform', options.requestTransform) ?? jsonRequestTransform
    this.#responseTransform =
      checkFunction('responseTransform', options.responseTransform) ??
      (jsonResponseTransform(this.functionName, this.qualifier) as ResponseTransform<T>)
    this.#target = { lambdaClient, functionName: this.functionName, qualifier: this.qualifier }
    this.#limits = {
      functionName: this.functionName,
      qualifier: this.qualifier,
      maxPayloadBytes: checkMaxPayloadBytes(options.maxPayloadBytes) ?? SYNC_PAYLOAD_LIMIT_BYTES,
    }
    // Deduplication of invocations in flight: core's memoizeConcurrent, keyed by cache key.
    // Callers with a signal leave it without affecting the others; when all have left, the
    // invocation's methodSignal() aborts the HTTP request.
    this.#shared = memoizeConcurrent(
      (key: string, request: LambdaRequest): Promise<T> => this.#invokeAndStore(key, request),
      { key: (key) => key as string },
    )
  }

  /**
   * The function's result for `payload`: from the cache, from the invocation in flight for the
   * same request, or from a new invocation. Rejects with `MemoizedLambdaError` when the
   * invocation fails (never cached), with `PayloadTooLargeError` before any network call when
   * the request is too large, or with whatever the response transform threw.
   */
  invoke(payload: P, options?: InvokeOptions): Promise<T> {
    // What forceRefresh / invalidate / withSignal asked of this call (see core's takeCallRequest).
    const request = takeCallRequest()
    const signal = options?.signal ?? request?.signal
    if (signal !== undefined && !(signal instanceof AbortSignal))
      return Promise.reject(
        new MemoizeUsageError(
          `invoke() option signal must be an AbortSignal, got ${String(signal)}`,
        ),
      )
    if (request?.invalidate) {
      try {
        this.invalidate(payload)
      } catch (error) {
        return Promise.reject(error)
      }
      return Promise.resolve(undefined as T)
    }
    return this.#invoke(payload, request?.force === true, signal)
  }

  /** The cache key a call with `payload` uses (function, qualifier and request). */
  keyFor(payload: P): string {
    return lambdaCacheKey(this.functionName, this.qualifier, this.#prepare(payload))
  }

  /**
   * Removes the stored outcome for `payload` from the cache. An invocation of it in flight
   * still answers the callers that wait for it, but its outcome is not stored: it may predate
   * whatever made the entry invalid.
   */
  invalidate(payload: P): void {
    const key = this.keyFor(payload)
    const running = this.#running.get(key)
    if (running !== undefined) running.invalidated = true
    this.cache.delete(key)
  }

  #prepare(payload: P): LambdaRequest {
    return prepareRequest(payload, this.#requestTransform, this.#limits)
  }

  #invoke(payload: P, force: boolean, signal: AbortSignal | undefined): Promise<T> {
    let request: LambdaRequest
    let key: string
    try {
      request = this.#prepare(payload)
      key = lambdaCacheKey(this.functionName, this.qualifier, request)
    } catch (error) {
      return Promise.reject(error)
    }
    if (!force) {
      let stored: unknown
      let found: boolean
      try {
        stored = this.cache.get(key)
        found = stored !== undefined || this.cache.has(key)
      } catch {
        found = false // a cache that fails to answer is a miss (fail open)
      }
      if (found) {
        const result =
          stored instanceof CachedFailure
            ? Promise.reject(stored.error)
            : Promise.resolve(stored as T)
        return signal === undefined ? result : raceSignal(result, signal)
      }
    }
    // Callers with a signal leave the shared invocation without affecting the others.
    return signal === undefined
      ? this.#shared(key, request)
      : withSignal(signal, () => this.#shared(key, request))
  }

  /** One invocation: stores its outcome when `cacheFilter` accepts it, before callers see it. */
  async #invokeAndStore(key: string, request: LambdaRequest): Promise<T> {
    const run = { invalidated: false }
    this.#running.set(key, run)
    try {
      const response = await invokeLambda(this.#target, request.bytes, methodSignal())
      let result: T
      try {
        result = this.#responseTransform(request.bytes, response)
      } catch (error) {
        if (error instanceof MemoizedLambdaError) throw error // never cached
        if (error instanceof Error && this.#cacheFilter(error))
          this.#store(run, key, new CachedFailure(error))
        throw error
      }
      if (this.#cacheFilter(result)) this.#store(run, key, result)
      return result
    } finally {
      if (this.#running.get(key) === run) this.#running.delete(key)
    }
  }

  #store(run: { invalidated: boolean }, key: string, value: unknown): void {
    if (run.invalidated) return // invalidated while in flight: the result may be outdated
    try {
      this.cache.set(key, value)
    } catch {
      // A cache that refuses the value (e.g. larger than its whole budget): the caller still
      // gets it, uncached (fail open).
    }
  }
}

function checkCache(value: unknown): MapLikeCache {
  if (value === null || typeof value !== 'object')
    throw new InvalidConfigurationError(
      `cache must be a Map-like object (get, set, has, delete), got ${String(value)}`,
    )
  for (const method of ['get', 'set', 'has', 'delete'])
    if (typeof (value as Record<string, unknown>)[method] !== 'function')
      throw new InvalidConfigurationError(`cache must implement ${method}() like a Map`)
  return value as MapLikeCache
}

/** The constructor of {@link MemoizedLambda}: callable with or without `new`. */
export interface MemoizedLambdaConstructor {
  new <T = unknown, P = unknown>(options: MemoizedLambdaOptions<T, P>): MemoizedLambdaImpl<T, P>
  <T = unknown, P = unknown>(options: MemoizedLambdaOptions<T, P>): MemoizedLambdaImpl<T, P>
  readonly prototype: MemoizedLambdaImpl
}
export const MemoizedLambda = callable(MemoizedLambdaImpl) as MemoizedLambdaConstructor
export type MemoizedLambda<T = unknown, P = unknown> = MemoizedLambdaImpl<T, P>
