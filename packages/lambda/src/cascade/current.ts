import { AsyncLocalStorage } from 'node:async_hooks'
import { CascadeNotConfiguredError } from './errors.js'
import type { LambdaCascade } from './lambda-cascade.js'

/** Something whose pending writes a step waits for before it settles. @internal */
export interface Flushable {
  flush(): Promise<void>
}

/** The step a handler is running, visible to code it calls (through AsyncLocalStorage). @internal */
export interface RunningStep {
  readonly cascade: LambdaCascade
  readonly uid: string
  readonly chain: string
  readonly hop: number
  /** Shared memory pages opened during the step: flushed before the step settles. */
  readonly pages: Set<Flushable>
}

/** @internal */
export const runningStep = new AsyncLocalStorage<RunningStep>()

let defaultCascade: LambdaCascade | undefined

/** @internal */
export function setDefaultCascade(cascade: LambdaCascade | undefined): void {
  defaultCascade = cascade
}

/** @internal The default cascade, or undefined before `configureLambdaCascade()`. */
export function peekDefaultCascade(): LambdaCascade | undefined {
  return defaultCascade
}

/**
 * The cascade an unbound object works with: the one it was bound to, else the one running the
 * current step, else the default one; `what` names the caller in the error when there is none.
 *
 * @internal
 */
export function resolveCascade(bound: LambdaCascade | undefined, what: string): LambdaCascade {
  const cascade = bound ?? runningStep.getStore()?.cascade ?? defaultCascade
  if (cascade === undefined) throw new CascadeNotConfiguredError(what)
  return cascade
}
