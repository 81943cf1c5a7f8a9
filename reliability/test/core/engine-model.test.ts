// Model-based test of the core engine (test plan A11): random sequences of calls, forced
// refreshes, invalidations, clock advances, and backend runs that succeed, fail or hang,
// checked against a reference model of what each call may return.
//
// - "exact": in-memory storage, everything in the test's hands; the model predicts every hit
//   and stale value exactly and which run each waiting call gets.
// - "scheduled": every storage operation completes when fast-check's scheduler says, so
//   refreshes, writes, reads and invalidations interleave in random orders; the model checks
//   what may be returned: the key's own value, never expired, never resurrected after an
//   invalidation, errors only from the key's own runs.
//
// After every sequence: hung runs time out, late results arrive, and nothing is left pending
// (no refresh in flight, no lock, no timer, every call settled, no unhandled rejection).
import {
  type CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  InMemoryLocks,
  MethodTimeoutError,
  MutableCacheConfiguration,
  cacheControl,
  forceRefresh,
  invalidate,
  memoize,
  type CacheEntry,
  type CacheKey,
  type CacheStorage,
  type MemoizedMethod,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import fc from 'fast-check'
import { unhandledRejections } from '../../../packages/core/test/support/harness'
import { checkProperty } from '../support/fuzz'

// The long command (pnpm soak) runs each property for a time budget.
jest.setTimeout(15 * 60_000)

const UPDATE_AFTER = 100
const EXPIRE_AFTER = 300
const METHOD_TIMEOUT = 50
const KEYS = [0, 1, 2] as const

type Behaviour = 'ok' | 'fail' | 'hang'

/** What a backend run returns: it names its key and its run. */
interface Value {
  readonly key: number
  readonly run: number
}

/** One run of the backend (the memoized method), finished by the test. */
interface Run {
  readonly id: number
  readonly key: number
  /** Order of events (runs, calls, invalidations) across the sequence. */
  readonly tick: number
  readonly startedAt: number
  readonly behaviour: Behaviour
  readonly resolve: (value: Value) => void
  readonly reject: (error: Error) => void
  readonly error: Error
  settled: boolean
  outcome: 'ok' | 'fail' | undefined
  /** Its method timeout fired: the engine gave up on it. */
  timedOut: boolean
  /** Its key was invalidated while it ran: the engine will not store it. */
  invalidated: boolean
}

interface Call {
  readonly key: number
  readonly tick: number
  readonly startedAt: number
  readonly forced: boolean
  /** Exact model: the stored run this call must return at once. */
  immediate: number | undefined
  /** Exact model: the run this call waits for. */
  joined: Run | undefined
  state: 'pending' | 'resolved' | 'rejected'
  value: unknown
  error: unknown
  checked: boolean
}

interface Invalidation {
  readonly key: number
  readonly issued: number
  /** When invalidate() resolved (0 while pending). */
  done: number
  failed: unknown
}

/** A storage whose operations complete when the scheduler says. */
class ScheduledStorage implements CacheStorage {
  readonly data = new Map<CacheKey, CacheEntry>()
  constructor(
    private readonly s: fc.Scheduler,
    /** Called when a write lands, with the value written. */
    private readonly written: (value: unknown) => void,
  ) {}
  async get(key: CacheKey): Promise<CacheEntry | undefined> {
    await this.s.schedule(Promise.resolve(), 'get')
    return this.data.get(key)
  }
  async offer(key: CacheKey, entry: CacheEntry): Promise<void> {
    await this.s.schedule(Promise.resolve(), 'offer')
    this.data.set(key, entry)
    this.written(entry.value)
  }
  async release(key: CacheKey): Promise<void> {
    await this.s.schedule(Promise.resolve(), 'release')
    this.data.delete(key)
  }
}

/** The engine under test, and everything the test knows about what happened. */
class System {
  readonly clock = new FakeClock()
  readonly locks = new InMemoryLocks({ clock: this.clock })
  readonly runs: Run[] = []
  readonly calls: Call[] = []
  readonly invalidations: Invalidation[] = []
  readonly behaviour = new Map<number, Behaviour>()
  readonly builtAt = new WeakMap<object, number>()
  /** Scheduled storage: when (tick) each value's write landed. */
  readonly writtenAt = new WeakMap<object, number>()
  readonly memoized: (key: number) => Promise<Value>
  readonly engine: MemoizedMethod
  readonly storage: CacheStorage
  readonly storageKey: (key: number) => CacheKey
  tick = 0

  constructor(
    readonly exact: boolean,
    scheduler?: fc.Scheduler,
  ) {
    const base = DefaultInMemoryCacheConfiguration({
      clock: this.clock,
      updateAfter: UPDATE_AFTER,
      expireAfter: EXPIRE_AFTER,
      methodTimeout: METHOD_TIMEOUT,
    })
    const inner = base.entryBuilder()
    const configuration = MutableCacheConfiguration.initializedWith(base).setEntryBuilder({
      build: (key, value, now) => {
        this.builtAt.set(value as object, now ?? this.clock.now())
        return inner.build(key, value, now)
      },
    })
    if (scheduler !== undefined)
      configuration.setStorage(
        new ScheduledStorage(scheduler, (value) => {
          if (!this.writtenAt.has(value as object)) this.writtenAt.set(value as object, ++this.tick)
        }),
      )
    this.storage = configuration.storage()
    this.memoized = memoize((key: number) => this.#run(key), {
      configuration,
      updateStatuses: this.locks,
      name: 'model.fn',
    })
    this.engine = cacheControl(this.memoized) as MemoizedMethod
    const extractor = configuration.keyExtractor()
    this.storageKey = (key) => extractor.formatKey(this.engine.reference, [key])
  }

  /** Calls the memoized function without a receiver (as a plain function call). */
  invoke(key: number): Promise<Value> {
    const memoized = this.memoized
    return memoized(key)
  }

  /** What the storage holds for `key` now (read without going through the engine). */
  stored(key: number): CacheEntry | undefined {
    const name = this.storageKey(key)
    const storage = this.storage as CacheStorage & { data?: Map<CacheKey, CacheEntry> }
    return storage.data !== undefined ? storage.data.get(name) : storage.getSync?.(name)
  }

  /**
   * Checks what the storage holds: a value of the key's own, from a run that succeeded, and
   * never one resurrected by a run started before an invalidation that has completed.
   */
  checkStorage(model: Model | undefined): void {
    for (const key of KEYS) {
      const entry = this.stored(key)
      const value = entry?.value as Value | undefined
      if (model !== undefined)
        expect({ key, stored: value?.run }).toEqual({ key, stored: model.stored.get(key)?.run })
      if (value === undefined) continue
      const run = this.runs[value.run]!
      expect({ key, valueKey: value.key, outcome: run.outcome }).toEqual({
        key,
        valueKey: key,
        outcome: 'ok',
      })
      for (const inv of this.invalidations)
        if (inv.key === key && inv.done !== 0)
          expect({
            key,
            storedAfterInvalidation: run.tick < inv.issued ? run.id : undefined,
          }).toEqual({ key, storedAfterInvalidation: undefined })
    }
  }

  #run(key: number): Promise<Value> {
    return new Promise<Value>((resolve, reject) => {
      const id = this.runs.length
      this.runs.push({
        id,
        key,
        tick: ++this.tick,
        startedAt: this.clock.now(),
        behaviour: this.behaviour.get(key) ?? 'ok',
        resolve,
        reject,
        error: Object.assign(new Error(`run ${id} of key ${key} failed`), { key }),
        settled: false,
        outcome: undefined,
        timedOut: false,
        invalidated: false,
      })
    })
  }

  /** The run of `key` the engine would still store: not settled, timed out or invalidated. */
  liveRuns(key: number): Run[] {
    return this.runs.filter((r) => r.key === key && !r.settled && !r.timedOut && !r.invalidated)
  }

  startCall(key: number, forced: boolean): Call {
    const call: Call = {
      key,
      tick: ++this.tick,
      startedAt: this.clock.now(),
      forced,
      immediate: undefined,
      joined: undefined,
      state: 'pending',
      value: undefined,
      error: undefined,
      checked: false,
    }
    this.calls.push(call)
    const promise = forced ? forceRefresh(() => this.invoke(key)) : this.invoke(key)
    promise.then(
      (value) => {
        call.state = 'resolved'
        call.value = value
      },
      (error: unknown) => {
        call.state = 'rejected'
        call.error = error
      },
    )
    return call
  }

  /** Checks every call that settled since the last check against the model's rules. */
  checkSettledCalls(): void {
    for (const call of this.calls) {
      if (call.state === 'pending' || call.checked) continue
      call.checked = true
      this.#checkCall(call)
    }
  }

  #checkCall(call: Call): void {
    const context = `call #${call.tick} of key ${call.key}${call.forced ? ' (forced)' : ''}`
    if (call.state === 'resolved') {
      const value = call.value as Value
      // The key's own value, from a run that succeeded...
      expect({ context, key: value.key }).toEqual({ context, key: call.key })
      const run = this.runs[value.run]!
      expect({ context, outcome: run.outcome }).toEqual({ context, outcome: 'ok' })
      // ...not expired when the call started, unless the call joined its refresh while that
      // refresh was still writing it (a write that outlasts expireAfter: accepted, see
      // docs/reliability.md)...
      const built = this.builtAt.get(value)!
      const written = this.writtenAt.get(value)
      const joinedWhileWriting = !this.exact && (written === undefined || written > call.tick)
      expect({
        context,
        fresh: joinedWhileWriting || built + EXPIRE_AFTER > call.startedAt,
      }).toEqual({
        context,
        fresh: true,
      })
      // ...and never resurrected: a call started after an invalidation of its key completed
      // gets a run started after that invalidation was issued.
      for (const inv of this.invalidations)
        if (inv.key === call.key && inv.done !== 0 && inv.done < call.tick)
          expect({ context, resurrected: run.tick < inv.issued }).toEqual({
            context,
            resurrected: false,
          })
      if (this.exact) {
        if (call.immediate !== undefined)
          expect({ context, run: value.run }).toEqual({ context, run: call.immediate })
        else expect({ context, run: value.run }).toEqual({ context, run: call.joined?.id })
      }
      return
    }
    // Rejections: only waiting calls, with the failure of the key's own run or its timeout.
    const error = call.error as CachedMethodFailedError
    expect({ context, type: error?.constructor?.name }).toEqual({
      context,
      type: 'CachedMethodFailedError',
    })
    const cause = error.cause as (Error & { key?: number }) | undefined
    const timedOut = cause instanceof MethodTimeoutError
    expect({
      context,
      causeKey: timedOut ? call.key : cause?.key,
      error: timedOut || cause?.key !== undefined ? undefined : String(error?.stack ?? error),
    }).toEqual({
      context,
      causeKey: call.key,
      error: undefined,
    })
    if (this.exact) {
      expect({ context, immediate: call.immediate }).toEqual({ context, immediate: undefined })
      const joined = call.joined
      if (joined?.outcome === 'fail' && !joined.timedOut)
        expect({ context, cause: cause === joined.error }).toEqual({ context, cause: true })
      else
        expect({ context, timedOut, joinedTimedOut: joined?.timedOut }).toEqual({
          context,
          timedOut: true,
          joinedTimedOut: true,
        })
    }
  }

  /**
   * Invariant: at most one run per key that the engine would store (no dog-pile). With the
   * scheduled storage, a refresh can be invalidated before its run starts (its stale read was
   * still in flight); it still runs, for its waiters, and the model cannot tell it apart: one
   * more run per invalidation of the key is allowed there.
   */
  checkOneLiveRunPerKey(): void {
    for (const key of KEYS) {
      const allowed = this.exact ? 1 : 1 + this.invalidations.filter((i) => i.key === key).length
      expect({ key, live: this.liveRuns(key).length <= allowed }).toEqual({ key, live: true })
    }
  }

  /** Invariant (exact model): the engine's in-flight state is exactly the live runs. */
  checkInFlightState(): void {
    const live = KEYS.filter((key) => this.liveRuns(key).length > 0).length
    expect({ refreshesInFlight: this.engine.refreshesInFlight, locks: this.locks.size }).toEqual({
      refreshesInFlight: live,
      locks: live,
    })
  }

  complete(run: Run, now: number): void {
    run.settled = true
    if (run.behaviour === 'ok') {
      run.outcome = 'ok'
      run.resolve({ key: run.key, run: run.id })
    } else {
      run.outcome = 'fail'
      run.reject(run.error)
    }
    void now
  }
}

