// The size model against the real heap: fill a 50 MB budget with 100,000 values of mixed kinds
// and sizes (about 3x the budget in total), then compare the heap growth, measured after full
// garbage collections in a fresh `node --expose-gc` process (workers/heap-bound.mjs), with the
// budget.
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'

const MiB = 1024 * 1024

beforeAll(() => {
  // The worker runs the built package, like a user's program.
  execFileSync(process.execPath, [
    require.resolve('typescript/bin/tsc'),
    '-b',
    join(__dirname, '..'),
  ])
}, 120_000)

describe('FaasCacheMap against the measured heap', () => {
  it('keeps heap growth within 1.5x of a 50 MB budget after 100,000 mixed-size writes', () => {
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', join(__dirname, 'workers', 'heap-bound.mjs')],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    )
    if (run.status !== 0) throw new Error(`worker failed (${run.status}): ${run.stderr}`)
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      budget: number
      writes: number
      kept: number
      estimated: number
      maxTracked: number
      growth: number
    }
    const ratio = result.growth / result.budget
    console.log(
      `heap-bound: ${result.writes} writes, ${result.kept} entries kept, estimated ${(result.estimated / MiB).toFixed(1)} MiB, ` +
        `heap growth ${(result.growth / MiB).toFixed(1)} MiB = ${ratio.toFixed(2)}x the 50 MiB budget`,
    )
    expect(result.maxTracked).toBeLessThanOrEqual(result.budget)
    expect(result.kept).toBeLessThan(result.writes) // the budget was reached: eviction happened
    expect(result.growth).toBeLessThanOrEqual(1.5 * result.budget)
    // And the estimate is not so inflated that most of the budget goes unused.
    expect(result.growth).toBeGreaterThanOrEqual(0.5 * result.budget)
  }, 120_000)
})
