import { createHash } from 'node:crypto'
import { cacheKey, MemoizeUsageError } from '@memokit/core'
import { canonicalJson } from './canonical-json.js'
import { describeFunction, MemoizedLambdaError, PayloadTooLargeError } from './errors.js'

/** The largest request a synchronous (`RequestResponse`) invocation accepts: 6 MB, in bytes. */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6_291_456

/** The largest request an asynchronous (`Event`) invocation accepts: 1 MB, in bytes. */
export const ASYNC_PAYLOAD_LIMIT_BYTES = 1_048_576

/** Turns the caller's payload into the request bytes sent to Lambda (and used as the key). */
export type RequestTransform<P = unknown> = (payload: P) => Uint8Array | string

/** Turns the response bytes (with the request bytes that produced them) into the result. */
export type ResponseTransform<T = unknown> = (request: Uint8Array, response: Uint8Array) => T

/** The default request transform: canonical JSON (keys sorted), so key order never matters. */
export const jsonRequestTransform: RequestTransform = (payload) => canonicalJson(payload)

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * The default response transform for one function: the payload parsed as JSON. A payload that
 * is not JSON raises a `MemoizedLambdaError` (`reason: 'invalid-response'`), never cached.
 *
 * @internal
 */
export function jsonResponseTransform(
  functionName: string,
  qualifier: string | undefined,
): ResponseTransform {
  return (_request, response) => {
    try {
      return JSON.parse(decoder.decode(response)) as unknown
    } catch (error) {
      throw new MemoizedLambdaError(
        `The response of lambda ${describeFunction(functionName, qualifier)} is not valid JSON`,
        { reason: 'invalid-response', functionName, qualifier, cause: error },
      )
    }
  }
}

/** Requests up to this size appear verbatim in keys; longer ones by their SHA-256. */
const VERBATIM_KEY_BYTES = 256

/**
 * A transformed request, ready to send: its bytes plus the stable text that identifies it in
 * cache keys (the request itself when at most 256 bytes of valid UTF-8, else `#` + the SHA-256
 * of its bytes). Implements core's `[cacheKey]()`, so core's key extractors encode it by that
 * text instead of refusing a class instance, and a 6 MB request never becomes a 6 MB key.
 *
 * @internal
 */
export class LambdaRequest {
  /** Its size in bytes (UTF-8 for a string). */
  readonly size: number
  readonly id: string
  #request: string | Uint8Array

  constructor(request: string | Uint8Array, size: number) {
    this.#request = request
    this.size = size
    this.id = requestId(request, size)
  }

  /** The bytes sent (a string request is encoded on first use). */
  get bytes(): Uint8Array {
    if (typeof this.#request === 'string') this.#request = Buffer.from(this.#request, 'utf8')
    return this.#request
  }

  [cacheKey](): string {
    return this.id
  }
}

function requestId(request: string | Uint8Array, size: number): string {
  if (size <= VERBATIM_KEY_BYTES) {
    if (typeof request === 'string') return '=' + request
    try {
      return '=' + decoder.decode(request)
    } catch {
      // not UTF-8: hashed below
    }
  }
  return '#' + createHash('sha256').update(request).digest('base64url')
}

/**
 * Runs the request transform and checks the size: the one place a payload becomes a request.
 * A string is sent as its UTF-8 bytes, so the size counts multi-byte characters in full.
 *
 * @internal
 */
export function prepareRequest<P>(
  payload: P,
  transform: RequestTransform<P>,
  target: { functionName: string; qualifier: string | undefined; maxPayloadBytes: number },
): LambdaRequest {
  const request = transform(payload)
  let size: number
  if (typeof request === 'string') size = Buffer.byteLength(request, 'utf8')
  else if (request instanceof Uint8Array) size = request.byteLength
  else
    throw new MemoizeUsageError(
      `requestTransform must return a string or a Uint8Array, got ${request === null ? 'null' : typeof request}`,
    )
  if (size > target.maxPayloadBytes)
    throw new PayloadTooLargeError({ ...target, size, limit: target.maxPayloadBytes })
  return new LambdaRequest(request, size)
}

/**
 * The cache key of one request to one function: the function name and qualifier (as JSON
 * strings, so no two targets share a prefix) and the request's id.
 *
 * @internal
 */
export function lambdaCacheKey(
  functionName: string,
  qualifier: string | undefined,
  request: LambdaRequest,
): string {
  return `${lambdaTarget(functionName, qualifier)}:${request.id}`
}

/** `lambda:"name"` or `lambda:"name"@"qualifier"`: the name memoized invocations run under. @internal */
export function lambdaTarget(functionName: string, qualifier: string | undefined): string {
  const name = `lambda:${JSON.stringify(functionName)}`
  return qualifier === undefined ? name : `${name}@${JSON.stringify(qualifier)}`
}