/** The model: what the storage holds, by the rules of the call algorithm. */
interface Model {
  stored: Map<number, { run: number; createdAt: number }>
}

type Command = fc.AsyncCommand<Model, System>

const settleTurns = (): Promise<void> => flushPromises(6)

class CallCommand implements Command {
  constructor(
    readonly key: number,
    readonly forced: boolean,
  ) {}
  check(): boolean {
    return true
  }
  async run(model: Model, system: System): Promise<void> {
    const now = system.clock.now()
    const entry = model.stored.get(this.key)
    const usable = entry !== undefined && now < entry.createdAt + EXPIRE_AFTER
    const liveBefore = system.liveRuns(this.key)[0]
    const call = system.startCall(this.key, this.forced)
    await settleTurns()
    if (system.exact) {
      if (usable && (!this.forced || liveBefore !== undefined)) {
        // A hit or a stale value; a forced call with a refresh running gets the current value.
        call.immediate = entry.run
        expect({ state: call.state }).toEqual({ state: 'resolved' })
      } else {
        // A miss (or a forced refresh): it waits for the run in flight, or starts one.
        const live = system.liveRuns(this.key)
        expect({ live: live.length }).toEqual({ live: 1 })
        if (liveBefore !== undefined) expect(live[0]).toBe(liveBefore)
        call.joined = live[0]
      }
    }
    system.checkSettledCalls()
    system.checkOneLiveRunPerKey()
    if (system.exact) {
      system.checkInFlightState()
      system.checkStorage(model)
    }
  }
  toString(): string {
    return `${this.forced ? 'forceRefresh' : 'call'}(${this.key})`
  }
}

