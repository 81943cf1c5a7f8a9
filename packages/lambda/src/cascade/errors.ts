import { MemoizeError } from '@memokit/core'

/**
 * Every error the LambdaPromise cascade raises itself. Errors of the invocations it sends are
 * `MemoizedLambdaError`s (throttling, service, transport), and `PayloadTooLargeError` for an
 * event over the 1 MB asynchronous limit.
 */
export abstract class LambdaCascadeError extends MemoizeError {}

/**
 * A module-level cascade function (`LambdaPromise(...).asyncProceed()`, `SharedMemory()`,
 * `lambdaHandler(main)` receiving an event) was used before `configureLambdaCascade()`.
 */
export class CascadeNotConfiguredError extends LambdaCascadeError {
  override readonly name = 'CascadeNotConfiguredError'
  readonly code = 'E_CASCADE_NOT_CONFIGURED'

  constructor(what: string) {
    super(
      `${what} needs a LambdaCascade: call configureLambdaCascade({ lambdaClient, redis }) once ` +
        'at start-up, or use the functions of a LambdaCascade({ ... }) instance',
    )
  }
}

/**
 * A chain would go deeper than `maxHops` invocations. Raised by `asyncProceed()` before
 * anything is written or invoked: for a chain whose callbacks nest too deep, and for a chain
 * started from inside a step that is already `maxHops` deep (a recursion A → B → A → …).
 * AWS stops such loops after about 16 hops with `RecursiveInvocationException`; the cascade's
 * own limit (8 by default) stops them first, with a clear error.
 */
export class ChainDepthExceededError extends LambdaCascadeError {
  override readonly name = 'ChainDepthExceededError'
  readonly code = 'E_CASCADE_CHAIN_DEPTH'
  /** The hop (1 = the first invocation of a chain) the refused step would have had. */
  readonly hop: number
  readonly maxHops: number
  /** The command of the refused step. */
  readonly command: string

  constructor(options: { hop: number; maxHops: number; command: string }) {
    super(
      `the step "${options.command}" would be hop ${options.hop} of its chain, over the ` +
        `limit of ${options.maxHops} (maxHops); nothing was invoked`,
    )
    this.hop = options.hop
    this.maxHops = options.maxHops
    this.command = options.command
  }
}

/**
 * Another attempt at this step is running and its in-progress expiry (its start plus the time
 * its Lambda had left) has not passed. Thrown by the handler so the duplicate delivery fails
 * and Lambda retries it later: by then the step completed (the retry does nothing) or the
 * attempt died and its expiry passed (the retry runs the step). Safe to retry.
 */
export class StepInProgressError extends LambdaCascadeError {
  override readonly name = 'StepInProgressError'
  readonly code = 'E_CASCADE_STEP_IN_PROGRESS'
  /** Always true: a later retry either finds the step settled or takes it over. */
  readonly retryable = true
  readonly uid: string
  /** Epoch ms after which another attempt may take the step over. */
  readonly inProgressExpiry: number

  constructor(uid: string, inProgressExpiry: number) {
    super(
      `step ${uid} is already in progress until ${new Date(inProgressExpiry).toISOString()}; ` +
        'retry later',
    )
    this.uid = uid
    this.inProgressExpiry = inProgressExpiry
  }
}

/**
 * The event names a step that Redis does not hold: it was never written, or its record
 * expired (`ttl`), or the namespace differs between the caller and this function.
 */
export class StepNotFoundError extends LambdaCascadeError {
  override readonly name = 'StepNotFoundError'
  readonly code = 'E_CASCADE_STEP_NOT_FOUND'
  readonly uid: string

  constructor(uid: string) {
    super(
      `no step ${uid} in Redis: it was never proceeded, its record expired (ttl), or the ` +
        'caller uses another namespace',
    )
    this.uid = uid
  }
}

/**
 * Data read from Redis is not what the cascade wrote there: not a superjson document, a
 * `__proto__` key, a value planted under another key, an unknown status, over `maxValueBytes`.
 * It is never decoded into objects; the value is treated as missing with this error.
 */
export class CorruptCascadeDataError extends LambdaCascadeError {
  override readonly name = 'CorruptCascadeDataError'
  readonly code = 'E_CASCADE_CORRUPT_DATA'
  /** The Redis key (and hash field) that holds the bad data. */
  readonly key: string

  constructor(key: string, problem: string, options?: { cause?: unknown }) {
    super(`corrupt cascade data at ${key}: ${problem}`, options)
    this.key = key
  }
}

/**
 * A value is larger than `maxValueBytes` once encoded, so it is not written: a step result,
 * a payload, or a `SharedMemory` value. (Reads refuse larger data too, before parsing it.)
 */
export class CascadeValueTooLargeError extends LambdaCascadeError {
  override readonly name = 'CascadeValueTooLargeError'
  readonly code = 'E_CASCADE_VALUE_TOO_LARGE'
  readonly size: number
  readonly limit: number

  constructor(what: string, size: number, limit: number) {
    super(`${what} is ${size} bytes once encoded, over the ${limit}-byte limit (maxValueBytes)`)
    this.size = size
    this.limit = limit
  }
}

/**
 * Redis could not serve a cascade operation: no reply within `operationTimeout`, the client
 * is disconnected, or the server answered an error. Unlike a cache, the cascade cannot fail
 * open (its state is the point), so the operation fails; inside a handler this fails the
 * invocation and Lambda retries the event.
 */
export class CascadeStoreError extends LambdaCascadeError {
  override readonly name = 'CascadeStoreError'
  readonly code = 'E_CASCADE_STORE'
  /** What failed: `claim`, `settle`, `write-step`, `memory-get`, ... */
  readonly operation: string

  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(`Redis ${operation}: ${message}`, options)
    this.operation = operation
  }
}

/** An event that claims to be a cascade step is malformed (no uid, a bad uid, a wrong command). */
export class InvalidCascadeEventError extends LambdaCascadeError {
  override readonly name = 'InvalidCascadeEventError'
  readonly code = 'E_CASCADE_INVALID_EVENT'
}

/**
 * A step's command is not registered in the function that received it. The step fails with
 * this error (serialized), so its `catch` callbacks run.
 */
export class UnknownCommandError extends LambdaCascadeError {
  override readonly name = 'UnknownCommandError'
  readonly code = 'E_CASCADE_UNKNOWN_COMMAND'
  readonly command: string

  constructor(command: string) {
    super(
      `no function is registered as "${command}" here: register it with lambdaPromise(fn, ` +
        `{ functionName: ${JSON.stringify(command)} }) in the Lambda the step invokes`,
    )
    this.command = command
  }
}

/** `waitForSettled()` gave up: the chain was not settled within its `timeout`. */
export class ChainWaitTimeoutError extends LambdaCascadeError {
  override readonly name = 'ChainWaitTimeoutError'
  readonly code = 'E_CASCADE_WAIT_TIMEOUT'
  readonly uid: string
  readonly timeout: number

  constructor(uid: string, timeout: number) {
    super(`the chain ${uid} did not settle within ${timeout} ms`)
    this.uid = uid
    this.timeout = timeout
  }
}
