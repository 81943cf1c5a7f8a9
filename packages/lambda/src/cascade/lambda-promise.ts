import { InvalidConfigurationError, MemoizeUsageError } from '@memokit/core'
import { callable } from '../callable.js'
import { resolveCascade } from './current.js'
import { checkUid, describe, newUid } from './ids.js'
import type { LambdaCascade } from './lambda-cascade.js'
import { resolveTarget } from './target.js'

/** Options of a {@link LambdaPromise}: where the step runs, what it runs, with what. */
export interface LambdaPromiseOptions<P = unknown> {
  /**
   * The Lambda to invoke: a name, `name:qualifier`, a partial ARN (`123456789012:function:name`)
   * or an ARN. Give this or `arn`.
   */
  functionName?: string
  /**
   * The Lambda to invoke, as an ARN (the original's option). With `functionName` as well, `arn`
   * may be the original README's prefix `arn:aws:lambda:<region>:<account>:function:`, which
   * `functionName` completes.
   */
  arn?: string
  /** A version or alias; it must agree with a qualifier written in the name. @default none */
  qualifier?: string
  /**
   * The registered function to run there (its `lambdaPromise` name). @default the Lambda
   * function's own name (so a Lambda named `resize` runs the function registered as `resize`)
   */
  command?: string
  /** The function's argument: any value the cascade's SerDe encodes. @default `{}` */
  payload?: P
  /**
   * The step's uid. Give one to make starting a chain idempotent (a retried `asyncProceed()` of
   * the same uid never runs the step twice). @default a random uid
   */
  uid?: string
}

const OPTION_KEYS = new Set(['functionName', 'arn', 'qualifier', 'command', 'payload', 'uid'])
const MAX_COMMAND = 256

/**
 * One step of a chain across Lambdas: a Lambda to invoke, the registered function to run
 * there, its payload, and the steps to run after it (`then`) or when it fails (`catch`).
 *
 * ```ts
 * const uid = await LambdaPromise({ functionName: 'fetch-report', payload: { day: '2024-05-01' } })
 *   .then(LambdaPromise({ functionName: 'summarize' }))
 *   .then(LambdaPromise({ functionName: 'archive' }))
 *   .catch(LambdaPromise({ functionName: 'alert' }))
 *   .asyncProceed()
 * ```
 *
 * `then()` and `catch()` return the promise they were called on: both callbacks above belong to
 * `fetch-report`, and run in the order they were added. Nest for deeper chains:
 * `a.then(b.then(c))`. Building a chain is local; `asyncProceed()` writes every step to Redis
 * and then sends the first step as an asynchronous (`Event`) invocation. Each step's handler
 * stores its result before it invokes its callbacks, each callback runs its own function and
 * can read its parent's result, and every step runs at most once to completion however often
 * Lambda delivers its event.
 *
 * Not a JavaScript promise: it cannot be awaited (`await`ing it throws a clear error); await
 * `asyncProceed()`. Each `LambdaPromise` belongs to one place in one chain.
 */
class LambdaPromiseImpl<P = unknown> {
  /** The step's uid (32 hex digits unless given). */
  readonly uid: string
  /** The `FunctionName` sent (name, partial ARN or ARN), without the qualifier. */
  readonly functionName: string
  /** The `Qualifier` sent, if any. */
  readonly qualifier: string | undefined
  /** The registered function the step runs. */
  readonly command: string
  /** The function's argument. */
  readonly payload: P
  readonly #then: LambdaPromiseImpl[] = []
  readonly #catch: LambdaPromiseImpl[] = []
  readonly #cascade: LambdaCascade | undefined
  #parent: LambdaPromiseImpl | undefined
  #sealed = false
  #proceeding: Promise<string> | undefined

  /**
   * Describes a step. Without a bound cascade, `asyncProceed()` uses the cascade running the
   * current step, else the default one (`configureLambdaCascade`).
   */
  constructor(options: LambdaPromiseOptions<P>, cascade?: LambdaCascade) {
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError(
        `LambdaPromise needs an options object ({ functionName | arn, payload }), got ${describe(options)}`,
      )
    for (const key of Object.keys(options))
      if (!OPTION_KEYS.has(key))
        throw new InvalidConfigurationError(
          `unknown LambdaPromise option "${key}"; expected one of ${[...OPTION_KEYS].join(', ')}`,
        )
    const target = resolveTarget(options)
    this.functionName = target.functionName
    this.qualifier = target.qualifier
    const command = options.command ?? target.name
    if (typeof command !== 'string' || command === '' || command.length > MAX_COMMAND)
      throw new InvalidConfigurationError(
        `command must be a non-empty string of at most ${MAX_COMMAND} characters, got ${describe(command)}`,
      )
    this.command = command
    this.payload = (options.payload === undefined ? {} : options.payload) as P
    this.uid = options.uid === undefined ? newUid() : checkUid('uid', options.uid)
    this.#cascade = cascade
  }