class CompleteCommand implements Command {
  constructor(readonly key: number) {}
  check(): boolean {
    return true
  }
  async run(model: Model, system: System): Promise<void> {
    const run = system.runs.find((r) => r.key === this.key && !r.settled && r.behaviour !== 'hang')
    if (run === undefined) return
    const now = system.clock.now()
    const stores = !run.timedOut && !run.invalidated && run.behaviour === 'ok'
    system.complete(run, now)
    if (stores) model.stored.set(this.key, { run: run.id, createdAt: now })
    await settleTurns()
    system.checkSettledCalls()
    system.checkOneLiveRunPerKey()
    if (system.exact) {
      system.checkInFlightState()
      system.checkStorage(model)
    }
  }
  toString(): string {
    return `complete(${this.key})`
  }
}

class BehaviourCommand implements Command {
  constructor(
    readonly key: number,
    readonly behaviour: Behaviour,
  ) {}
  check(): boolean {
    return true
  }
  async run(_model: Model, system: System): Promise<void> {
    system.behaviour.set(this.key, this.behaviour)
    return Promise.resolve()
  }
  toString(): string {
    return `behave(${this.key}, ${this.behaviour})`
  }
}

class AdvanceCommand implements Command {
  constructor(readonly by: number) {}
  check(): boolean {
    return true
  }
  async run(model: Model, system: System): Promise<void> {
    await system.clock.advanceAsync(this.by)
    await settleTurns()
    // Runs may start during the advance (a background refresh starts on the next turn): any
    // run whose method timeout fell due by now has timed out.
    const now = system.clock.now()
    for (const run of system.runs)
      if (!run.settled && run.startedAt + METHOD_TIMEOUT <= now) run.timedOut = true
    system.checkSettledCalls()
    system.checkOneLiveRunPerKey()
    if (system.exact) {
      system.checkInFlightState()
      system.checkStorage(model)
    }
  }
  toString(): string {
    return `advance(${this.by})`
  }
}

