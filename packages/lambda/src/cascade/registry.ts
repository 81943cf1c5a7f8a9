import { InvalidConfigurationError } from '@memokit/core'
import type { CascadeStep } from './cascade-step.js'
import { describe } from './ids.js'

/** Options of {@link lambdaPromise} (the original decorator's parameters). */
export interface LambdaPromiseFunctionOptions {
  /** Do not store the function's result (its callbacks see `undefined`). @default false */
  ignoreResult?: boolean
  /**
   * Pass the running step ({@link CascadeStep}: parent's outcome, shared memory, hop) as the
   * first argument. @default false
   */
  passPromiseObject?: boolean
  /**
   * The name the function is registered under: the `command` of the steps that run it.
   * @default the function's `name` (give one when code is minified or the function is anonymous)
   */
  functionName?: string
  /** Pass the handler's Lambda context as the last argument. @default false */
  passContext?: boolean
}

/** A function registered with {@link lambdaPromise}: callable as before, plus its command. */
export type RegisteredFunction<F> = F & {
  /** The name steps use to run it (`command` in the event). */
  readonly command: string
}

type Options = LambdaPromiseFunctionOptions

/**
 * Registers a function that cascade steps can run (the original's `@lambda_promise()`
 * decorator: TypeScript cannot decorate plain functions, so it wraps). The function receives
 * the step's payload; with `passPromiseObject` the running step first; with `passContext` the
 * Lambda context last. Returns the function unchanged in type (callable directly as before)
 * with a `command` property.
 *
 * ```ts
 * export const resize = lambdaPromise(async (payload: { key: string; width: number }) => {
 *   ...
 *   return { key: resizedKey }
 * }, { functionName: 'resize' })
 * ```
 */
export interface LambdaPromiseRegistrar {
  <F extends (payload: never) => unknown>(
    fn: F,
    options?: Options & { passPromiseObject?: false; passContext?: false },
  ): RegisteredFunction<F>
  <F extends (payload: never, context: never) => unknown>(
    fn: F,
    options: Options & { passPromiseObject?: false; passContext: true },
  ): RegisteredFunction<F>
  <F extends (promise: CascadeStep<never>, payload: never) => unknown>(
    fn: F,
    options: Options & { passPromiseObject: true; passContext?: false },
  ): RegisteredFunction<F>
  <F extends (promise: CascadeStep<never>, payload: never, context: never) => unknown>(
    fn: F,
    options: Options & { passPromiseObject: true; passContext: true },
  ): RegisteredFunction<F>
}

/** One registered function. @internal */
export interface Registration {
  readonly command: string
  readonly fn: (...args: unknown[]) => unknown
  readonly ignoreResult: boolean
  readonly passPromiseObject: boolean
  readonly passContext: boolean
}

const OPTION_KEYS = new Set(['ignoreResult', 'passPromiseObject', 'functionName', 'passContext'])

/** The functions one cascade's handler can run, by command. @internal */
export class CascadeRegistry {
  readonly #functions = new Map<string, Registration>()

  /** The registrar (`lambdaPromise`) that registers here. */
  readonly lambdaPromise: LambdaPromiseRegistrar = (fn: unknown, options?: Options) =>
    this.#register(fn, options)

  get(command: string): Registration | undefined {
    return this.#functions.get(command)
  }

  has(command: string): boolean {
    return this.#functions.has(command)
  }

  /** Registered commands, in registration order. */
  commands(): string[] {
    return [...this.#functions.keys()]
  }

  #register(
    fn: unknown,
    options: Options = {},
  ): RegisteredFunction<(...args: unknown[]) => unknown> {
    if (typeof fn !== 'function')
      throw new InvalidConfigurationError(`lambdaPromise() takes a function, got ${describe(fn)}`)
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError(
        `lambdaPromise() options must be an object, got ${describe(options)}`,
      )
    for (const key of Object.keys(options))
      if (!OPTION_KEYS.has(key))
        throw new InvalidConfigurationError(
          `unknown lambdaPromise option "${key}"; expected one of ${[...OPTION_KEYS].join(', ')}`,
        )
    for (const key of ['ignoreResult', 'passPromiseObject', 'passContext'] as const)
      if (options[key] !== undefined && typeof options[key] !== 'boolean')
        throw new InvalidConfigurationError(
          `lambdaPromise option ${key} must be true or false, got ${describe(options[key])}`,
        )
    const target = fn as (...args: unknown[]) => unknown
    const command = options.functionName ?? target.name
    if (typeof command !== 'string' || command === '' || command.length > 256)
      throw new InvalidConfigurationError(
        options.functionName === undefined
          ? 'lambdaPromise() needs functionName for an anonymous function'
          : `functionName must be a non-empty string of at most 256 characters, got ${describe(command)}`,
      )
    const existing = this.#functions.get(command)
    if (existing !== undefined && existing.fn !== target)
      throw new InvalidConfigurationError(
        `another function is already registered as "${command}"; give one of them another functionName`,
      )
    this.#functions.set(command, {
      command,
      fn: target,
      ignoreResult: options.ignoreResult ?? false,
      passPromiseObject: options.passPromiseObject ?? false,
      passContext: options.passContext ?? false,
    })
    const registered = function (this: unknown, ...args: unknown[]): unknown {
      return target.apply(this, args)
    }
    Object.defineProperty(registered, 'name', { value: target.name })
    Object.defineProperty(registered, 'command', { value: command, enumerable: true })
    return registered as RegisteredFunction<(...args: unknown[]) => unknown>
  }
}

/** The registry of the module-level `lambdaPromise` and of the default cascade. @internal */
export const defaultRegistry = new CascadeRegistry()
