import type { CacheKey } from './cache-entry.js'
import { encodeArguments, hashKey, type KeyEncodingLimits } from './canonical-key.js'
import { callable } from './callable.js'
import { InvalidConfigurationError, KeyDerivationError } from './errors.js'
import type { MethodReference } from './method-reference.js'
import { requireLimits, requireOptions, requireTypeOf } from './validate.js'

/**
 * Turns a call into the key its result is stored under. Implementations must be deterministic
 * and synchronous; a throw rejects the call with a `KeyDerivationError`.
 */
export interface KeyExtractor {
  formatKey(method: MethodReference, args: readonly unknown[], self?: unknown): CacheKey
}

export interface EncodedMethodReferenceAndArgsKeyExtractorOptions extends KeyEncodingLimits {}

/**
 * Keys of recent single-primitive-argument calls, per method and receiver. A key built afresh
 * must be hashed again by every Map lookup (hundreds of ns); a remembered key string carries
 * its hash. Bounded: a table is cleared when it reaches MEMO_LIMIT entries.
 */
type KeyMemo = Map<unknown, CacheKey>
const MEMO_LIMIT = 1024

interface MemoHolder {
  readonly selfless: KeyMemo
  readonly receivers: WeakMap<object, KeyMemo>
  /** The receiver of the latest call and its table, held for about a millisecond (see below). */
  lastSelf: object | undefined
  lastTable: KeyMemo | undefined
}

/**
 * A method is usually called on the same instance many times in a row (a service singleton),
 * and a `WeakMap` lookup for the receiver's table was a tenth of a decorated hit. Each holder
 * therefore remembers its latest receiver, strongly, but only until a shared 1 ms timer (never
 * keeping the process alive) forgets them all: a dropped instance stays collectable.
 */
const leased: MemoHolder[] = []
let leaseTimerArmed = false

function forgetReceivers(): void {
  for (const holder of leased) holder.lastSelf = holder.lastTable = undefined
  leased.length = 0
  leaseTimerArmed = false
}

function lease(holder: MemoHolder, self: object, table: KeyMemo): void {
  if (holder.lastSelf === undefined) leased.push(holder)
  holder.lastSelf = self
  holder.lastTable = table
  if (!leaseTimerArmed) {
    leaseTimerArmed = true
    setTimeout(forgetReceivers, 1).unref()
  }
}

/** @internal Memo tables of one key extractor. */
export class KeyMemos {
  readonly #holders = new WeakMap<MethodReference, MemoHolder>()

  /** The memo table for calls of `method` on `self`. */
  table(method: MethodReference, self: unknown): KeyMemo {
    // The method's slot remembers the holder of the extractor that used it last: a field read
    // instead of a WeakMap lookup on every call.
    const slot = method.memoSlot
    let holder: MemoHolder
    if (slot !== undefined && slot.owner === this) holder = slot.holder as MemoHolder
    else {
      holder = this.#holders.get(method) ?? {
        selfless: new Map<unknown, CacheKey>(),
        receivers: new WeakMap<object, KeyMemo>(),
        lastSelf: undefined,
        lastTable: undefined,
      }
      this.#holders.set(method, holder)
      method.memoSlot = { owner: this, holder }
    }
    if (self === null || (typeof self !== 'object' && typeof self !== 'function'))
      return holder.selfless
    if (self === holder.lastSelf) return holder.lastTable!
    let table = holder.receivers.get(self)
    if (table === undefined) holder.receivers.set(self, (table = new Map<unknown, CacheKey>()))
    lease(holder, self, table)
    return table
  }
}

/** @internal True for arguments whose key can be remembered: none, or one primitive. */
export function memoizable(args: readonly unknown[]): boolean {
  if (args.length === 0) return true
  if (args.length !== 1) return false
  const type = typeof args[0]
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'undefined'
}

/** @internal Remembers `key` in `table`, clearing it when full. */
export function remember(table: KeyMemo, arg: unknown, key: CacheKey): CacheKey {
  if (table.size >= MEMO_LIMIT) table.clear()
  table.set(arg, key)
  return key
}

/**
 * Joins key parts into one flat string. V8 represents `a + b` and template literals as a rope
 * (a tree of parts); every storage lookup with a rope key follows it, which cost a remembered
 * key about 4 ns per hit. `Array.prototype.join` copies the parts into a flat string.
 */
function flatKey(...parts: (string | number)[]): CacheKey {
  return parts.join('')
}

/** Stands for "no argument" in memo tables (distinct from an explicit `undefined`). */
const NO_ARGUMENT = Symbol('no argument')

const instanceIds = new WeakMap<object, number>()
let nextInstanceId = 1

/** A process-local number for an object, held weakly (the object stays collectable). */
function instanceId(self: unknown): string {
  if (self === null || (typeof self !== 'object' && typeof self !== 'function')) return '-'
  let id = instanceIds.get(self)
  if (id === undefined) {
    id = nextInstanceId++
    instanceIds.set(self, id)
  }
  return String(id)
}

/**
 * The default: method identity + instance identity + canonical arguments. Keys are unique per
 * memoized method and per instance, but meaningful only inside this process; use
 * {@link EncodedMethodNameAndArgsKeyExtractor} for shared storages such as Redis.
 */
class EncodedMethodReferenceAndArgsKeyExtractorImpl implements KeyExtractor {
  readonly #limits: KeyEncodingLimits | undefined
  readonly #memos = new KeyMemos()

