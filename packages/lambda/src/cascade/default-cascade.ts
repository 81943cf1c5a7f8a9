import { CascadeNotConfiguredError } from './errors.js'
import { peekDefaultCascade, setDefaultCascade } from './current.js'
import {
  cascadeWithRegistry,
  type CascadeHandler,
  type LambdaCascade,
  type LambdaCascadeOptions,
} from './lambda-cascade.js'
import { defaultRegistry, type LambdaPromiseRegistrar } from './registry.js'
import { InvalidConfigurationError } from '@memokit/core'
import { describe } from './ids.js'

/**
 * Configures the cascade the module-level functions use (`LambdaPromise`, `lambdaPromise`,
 * `lambdaHandler`, `SharedMemory`), once at start-up, and returns it. Functions registered with
 * the module-level `lambdaPromise` (before or after this call) belong to it. Calling it again
 * replaces the configuration.
 *
 * ```ts
 * configureLambdaCascade({ lambdaClient: new LambdaClient({}), redis: new Redis(process.env.REDIS_URL) })
 * ```
 */
export function configureLambdaCascade(options: LambdaCascadeOptions): LambdaCascade {
  const cascade = cascadeWithRegistry(options, defaultRegistry)
  setDefaultCascade(cascade)
  return cascade
}

/**
 * The cascade `configureLambdaCascade()` made; throws `CascadeNotConfiguredError` before that.
 */
export function defaultLambdaCascade(): LambdaCascade {
  const cascade = peekDefaultCascade()
  if (cascade === undefined) throw new CascadeNotConfiguredError('defaultLambdaCascade()')
  return cascade
}

/** Forgets the default cascade (registrations stay); for tests. */
export function resetLambdaCascade(): void {
  setDefaultCascade(undefined)
}

/**
 * Registers a function with the default cascade (the original's `@lambda_promise()`); see
 * {@link LambdaPromiseRegistrar}. Needs no configuration yet: registration usually happens at
 * module load, configuration at start-up.
 */
export const lambdaPromise: LambdaPromiseRegistrar = defaultRegistry.lambdaPromise

/**
 * Wraps `main` into the Lambda handler of the default cascade (the original's
 * `@lambda_handler`); see `LambdaCascade.lambdaHandler`. The cascade is looked up when an
 * event arrives, so the handler can be exported before `configureLambdaCascade()` runs; an
 * event arriving before it fails with `CascadeNotConfiguredError`.
 */
export function lambdaHandler<E = unknown, C = unknown, R = never>(
  main?: (event: E, context: C) => R | Promise<R>,
): CascadeHandler<E, C, R> {
  if (main !== undefined && typeof main !== 'function')
    throw new InvalidConfigurationError(`lambdaHandler() takes a function, got ${describe(main)}`)
  let handler: { cascade: LambdaCascade; run: CascadeHandler<E, C, R> } | undefined
  return (event, context) => {
    const cascade = peekDefaultCascade()
    if (cascade === undefined)
      return Promise.reject(new CascadeNotConfiguredError('lambdaHandler(main)'))
    if (handler?.cascade !== cascade) handler = { cascade, run: cascade.lambdaHandler(main) }
    return handler.run(event, context)
  }
}
