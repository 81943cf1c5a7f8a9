// Background work that always fails never becomes an unhandled rejection (test plan A9), checked
// where it matters: in a process of its own under `--unhandled-rejections=throw`, where one
// would kill it. In-process spies cover the same ground in packages/core/test
// (upstream-defects, storage-faults).
import { execFile } from 'node:child_process'
import { builtScript } from '../support/paths'

jest.setTimeout(60_000)

interface Summary {
  reads: number
  staleServed: { reject: number; throw: number; hang: number }
  attempts: { reject: number; throw: number; hang: number }
  failedEvents: number
  callerErrors: Record<string, number>
  inFlight: number[]
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 50_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : (error.code as number | null), stdout, stderr }),
    )
  })
}

describe('always-failing background refreshes', () => {
  it('raise no unhandled rejection in a process run with --unhandled-rejections=throw', async () => {
    const { code, stdout, stderr } = await run([
      '--unhandled-rejections=throw',
      builtScript('core/failing-background.js'),
      '10000',
    ])
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    const summary = JSON.parse(stdout) as Summary
    console.log('10,000 stale reads with always-failing refreshes:', stdout.trim())
    // Stale values kept being served while every refresh failed...
    const served = summary.staleServed
    const failed = summary.callerErrors.CachedMethodFailedError ?? 0
    expect(served.reject + served.throw + served.hang + failed).toBe(10_000)
    // ...each failure (rejection, synchronous throw, timeout) was attempted many times...
    expect(summary.attempts.reject).toBeGreaterThan(1_000)
    expect(summary.attempts.throw).toBeGreaterThan(1_000)
    expect(summary.attempts.hang).toBeGreaterThan(10)
    // ...each reported once to listeners (which threw), and nothing was left in flight.
    const { reject, throw: thrown, hang } = summary.attempts
    expect(summary.failedEvents).toBe(reject + thrown + hang)
    expect(summary.inFlight).toEqual([0, 0, 0, 0])
    // ...and only forced refreshes (104 of the reads) waited for a refresh and saw it fail.
    expect(Object.keys(summary.callerErrors)).toEqual(['CachedMethodFailedError'])
    expect(failed).toBeGreaterThan(90)
    expect(failed).toBeLessThanOrEqual(104)
  })

  it('would have been caught: the same process dies of a stray rejection', async () => {
    const { code, stderr } = await run([
      '--unhandled-rejections=throw',
      '-e',
      'Promise.reject(new Error("stray")); setTimeout(() => {}, 100)',
    ])
    expect(code).toBe(1)
    expect(stderr).toContain('stray')
  })
})
