import { fileURLToPath } from 'node:url'

/** The bench package's directory (this file is in `bench/dist/lib/`). */
export const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url))
/** The repository's root directory. */
export const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url))
/** The measurement process entry point. */
export const CHILD_SCRIPT = fileURLToPath(new URL('../child.js', import.meta.url))
/** Where `pnpm bench` writes its results unless told otherwise. */
export const DEFAULT_RESULTS = fileURLToPath(new URL('../../results/latest.json', import.meta.url))
/** The page the results are published in. */
export const DEFAULT_DOC = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url))
