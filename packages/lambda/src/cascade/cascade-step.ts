import type { SerializedStepError } from './codec.js'
import type { StepTrigger } from './definition.js'
import type { SharedMemory } from './shared-memory.js'

/** Where a step stands in Redis. */
export type StepStatus = 'pending' | 'in-progress' | 'completed' | 'failed'

/**
 * The least a handler's context must offer: Lambda's `getRemainingTimeInMillis()`, which sets
 * a step's in-progress expiry. Lambda's and `LocalLambdaServer`'s contexts have it.
 */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number
}

/** The step whose settlement started this one, as the handler read it before the run. */
export interface StepParent {
  readonly uid: string
  readonly command: string
  /** `completed` for a `then` callback, `failed` for a `catch` callback. */
  readonly status: StepStatus
  /** Its result (completed, and stored: not `ignoreResult`). */
  readonly result: unknown
  /** Its error, serialized (failed). */
  readonly error: SerializedStepError | undefined
}

/**
 * What a function registered with `passPromiseObject: true` receives first: the running step,
 * its parent's outcome, and the chain's shared memory.
 *
 * ```ts
 * const summarize = lambdaPromise(
 *   async (promise: CascadeStep, payload: { format: string }) => {
 *     const report = promise.parent?.result as Report      // what the parent step returned
 *     await promise.memory.set('summary-format', payload.format)
 *     return summarizeReport(report, payload.format)
 *   },
 *   { passPromiseObject: true, functionName: 'summarize' },
 * )
 * ```
 */
export interface CascadeStep<P = unknown> {
  readonly uid: string
  /** The chain's uid: its first step's uid, and the uid of {@link memory}. */
  readonly chainUid: string
  readonly command: string
  /** This step's hop: 1 for a chain's first invocation, parent's + 1 after that. */
  readonly hop: number
  /** 1 on the first attempt; more when a crashed attempt was taken over. */
  readonly attempt: number
  readonly trigger: StepTrigger
  readonly payload: P
  /** The step that triggered this one (`invoked_from` in the original), if any. */
  readonly parent: StepParent | undefined
  /** The chain's shared memory page (uid = {@link chainUid}). */
  readonly memory: SharedMemory
  /** The handler's Lambda context, when it received one. */
  readonly context: LambdaContextLike | undefined
}
