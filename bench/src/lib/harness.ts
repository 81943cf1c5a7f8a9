// Timing loops, run inside a measurement process. Each keeps the fastest of its samples: other
// work on the machine can only add time to a sample, never remove it, and samples last long
// enough (tens of milliseconds) to include the contestant's own garbage collections. The runner
// then takes the median over processes (repetitions).

/** An operation under test: returns a value or a promise, and is awaited either way. */
export type Operation = () => unknown

export interface SequentialOptions {
  /** Timed samples; the fastest is kept. */
  samples: number
  /** Target duration of one sample; the operation count per sample is derived from the warm-up. */
  sampleMs: number
  /** Most operations per sample (fast operations reach it before `sampleMs`). */
  maxIterations: number
  /** Untimed operations first (JIT warm-up), or fewer if `warmupMs` runs out first. */
  warmup: number
  warmupMs: number
}

/** Operations per sample, from the warm-up's rate. */
function perSample(ops: number, ns: number, sampleMs: number, max: number): number {
  const rate = ops / Math.max(ns, 1) // operations per nanosecond
  return Math.max(1, Math.min(max, Math.round(rate * sampleMs * 1e6)))
}

/** Nanoseconds per operation (fastest sample), awaiting each operation before the next. */
export async function timeSequential(op: Operation, options: SequentialOptions): Promise<number> {
  const { samples, sampleMs, maxIterations, warmup, warmupMs } = options
  const warmStart = process.hrtime.bigint()
  const deadline = warmStart + BigInt(warmupMs * 1e6)
  let warmed = 0
  while (warmed < warmup) {
    const chunk = Math.min(1000, warmup - warmed)
    for (let i = 0; i < chunk; i++) await op()
    warmed += chunk
    if (process.hrtime.bigint() > deadline) break
  }
  const elapsed = Number(process.hrtime.bigint() - warmStart)
  const iterations = perSample(warmed, elapsed, sampleMs, maxIterations)
  let best = Infinity
  for (let s = 0; s < samples; s++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) await op()
    best = Math.min(best, Number(process.hrtime.bigint() - start) / iterations)
  }
  return best
}

export interface ConcurrentOptions {
  /** Async loops running at once, each awaiting its own operations one after another. */
  loops: number
  /** Timed samples; the fastest is kept. */
  samples: number
  /** Target duration of one sample (the count per loop is derived from the warm-up). */
  sampleMs: number
  /** Most operations per loop per sample. */
  maxOpsPerLoop: number
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

/** Operations per second (fastest sample) with `loops` concurrent loops. */
export async function timeConcurrent(op: Operation, options: ConcurrentOptions): Promise<number> {
  const { loops, samples, sampleMs, maxOpsPerLoop, warmupOpsPerLoop } = options
  const warmNs = await runLoops(op, loops, warmupOpsPerLoop)
  const opsPerLoop = Math.max(
    1,
    Math.round(
      perSample(loops * warmupOpsPerLoop, warmNs, sampleMs, loops * maxOpsPerLoop) / loops,
    ),
  )
  let best = 0
  for (let s = 0; s < samples; s++) {
    const ns = await runLoops(op, loops, opsPerLoop)
    best = Math.max(best, (loops * opsPerLoop * 1e9) / ns)
  }
  return best
}
