import { randomUUID } from 'node:crypto'
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { InvalidConfigurationError, MemoizeUsageError, type Clock } from '@memokit/core'
import { callable } from '../callable.js'
import { ASYNC_PAYLOAD_LIMIT_BYTES, SYNC_PAYLOAD_LIMIT_BYTES } from '../payload.js'
import { FaultRule, type FaultHandle, type FaultSelector, type LocalLambdaFault } from './faults.js'
import type { LocalLambdaContext, LocalLambdaHandler } from './local-lambda-context.js'
import { createLocalLambdaClient, type LocalLambdaClientOptions } from './local-lambda-client.js'

/** How a function was invoked (`X-Amz-Invocation-Type`). */
export type LocalInvocationType = 'RequestResponse' | 'Event' | 'DryRun'

/** Settings of one registered function. */
export interface LocalFunctionOptions {
  /** How long the handler may run before the invocation fails with `Sandbox.Timedout`. @default 30,000 ms */
  timeout?: number
  /** Reported as `context.memoryLimitInMB`. @default 128 */
  memorySize?: number
  /**
   * Most synchronous invocations running at once; more are answered 429
   * (`ReservedFunctionConcurrentInvocationLimitExceeded`). Event invocations are never
   * throttled by it (Lambda queues them). @default unlimited
   */
  reservedConcurrency?: number
}

export interface LocalLambdaServerOptions {
  /** @default '127.0.0.1' (loopback only) */
  host?: string
  /** @default 0 (a random free port) */
  port?: number
  /** Used in ARNs and by `createClient()`. @default 'us-east-1' */
  region?: string
  /** Used in ARNs. @default '123456789012' */
  accountId?: string
  /** Largest synchronous request body, in bytes (413 above). @default 6,291,456 */
  maxRequestBytes?: number
  /** Largest `Event` request body, in bytes (413 above). @default 1,048,576 */
  maxEventRequestBytes?: number
  /** Largest synchronous response, in bytes (a `Function.ResponseSizeTooLarge` error above). @default 6,291,456 */
  maxResponseBytes?: number
  /** Draws the numbers `fraction` faults are decided with. @default Math.random */
  random?: () => number
  /** Time for handler deadlines, timeouts and `delay` faults. @default the real clock */
  clock?: Clock
  /** Functions to register at once: name (or `name:qualifier`) → handler. */
  functions?: Record<string, LocalLambdaHandler<never>>
}

/** One Invoke request the server received, and what became of it. */
export interface LocalInvocation {
  readonly requestId: string
  /** The function name (without qualifier) the request addressed. */
  readonly functionName: string
  readonly qualifier: string | undefined
  readonly invocationType: LocalInvocationType
  /** The request body (empty when it was over the limit). */
  readonly payload: Uint8Array
  /** The request body's size in bytes. */
  readonly payloadBytes: number
  /** The parsed event the handler received, when it ran. */
  readonly event: unknown
  /** Epoch milliseconds when the request arrived. */
  readonly receivedAt: number
  /** The HTTP status answered; `undefined` while pending, or when the connection was reset. */
  readonly status: number | undefined
  /** True when the caller closed the connection before the answer was sent (e.g. it aborted). */
  readonly abandoned: boolean
  /** The fault that answered it, when one did. */
  readonly fault: LocalLambdaFault['kind'] | undefined
  /** Whether the handler ran. */
  readonly handled: boolean
  /** What the handler returned. */
  readonly result: unknown
  /**
   * What the handler threw (or the timeout it hit). For `Event` invocations this is the only
   * place a failure shows: the caller already got its 202.
   */
  readonly error: unknown
  /** Settles when the request was answered and its handler finished (for `Event`, after the 202). */
  readonly done: Promise<void>
}

interface RegisteredFunction {
  readonly handler: LocalLambdaHandler<never>
  readonly timeout: number
  readonly memorySize: number
  readonly reservedConcurrency: number
}

class Invocation implements LocalInvocation {
  requestId = randomUUID()
  functionName = ''
  qualifier: string | undefined = undefined
  invocationType: LocalInvocationType = 'RequestResponse'
  payload: Uint8Array = new Uint8Array(0)
  payloadBytes = 0
  event: unknown = undefined
  receivedAt: number
  status: number | undefined = undefined
  fault: LocalLambdaFault['kind'] | undefined = undefined
  abandoned = false
  handled = false
  result: unknown = undefined
  error: unknown = undefined
  done: Promise<void> = Promise.resolve()
  /** The Event handler started after the 202, if any. */
  run: Promise<void> | undefined = undefined

