/**
 * memokit for AWS Lambda: deduplicated, memoized invocations over any Map-like cache
 * (`MemoizedLambda`), and Lambda invocations memoized by the core engine (`memoizedInvoke`).
 * The local Invoke server for tests is in `@memokit/lambda/testing`.
 *
 * @packageDocumentation
 */
export {
  MemoizedLambda,
  type MemoizedLambdaConstructor,
  type MemoizedLambdaOptions,
  type InvokeOptions,
  type MapLikeCache,
  type CacheFilter,
} from './memoized-lambda.js'
export {
  memoizedInvoke,
  type MemoizedInvoke,
  type MemoizedInvokeOptions,
} from './memoized-invoke.js'
export {
  MemoizedLambdaError,
  LambdaFunctionError,
  LambdaThrottledError,
  PayloadTooLargeError,
  type MemoizedLambdaErrorReason,
  type MemoizedLambdaErrorOptions,
} from './errors.js'
export { canonicalJson } from './canonical-json.js'
export {
  SYNC_PAYLOAD_LIMIT_BYTES,
  ASYNC_PAYLOAD_LIMIT_BYTES,
  type RequestTransform,
  type ResponseTransform,
} from './payload.js'
