import { randomUUID } from 'node:crypto'
import type { CascadeStep, LambdaContextLike, StepParent, StepStatus } from './cascade-step.js'
import { isSerializedError, serializeError, type SerializedStepError } from './codec.js'
import { runningStep, type RunningStep } from './current.js'
import { checkDefinition, type StepDefinition } from './definition.js'
import { sendStep, stepEvent } from './dispatch.js'
import {
  CorruptCascadeDataError,
  InvalidCascadeEventError,
  StepInProgressError,
  StepNotFoundError,
  UnknownCommandError,
} from './errors.js'
import { describe, isUid } from './ids.js'
import type { LambdaCascade } from './lambda-cascade.js'
import type { Registration } from './registry.js'

/**
 * What a step's handler did with one delivery of its event (the handler's return value).
 *
 * - `completed` / `failed`: this attempt ran the function and settled the step (result or
 *   serialized error stored), then invoked the `then` (or `catch`) callbacks;
 * - `duplicate`: the step was already settled; nothing ran (callbacks a crash left unsent were
 *   sent);
 * - `superseded`: this attempt ran past its in-progress expiry and another attempt took the
 *   step over; this attempt's outcome was dropped.
 */
export interface StepOutcome {
  readonly uid: string
  readonly command: string
  readonly status: 'completed' | 'failed' | 'duplicate' | 'superseded'
  /** The attempt number of this delivery (attempts made so far for a duplicate). */
  readonly attempt: number
  /** The serialized error, when this attempt failed the step. */
  readonly error?: SerializedStepError
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

/**
 * Runs one delivery of a step event: the per-step state machine.
 *
 * 1. read the step's definition (`StepNotFoundError` when Redis has none);
 * 2. claim it: a settled step is not run again (`duplicate`); a step in progress whose
 *    in-progress expiry has not passed is refused with `StepInProgressError` (Lambda retries);
 *    otherwise this attempt takes it, with an in-progress expiry of now + the Lambda's
 *    remaining time (0 ms left → expires now);
 * 3. run the registered function; flush the shared memory pages it opened;
 * 4. store the result (or the serialized error), only if this attempt still holds the step;
 * 5. invoke the `then` (or `catch`) callbacks in order, each marked sent once queued.
 *
 * @internal
 */
export async function runStep(
  cascade: LambdaCascade,
  event: Record<string, unknown>,
  context: unknown,
): Promise<StepOutcome> {
  const uid = event.invoked_lambda_uid
  if (!isUid(uid))
    throw new InvalidCascadeEventError(
      uid === undefined
        ? `the event names command ${describe(event.command)} but has no invoked_lambda_uid`
        : `invoked_lambda_uid must be 1 to 128 letters, digits, _ or -, got ${describe(uid)}`,
    )
  const command = event.command
  if (typeof command !== 'string')
    throw new InvalidCascadeEventError(`the event of step ${uid} has no command`)
  const def = await readDefinition(cascade, uid)
  if (def === undefined) throw new StepNotFoundError(uid)
  if (def.command !== command)
    throw new InvalidCascadeEventError(
      `the event's command ${describe(command)} is not the command of step ${uid} (${describe(def.command)})`,
    )

  const { store, clock, ttl } = cascade
  const now = clock.now()
  const token = randomUUID()
  const claim = await store.claim(
    uid,
    token,
    now,
    inProgressExpiry(now, context, cascade.inProgressTimeout),
    ttl,
  )
  switch (claim.state) {
    case 'missing':
      throw new StepNotFoundError(uid)
    case 'in-progress':
      throw new StepInProgressError(uid, claim.inProgressExpiry)
    case 'completed':
    case 'failed':
      await dispatchCallbacks(cascade, def, claim.state)
      return { uid, command, status: 'duplicate', attempt: claim.attempts }
  }

  const attempt = claim.attempt
  const registration = cascade.registry.get(command)
  let outcome: Outcome =
    registration === undefined
      ? { ok: false, error: new UnknownCommandError(command) }
      : await execute(cascade, def, registration, attempt, context)

  const key = store.stepKey(uid)
  let field: { name: string; value: string | Uint8Array } | undefined
  if (outcome.ok && registration?.ignoreResult !== true) {
    try {
      field = {
        name: 'result',
        value: cascade.codec.encode(
          `the result of step "${command}"`,
          key,
          'result',
          outcome.value,
        ),
      }
    } catch (error) {
      outcome = { ok: false, error }
    }
  }
  let error: SerializedStepError | undefined
  if (!outcome.ok) {
    error = serializeError(outcome.error)
    field = { name: 'error', value: cascade.codec.encode('a step error', key, 'error', error) }
  }
  const status = outcome.ok ? 'completed' : 'failed'
  if (!(await store.settle(uid, token, status, field, ttl, clock.now())))
    return { uid, command, status: 'superseded', attempt }
  await dispatchCallbacks(cascade, def, status)
  return error === undefined
    ? { uid, command, status, attempt }
    : { uid, command, status, attempt, error }
}

/**
 * The in-progress expiry of an attempt: now + the Lambda's remaining time. A remaining time of
 * 0 is a real answer (the attempt expires now), not a missing one; only a context without
 * `getRemainingTimeInMillis()` (or one answering nonsense) falls back to `inProgressTimeout`.
 *
 * @internal
 */
export function inProgressExpiry(now: number, context: unknown, fallback: number): number {
  const get = (context as { getRemainingTimeInMillis?: unknown } | null | undefined)
    ?.getRemainingTimeInMillis
  if (typeof get !== 'function') return now + fallback
  let remaining: unknown
  try {
    remaining = get.call(context)
  } catch {
    return now + fallback
  }
  if (typeof remaining !== 'number' || !Number.isFinite(remaining)) return now + fallback
  return now + Math.max(0, Math.floor(remaining))
}

async function execute(
  cascade: LambdaCascade,
  def: StepDefinition,
  registration: Registration,
  attempt: number,
  context: unknown,
): Promise<Outcome> {
  const running: RunningStep = {
    cascade,
    uid: def.uid,
    chain: def.chain,
    hop: def.hop,
    pages: new Set(),
  }
  return runningStep.run(running, async (): Promise<Outcome> => {
    let outcome: Outcome
    try {
      const args: unknown[] = []
      if (registration.passPromiseObject)
        args.push(await stepObject(cascade, def, attempt, context))
      args.push(def.payload)
      if (registration.passContext) args.push(context)
      outcome = { ok: true, value: await registration.fn(...args) }
    } catch (error) {
      outcome = { ok: false, error }
    }
    // Writes the function started through memory.vars land before the step settles.
    for (const page of running.pages) {
      try {
        await page.flush()
      } catch (error) {
        if (outcome.ok) outcome = { ok: false, error }
      }
    }
    return outcome
  })
}

async function stepObject(
  cascade: LambdaCascade,
  def: StepDefinition,
  attempt: number,
  context: unknown,
): Promise<CascadeStep> {
  return {
    uid: def.uid,
    chainUid: def.chain,
    command: def.command,
    hop: def.hop,
    attempt,
    trigger: def.trigger,
    payload: def.payload,
    parent: def.parent === undefined ? undefined : await readParent(cascade, def.parent),
    memory: cascade.SharedMemory(def.chain),
    context: (context ?? undefined) as LambdaContextLike | undefined,
  }
}

/**
 * Sends the callbacks of a settled step that were not sent yet, in order, marking each once
 * Lambda queued it, then marks the step dispatched. A crash in between leaves the rest for the
 * next delivery; a callback sent twice runs once (its own state machine).
 */
async function dispatchCallbacks(
  cascade: LambdaCascade,
  def: StepDefinition,
  status: 'completed' | 'failed',
): Promise<void> {
  const children = status === 'completed' ? def.then : def.catch
  const { store, ttl } = cascade
  const key = store.stepKey(def.uid)
  const [dispatched, ...sent] = await store.fields('read-dispatch', key, [
    'dispatched',
    ...children.map((child) => `sent:${child}`),
  ])
  if (dispatched !== undefined) return
  for (const [index, child] of children.entries()) {
    if (sent[index] !== undefined) continue
    const childDef = await readDefinition(cascade, child)
    if (childDef === undefined) throw new StepNotFoundError(child)
    await sendStep(cascade.invoker(), childDef, stepEvent(childDef))
    await store.update('mark-sent', key, ttl, { [`sent:${child}`]: '1' })
  }
  await store.update('mark-dispatched', key, ttl, { dispatched: '1' })
}

/** A step's definition, or undefined when Redis has none. @internal */
export async function readDefinition(
  cascade: LambdaCascade,
  uid: string,
): Promise<StepDefinition | undefined> {
  const key = cascade.store.stepKey(uid)
  const [data] = await cascade.store.fields('read-step', key, ['def'])
  if (data === undefined) return undefined
  return checkDefinition(cascade.codec.decode(key, 'def', data), uid, `${key}#def`)
}

/** Reads a stored status field. @internal */
export function parseStatus(data: Buffer | undefined, key: string): StepStatus {
  if (data === undefined) return 'pending'
  const status = data.toString('latin1')
  if (status === 'in-progress' || status === 'completed' || status === 'failed') return status
  throw new CorruptCascadeDataError(`${key}#status`, 'the status is unknown')
}

/** Decodes a stored step error. @internal */
export function decodeError(
  cascade: LambdaCascade,
  key: string,
  data: Buffer,
): SerializedStepError {
  const error = cascade.codec.decode(key, 'error', data)
  if (!isSerializedError(error))
    throw new CorruptCascadeDataError(`${key}#error`, 'not a step error')
  const { type, message, code } = error
  return code === undefined ? { type, message } : { type, message, code }
}

async function readParent(cascade: LambdaCascade, uid: string): Promise<StepParent> {
  const { store, codec } = cascade
  const key = store.stepKey(uid)
  const [def, statusData, result, error] = await store.fields('read-parent', key, [
    'def',
    'status',
    'result',
    'error',
  ])
  if (def === undefined) throw new StepNotFoundError(uid)
  const { command } = checkDefinition(codec.decode(key, 'def', def), uid, `${key}#def`)
  const status = parseStatus(statusData, key)
  return {
    uid,
    command,
    status,
    result:
      status === 'completed' && result !== undefined
        ? codec.decode(key, 'result', result)
        : undefined,
    error:
      status === 'failed' && error !== undefined ? decodeError(cascade, key, error) : undefined,
  }
}
