import { appendFileSync } from 'node:fs'
import fc from 'fast-check'

/**
 * Runs a property the way the suite's two modes want it:
 *
 * - in `pnpm test`, `fastRuns` runs (a fixed, small number: the fast part's time budget);
 * - in the long command (`pnpm soak`, which sets `MEMOKIT_FUZZ_SECONDS`), as many runs as fit in
 *   that many seconds per property.
 *
 * A failure throws fast-check's report (seed, path, shrunk counterexample). The number of runs
 * and the seed go to the file named by `MEMOKIT_FUZZ_REPORT` when set (one JSON line each).
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
  fastRuns: number,
): Promise<fc.RunDetails<Ts>> {
  const seconds = Number(process.env.MEMOKIT_FUZZ_SECONDS ?? 0)
  const seed =
    process.env.MEMOKIT_FUZZ_SEED === undefined ? undefined : Number(process.env.MEMOKIT_FUZZ_SEED)
  const parameters: fc.Parameters<Ts> =
    seconds > 0
      ? {
          numRuns: Number.MAX_SAFE_INTEGER,
          interruptAfterTimeLimit: seconds * 1000,
          markInterruptAsFailure: false,
          ...(seed === undefined ? {} : { seed }),
        }
      : { numRuns: fastRuns, ...(seed === undefined ? {} : { seed }) }
  const started = Date.now()
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, parameters)
  const report = process.env.MEMOKIT_FUZZ_REPORT
  if (report !== undefined && report !== '')
    appendFileSync(
      report,
      JSON.stringify({
        name,
        runs: details.numRuns,
        seed: details.seed,
        failed: details.failed,
        interrupted: details.interrupted,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      }) + '\n',
    )
  if (details.failed) {
    const cause = details.errorInstance
    throw new Error(
      `${name}: ${fc.defaultReportMessage(details)}\n${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`,
      { cause },
    )
  }
  return details
}