class InvalidateCommand implements Command {
  constructor(readonly key: number) {}
  check(): boolean {
    return true
  }
  async run(model: Model, system: System): Promise<void> {
    const inv: Invalidation = { key: this.key, issued: ++system.tick, done: 0, failed: undefined }
    system.invalidations.push(inv)
    for (const run of system.liveRuns(this.key)) run.invalidated = true
    model.stored.delete(this.key)
    // Not awaited: with the scheduled storage, its release completes when the scheduler says
    // (a command awaiting scheduled work would block the scheduler).
    invalidate(() => system.invoke(this.key)).then(
      () => (inv.done = ++system.tick),
      (error: unknown) => (inv.failed = error ?? 'rejected'),
    )
    await settleTurns()
    if (system.exact) expect(inv.done).toBeGreaterThan(0)
    system.checkSettledCalls()
    system.checkOneLiveRunPerKey()
    if (system.exact) {
      system.checkInFlightState()
      system.checkStorage(model)
    }
  }
  toString(): string {
    return `invalidate(${this.key})`
  }
}

const key = fc.constantFrom(...KEYS)
const commands = fc.commands(
  [
    key.map((k) => new CallCommand(k, false)),
    key.map((k) => new CallCommand(k, false)),
    key.map((k) => new CallCommand(k, true)),
    key.map((k) => new CompleteCommand(k)),
    key.map((k) => new CompleteCommand(k)),
    fc
      .tuple(key, fc.constantFrom<Behaviour>('ok', 'ok', 'fail', 'hang'))
      .map(([k, b]) => new BehaviourCommand(k, b)),
    fc
      .constantFrom(1, 10, METHOD_TIMEOUT, UPDATE_AFTER, EXPIRE_AFTER - UPDATE_AFTER, EXPIRE_AFTER)
      .map((by) => new AdvanceCommand(by)),
    key.map((k) => new InvalidateCommand(k)),
  ],
  { maxCommands: 40, size: 'max' },
)

