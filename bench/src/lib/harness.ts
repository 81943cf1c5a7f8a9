// Timing loops, run inside a measurement process. Each returns the median of its samples; the
// runner then takes the median over processes (repetitions).
import { median } from './stats.js'

/** An operation under test: returns a value or a promise, and is awaited either way. */
export type Operation = () => unknown

export interface SequentialOptions {
  /** Operations per timed sample. */
  iterations: number
  /** Timed samples. */
  samples: number
  /** Untimed operations first (JIT warm-up). */
  warmup: number
}

/** Median nanoseconds per operation, awaiting each operation before starting the next. */
export async function timeSequential(op: Operation, options: SequentialOptions): Promise<number> {
  const { iterations, samples, warmup } = options
  for (let i = 0; i < warmup; i++) await op()
  const perOp: number[] = []
  for (let s = 0; s < samples; s++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) await op()
    perOp.push(Number(process.hrtime.bigint() - start) / iterations)
  }
  return median(perOp)
}

export interface ConcurrentOptions {
  /** Async loops running at once, each awaiting its own operations one after another. */
  loops: number
  /** Operations per loop per timed sample (a fixed count: no clock read per operation). */
  opsPerLoop: number
  /** Timed samples. */
  samples: number
  /** Untimed operations per loop first. */
  warmupOpsPerLoop: number
}

async function runLoops(op: Operation, loops: number, opsPerLoop: number): Promise<number> {
  const loop = async (): Promise<void> => {
    for (let i = 0; i < opsPerLoop; i++) await op()
  }
  const start = process.hrtime.bigint()
  await Promise.all(Array.from({ length: loops }, loop))
  return Number(process.hrtime.bigint() - start)
}

/** Median operations per second with `loops` concurrent loops. */
export async function timeConcurrent(op: Operation, options: ConcurrentOptions): Promise<number> {
  const { loops, opsPerLoop, samples, warmupOpsPerLoop } = options
  if (warmupOpsPerLoop > 0) await runLoops(op, loops, warmupOpsPerLoop)
  const rates: number[] = []
  for (let s = 0; s < samples; s++) {
    const ns = await runLoops(op, loops, opsPerLoop)
    rates.push((loops * opsPerLoop * 1e9) / ns)
  }
  return median(rates)
}
