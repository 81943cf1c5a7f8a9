import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda'
import {
  describeFunction,
  LambdaFunctionError,
  LambdaThrottledError,
  MemoizedLambdaError,
} from './errors.js'

/** One synchronous invocation. @internal */
export interface InvokeTarget {
  readonly lambdaClient: LambdaClient
  readonly functionName: string
  readonly qualifier: string | undefined
}

/** An AWS SDK service exception, recognised by shape (several SDK copies may coexist). */
interface ServiceException {
  name: string
  message: string
  $fault?: 'client' | 'server'
  $metadata: { httpStatusCode?: number; requestId?: string }
  Reason?: string
  retryAfterSeconds?: string
}

function isServiceException(error: unknown): error is ServiceException {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata
  return (
    error instanceof Error &&
    typeof metadata?.httpStatusCode === 'number' &&
    (error as { $fault?: unknown }).$fault !== undefined
  )
}

/**
 * Invokes the function synchronously (`RequestResponse`) and returns the response payload, or
 * throws a {@link MemoizedLambdaError} for every kind of failure: a function error (a 200 with
 * `FunctionError`), throttling, any other service error, a success status other than 200, a
 * transport failure, an abort. The client's own retry policy applies before that.
 *
 * @internal
 */
export async function invokeLambda(
  target: InvokeTarget,
  payload: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const { lambdaClient, functionName, qualifier } = target
  let response: InvokeCommandOutput
  try {
    response = await lambdaClient.send(
      new InvokeCommand({ FunctionName: functionName, Qualifier: qualifier, Payload: payload }),
      signal === undefined ? undefined : { abortSignal: signal },
    )
  } catch (error) {
    throw fromSdkError(error, target, signal)
  }
  const statusCode = response.StatusCode
  const requestId = response.$metadata?.requestId
  const body = response.Payload ?? new Uint8Array(0)
  if (response.FunctionError)
    throw functionError(response.FunctionError, body, target, statusCode, requestId)
  if (statusCode !== 200)
    throw new MemoizedLambdaError(
      `Failed to invoke lambda ${describeFunction(functionName, qualifier)}: unexpected status ${String(statusCode)}`,
      { reason: 'unexpected-status', functionName, qualifier, statusCode, requestId },
    )
  return body
}

/**
 * Invokes the function asynchronously (`InvocationType: 'Event'`): resolves once Lambda queued
 * the event (HTTP 202), or throws a {@link MemoizedLambdaError} like {@link invokeLambda}
 * (throttling, service, transport errors; any other status). The function runs later; its
 * failures never reach the caller. Used by the LambdaPromise cascade.
 *
 * @internal
 */
export async function invokeLambdaEvent(target: InvokeTarget, payload: Uint8Array): Promise<void> {
  const { lambdaClient, functionName, qualifier } = target
  let response: InvokeCommandOutput
  try {
    response = await lambdaClient.send(
      new InvokeCommand({
        FunctionName: functionName,
        Qualifier: qualifier,
        InvocationType: 'Event',
        Payload: payload,
      }),
    )
  } catch (error) {
    throw fromSdkError(error, target, undefined)
  }
  if (response.StatusCode !== 202)
    throw new MemoizedLambdaError(
      `Failed to queue an event for lambda ${describeFunction(functionName, qualifier)}: ` +
        `unexpected status ${String(response.StatusCode)}`,
      {
        reason: 'unexpected-status',
        functionName,
        qualifier,
        statusCode: response.StatusCode,
        requestId: response.$metadata?.requestId,
      },
    )
}

const decoder = new TextDecoder()

function functionError(
  kind: string,
  body: Uint8Array,
  target: InvokeTarget,
  statusCode: number | undefined,
  requestId: string | undefined,
): LambdaFunctionError {
  let document: {
    errorType?: unknown
    errorMessage?: unknown
    trace?: unknown
    stackTrace?: unknown
  } = {}
  try {
    const parsed: unknown = JSON.parse(decoder.decode(body))
    if (parsed !== null && typeof parsed === 'object') document = parsed
  } catch {
    // an error document that is not JSON: report the error without its details
  }
  const errorType = typeof document.errorType === 'string' ? document.errorType : undefined
  const errorMessage = typeof document.errorMessage === 'string' ? document.errorMessage : undefined
  const rawTrace = Array.isArray(document.trace) ? document.trace : document.stackTrace
  const trace = Array.isArray(rawTrace) ? rawTrace.map(String) : undefined
  const detail = [errorType, errorMessage].filter((part) => part !== undefined).join(': ')
  return new LambdaFunctionError(
    `Lambda function ${describeFunction(target.functionName, target.qualifier)} failed ` +
      `(${kind})${detail === '' ? '' : `: ${detail}`}`,
    {
      functionName: target.functionName,
      qualifier: target.qualifier,
      functionError: kind,
      statusCode,
      requestId,
      errorType,
      errorMessage,
      trace,
    },
  )
}

function fromSdkError(
  error: unknown,
  target: InvokeTarget,
  signal: AbortSignal | undefined,
): MemoizedLambdaError {
  const { functionName, qualifier } = target
  const prefix = `Failed to invoke lambda ${describeFunction(functionName, qualifier)}`
  if (isServiceException(error)) {
    const statusCode = error.$metadata.httpStatusCode
    const requestId = error.$metadata.requestId
    const common = {
      functionName,
      qualifier,
      statusCode,
      requestId,
      errorType: error.name,
      errorMessage: error.message,
      cause: error,
    }
    if (error.name === 'TooManyRequestsException' || statusCode === 429) {
      const seconds = Number(error.retryAfterSeconds)
      return new LambdaThrottledError(
        `${prefix}: throttled (${error.Reason ?? error.name}): ${error.message}`,
        {
          ...common,
          throttleReason: error.Reason,
          retryAfter:
            error.retryAfterSeconds !== undefined && Number.isFinite(seconds)
              ? seconds * 1000
              : undefined,
        },
      )
    }
    return new MemoizedLambdaError(
      `${prefix}: ${error.name} (HTTP ${String(statusCode)}): ${error.message}`,
      {
        ...common,
        reason: 'service-error',
      },
    )
  }
  const name = (error as { name?: unknown } | null)?.name
  const message = error instanceof Error ? error.message : String(error)
  if (name === 'AbortError' || signal?.aborted === true)
    return new MemoizedLambdaError(`${prefix}: the request was aborted`, {
      reason: 'aborted',
      functionName,
      qualifier,
      cause: error,
    })
  return new MemoizedLambdaError(`${prefix}: ${message}`, {
    reason: 'transport',
    functionName,
    qualifier,
    statusCode: (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata
      ?.httpStatusCode,
    cause: error,
  })
}
