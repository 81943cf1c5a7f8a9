import { MemoizeUsageError } from './errors.js'

/**
 * How the next memoized call made synchronously inside `forceRefresh`, `invalidate` or
 * `withSignal` should behave. The engine takes it at the start of the call, so exactly one call
 * (the first) sees it, and calls made later by the method itself are unaffected.
 *
 * @internal
 */
export interface CallDirective {
  force?: boolean
  invalidate?: boolean
  signal?: AbortSignal
  consumed: boolean
  readonly parent: CallDirective | undefined
}

let pending: CallDirective | undefined

/** @internal True when a directive waits for the next memoized call (a cheap hot-path check). */
export function hasPendingDirective(): boolean {
  return pending !== undefined
}

/** @internal Takes the pending directive, marking it (and the directives it extends) consumed. */
export function takeDirective(): CallDirective | undefined {
  const directive = pending
  if (directive === undefined) return undefined
  pending = undefined
  for (let d: CallDirective | undefined = directive; d !== undefined; d = d.parent)
    d.consumed = true
  return directive
}

function direct<T>(
  helper: string,
  settings: Omit<CallDirective, 'consumed' | 'parent'>,
  call: () => T,
): T {
  if (typeof call !== 'function')
    throw new MemoizeUsageError(`${helper}() expects a function that calls a memoized method`)
  const parent = pending
  const directive: CallDirective = { ...parent, ...settings, consumed: false, parent }
  pending = directive
  try {
    const result = call()
    if (!directive.consumed) {
      ;(result as { catch?: (f: () => void) => unknown } | undefined)?.catch?.(() => {})
      throw new MemoizeUsageError(
        `${helper}() expects its function to call a memoized function or method, e.g. ` +
          `${helper}(() => users.byId(id))`,
      )
    }
    return result
  } finally {
    pending = parent !== undefined && !parent.consumed ? parent : undefined
  }
}

/**
 * Runs one memoized call as a forced refresh (py-memoize's `force_refresh_memoized=True`): the
 * method runs again even if a fresh entry exists, and the caller gets the new value. When a
 * refresh of that key is already running, the current value is returned at once.
 *
 * ```ts
 * const fresh = await forceRefresh(() => users.byId('42'))
 * ```
 */
export function forceRefresh<T>(call: () => T): T {
  return direct('forceRefresh', { force: true }, call)
}

/**
 * Invalidates the entry one memoized call would use, without running the method; resolves when
 * the storage released it. A refresh of that key already running still answers its waiters but
 * its result is not stored.
 *
 * ```ts
 * await invalidate(() => users.byId('42'))
 * ```
 */
export function invalidate(call: () => PromiseLike<unknown>): Promise<void> {
  return direct('invalidate', { invalidate: true }, call) as unknown as Promise<void>
}

/**
 * Lets one caller stop waiting: when `signal` aborts, that call rejects with `signal.reason`
 * while other callers of the same refresh keep waiting. For `memoize` the refresh goes on (its
 * result is cached); for `memoizeConcurrent` it is aborted once every waiter gave up.
 *
 * ```ts
 * await withSignal(AbortSignal.timeout(100), () => users.byId('42'))
 * ```
 */
export function withSignal<T>(signal: AbortSignal, call: () => T): T {
  if (
    !(signal instanceof AbortSignal) &&
    typeof (signal as { aborted?: unknown })?.aborted !== 'boolean'
  )
    throw new MemoizeUsageError('withSignal() expects an AbortSignal')
  return direct('withSignal', { signal }, call)
}

// A synchronous scope, not AsyncLocalStorage: on Node 20 an AsyncLocalStorage switches on
// promise hooks for the whole process, slowing every promise of the application.
let currentSignal: AbortSignal | undefined
const neverAborted = new AbortController().signal

/** @internal Runs the memoized method with its cancellation signal in scope. */
export function runWithSignal<T>(signal: AbortSignal, run: () => T): T {
  const previous = currentSignal
  currentSignal = signal
  try {
    return run()
  } finally {
    currentSignal = previous
  }
}

/**
 * Inside a memoized method: the signal that aborts when memokit stops waiting for it (method
 * timeout; for `memoizeConcurrent`, every caller gave up). Pass it on to `fetch`, the AWS SDK,
 * database drivers. Call it synchronously at the start of the method, before its first
 * `await` (like reading an argument); elsewhere it returns a signal that never aborts.
 *
 * ```ts
 * @memoize()
 * async page(url: string) {
 *   const signal = methodSignal()
 *   return (await fetch(url, { signal })).text()
 * }
 * ```
 */
export function methodSignal(): AbortSignal {
  return currentSignal ?? neverAborted
}

/** What `forceRefresh`, `invalidate` and `withSignal` asked of a call. */
export interface CallRequest {
  readonly force: boolean
  readonly invalidate: boolean
  readonly signal: AbortSignal | undefined
}

/**
 * For libraries whose calls do not go through `memoize()` (such as `MemoizedLambda`): takes
 * what `forceRefresh`, `invalidate` or `withSignal` asked of the call being made, so those
 * helpers work around them too. Call it synchronously at the start of the call; it returns
 * `undefined` when nothing was asked. `raceSignal` implements the `withSignal` part.
 */
export function takeCallRequest(): CallRequest | undefined {
  if (pending === undefined) return undefined
  const directive = takeDirective()!
  return {
    force: directive.force === true,
    invalidate: directive.invalidate === true,
    signal: directive.signal,
  }
}

/**
 * Resolves or rejects like `promise`, or rejects with `signal.reason` as soon as `signal`
 * aborts (`promise` keeps running; its outcome is then ignored).
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {})
    return Promise.reject(signal.reason as unknown)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => {})
      reject(signal.reason as unknown)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
