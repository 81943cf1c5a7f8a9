import { MemoizeError } from '@memokit/core'

/**
 * Why an invocation failed. Every reason is a failure of this one invocation: none is ever
 * cached, and the next call invokes the function again.
 *
 * - `'function-error'`: the function itself failed; Lambda answered 200 with `FunctionError`
 *   (see {@link LambdaFunctionError});
 * - `'throttled'`: Lambda answered 429 `TooManyRequestsException` (see {@link LambdaThrottledError});
 * - `'service-error'`: any other error answer of the Lambda service (a non-2xx status, e.g.
 *   404 `ResourceNotFoundException`, 413 `RequestTooLargeException`, 500 `ServiceException`);
 * - `'unexpected-status'`: a success answer whose status is not 200;
 * - `'transport'`: no usable answer (connection refused or reset, socket timeout, a response
 *   body that could not be read);
 * - `'aborted'`: the request was aborted before an answer arrived;
 * - `'payload-too-large'`: the request was refused before any network call (see
 *   {@link PayloadTooLargeError});
 * - `'invalid-response'`: the response payload could not be decoded (the default response
 *   transform expects JSON), or a response transform rejected it by throwing a
 *   `MemoizedLambdaError`.
 */
export type MemoizedLambdaErrorReason =
  | 'function-error'
  | 'throttled'
  | 'service-error'
  | 'unexpected-status'
  | 'transport'
  | 'aborted'
  | 'payload-too-large'
  | 'invalid-response'

/** What a {@link MemoizedLambdaError} knows about the failed invocation. */
export interface MemoizedLambdaErrorOptions {
  /** @default 'invalid-response' (what a response transform rejecting a payload means) */
  reason?: MemoizedLambdaErrorReason
  /** The `FunctionName` invoked. @default '' */
  functionName?: string
  /** The `Qualifier` (version or alias) invoked, if any. */
  qualifier?: string | undefined
  /** The HTTP status of the answer, when one arrived. */
  statusCode?: number | undefined
  /** The error's type: the function's `errorType`, or the service exception's name. */
  errorType?: string | undefined
  /** The error's message: the function's `errorMessage`, or the service exception's message. */
  errorMessage?: string | undefined
  /** The `x-amzn-RequestId` of the answer, when one arrived. */
  requestId?: string | undefined
  /** The original error (an AWS SDK exception, a network error, a parse error). */
  cause?: unknown
}

/**
 * An invocation failed: the function threw, Lambda refused or throttled the request, or no
 * usable answer arrived. It is never cached, even when a response transform throws it: a
 * transform that finds a payload unacceptable throws `MemoizedLambdaError` to keep it out of
 * the cache (as in the original memoized-lambda).
 *
 * `cause` is the original error where there is one; `reason` says which kind of failure it is
 * (subclasses exist for the kinds with extra data).
 */
export class MemoizedLambdaError extends MemoizeError {
  override readonly name: string = 'MemoizedLambdaError'
  readonly code: string = 'E_LAMBDA_INVOCATION_FAILED'
  readonly reason: MemoizedLambdaErrorReason
  readonly functionName: string
  readonly qualifier: string | undefined
  readonly statusCode: number | undefined
  readonly errorType: string | undefined
  readonly errorMessage: string | undefined
  readonly requestId: string | undefined

  constructor(message: string, options: MemoizedLambdaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.reason = options.reason ?? 'invalid-response'
    this.functionName = options.functionName ?? ''
    this.qualifier = options.qualifier
    this.statusCode = options.statusCode
    this.errorType = options.errorType
    this.errorMessage = options.errorMessage
    this.requestId = options.requestId
  }
}

/**
 * The function itself failed: Lambda answered 200 with a `FunctionError` (`Unhandled`, which
 * also covers timeouts and out-of-memory, or the historical `Handled`) and an error document
 * (`errorType`, `errorMessage`, `trace`) as the payload. A 200 is not a success.
 */
export class LambdaFunctionError extends MemoizedLambdaError {
  override readonly name: string = 'LambdaFunctionError'
  override readonly code: string = 'E_LAMBDA_FUNCTION_ERROR'
  declare readonly reason: 'function-error'
  /** The `FunctionError` value: `'Unhandled'` or `'Handled'`. */
  readonly functionError: string
  /** The stack trace lines the function reported, when it reported any. */
  readonly trace: readonly string[] | undefined

  constructor(
    message: string,
    options: Omit<MemoizedLambdaErrorOptions, 'reason'> & {
      functionError: string
      trace?: readonly string[] | undefined
    },
  ) {
    super(message, { ...options, reason: 'function-error' })
    this.functionError = options.functionError
    this.trace = options.trace
  }
}

/**
 * Lambda throttled the request (HTTP 429 `TooManyRequestsException`), after the client's own
 * retries if it has any. `throttleReason` is AWS's `Reason` (e.g.
 * `ReservedFunctionConcurrentInvocationLimitExceeded`); `retryAfter` is the `Retry-After`
 * hint converted to milliseconds.
 */
export class LambdaThrottledError extends MemoizedLambdaError {
  override readonly name: string = 'LambdaThrottledError'
  override readonly code: string = 'E_LAMBDA_THROTTLED'
  declare readonly reason: 'throttled'
  readonly throttleReason: string | undefined
  /** Milliseconds to wait before retrying, when Lambda said so. */
  readonly retryAfter: number | undefined

  constructor(
    message: string,
    options: Omit<MemoizedLambdaErrorOptions, 'reason'> & {
      throttleReason?: string | undefined
      retryAfter?: number | undefined
    },
  ) {
    super(message, { ...options, reason: 'throttled' })
    this.throttleReason = options.throttleReason
    this.retryAfter = options.retryAfter
  }
}

/**
 * The request is larger than an invocation accepts (6 MB = 6,291,456 bytes for synchronous
 * invocations), measured in bytes of the transformed request (multi-byte UTF-8 included). It
 * is refused before any network call: sending it would only earn a 413.
 */
export class PayloadTooLargeError extends MemoizedLambdaError {
  override readonly name: string = 'PayloadTooLargeError'
  override readonly code: string = 'E_LAMBDA_PAYLOAD_TOO_LARGE'
  declare readonly reason: 'payload-too-large'
  /** The request's size in bytes. */
  readonly size: number
  /** The limit it exceeds, in bytes. */
  readonly limit: number

  constructor(options: {
    functionName: string
    qualifier?: string | undefined
    size: number
    limit: number
  }) {
    super(
      `The request to ${describeFunction(options.functionName, options.qualifier)} is ` +
        `${options.size} bytes, over the ${options.limit}-byte invocation payload limit; ` +
        'it was not sent',
      { ...options, reason: 'payload-too-large' },
    )
    this.size = options.size
    this.limit = options.limit
  }
}

/** `name` or `name:qualifier`, for messages. @internal */
export function describeFunction(functionName: string, qualifier: string | undefined): string {
  return qualifier === undefined ? functionName : `${functionName} (qualifier ${qualifier})`
}
