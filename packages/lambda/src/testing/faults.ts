/**
 * A fault `LocalLambdaServer` can inject in place of a normal answer, to test how callers
 * cope. Durations are milliseconds.
 *
 * - `throttle`: 429 `TooManyRequestsException` with `Reason` (default
 *   `ReservedFunctionConcurrentInvocationLimitExceeded`) and a `Retry-After` header rounded up
 *   to whole seconds (default 1000 ms; `null` sends none, so SDK retries do not wait a second);
 * - `service-error`: an error answer of the service (default 500 `ServiceException`);
 * - `function-error`: 200 + `X-Amz-Function-Error` (default `Unhandled`) + an error document,
 *   without running the handler;
 * - `timeout`: the answer of a function that ran out of time (`Unhandled`,
 *   `Sandbox.Timedout`), at once and without running the handler;
 * - `delay`: waits this long, then goes on (other faults may still apply);
 * - `reset`: destroys the connection without answering;
 * - `truncate`: sends a 200 status and part of a body, then destroys the connection;
 * - `response`: answers exactly this (default status 200, no extra headers, empty body), for
 *   answers the other faults do not cover (a payload that is not JSON, an odd status).
 */
export type LocalLambdaFault =
  | { kind: 'throttle'; reason?: string; retryAfter?: number | null; message?: string }
  | { kind: 'service-error'; status?: number; errorType?: string; message?: string }
  | { kind: 'function-error'; functionError?: string; errorType?: string; errorMessage?: string }
  | { kind: 'timeout' }
  | { kind: 'delay'; delay: number }
  | { kind: 'reset' }
  | { kind: 'truncate' }
  | {
      kind: 'response'
      status?: number
      headers?: Record<string, string>
      body?: string | Uint8Array
    }

/** Which invocations a fault applies to. Without `next` or `fraction` it applies to all. */
export interface FaultSelector {
  /** Only invocations of this function (the name, without qualifier). */
  functionName?: string
  /** At most this many times; then the fault is removed. */
  next?: number
  /** The probability (0..1) that a matching invocation is hit (drawn from the server's `random`). */
  fraction?: number
}

/** A fault that was injected: how often it hit, and a way to remove it. */
export interface FaultHandle {
  readonly fault: LocalLambdaFault
  /** Invocations it applied to so far. */
  readonly hits: number
  /** Stops injecting it. */
  remove(): void
}

/** @internal One injected fault and its selector. */
export class FaultRule implements FaultHandle {
  readonly fault: LocalLambdaFault
  readonly #selector: FaultSelector
  #remaining: number
  #hits = 0
  #removed = false
  readonly #onRemove: (rule: FaultRule) => void

  constructor(
    fault: LocalLambdaFault,
    selector: FaultSelector,
    onRemove: (rule: FaultRule) => void,
  ) {
    this.fault = fault
    this.#selector = selector
    this.#remaining = selector.next ?? Infinity
    this.#onRemove = onRemove
  }

  get hits(): number {
    return this.#hits
  }

  /** Whether it applies to this invocation; counts the hit when it does. */
  take(functionName: string, random: () => number): boolean {
    if (this.#removed || this.#remaining <= 0) return false
    const selector = this.#selector
    if (selector.functionName !== undefined && selector.functionName !== functionName) return false
    if (selector.fraction !== undefined && !(random() < selector.fraction)) return false
    this.#hits++
    if (--this.#remaining <= 0) this.remove()
    return true
  }

  remove(): void {
    if (this.#removed) return
    this.#removed = true
    this.#onRemove(this)
  }
}
