import type { StepStatus } from './cascade-step.js'
import type { SerializedStepError } from './codec.js'
import { checkDefinition, type StepTrigger } from './definition.js'
import { LambdaCascadeError } from './errors.js'
import type { LambdaCascade } from './lambda-cascade.js'
import { decodeError, parseStatus } from './step-runner.js'

/**
 * A step and the steps it triggers, as Redis holds them (see `LambdaCascade.inspect`).
 *
 * `status` adds three values to the stored ones: `skipped` (a callback on the branch not
 * taken: a `catch` of a completed step, a `then` of a failed one, and everything below it),
 * `missing` (no record: never written, or expired) and `corrupt` (unreadable; see `problem`).
 */
export interface StepReport {
  readonly uid: string
  readonly status: StepStatus | 'skipped' | 'missing' | 'corrupt'
  readonly command: string | undefined
  readonly functionName: string | undefined
  readonly qualifier: string | undefined
  readonly hop: number | undefined
  readonly trigger: StepTrigger | undefined
  /** Attempts started (more than 1 after a crashed attempt was taken over). */
  readonly attempts: number
  /** While in progress: when another attempt may take over (epoch ms). */
  readonly inProgressExpiry: number | undefined
  /** The stored result, when completed (undefined with `ignoreResult`). */
  readonly result: unknown
  /** The serialized error, when failed. */
  readonly error: SerializedStepError | undefined
  /** True once every callback of the settled step was queued. */
  readonly callbacksDispatched: boolean
  /** Why the record could not be read, for `corrupt`. */
  readonly problem: string | undefined
  readonly then: readonly StepReport[]
  readonly catch: readonly StepReport[]
  /** True when this step and every step it triggers are settled (or skipped). */
  readonly settled: boolean
}

/** Reads a step and its callbacks recursively. @internal */
export async function inspectStep(
  cascade: LambdaCascade,
  uid: string,
  skipped = false,
  depth = 0,
): Promise<StepReport> {
  const { store, codec } = cascade
  const key = store.stepKey(uid)
  const base = {
    uid,
    command: undefined,
    functionName: undefined,
    qualifier: undefined,
    hop: undefined,
    trigger: undefined,
    attempts: 0,
    inProgressExpiry: undefined,
    result: undefined,
    error: undefined,
    callbacksDispatched: false,
    problem: undefined,
    then: [],
    catch: [],
  }
  const fields = await store.all('inspect', key)
  if (fields.def === undefined)
    return { ...base, status: skipped ? 'skipped' : 'missing', settled: skipped }
  try {
    const def = checkDefinition(codec.decode(key, 'def', fields.def), uid, `${key}#def`)
    const stored = parseStatus(fields.status, key)
    const status = skipped ? 'skipped' : stored
    const number = (data: Buffer | undefined): number | undefined => {
      const value = data === undefined ? NaN : Number(data.toString('latin1'))
      return Number.isFinite(value) ? value : undefined
    }
    // A chain is at most maxHops deep; the bound also stops a planted cycle of definitions.
    const children = async (uids: readonly string[], skip: boolean): Promise<StepReport[]> =>
      depth >= cascade.maxHops
        ? []
        : Promise.all(uids.map((child) => inspectStep(cascade, child, skip, depth + 1)))
    const [thenReports, catchReports] = await Promise.all([
      children(def.then, skipped || status !== 'completed'),
      children(def.catch, skipped || status !== 'failed'),
    ])
    const callbacksDispatched = fields.dispatched !== undefined
    const below =
      status === 'completed' ? thenReports : status === 'failed' ? catchReports : undefined
    return {
      ...base,
      command: def.command,
      functionName: def.functionName,
      qualifier: def.qualifier,
      hop: def.hop,
      trigger: def.trigger,
      status,
      attempts: number(fields.attempts) ?? 0,
      inProgressExpiry: status === 'in-progress' ? number(fields.expiry) : undefined,
      result:
        status === 'completed' && fields.result !== undefined
          ? codec.decode(key, 'result', fields.result)
          : undefined,
      error:
        status === 'failed' && fields.error !== undefined
          ? decodeError(cascade, key, fields.error)
          : undefined,
      callbacksDispatched,
      then: thenReports,
      catch: catchReports,
      settled:
        status === 'skipped' ||
        (below !== undefined && callbacksDispatched && below.every((child) => child.settled)),
    }
  } catch (error) {
    if (!(error instanceof LambdaCascadeError)) throw error
    return { ...base, status: 'corrupt', problem: error.message, settled: false }
  }
}
