import { appendFileSync } from 'node:fs'
import fc from 'fast-check'

/**
 * Runs a property the way the suite's two modes want it:
 *
 * - in `pnpm test`, `fastRuns` runs (a fixed, small number: the fast part's time budget);
 * - in the long command (`pnpm soak`, which sets `MEMOKIT_FUZZ_SECONDS`), as many runs as fit in
 *   that many seconds: chunks of runs, each a complete `fc.check` with the next seed, until the
 *   time is up (fast-check's own time limit would abandon an asynchronous run mid-way).
 *
 * `MEMOKIT_FUZZ_SEED` fixes the (first) seed and `MEMOKIT_FUZZ_RUNS` the number of runs of the
 * fast mode: together they replay a failure (the seed of its report, more runs than the first
 * number of its path). A failure throws fast-check's report (seed, path, shrunk counterexample). The runs and the seed go to the file named by `MEMOKIT_FUZZ_REPORT`
 * when set (one JSON line per property).
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
  fastRuns: number,
): Promise<void> {
  const seconds = Number(process.env.MEMOKIT_FUZZ_SECONDS ?? 0)
  const fixedSeed =
    process.env.MEMOKIT_FUZZ_SEED === undefined ? undefined : Number(process.env.MEMOKIT_FUZZ_SEED)
  const seed = fixedSeed ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0
  const started = Date.now()
  const deadline = started + seconds * 1000
  let runs = 0
  let chunks = 0
  let size = seconds > 0 ? 20 : Number(process.env.MEMOKIT_FUZZ_RUNS ?? fastRuns)
  let failure: fc.RunDetails<Ts> | undefined
  do {
    const chunkStarted = Date.now()
    const details = await fc.check(property as fc.IAsyncProperty<Ts>, {
      numRuns: size,
      seed: seed + chunks,
    })
    runs += details.numRuns
    chunks++
    if (details.failed) {
      failure = details
      break
    }
    // Next chunk: about a second's worth of runs.
    const perRun = Math.max(0.01, (Date.now() - chunkStarted) / Math.max(1, details.numRuns))
    size = Math.max(10, Math.min(20_000, Math.round(1000 / perRun)))
  } while (seconds > 0 && Date.now() < deadline)
  const report = process.env.MEMOKIT_FUZZ_REPORT
  if (report !== undefined && report !== '')
    appendFileSync(
      report,
      JSON.stringify({
        name,
        runs,
        seed,
        chunks,
        failed: failure !== undefined,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      }) + '\n',
    )
  if (failure !== undefined) {
    const cause = failure.errorInstance
    throw new Error(
      `${name}: ${fc.defaultReportMessage(failure)}\n${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`,
      { cause },
    )
  }
}
