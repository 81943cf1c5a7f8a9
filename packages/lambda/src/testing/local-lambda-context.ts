/**
 * The context object a handler run by `LocalLambdaServer` receives: the fields of the Node.js
 * Lambda runtime's context that code commonly reads.
 */
export interface LocalLambdaContext {
  readonly functionName: string
  /** `$LATEST`, or the numeric version the invocation's qualifier named. */
  readonly functionVersion: string
  /** The ARN the function was invoked with, including the qualifier when there was one. */
  readonly invokedFunctionArn: string
  readonly memoryLimitInMB: string
  readonly awsRequestId: string
  readonly logGroupName: string
  readonly logStreamName: string
  /** The decoded `ClientContext` of the invocation, when the caller sent one. */
  readonly clientContext: unknown
  callbackWaitsForEmptyEventLoop: boolean
  /** Milliseconds left before the function's timeout. */
  getRemainingTimeInMillis(): number
}

/**
 * A function run by `LocalLambdaServer`: `(event, context) => result`, sync or async. The
 * result is sent back as JSON (`undefined` as `null`); a throw becomes a function error (200 +
 * `X-Amz-Function-Error: Unhandled` + `{ errorType, errorMessage, trace }`).
 */
export type LocalLambdaHandler<E = unknown, R = unknown> = (
  event: E,
  context: LocalLambdaContext,
) => R | Promise<R>
