/** Milliseconds since the Unix epoch (what `Date.now()` returns). */
export type Timestamp = number

/** A length of time in milliseconds. */
export type Milliseconds = number

/** An opaque handle returned by {@link Clock.setTimer}. */
export type TimerHandle = unknown

/**
 * The only source of time in memokit. Entries cross process boundaries (Redis, Lambda), so
 * instants are wall-clock epoch milliseconds, not a monotonic clock.
 *
 * Tests inject a `FakeClock` (from `@memokit/core/testing`) instead of sleeping. A custom clock
 * may omit the timer methods; real timers are used then.
 */
export interface Clock {
  now(): Timestamp
  /** Schedules `callback` after `delay` ms; used for method timeouts and lock timeouts. */
  setTimer?(callback: () => void, delay: Milliseconds): TimerHandle
  clearTimer?(handle: TimerHandle): void
}

// Date.now() costs tens of nanoseconds on some virtual machines, more than the rest of a cache
// hit. The system clock therefore re-reads it at most once per millisecond (a timer marks the
// reading stale) or every 64 readings, whichever comes first, so a long chain of microtasks
// that never lets the timer run still sees time move.
let lastReading = 0
let readingsLeft = 0
let staleTimerArmed = false
const READINGS_PER_REFRESH = 64

function markReadingStale(): void {
  readingsLeft = 0
  staleTimerArmed = false
}

function coarseNow(): Timestamp {
  if (readingsLeft > 0) {
    readingsLeft--
    return lastReading
  }
  lastReading = Date.now()
  readingsLeft = READINGS_PER_REFRESH - 1
  if (!staleTimerArmed) {
    staleTimerArmed = true
    setTimeout(markReadingStale, 1).unref()
  }
  return lastReading
}

/**
 * The real clock: `Date.now()` (read at most once per millisecond or every 64 calls, which is
 * within `Date.now()`'s own resolution for freshness decisions) and `setTimeout`.
 */
export const systemClock: Clock = Object.freeze({
  now: coarseNow,
  setTimer: (callback: () => void, delay: Milliseconds): TimerHandle => setTimeout(callback, delay),
  clearTimer: (handle: TimerHandle): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
})

/** Largest delay `setTimeout` honours; longer delays would fire immediately. */
export const MAX_TIMER_DELAY: Milliseconds = 2 ** 31 - 1

/** Starts a timer on `clock`, falling back to real timers for clocks without them. */
export function startTimer(clock: Clock, callback: () => void, delay: Milliseconds): TimerHandle {
  return clock.setTimer ? clock.setTimer(callback, delay) : setTimeout(callback, delay)
}

/** Cancels a timer started with {@link startTimer}. */
export function cancelTimer(clock: Clock, handle: TimerHandle): void {
  if (clock.setTimer) clock.clearTimer?.(handle)
  else clearTimeout(handle as ReturnType<typeof setTimeout>)
}

export const seconds = (count: number): Milliseconds => count * 1_000
export const minutes = (count: number): Milliseconds => count * 60_000
export const hours = (count: number): Milliseconds => count * 3_600_000
