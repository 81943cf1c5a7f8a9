import { encodeArguments, type KeyEncodingLimits } from './canonical-key.js'
import { hasPendingDirective, raceSignal, runWithSignal, takeDirective } from './call-context.js'
import { KeyDerivationError, MemoizeUsageError } from './errors.js'
import { requireLimits, requireOptions, requireTypeOf } from './validate.js'

export interface MemoizeConcurrentOptions extends KeyEncodingLimits {
  /** Derives the key from the arguments. @default the canonical argument encoding */
  key?: (...args: unknown[]) => string
}

interface InFlight {
  readonly promise: Promise<unknown>
  readonly controller: AbortController
  waiters: number
}

/**
 * Collapses concurrent calls with equal arguments into one execution (aiomemoizeconcurrent):
 * nothing is cached, an entry lives only while its call runs. Every concurrent caller gets the
 * same result or the same error; a call made after it settled runs again.
 *
 * A caller that stops waiting (`withSignal`) never affects the others; when every caller gave
 * up, the shared call's `methodSignal()` aborts and new callers start a fresh call instead of
 * joining it.
 */
export function memoizeConcurrent<F extends (...args: never[]) => PromiseLike<unknown>>(
  fn: F,
  options?: MemoizeConcurrentOptions,
): F {
  if (typeof fn !== 'function')
    throw new MemoizeUsageError('memoizeConcurrent() expects a function')
  options = requireOptions('memoizeConcurrent()', options)
  requireTypeOf('key', options.key, 'function')
  requireLimits(options)
  const limits: KeyEncodingLimits = options
  const inFlight = new Map<string, InFlight>()
  const keyOf = options.key ?? ((...args: unknown[]) => encodeArguments(args, limits))

  const memoized = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const directive = hasPendingDirective() ? takeDirective() : undefined
    // Nothing is cached, so `invalidate(() => fn(x))` has nothing to do: never run the function.
    if (directive?.invalidate) return Promise.resolve(undefined)
    const signal = directive?.signal
    // A caller that already gave up neither starts a call nor counts as a waiter.
    if (signal?.aborted) return Promise.reject(signal.reason as unknown)
    let key: string
    try {
      key = keyOf(...args)
    } catch (error) {
      return Promise.reject(
        error instanceof KeyDerivationError
          ? error
          : new KeyDerivationError(String(error), 'args', { cause: error }),
      )
    }
    let call = inFlight.get(key)
    if (call === undefined || call.controller.signal.aborted) {
      const controller = new AbortController()
      let result: unknown
      try {
        result = runWithSignal(controller.signal, () =>
          (fn as unknown as (...a: unknown[]) => unknown).apply(this, args),
        )
      } catch (error) {
        result = Promise.reject(error)
      }
      const promise = Promise.resolve(result)
      const current: InFlight = { promise, controller, waiters: 0 }
      call = current
      inFlight.set(key, current)
      const done = (): void => {
        if (inFlight.get(key) === current) inFlight.delete(key)
      }
      promise.then(done, done)
    }
    call.waiters++ // callers without a signal never give up
    if (signal === undefined) return call.promise
    return leaveOnAbort(call, signal, () => {
      if (inFlight.get(key) === call) inFlight.delete(key)
    })
  }
  Object.defineProperty(memoized, 'name', { value: fn.name, configurable: true })
  return memoized as unknown as F
}

/** A waiter with its own signal: when the last waiter leaves, the shared call is aborted. */
function leaveOnAbort(call: InFlight, signal: AbortSignal, forget: () => void): Promise<unknown> {
  const leave = (): void => {
    if (--call.waiters === 0) {
      forget() // new callers must not join an aborted call
      call.controller.abort(signal.reason)
    }
  }
  if (signal.aborted) leave()
  else {
    signal.addEventListener('abort', leave, { once: true })
    const detach = (): void => signal.removeEventListener('abort', leave)
    call.promise.then(detach, detach)
  }
  return raceSignal(call.promise, signal)
}
