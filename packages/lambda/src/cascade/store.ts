import type { Cluster, Redis } from 'ioredis'
import { CascadeStoreError, CorruptCascadeDataError, LambdaCascadeError } from './errors.js'
import { withCascadeScripts, type CascadeScripts } from './scripts.js'

/** The ioredis client the cascade keeps its state in: a standalone `Redis` or a `Cluster`. */
export type CascadeRedisClient = Redis | Cluster

/** What claiming a step found. @internal */
export type ClaimResult =
  | { readonly state: 'claimed'; readonly attempt: number }
  | { readonly state: 'completed' | 'failed'; readonly attempts: number }
  | { readonly state: 'in-progress'; readonly inProgressExpiry: number; readonly attempts: number }
  | { readonly state: 'missing' }

/**
 * Every Redis operation of the cascade, each under its own deadline (`operationTimeout`),
 * whatever the client's options: ioredis can keep a command pending for a minute while it
 * reconnects. Names (all with an expiry, never global):
 *
 * - `<namespace>:{<uid>}:step`: a hash with the step's definition and state;
 * - `<namespace>:{<uid>}:mem`: a hash holding the shared memory page `<uid>`.
 *
 * The uid is a Redis Cluster hash tag, so a step's record and the page of the same uid share
 * a slot, and every script touches one key.
 *
 * @internal
 */
export class CascadeStore {
  readonly client: CascadeRedisClient & CascadeScripts
  readonly namespace: string
  readonly operationTimeout: number

  constructor(client: CascadeRedisClient, namespace: string, operationTimeout: number) {
    this.client = withCascadeScripts(client)
    this.namespace = namespace
    this.operationTimeout = operationTimeout
  }

  stepKey(uid: string): string {
    return `${this.namespace}:{${uid}}:step`
  }

  memoryKey(uid: string): string {
    return `${this.namespace}:{${uid}}:mem`
  }

  /** Writes `fields` into a hash and sets its expiry, in one script. */
  write(
    operation: string,
    key: string,
    ttl: number,
    fields: Record<string, string | Uint8Array>,
  ): Promise<void> {
    return this.run(
      operation,
      () => this.client.memokitCascadeWrite(key, ttl, ...Object.entries(fields).flat()),
      key,
    ).then(() => undefined)
  }

  /** Like {@link write}, only when the hash still exists; false when it did not. */
  update(
    operation: string,
    key: string,
    ttl: number,
    fields: Record<string, string | Uint8Array>,
  ): Promise<boolean> {
    return this.run(
      operation,
      () => this.client.memokitCascadeUpdate(key, ttl, ...Object.entries(fields).flat()),
      key,
    ).then((written) => written === 1)
  }

  /** Claims a step for one attempt (see the state machine in the docs). */
  async claim(
    uid: string,
    token: string,
    now: number,
    expiry: number,
    ttl: number,
  ): Promise<ClaimResult> {
    const key = this.stepKey(uid)
    const reply = await this.run(
      'claim',
      () => this.client.memokitCascadeClaim(key, token, now, expiry, ttl),
      key,
    )
    const [state, first, second] = Array.isArray(reply) ? reply.map(String) : []
    const count = (text: string | undefined): number => {
      const value = Number(text)
      if (!Number.isSafeInteger(value) || value < 0)
        throw new CorruptCascadeDataError(key, 'the attempt count is not a whole number')
      return value
    }
    switch (state) {
      case 'claimed':
        return { state, attempt: count(first) }
      case 'completed':
      case 'failed':
        return { state, attempts: count(first) }
      case 'in-progress':
        return { state, inProgressExpiry: Number(first), attempts: count(second) }
      case 'missing':
        return { state }
      case 'corrupt':
        throw new CorruptCascadeDataError(key, first ?? 'unreadable state')
      default:
        throw new CorruptCascadeDataError(key, 'unexpected reply of the claim script')
    }
  }

  /**
   * Settles the attempt holding `token`: status plus the result or error field, atomically.
   * False when another attempt took the step over meanwhile (nothing is written).
   */
  async settle(
    uid: string,
    token: string,
    status: 'completed' | 'failed',
    field: { name: string; value: string | Uint8Array } | undefined,
    ttl: number,
    now: number,
  ): Promise<boolean> {
    const key = this.stepKey(uid)
    const reply = await this.run(
      'settle',
      () =>
        this.client.memokitCascadeSettle(
          key,
          token,
          status,
          field?.name ?? '',
          field?.value ?? '',
          ttl,
          now,
        ),
      key,
    )
    return reply === 1
  }

  /** The named fields of a hash, as bytes (`undefined` where absent). */
  async fields(
    operation: string,
    key: string,
    names: readonly string[],
  ): Promise<(Buffer | undefined)[]> {
    const reply = await this.run(operation, () => this.client.hmgetBuffer(key, ...names), key)
    return reply.map((value) => value ?? undefined)
  }

  /** Every field of a hash, as bytes. */
  all(operation: string, key: string): Promise<Record<string, Buffer>> {
    return this.run(operation, () => this.client.hgetallBuffer(key), key)
  }

  /**
   * Runs one operation and settles within `operationTimeout`: with its reply, or with a
   * {@link CascadeStoreError}. A reply that arrives later is dropped. A `WRONGTYPE` reply (the
   * key holds another Redis type: planted or corrupt data) is a {@link CorruptCascadeDataError}.
   */
  run<T>(operation: string, send: () => Promise<T>, key?: string): Promise<T> {
    const timeout = this.operationTimeout
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => {
        if (settled) return
        settled = true
        reject(new CascadeStoreError(operation, `no reply within ${timeout} ms (operationTimeout)`))
      }, timeout)
      // The pending command's socket keeps the process alive; this deadline alone must not.
      timer.unref()
      const fail = (error: unknown): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        const message = error instanceof Error ? error.message : String(error)
        if (error instanceof LambdaCascadeError) reject(error)
        else if (message.includes('WRONGTYPE'))
          reject(
            new CorruptCascadeDataError(key ?? operation, 'the key holds another Redis type', {
              cause: error,
            }),
          )
        else reject(new CascadeStoreError(operation, message, { cause: error }))
      }
      let pending: Promise<T>
      try {
        pending = send()
      } catch (error) {
        fail(error)
        return
      }
      pending.then((value) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(value)
      }, fail)
    })
  }
}
