/**
 * A small benchmark harness: contestants are measured interleaved (A, B, C, A, B, C, ...) over
 * several rounds so that machine noise hits all of them alike; the report gives the median
 * nanoseconds per operation and the ratio to the floor (the first contestant).
 */
export interface Contestant {
  readonly name: string
  /** Returns the operation to time; called once, before the rounds start. */
  setup(): Promise<() => Promise<unknown>> | (() => Promise<unknown>)
}

export interface CompareOptions {
  /** Operations per timed sample. @default 200_000 */
  iterations?: number
  /** Timed samples per contestant. @default 9 */
  rounds?: number
  /** Untimed operations before the first round. @default 50_000 */
  warmup?: number
}

export interface Result {
  readonly name: string
  readonly nsPerOp: number
  readonly opsPerSec: number
  readonly ratio: number
}

export async function compare(
  contestants: readonly Contestant[],
  options: CompareOptions = {},
): Promise<Result[]> {
  const { iterations = 200_000, rounds = 9, warmup = 50_000 } = options
  const ops: Array<() => Promise<unknown>> = []
  for (const c of contestants) ops.push(await c.setup())
  for (const op of ops) for (let i = 0; i < warmup; i++) await op()
  const samples: number[][] = contestants.map(() => [])
  for (let round = 0; round < rounds; round++) {
    for (const [index, op] of ops.entries()) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < iterations; i++) await op()
      const elapsed = Number(process.hrtime.bigint() - start)
      samples[index]!.push(elapsed / iterations)
    }
  }
  const medians = samples.map(median)
  const floor = medians[0]!
  return contestants.map((c, index) => ({
    name: c.name,
    nsPerOp: medians[index]!,
    opsPerSec: 1e9 / medians[index]!,
    ratio: medians[index]! / floor,
  }))
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export function printTable(title: string, results: readonly Result[]): void {
  console.log(`\n${title}`)
  console.log(
    `${'contestant'.padEnd(44)} ${'ns/op'.padStart(9)} ${'ops/s'.padStart(13)} ${'× floor'.padStart(8)}`,
  )
  for (const r of results) {
    console.log(
      `${r.name.padEnd(44)} ${r.nsPerOp.toFixed(1).padStart(9)} ${Math.round(r.opsPerSec)
        .toLocaleString('en-US')
        .padStart(13)} ${r.ratio.toFixed(2).padStart(8)}`,
    )
  }
}