  constructor(receivedAt: number) {
    this.receivedAt = receivedAt
  }
}

/** A handler that ran out of time. */
class HandlerTimeout {
  constructor(readonly timeout: number) {}
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

const ROUTE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/
const FUNCTION_NAME =
  /^(?:arn:[^:]+:lambda:[^:]*:[^:]*:function:|[0-9]{12}:function:)?([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/
const INVOCATION_TYPES = new Set<string>(['RequestResponse', 'Event', 'DryRun'])

/**
 * An HTTP server on the loopback interface that speaks the Lambda Invoke REST API
 * (`POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=]`, restJson1), so code
 * is tested with the real `LambdaClient` over real HTTP: serialization, signing, retries and
 * error parsing included.
 *
 * ```ts
 * const server = await LocalLambdaServer().register('echo', (event) => event).start()
 * const lambdaClient = server.createClient()           // maxAttempts: 1 unless you say otherwise
 * server.throttle({ next: 2 })                          // the next two invocations get a 429
 * ...
 * await server.close()
 * ```
 *
 * It answers like Lambda: `RequestResponse` → 200 + the handler's JSON result; `Event` → 202
 * at once, the handler runs afterwards and its failure is only recorded; `DryRun` → 204; a
 * handler that throws → 200 + `X-Amz-Function-Error: Unhandled` + `{ errorType, errorMessage,
 * trace }`; an unknown function → 404 `ResourceNotFoundException`; a body over the limit → 413
 * `RequestTooLargeException`; invalid JSON → 400 `InvalidRequestContentException`; throttling
 * → 429 `TooManyRequestsException` with `Retry-After`. Service errors carry the
 * `X-Amzn-ErrorType` header and a JSON body, as the SDK parses them. Event retries by Lambda
 * (up to two, minutes apart) are not emulated.
 */
class LocalLambdaServerImpl {
  readonly region: string
  readonly accountId: string
  readonly #host: string
  readonly #port: number
  readonly #maxRequestBytes: number
  readonly #maxEventRequestBytes: number
  readonly #maxResponseBytes: number
  readonly #random: () => number
  readonly #clock: Clock | undefined
  readonly #functions = new Map<string, RegisteredFunction>()
  readonly #running = new Map<string, number>()
  readonly #faults: FaultRule[] = []
  readonly #invocations: Invocation[] = []
  readonly #pending = new Set<Promise<unknown>>()
  readonly #delays = new Set<() => void>()
  #server: Server | undefined
  #address: AddressInfo | undefined
  #closing = false

  constructor(options: LocalLambdaServerOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError(
        `LocalLambdaServer options must be an object, got ${String(options)}`,
      )
    this.#host = options.host ?? '127.0.0.1'
    this.#port = options.port ?? 0
    this.region = options.region ?? 'us-east-1'
    this.accountId = options.accountId ?? '123456789012'
    this.#maxRequestBytes = positive(
      'maxRequestBytes',
      options.maxRequestBytes,
      SYNC_PAYLOAD_LIMIT_BYTES,
    )
    this.#maxEventRequestBytes = positive(
      'maxEventRequestBytes',
      options.maxEventRequestBytes,
      ASYNC_PAYLOAD_LIMIT_BYTES,
    )
    this.#maxResponseBytes = positive(
      'maxResponseBytes',
      options.maxResponseBytes,
      SYNC_PAYLOAD_LIMIT_BYTES,
    )
    this.#random = options.random ?? Math.random
    this.#clock = options.clock
    for (const [name, handler] of Object.entries(options.functions ?? {}))
      this.register(name, handler)
  }

  // ---------------------------------------------------------------------------------------
  // Life cycle