  /** The steps run, in this order, after this one completes. */
  get thenCallbacks(): readonly LambdaPromise[] {
    return [...this.#then]
  }

  /** The steps run, in this order, when this one fails. */
  get catchCallbacks(): readonly LambdaPromise[] {
    return [...this.#catch]
  }

  /** True once `asyncProceed()` was called on this step's chain: it can no longer change. */
  get sealed(): boolean {
    return this.#sealed
  }

  /**
   * Adds a step to run after this one completes (after the ones added before); returns this
   * promise, so `.then(a).then(b).catch(c)` gives this step two callbacks and a catch.
   */
  then(next: LambdaPromise): this {
    this.#attach(next, this.#then, 'then')
    return this
  }

  /** Adds a step to run when this one fails (its function throws); returns this promise. */
  catch(next: LambdaPromise): this {
    this.#attach(next, this.#catch, 'catch')
    return this
  }

  /**
   * Writes the chain to Redis and sends its first step as an `Event` invocation; resolves to
   * this step's uid once Lambda queued it. Rejects with `ChainDepthExceededError` (before
   * anything is written) when the chain would go deeper than `maxHops`, with
   * `PayloadTooLargeError` when an event would exceed 1 MB, with `CascadeStoreError` when
   * Redis fails, or with a `MemoizedLambdaError` when the invocation is refused. A failed call
   * may be repeated; a successful one is never sent twice (a second call returns the first
   * call's promise).
   */
  asyncProceed(): Promise<string> {
    if (this.#parent !== undefined)
      return Promise.reject(
        new MemoizeUsageError(
          `this LambdaPromise is a callback of step ${this.#parent.uid}; proceed the chain's first step`,
        ),
      )
    if (this.#proceeding !== undefined) return this.#proceeding
    let cascade: LambdaCascade
    try {
      cascade = resolveCascade(this.#cascade, 'LambdaPromise.asyncProceed()')
    } catch (error) {
      return Promise.reject(error)
    }
    this.#seal()
    const proceeding = cascade.proceed(this)
    this.#proceeding = proceeding
    proceeding.catch(() => {
      if (this.#proceeding === proceeding) this.#proceeding = undefined
    })
    return proceeding
  }

  #hasAncestor(candidate: LambdaPromiseImpl): boolean {
    const parent = this.#parent
    return parent !== undefined && (parent === candidate || parent.#hasAncestor(candidate))
  }

  #seal(): void {
    this.#sealed = true
    for (const child of [...this.#then, ...this.#catch]) child.#seal()
  }

  #attach(next: unknown, list: LambdaPromiseImpl[], kind: 'then' | 'catch'): void {
    if (typeof next === 'function')
      throw new MemoizeUsageError(
        `LambdaPromise.${kind}() takes a LambdaPromise, not a function; a LambdaPromise cannot be ` +
          'awaited or used as a JavaScript promise (await asyncProceed() instead)',
      )
    if (!(next instanceof LambdaPromiseImpl))
      throw new InvalidConfigurationError(
        `LambdaPromise.${kind}() takes a LambdaPromise, got ${describe(next)}`,
      )
    if (this.#sealed)
      throw new MemoizeUsageError(
        `${kind}() after asyncProceed(): the chain of step ${this.uid} is already written`,
      )
    if (next.#sealed || next.#parent !== undefined)
      throw new MemoizeUsageError(
        `step ${next.uid} already belongs to a chain; create one LambdaPromise per use`,
      )
    if (next === this || this.#hasAncestor(next))
      throw new MemoizeUsageError(`step ${next.uid} cannot be a callback of itself (a cycle)`)
    next.#parent = this
    list.push(next)
  }
}

/** The constructor of {@link LambdaPromise}: callable with or without `new`. */
export interface LambdaPromiseConstructor {
  new <P = unknown>(options: LambdaPromiseOptions<P>, cascade?: LambdaCascade): LambdaPromiseImpl<P>
  <P = unknown>(options: LambdaPromiseOptions<P>, cascade?: LambdaCascade): LambdaPromiseImpl<P>
  readonly prototype: LambdaPromiseImpl
}
export const LambdaPromise = callable(LambdaPromiseImpl) as LambdaPromiseConstructor
export type LambdaPromise<P = unknown> = LambdaPromiseImpl<P>

/** A {@link LambdaPromise} constructor bound to one cascade (`cascade.LambdaPromise`). @internal */
export function boundLambdaPromise(cascade: LambdaCascade): LambdaPromiseConstructor {
  class BoundLambdaPromise<P = unknown> extends LambdaPromiseImpl<P> {
    constructor(options: LambdaPromiseOptions<P>) {
      super(options, cascade)
    }
  }
  return callable(BoundLambdaPromise) as unknown as LambdaPromiseConstructor
}
