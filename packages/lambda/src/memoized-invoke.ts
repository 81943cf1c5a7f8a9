import type { LambdaClient } from '@aws-sdk/client-lambda'
import {
  cacheControl,
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  InvalidConfigurationError,
  memoize,
  methodSignal,
  MutableCacheConfiguration,
  takeCallRequest,
  type CacheConfiguration,
  type MemoizedControl,
  type UpdateStatuses,
} from '@memokit/core'
import { invokeLambda, type InvokeTarget } from './invoke.js'
import {
  jsonRequestTransform,
  jsonResponseTransform,
  lambdaTarget,
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

export interface MemoizedInvokeOptions<T = unknown, P = unknown> {
  /** The client invocations are sent with; its retry policy applies to every invocation. */
  lambdaClient: LambdaClient
  /** The function's name, ARN or partial ARN (optionally with `:alias`). */
  functionName: string
  /** A version or alias; part of the key. */
  qualifier?: string
  /**
   * Storage, lifetimes (background refresh, expiry), eviction, method timeout: any memokit
   * configuration, e.g. one with a `RedisCacheStorage`. Use a name-based key extractor
   * (`EncodedMethodNameAndArgsKeyExtractor`) for storages shared by processes.
   * @default `DefaultInMemoryCacheConfiguration()` with `EncodedMethodNameAndArgsKeyExtractor`
   */
  configuration?: CacheConfiguration
  /** Dog-pile coordination; `RedisUpdateStatuses` makes it cross-process. @default InMemoryLocks */
  updateStatuses?: UpdateStatuses
  /**
   * Payload → request bytes (or a string, sent as UTF-8); the request is part of the key.
   * @default canonical JSON with sorted keys
   */
  requestTransform?: RequestTransform<P>
  /** (request bytes, response bytes) → result, the value cached. @default `JSON.parse` */
  responseTransform?: ResponseTransform<T>
  /**
   * Largest request sent, in bytes; larger ones are refused with `PayloadTooLargeError` before
   * the cache is consulted or any network call. @default 6,291,456
   */
  maxPayloadBytes?: number
  /**
   * The memoized function's name: the head of every key, and the name in events and errors.
   * @default `lambda:"<functionName>"`, plus `@"<qualifier>"` when there is a qualifier
   */
  name?: string
}

/** A memoized Lambda invocation: call it with a payload to get the (cached) result. */
export interface MemoizedInvoke<T = unknown, P = unknown> {
  (payload: P): Promise<T>
  readonly functionName: string
  readonly qualifier: string | undefined
  /** Stats, events and `settle()` of the memoized function underneath (core's control surface). */
  readonly control: MemoizedControl
  /** Releases the entry for `payload`; an invocation in flight still answers its waiters. */
  invalidate(payload: P): Promise<void>
}

const OPTION_KEYS = new Set([
  'lambdaClient',
  'functionName',
  'qualifier',
  'configuration',
  'updateStatuses',
  'requestTransform',
  'responseTransform',
  'maxPayloadBytes',
  'name',
])

/**
 * A Lambda invocation memoized by the core engine: the function is the memoized method, the
 * request is its argument. It gets everything a memoized method gets from its configuration:
 * dog-pile protection, background refresh past `updateAfter`, expiry, a method timeout (which
 * aborts the HTTP request), Redis storage, cross-process deduplication with
 * `RedisUpdateStatuses`. Failures are never cached.
 *
 * ```ts
 * const getUser = memoizedInvoke<User>({
 *   lambdaClient, functionName: 'get-user',
 *   configuration: DefaultInMemoryCacheConfiguration({ updateAfter: minutes(1), expireAfter: minutes(10) }),
 * })
 * await getUser({ id: 42 })
 * ```
 *
 * The key is name-based: `lambda:"<functionName>"@"<qualifier>"` (see `name`) plus the
 * request (canonical JSON by default, so key order never matters; requests over 256 bytes by
 * their SHA-256), so it is the same in every process given a name-based key extractor, which
 * the default configuration uses. Errors reach callers as core reports them: a
 * `CachedMethodFailedError` whose `cause` is the `MemoizedLambdaError`. A request over
 * `maxPayloadBytes` is refused with `PayloadTooLargeError` itself, before the engine runs.
 *
 * `forceRefresh(() => invoke(p))`, `withSignal(signal, () => invoke(p))` and
 * `invalidate(() => invoke(p))` from `@memokit/core` work on it; `cacheControl()` does not
 * (use `invoke.control`).
 */
export function memoizedInvoke<T = unknown, P = unknown>(
  options: MemoizedInvokeOptions<T, P>,
): MemoizedInvoke<T, P> {
  if (options === null || typeof options !== 'object')
    throw new InvalidConfigurationError(
      `memoizedInvoke() needs an options object, got ${String(options)}`,
    )
  for (const key of Object.keys(options))
    if (!OPTION_KEYS.has(key))
      throw new InvalidConfigurationError(
        `unknown memoizedInvoke() option "${key}"; expected one of ${[...OPTION_KEYS].join(', ')}`,
      )
  const functionName = checkFunctionName(options.functionName)
  const qualifier = checkQualifier(options.qualifier)
  const target: InvokeTarget = {
    lambdaClient: checkLambdaClient(options.lambdaClient),
    functionName,
    qualifier,
  }
  const requestTransform =
    checkFunction('requestTransform', options.requestTransform) ?? jsonRequestTransform
  const responseTransform =
    checkFunction('responseTransform', options.responseTransform) ??
    (jsonResponseTransform(functionName, qualifier) as ResponseTransform<T>)
  const limits = {
    functionName,
    qualifier,
    maxPayloadBytes: checkMaxPayloadBytes(options.maxPayloadBytes) ?? SYNC_PAYLOAD_LIMIT_BYTES,
  }

  const invokeOnce = async (request: LambdaRequest): Promise<T> => {
    // methodSignal() aborts when the engine stops waiting (method timeout).
    const response = await invokeLambda(target, request.bytes, methodSignal())
    return responseTransform(request.bytes, response)
  }
  const memoized = memoize(invokeOnce, {
    configuration: options.configuration ?? defaultConfiguration(),
    updateStatuses: options.updateStatuses,
    name: options.name ?? lambdaTarget(functionName, qualifier),
  })
  const control = cacheControl(memoized)

  const invoke = (payload: P): Promise<T> => {
    let request: LambdaRequest
    try {
      request = prepareRequest(payload, requestTransform, limits)
    } catch (error) {
      // Refused before any call: still take what forceRefresh / withSignal asked of it.
      takeCallRequest()
      return Promise.reject(error)
    }
    return memoized(request)
  }
  return Object.assign(invoke, {
    functionName,
    qualifier,
    control,
    invalidate(payload: P): Promise<void> {
      let request: LambdaRequest
      try {
        request = prepareRequest(payload, requestTransform, limits)
      } catch (error) {
        return Promise.reject(error)
      }
      return control.invalidate([request])
    },
  })
}

function defaultConfiguration(): CacheConfiguration {
  return MutableCacheConfiguration.initializedWith(
    DefaultInMemoryCacheConfiguration(),
  ).setKeyExtractor(EncodedMethodNameAndArgsKeyExtractor())
}
