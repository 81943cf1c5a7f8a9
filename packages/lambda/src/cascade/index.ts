/**
 * The LambdaPromise cascade: then/catch chains across Lambdas with Redis-held state and shared
 * memory. Re-exported by the package index.
 *
 * @packageDocumentation
 */
export {
  LambdaCascade,
  type LambdaCascadeOptions,
  type WaitForSettledOptions,
  type CascadeHandler,
} from './lambda-cascade.js'
export {
  configureLambdaCascade,
  defaultLambdaCascade,
  resetLambdaCascade,
  lambdaPromise,
  lambdaHandler,
} from './default-cascade.js'
export {
  LambdaPromise,
  type LambdaPromiseOptions,
  type LambdaPromiseConstructor,
} from './lambda-promise.js'
export {
  SharedMemory,
  type SharedMemoryOptions,
  type SharedMemoryVars,
  type SharedMemoryConstructor,
} from './shared-memory.js'
export {
  type LambdaPromiseRegistrar,
  type LambdaPromiseFunctionOptions,
  type RegisteredFunction,
} from './registry.js'
export type { CascadeStep, StepParent, StepStatus, LambdaContextLike } from './cascade-step.js'
export type { StepTrigger } from './definition.js'
export type { CascadeEvent } from './dispatch.js'
export type { StepOutcome } from './step-runner.js'
export type { StepReport } from './inspect.js'
export type { SerializedStepError } from './codec.js'
export type { CascadeRedisClient } from './store.js'
export {
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
} from './errors.js'
