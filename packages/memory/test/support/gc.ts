import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** A garbage-collection trigger: `global.gc` under --expose-gc, else enabled at run time. */
export function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (typeof exposed === 'function') return exposed
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/** Collects garbage until `done()` holds or the attempts run out. */
export async function collectUntil(done: () => boolean, attempts = 30): Promise<boolean> {
  const gc = gcFunction()
  for (let i = 0; i < attempts && !done(); i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return done()
}
