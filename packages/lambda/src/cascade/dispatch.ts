import type { LambdaClient } from '@aws-sdk/client-lambda'
import { SerDeError, SuperJsonSerDe } from '@memokit/core'
import { PayloadTooLargeError } from '../errors.js'
import { invokeLambdaEvent } from '../invoke.js'
import { ASYNC_PAYLOAD_LIMIT_BYTES } from '../payload.js'
import type { StepDefinition } from './definition.js'

/**
 * The event a step's Lambda receives: the original's format, so a handler dispatching on
 * `command` (Zappa-style) finds its function. `payload` is a JSON rendering of the payload
 * (dates as ISO strings, `BigInt`s as strings); the handler runs the function with the typed
 * payload stored in Redis.
 */
export interface CascadeEvent {
  readonly payload: unknown
  /** The registered function to run. */
  readonly command: string
  /** The step's uid. */
  readonly invoked_lambda_uid: string
}

const mirror = SuperJsonSerDe().superjson

/**
 * The bytes of a step's event, checked against the 1 MB limit of asynchronous invocations.
 * @internal
 */
export function stepEvent(def: StepDefinition): Uint8Array {
  let payload: unknown
  try {
    payload = mirror.serialize(def.payload).json
  } catch (error) {
    throw new SerDeError(`the payload of step "${def.command}" cannot be encoded`, { cause: error })
  }
  const event: CascadeEvent = {
    payload: payload ?? {},
    command: def.command,
    invoked_lambda_uid: def.uid,
  }
  const bytes = Buffer.from(JSON.stringify(event), 'utf8')
  if (bytes.byteLength > ASYNC_PAYLOAD_LIMIT_BYTES)
    throw new PayloadTooLargeError({
      functionName: def.functionName,
      qualifier: def.qualifier,
      size: bytes.byteLength,
      limit: ASYNC_PAYLOAD_LIMIT_BYTES,
    })
  return bytes
}

/** Sends a step's event (`InvocationType: 'Event'`). @internal */
export function sendStep(
  lambdaClient: LambdaClient,
  def: StepDefinition,
  event: Uint8Array,
): Promise<void> {
  return invokeLambdaEvent(
    { lambdaClient, functionName: def.functionName, qualifier: def.qualifier },
    event,
  )
}

/** True for an object that looks like a cascade step event (it carries a step uid). @internal */
export function hasStepUid(event: unknown): boolean {
  return event !== null && typeof event === 'object' && Object.hasOwn(event, 'invoked_lambda_uid')
}