  /** Starts listening (on a random loopback port by default); resolves to the server. */
  async start(): Promise<this> {
    if (this.#server !== undefined) return this
    const server = createServer((request, response) => this.#track(this.#handle(request, response)))
    this.#server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#address = server.address() as AddressInfo
    return this
  }

  /** `http://127.0.0.1:<port>`: the `endpoint` to give a `LambdaClient`. */
  get endpoint(): string {
    const address = this.#address
    if (address === undefined)
      throw new MemoizeUsageError('LocalLambdaServer has no endpoint until start() resolved')
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    return `http://${host}:${address.port}`
  }

  /** The port listened on (after `start()`). */
  get port(): number {
    if (this.#address === undefined)
      throw new MemoizeUsageError('LocalLambdaServer has no port until start() resolved')
    return this.#address.port
  }

  /**
   * A `LambdaClient` pointed at this server, with static credentials, this server's region and
   * `maxAttempts: 1` (pass `maxAttempts` to exercise the SDK's retries).
   */
  createClient(options: LocalLambdaClientOptions = {}): LambdaClient {
    return createLocalLambdaClient(this, options)
  }

  /** Resolves when every request received so far was answered and every handler finished. */
  async settle(): Promise<void> {
    for (let round = 0; round < 1000 && this.#pending.size > 0; round++)
      await Promise.allSettled([...this.#pending])
  }

  /**
   * Stops the server: no new connections, `delay` faults cut short, requests in flight
   * answered, handlers (Event ones included) awaited up to their timeout, then every connection
   * closed. Safe to call twice.
   */
  async close(): Promise<void> {
    const server = this.#server
    if (server === undefined || this.#closing) return
    this.#closing = true
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    for (const wake of [...this.#delays]) wake()
    await this.settle()
    server.closeAllConnections()
    await closed
    this.#server = undefined
  }

  // ---------------------------------------------------------------------------------------
  // Functions

  /**
   * Registers a handler under a function name, or under `name:qualifier` for one version or
   * alias (tried before the plain name). Replaces an earlier registration.
   */
  register<E, R>(
    name: string,
    handler: LocalLambdaHandler<E, R>,
    options: LocalFunctionOptions = {},
  ): this {
    const match = FUNCTION_NAME.exec(typeof name === 'string' ? name : '')
    if (match === null || name.startsWith('arn:') || /^[0-9]{12}:/.test(name))
      throw new InvalidConfigurationError(
        `a function name must be letters, digits, - and _ (optionally :qualifier), got ${JSON.stringify(name)}`,
      )
    if (typeof handler !== 'function')
      throw new InvalidConfigurationError(`the handler of ${name} must be a function`)
    this.#functions.set(name, {
      handler,
      timeout: positive('timeout', options.timeout, 30_000),
      memorySize: positive('memorySize', options.memorySize, 128),
      reservedConcurrency: positive('reservedConcurrency', options.reservedConcurrency, Infinity),
    })
    return this
  }

  /** Removes a registration; later invocations of it get 404. */
  unregister(name: string): boolean {
    return this.#functions.delete(name)
  }

  // ---------------------------------------------------------------------------------------
  // Fault injection

  /**
   * Injects a fault into the invocations `selector` picks (all of them by default). Faults
   * apply in the order they were injected; `delay` faults add up, the first other one answers.
   */
  inject(fault: LocalLambdaFault, selector: FaultSelector = {}): FaultHandle {
    checkFault(fault)
    checkSelector(selector)
    const rule = new FaultRule(fault, selector, (removed) => {
      const index = this.#faults.indexOf(removed)
      if (index >= 0) this.#faults.splice(index, 1)
    })
    this.#faults.push(rule)
    return rule
  }

  /**
   * Answers invocations with 429 `TooManyRequestsException`: the `next` N, a `fraction` of
   * them, or all until removed. `retryAfter` (ms, default 1000) becomes the `Retry-After`
   * header, which the SDK honours between its attempts; `null` sends none.
   */
  throttle(
    options: FaultSelector & { reason?: string; retryAfter?: number | null; message?: string } = {},
  ): FaultHandle {
    const { reason, retryAfter, message, ...selector } = options
    return this.inject({ kind: 'throttle', reason, retryAfter, message }, selector)
  }

  /** Delays invocations by `delay` ms before they are handled. */
  delay(delay: number, selector: FaultSelector = {}): FaultHandle {
    return this.inject({ kind: 'delay', delay }, selector)
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    for (const rule of [...this.#faults]) rule.remove()
  }

  // ---------------------------------------------------------------------------------------
  // Observation

  /** Every Invoke request received, in arrival order. */
  get invocations(): readonly LocalInvocation[] {
    return this.#invocations
  }

  /** Invoke requests received (answered or not), for one function or all. */
  requestCount(functionName?: string): number {
    return this.#count(functionName, () => true)
  }

  /** Times a handler ran, for one function or all. */
  invocationCount(functionName?: string): number {
    return this.#count(functionName, (invocation) => invocation.handled)
  }

  /** Forgets the recorded requests and removes every fault (registrations stay). */
  reset(): void {
    this.#invocations.length = 0
    this.clearFaults()
  }

  #count(functionName: string | undefined, predicate: (invocation: Invocation) => boolean): number {
    let count = 0
    for (const invocation of this.#invocations)
      if (
        (functionName === undefined || invocation.functionName === functionName) &&
        predicate(invocation)
      )
        count++
    return count
  }

  // ---------------------------------------------------------------------------------------
  // Request handling

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost')
    const route = ROUTE.exec(url.pathname)
    if (request.method !== 'POST' || route === null) {
      request.resume()
      sendError(
        response,
        404,
        'UnknownOperationException',
        `Unknown operation ${request.method} ${url.pathname}`,
      )
      return
    }
    const invocation = new Invocation(this.#now())
    this.#invocations.push(invocation)
    response.once('close', () => {
      if (!response.writableFinished && invocation.fault !== 'reset') invocation.abandoned = true
    })
    let finished!: () => void
    invocation.done = new Promise<void>((resolve) => (finished = resolve))
    try {
      await this.#invoke(invocation, route[1] as string, url, request, response)
    } finally {
      if (invocation.run === undefined) finished()
      else this.#track(invocation.run.then(finished))
    }
  }

  async #invoke(
    invocation: Invocation,
    rawName: string,
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const id = invocation.requestId
    const type = header(request.headers, 'x-amz-invocation-type') ?? 'RequestResponse'
    let name: string
    try {
      name = decodeURIComponent(rawName)
    } catch {
      name = rawName
    }
    const parsed = FUNCTION_NAME.exec(name)
    invocation.functionName = parsed?.[1] ?? name
    const queryQualifier = url.searchParams.get('Qualifier') ?? undefined
    invocation.qualifier = queryQualifier ?? parsed?.[2]
    if (INVOCATION_TYPES.has(type)) invocation.invocationType = type as LocalInvocationType

    const limit = type === 'Event' ? this.#maxEventRequestBytes : this.#maxRequestBytes
    const body = await readBody(request, limit)
    invocation.payloadBytes = body.size
    if (body.bytes !== undefined) invocation.payload = body.bytes
    if (body.aborted) return

    if (!INVOCATION_TYPES.has(type))
      return this.#error(
        invocation,
        response,
        400,
        'InvalidParameterValueException',
        `Invalid InvocationType: ${type}`,
      )
    if (parsed === null)
      return this.#error(
        invocation,
        response,
        400,
        'InvalidParameterValueException',
        `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint`,
      )
    if (queryQualifier !== undefined && parsed[2] !== undefined && parsed[2] !== queryQualifier)
      return this.#error(
        invocation,
        response,
        400,
        'InvalidParameterValueException',
        'The derived qualifier from the function name does not match the specified qualifier.',
      )
    if (body.bytes === undefined)
      return this.#error(
        invocation,
        response,
        413,
        'RequestTooLargeException',
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
      )
    const fn = this.#lookup(invocation.functionName, invocation.qualifier)
    if (fn === undefined)
      return this.#error(
        invocation,
        response,
        404,
        'ResourceNotFoundException',
        `Function not found: ${this.#arn(invocation.functionName, invocation.qualifier)}`,
      )
    if (type === 'DryRun') return this.#send(invocation, response, 204, {}, '')

    // Faults: delays add up; the first other fault answers instead of the function.
    for (const rule of [...this.#faults]) {
      if (!rule.take(invocation.functionName, this.#random)) continue
      const fault = rule.fault
      if (fault.kind === 'delay') {
        await this.#sleep(fault.delay)
        if (request.socket.destroyed) return // the caller gave up meanwhile
        continue
      }
      invocation.fault = fault.kind
      return this.#answerFault(invocation, response, fault)
    }

    const running = this.#running.get(invocation.functionName) ?? 0
    if (type === 'RequestResponse' && running >= fn.reservedConcurrency)
      return this.#error(
        invocation,
        response,
        429,
        'TooManyRequestsException',
        'Rate Exceeded.',
        { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
        { 'Retry-After': '1' },
      )

    let event: unknown = {}
    if (body.bytes.byteLength > 0) {
      try {
        event = JSON.parse(Buffer.from(body.bytes).toString('utf8'))
      } catch (error) {
        return this.#error(
          invocation,
          response,
          400,
          'InvalidRequestContentException',
          `Could not parse request body into json: ${error instanceof Error ? error.message : String(error)}`,
        )
      }
    }
    invocation.event = event
    const context = this.#context(invocation, fn, request.headers)

    if (type === 'Event') {
      this.#send(invocation, response, 202, {}, '')
      invocation.handled = true
      // The handler runs after the 202 went out; its failure is recorded, never thrown.
      invocation.run = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        const outcome = await this.#run(invocation, fn, event, context)
        if (outcome.ok) invocation.result = outcome.value
        else invocation.error = outcome.error
      })
      return
    }

    invocation.handled = true
    const started = this.#now()
    const outcome = await this.#run(invocation, fn, event, context)
    const version: Record<string, string> = { 'X-Amz-Executed-Version': context.functionVersion }
    if (header(request.headers, 'x-amz-log-type') === 'Tail')
      version['X-Amz-Log-Result'] = tailLog(id, context.functionVersion, this.#now() - started)
    if (!outcome.ok) {
      invocation.error = outcome.error
      return this.#send(
        invocation,
        response,
        200,
        { ...version, 'X-Amz-Function-Error': 'Unhandled' },
        JSON.stringify(errorDocument(outcome.error, id)),
      )
    }
    invocation.result = outcome.value
    let text: string
    try {
      text = JSON.stringify(outcome.value) ?? 'null'
    } catch (error) {
      invocation.error = error
      return this.#send(
        invocation,
        response,
        200,
        { ...version, 'X-Amz-Function-Error': 'Unhandled' },
        JSON.stringify(errorDocument(error, id)),
      )
    }
    const bytes = Buffer.from(text, 'utf8')
    if (bytes.byteLength > this.#maxResponseBytes)
      return this.#send(
        invocation,
        response,
        200,
        { ...version, 'X-Amz-Function-Error': 'Unhandled' },
        JSON.stringify({
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: `Response payload size exceeded maximum allowed payload size (${this.#maxResponseBytes} bytes).`,
        }),
      )
    return this.#send(invocation, response, 200, version, bytes)
  }

  /** Runs a handler under its timeout, counting it as running meanwhile. */
  async #run(
    invocation: Invocation,
    fn: RegisteredFunction,
    event: unknown,
    context: LocalLambdaContext,
  ): Promise<Outcome> {
    const name = invocation.functionName
    this.#running.set(name, (this.#running.get(name) ?? 0) + 1)
    let cancel = (): void => {}
    try {
      const handled = Promise.resolve().then(() => fn.handler(event as never, context))
      const timedOut = new Promise<HandlerTimeout>((resolve) => {
        const timer = this.#setTimer(() => resolve(new HandlerTimeout(fn.timeout)), fn.timeout)
        cancel = () => this.#clearTimer(timer)
      })
      const value = await Promise.race([handled, timedOut])
      if (value instanceof HandlerTimeout) {
        handled.catch(() => {}) // it may still fail later: nobody is listening any more
        return { ok: false, error: value }
      }
      return { ok: true, value }
    } catch (error) {
      return { ok: false, error }
    } finally {
      cancel()
      const left = (this.#running.get(name) ?? 1) - 1
      if (left > 0) this.#running.set(name, left)
      else this.#running.delete(name)
    }
  }

  #answerFault(invocation: Invocation, response: ServerResponse, fault: LocalLambdaFault): void {
    const id = invocation.requestId
    switch (fault.kind) {
      case 'throttle': {
        const retryAfter = fault.retryAfter === undefined ? 1000 : fault.retryAfter
        return this.#error(
          invocation,
          response,
          429,
          'TooManyRequestsException',
          fault.message ?? 'Rate Exceeded.',
          { Reason: fault.reason ?? 'ReservedFunctionConcurrentInvocationLimitExceeded' },
          retryAfter === null ? {} : { 'Retry-After': String(Math.ceil(retryAfter / 1000)) },
        )
      }
      case 'service-error':
        return this.#error(
          invocation,
          response,
          fault.status ?? 500,
          fault.errorType ?? 'ServiceException',
          fault.message ?? 'An internal error occurred (injected by LocalLambdaServer)',
        )
      case 'function-error':
        if (invocation.invocationType === 'Event') {
          invocation.error = fault
          return this.#send(invocation, response, 202, {}, '')
        }
        return this.#send(
          invocation,
          response,
          200,
          {
            'X-Amz-Function-Error': fault.functionError ?? 'Unhandled',
            'X-Amz-Executed-Version': '$LATEST',
          },
          JSON.stringify({
            errorType: fault.errorType ?? 'Error',
            errorMessage: fault.errorMessage ?? 'Injected function error',
            trace: [],
          }),
        )
      case 'timeout': {
        const fn = this.#lookup(invocation.functionName, invocation.qualifier)
        const timeout = new HandlerTimeout(fn?.timeout ?? 30_000)
        if (invocation.invocationType === 'Event') {
          invocation.error = timeout
          return this.#send(invocation, response, 202, {}, '')
        }
        return this.#send(
          invocation,
          response,
          200,
          { 'X-Amz-Function-Error': 'Unhandled', 'X-Amz-Executed-Version': '$LATEST' },
          JSON.stringify(errorDocument(timeout, id)),
        )
      }
      case 'reset':
        response.socket?.destroy()
        return
      case 'truncate':
        response.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Length': '1024',
          'x-amzn-RequestId': id,
        })
        invocation.status = 200
        response.write('{"truncated":')
        setImmediate(() => response.socket?.destroy())
        return
      case 'response':
        return this.#send(
          invocation,
          response,
          fault.status ?? 200,
          fault.headers ?? {},
          fault.body ?? '',
        )
      case 'delay': // handled by the caller
        return
    }
  }

  #error(
    invocation: Invocation,
    response: ServerResponse,
    status: number,
    errorType: string,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): void {
    sendError(response, status, errorType, message, extra, {
      ...headers,
      'x-amzn-RequestId': invocation.requestId,
    })
    invocation.status = status
  }

  #send(
    invocation: Invocation,
    response: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string | Uint8Array,
  ): void {
    response.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': String(
        typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
      ),
      'x-amzn-RequestId': invocation.requestId,
      ...headers,
    })
    response.end(body)
    invocation.status = status
  }

  #lookup(name: string, qualifier: string | undefined): RegisteredFunction | undefined {
    return (
      (qualifier === undefined ? undefined : this.#functions.get(`${name}:${qualifier}`)) ??
      this.#functions.get(name)
    )
  }

  #arn(name: string, qualifier: string | undefined): string {
    const arn = `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}`
    return qualifier === undefined ? arn : `${arn}:${qualifier}`
  }

  #context(
    invocation: Invocation,
    fn: RegisteredFunction,
    headers: IncomingHttpHeaders,
  ): LocalLambdaContext {
    const version =
      invocation.qualifier !== undefined && /^[0-9]+$/.test(invocation.qualifier)
        ? invocation.qualifier
        : '$LATEST'
    const deadline = this.#now() + fn.timeout
    const now = (): number => this.#now()
    return {
      functionName: invocation.functionName,
      functionVersion: version,
      invokedFunctionArn: this.#arn(invocation.functionName, invocation.qualifier),
      memoryLimitInMB: String(fn.memorySize),
      awsRequestId: invocation.requestId,
      logGroupName: `/aws/lambda/${invocation.functionName}`,
      logStreamName: `${new Date(invocation.receivedAt).toISOString().slice(0, 10).replaceAll('-', '/')}/[${version}]${invocation.requestId.replaceAll('-', '')}`,
      clientContext: decodeClientContext(header(headers, 'x-amz-client-context')),
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    }
  }

  // ---------------------------------------------------------------------------------------
  // Time and bookkeeping

  #now(): number {
    return this.#clock?.now() ?? Date.now()
  }

  #setTimer(callback: () => void, delay: number): unknown {
    if (!Number.isFinite(delay)) return undefined
    return this.#clock?.setTimer !== undefined
      ? this.#clock.setTimer(callback, delay)
      : setTimeout(callback, delay)
  }

  #clearTimer(handle: unknown): void {
    if (handle === undefined) return
    if (this.#clock?.setTimer !== undefined) this.#clock.clearTimer?.(handle)
    else clearTimeout(handle as ReturnType<typeof setTimeout>)
  }

  /** Waits `delay` ms, or less when the server closes. */
  #sleep(delay: number): Promise<void> {
    if (this.#closing) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.#delays.delete(wake)
        this.#clearTimer(timer)
        resolve()
      }
      const timer = this.#setTimer(wake, delay)
      this.#delays.add(wake)
    })
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch(() => {})
    this.#pending.add(tracked)
    void tracked.then(() => this.#pending.delete(tracked))
  }
}

