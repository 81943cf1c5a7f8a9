import { join } from 'node:path'

/** The reliability package directory. */
export const reliabilityRoot = join(__dirname, '..', '..')

/** A built script of the reliability package (the jest global setup builds them). */
export function builtScript(relative: string): string {
  return join(reliabilityRoot, 'dist', relative)
}
