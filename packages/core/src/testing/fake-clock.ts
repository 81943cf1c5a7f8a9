import type { Clock, Milliseconds, TimerHandle, Timestamp } from '../clock.js'

interface FakeTimer {
  readonly id: number
  readonly due: Timestamp
  readonly callback: () => void
}

/**
 * A clock that only moves when told to. Pass it to a configuration (`clock` option) and tests
 * need no sleeps: `advance()` moves time and fires due timers (method and lock timeouts) in
 * order.
 *
 * ```ts
 * const clock = new FakeClock()
 * const cached = memoize(fn, { configuration: DefaultInMemoryCacheConfiguration({ clock, updateAfter: 1000 }) })
 * clock.advance(1001)
 * ```
 */
export class FakeClock implements Clock {
  #now: Timestamp
  #nextId = 1
  #timers: FakeTimer[] = []

  constructor(start: Timestamp = Date.UTC(2024, 0, 1)) {
    this.#now = start
  }

  now(): Timestamp {
    return this.#now
  }

  setTimer(callback: () => void, delay: Milliseconds): TimerHandle {
    const timer = { id: this.#nextId++, due: this.#now + Math.max(0, delay), callback }
    this.#timers.push(timer)
    return timer.id
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle)
  }

  /** Timers scheduled and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.length
  }

  /** Moves time forward by `by` ms, firing every timer that falls due, in order. */
  advance(by: Milliseconds): void {
    this.#runUntil(this.#now + by)
  }

  /** Sets the current time (forward or backward); fires timers that fall due. */
  set(time: Timestamp): void {
    if (time < this.#now) this.#now = time
    else this.#runUntil(time)
  }

  /**
   * Like {@link advance}, but lets pending promise callbacks and I/O callbacks run after each
   * timer fires, so async code reacting to one timer can schedule the next.
   */
  async advanceAsync(by: Milliseconds): Promise<void> {
    const target = this.#now + by
    for (;;) {
      await flushPromises()
      const next = this.#nextDue()
      if (next === undefined || next.due > target) break
      this.#now = next.due
      this.#timers = this.#timers.filter((timer) => timer !== next)
      next.callback()
    }
    this.#now = target
    await flushPromises()
  }

  #nextDue(): FakeTimer | undefined {
    let next: FakeTimer | undefined
    for (const timer of this.#timers) {
      if (
        next === undefined ||
        timer.due < next.due ||
        (timer.due === next.due && timer.id < next.id)
      )
        next = timer
    }
    return next
  }

  #runUntil(target: Timestamp): void {
    for (;;) {
      const next = this.#nextDue()
      if (next === undefined || next.due > target) break
      this.#now = next.due
      this.#timers = this.#timers.filter((timer) => timer !== next)
      next.callback()
    }
    this.#now = target
  }
}

/**
 * Lets queued promise callbacks and I/O callbacks run: a few turns of the event loop. Use it
 * where a test must observe the effect of work that is already scheduled.
 */
export async function flushPromises(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}
