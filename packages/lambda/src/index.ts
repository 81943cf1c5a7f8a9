/**
 * memokit for AWS Lambda: deduplicated, memoized invocations over any Map-like cache
 * (`MemoizedLambda`), Lambda invocations memoized by the core engine (`memoizedInvoke`), and
 * then/catch chains across Lambdas with Redis shared memory (`LambdaPromise`, `LambdaCascade`).
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
export {
  LambdaCascade,
  configureLambdaCascade,
  defaultLambdaCascade,
  resetLambdaCascade,
  LambdaPromise,
  lambdaPromise,
  lambdaHandler,
  SharedMemory,
  LambdaCascadeError,
  CascadeNotConfiguredError,
  ChainDepthExceededError,
  StepInProgressError,
  StepNotFoundError,
  CorruptCascadeDataError,
  CascadeValueTooLargeError,
  CascadeStoreError,
  InvalidCascadeEventError,
  UnknownCommandError,
  ChainWaitTimeoutError,
  type LambdaCascadeOptions,
  type WaitForSettledOptions,
  type CascadeHandler,
  type LambdaPromiseOptions,
  type LambdaPromiseConstructor,
  type SharedMemoryOptions,
  type SharedMemoryConstructor,
  type SharedMemoryVars,
  type LambdaPromiseRegistrar,
  type LambdaPromiseFunctionOptions,
  type RegisteredFunction,
  type CascadeStep,
  type StepParent,
  type StepStatus,
  type LambdaContextLike,
  type StepTrigger,
  type CascadeEvent,
  type StepOutcome,
  type StepReport,
  type SerializedStepError,
  type CascadeRedisClient,
} from './cascade/index.js'
