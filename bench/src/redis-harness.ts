/**
 * Throughput under concurrency for the Redis benchmarks: each contestant runs `loops` async
 * loops for `sampleMs`, contestants interleaved (A, B, C, A, B, C, ...) over several rounds so
 * machine noise hits all alike. The report gives the median operations per second and the
 * ratio to the floor (the first contestant, or the contestant named by `floor`): above 1 is
 * faster than the floor.
 */
export interface ConcurrentContestant {
  readonly name: string
  /** The name of the contestant to compare with. @default the first contestant */
  readonly floor?: string
  /** Returns the operation to run; called once, before the rounds start. */
  setup(): Promise<() => Promise<unknown>> | (() => Promise<unknown>)
}

export interface ConcurrentOptions {
  /** Concurrent loops per contestant. @default 64 */
  loops?: number
  /** Duration of one timed sample. @default 1000 */
  sampleMs?: number
  /** Timed samples per contestant. @default 5 */
  rounds?: number
  /** Untimed run before the first round. @default 300 */
  warmupMs?: number
}

export interface ConcurrentResult {
  readonly name: string
  readonly opsPerSec: number
  /** Throughput relative to the floor (higher is better). */
  readonly ratio: number
  /** The floor's name. */
  readonly floor: string
}

async function sample(op: () => Promise<unknown>, loops: number, ms: number): Promise<number> {
  const deadline = performance.now() + ms
  let count = 0
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await op()
      count++
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: loops }, loop))
  return (count * 1000) / (performance.now() - start)
}

export async function compareConcurrent(
  contestants: readonly ConcurrentContestant[],
  options: ConcurrentOptions = {},
): Promise<ConcurrentResult[]> {
  const { loops = 64, sampleMs = 1_000, rounds = 5, warmupMs = 300 } = options
  const ops: Array<() => Promise<unknown>> = []
  for (const c of contestants) ops.push(await c.setup())
  for (const op of ops) await sample(op, loops, warmupMs)
  const samples: number[][] = contestants.map(() => [])
  for (let round = 0; round < rounds; round++)
    for (const [index, op] of ops.entries()) samples[index]!.push(await sample(op, loops, sampleMs))
  const medians = samples.map((values) => {
    const sorted = [...values].sort((a, b) => a - b)
    return sorted[Math.floor(sorted.length / 2)]!
  })
  return contestants.map((c, index) => {
    const floorIndex = Math.max(
      0,
      contestants.findIndex((other) => other.name === c.floor),
    )
    return {
      name: c.name,
      opsPerSec: medians[index]!,
      ratio: medians[index]! / medians[floorIndex]!,
      floor: contestants[floorIndex]!.name,
    }
  })
}

export function printConcurrentTable(title: string, results: readonly ConcurrentResult[]): void {
  console.log(`\n${title}`)
  const floors = [...new Set(results.map((r) => r.floor))]
  console.log(`${'contestant'.padEnd(56)} ${'ops/s'.padStart(11)} ${'× floor'.padStart(8)}  floor`)
  for (const r of results)
    console.log(
      `${r.name.padEnd(56)} ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(11)} ${r.ratio
        .toFixed(2)
        .padStart(8)}  ${r.name === r.floor ? '-' : `(${floors.indexOf(r.floor) + 1})`}`,
    )
  floors.forEach((floor, i) => console.log(`  (${i + 1}) ${floor}`))
}