/** The constructor of {@link LocalLambdaServer}: callable with or without `new`. */
export const LocalLambdaServer = callable(LocalLambdaServerImpl)
export type LocalLambdaServer = LocalLambdaServerImpl

// -----------------------------------------------------------------------------------------
// Helpers

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Reads a body up to `limit` bytes; past it, drains the rest and returns no bytes. */
function readBody(
  request: IncomingMessage,
  limit: number,
): Promise<{ bytes: Uint8Array | undefined; size: number; aborted: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength
      if (size <= limit) chunks.push(chunk)
      else chunks.length = 0
    })
    request.on('end', () =>
      resolve({ bytes: size <= limit ? Buffer.concat(chunks) : undefined, size, aborted: false }),
    )
    request.on('error', () => resolve({ bytes: undefined, size, aborted: true }))
    request.on('aborted', () => resolve({ bytes: undefined, size, aborted: true }))
  })
}

function sendError(
  response: ServerResponse,
  status: number,
  errorType: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message, ...extra })
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'X-Amzn-ErrorType': errorType,
    ...headers,
  })
  response.end(body)
}

/** The error document the Node.js runtime sends for a failed invocation. */
function errorDocument(
  error: unknown,
  requestId: string,
): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof HandlerTimeout)
    return {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(error.timeout / 1000).toFixed(2)} seconds`,
      trace: [],
    }
  if (error instanceof Error)
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    }
  return { errorType: typeof error, errorMessage: String(error), trace: [] }
}

function tailLog(requestId: string, version: string, duration: number): string {
  const text =
    `START RequestId: ${requestId} Version: ${version}\n` +
    `END RequestId: ${requestId}\n` +
    `REPORT RequestId: ${requestId}\tDuration: ${duration.toFixed(2)} ms\n`
  return Buffer.from(text, 'utf8').toString('base64')
}

function decodeClientContext(value: string | undefined): unknown {
  if (value === undefined) return undefined
  try {
    return JSON.parse(Buffer.from(value, 'base64').toString('utf8'))
  } catch {
    return undefined
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0)
    throw new InvalidConfigurationError(`${name} must be a positive number, got ${String(value)}`)
  return value
}

function checkFault(fault: LocalLambdaFault): void {
  const kinds = [
    'throttle',
    'service-error',
    'function-error',
    'timeout',
    'delay',
    'reset',
    'truncate',
    'response',
  ]
  if (fault === null || typeof fault !== 'object' || !kinds.includes(fault.kind))
    throw new InvalidConfigurationError(
      `a fault must be an object whose kind is one of ${kinds.join(', ')}, got ${JSON.stringify(fault)}`,
    )
  if (fault.kind === 'delay' && !(typeof fault.delay === 'number' && fault.delay >= 0))
    throw new InvalidConfigurationError(
      `a delay fault needs delay >= 0 (ms), got ${String(fault.delay)}`,
    )
  if (
    fault.kind === 'throttle' &&
    fault.retryAfter !== undefined &&
    fault.retryAfter !== null &&
    !(typeof fault.retryAfter === 'number' && fault.retryAfter >= 0)
  )
    throw new InvalidConfigurationError(
      `retryAfter must be >= 0 (ms) or null, got ${String(fault.retryAfter)}`,
    )
}

function checkSelector(selector: FaultSelector): void {
  if (selector === null || typeof selector !== 'object')
    throw new InvalidConfigurationError(
      `a fault selector must be an object, got ${String(selector)}`,
    )
  if (selector.next !== undefined && !(Number.isInteger(selector.next) && selector.next > 0))
    throw new InvalidConfigurationError(
      `next must be a positive whole number, got ${String(selector.next)}`,
    )
  if (
    selector.fraction !== undefined &&
    !(typeof selector.fraction === 'number' && selector.fraction >= 0 && selector.fraction <= 1)
  )
    throw new InvalidConfigurationError(
      `fraction must be between 0 and 1, got ${String(selector.fraction)}`,
    )
}