  constructor(options?: EncodedMethodReferenceAndArgsKeyExtractorOptions) {
    options = requireOptions('EncodedMethodReferenceAndArgsKeyExtractor', options)
    requireLimits(options)
    this.#limits = Object.keys(options).length > 0 ? options : undefined
  }

  formatKey(method: MethodReference, args: readonly unknown[], self?: unknown): CacheKey {
    if (!memoizable(args)) return this.#build(method, args, self)
    // -0 and 0 are one Map key but two cache keys: let -0 take the slow path.
    const arg = args.length === 0 ? NO_ARGUMENT : args[0]
    if (Object.is(arg, -0)) return this.#build(method, args, self)
    const table = this.#memos.table(method, self)
    return table.get(arg) ?? remember(table, arg, this.#build(method, args, self))
  }

  #build(method: MethodReference, args: readonly unknown[], self: unknown): CacheKey {
    return flatKey(method.id, ':', instanceId(self), ':', encodeArguments(args, this.#limits))
  }
}
export const EncodedMethodReferenceAndArgsKeyExtractor = callable(
  EncodedMethodReferenceAndArgsKeyExtractorImpl,
)
export type EncodedMethodReferenceAndArgsKeyExtractor =
  EncodedMethodReferenceAndArgsKeyExtractorImpl

export interface EncodedMethodNameAndArgsKeyExtractorOptions extends KeyEncodingLimits {
  /** Leave the first argument out of the key (py-memoize's `skip_first_arg_as_self`). @default false */
  skipFirstArgAsSelf?: boolean
  /**
   * Scopes keys to an instance across processes: returns a stable id for `this` (for example a
   * tenant or a configuration name). Without it, all instances of a class share entries.
   */
  instanceKey?: (self: unknown) => string
  /** Keys longer than this are shortened to `name#sha256`. @default 250 */
  hashLongerThan?: number
  /** Part of every key; bump it when a method's result shape changes. @default '' */
  version?: string
}

/**
 * Stable across processes and restarts: `Class.method` + canonical arguments (+ the optional
 * instance key and version). The one to use with Redis or any storage shared by processes.
 * Two methods with the same qualified name collide when they share a storage: pass `name` to
 * `memoize()` to disambiguate.
 */
class EncodedMethodNameAndArgsKeyExtractorImpl implements KeyExtractor {
  readonly #skipFirst: boolean
  readonly #instanceKey: ((self: unknown) => string) | undefined
  readonly #hashLongerThan: number
  readonly #prefix: string
  readonly #limits: KeyEncodingLimits
  readonly #memos = new KeyMemos()

  constructor(options?: EncodedMethodNameAndArgsKeyExtractorOptions) {
    options = requireOptions('EncodedMethodNameAndArgsKeyExtractor', options)
    const { skipFirstArgAsSelf = false, instanceKey, hashLongerThan = 250, version = '' } = options
    if (typeof hashLongerThan !== 'number' || !(hashLongerThan >= 0))
      throw new InvalidConfigurationError(
        `hashLongerThan must be a number >= 0, got ${String(hashLongerThan)}`,
      )
    requireTypeOf('instanceKey', instanceKey, 'function')
    requireTypeOf('skipFirstArgAsSelf', skipFirstArgAsSelf, 'boolean')
    requireTypeOf('version', version, 'string')
    requireLimits(options)
    this.#skipFirst = skipFirstArgAsSelf
    this.#instanceKey = instanceKey
    this.#hashLongerThan = hashLongerThan
    this.#prefix = version === '' ? '' : `${JSON.stringify(version)}:`
    this.#limits = options
  }

  formatKey(method: MethodReference, args: readonly unknown[], self?: unknown): CacheKey {
    // The instance key and skipped arguments vary per call: only plain calls are remembered.
    if (this.#instanceKey !== undefined || this.#skipFirst || !memoizable(args))
      return this.#build(method, args, self)
    const arg = args.length === 0 ? NO_ARGUMENT : args[0]
    if (Object.is(arg, -0)) return this.#build(method, args, self)
    const table = this.#memos.table(method, undefined)
    return table.get(arg) ?? remember(table, arg, this.#build(method, args, self))
  }

  /**
   * The instance's scope. Fails closed: a scope that is not a non-empty string (a tenant id the
   * request did not carry, say) would put every such instance in one shared scope.
   */
  #scope(self: unknown): string {
    const scope = this.#instanceKey!(self)
    if (typeof scope !== 'string' || scope === '')
      throw new KeyDerivationError(
        `instanceKey must return a non-empty string, got ${scope === '' ? 'an empty string' : typeof scope}: ` +
          'refusing to share one cache scope between instances',
        'instanceKey',
      )
    return scope
  }

  #build(method: MethodReference, args: readonly unknown[], self: unknown): CacheKey {
    const name = method.qualifiedName
    if (name === '')
      throw new KeyDerivationError(
        'an anonymous function has no stable name: pass { name } to memoize()',
        'method',
      )
    let head = this.#prefix + name
    if (this.#instanceKey) head += `@${JSON.stringify(this.#scope(self))}`
    const encoded = encodeArguments(this.#skipFirst ? args.slice(1) : args, this.#limits)
    const key = flatKey(head, encoded)
    return key.length > this.#hashLongerThan ? flatKey(head, '#', hashKey(encoded)) : key
  }
}
export const EncodedMethodNameAndArgsKeyExtractor = callable(
  EncodedMethodNameAndArgsKeyExtractorImpl,
)
export type EncodedMethodNameAndArgsKeyExtractor = EncodedMethodNameAndArgsKeyExtractorImpl
