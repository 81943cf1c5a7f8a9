// A measurement process: the runner forks it with one job (a scenario and the cases to measure,
// usually one) and it sends each case's metrics back over IPC, then exits. With `--worker` it is
// a helper process of a scenario that needs several (cross-process scenarios).
import type { Job, ChildMessage } from './lib/runner.js'
import { scenario } from './scenarios/index.js'

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  )
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}

async function main(): Promise<void> {
  // Never outlive the runner (a killed or crashed runner must not leave measurements running).
  process.on('disconnect', () => process.exit(1))
  if (process.argv[2] === '--worker') {
    const [, , , id, ...args] = process.argv
    const worker = scenario(id!).worker
    if (worker === undefined) throw new Error(`scenario ${id} has no worker`)
    await worker(args)
    return
  }
  const job = JSON.parse(process.argv[2]!) as Job
  const definition = scenario(job.scenario)
  for (const [index, item] of job.cases.entries()) {
    try {
      const metrics = await definition.measure(item.contestant, item.variant, {
        params: job.params,
        mode: job.mode,
        redisUrl: job.redisUrl,
        namespace: item.namespace,
      })
      await send({ type: 'result', index, metrics })
    } catch (error) {
      await send({ type: 'error', index, message: describeError(error) })
    }
  }
  // Libraries may keep timers or sockets open: the measurement is over, leave now.
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(describeError(error))
  process.exit(1)
})