/** After the sequence: hung runs time out, late results arrive; nothing may be left. */
async function drainAndCheck(system: System): Promise<void> {
  for (const run of system.runs) if (!run.settled) run.timedOut = true
  await system.clock.advanceAsync(METHOD_TIMEOUT + 1)
  for (const run of system.runs)
    if (!run.settled && run.behaviour !== 'hang') system.complete(run, system.clock.now())
  await settleTurns()
  await system.engine.settle()
  await settleTurns()
  expect(system.calls.filter((c) => c.state === 'pending')).toEqual([])
  expect(system.invalidations.filter((i) => i.done === 0 || i.failed !== undefined)).toEqual([])
  system.checkStorage(undefined)
  system.checkSettledCalls()
  expect({
    refreshesInFlight: system.engine.refreshesInFlight,
    locks: system.locks.size,
    timers: system.clock.pendingTimers,
  }).toEqual({ refreshesInFlight: 0, locks: 0, timers: 0 })
}

let unhandled: ReturnType<typeof unhandledRejections>
beforeEach(() => {
  unhandled = unhandledRejections()
})
afterEach(async () => {
  await flushPromises()
  unhandled.dispose()
  expect(unhandled.reasons).toEqual([])
})

describe('the engine against a reference model', () => {
  it('exact model: hits, stale values and joined runs as predicted; no pending state left', async () => {
    await checkProperty(
      'engine model (exact)',
      fc.asyncProperty(commands, async (cmds) => {
        const system = new System(true)
        await fc.asyncModelRun(() => ({ model: { stored: new Map() }, real: system }), cmds)
        await drainAndCheck(system)
      }),
      300,
    )
  })

  it('scheduled storage: whatever the interleaving of refreshes, writes and invalidations, only allowed values', async () => {
    await checkProperty(
      'engine model (scheduled)',
      fc.asyncProperty(fc.scheduler(), commands, async (s, cmds) => {
        const system = new System(false, s)
        await fc.scheduledModelRun(s, () => ({ model: { stored: new Map() }, real: system }), cmds)
        const drained = drainAndCheck(system)
        await s.waitFor(drained)
      }),
      300,
    )
  })
})
