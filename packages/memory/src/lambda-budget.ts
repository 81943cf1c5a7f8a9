/**
 * The share of an AWS Lambda function's configured memory that a store takes as its default
 * byte budget when `maxSizeBytes` is not given: a quarter. The rest is left to the Node runtime
 * itself (about 40–60 MB), the handler's own working set, and the error margin of the size
 * estimate (the estimate is meant to stay within 1.5× of the measured heap).
 */
export const LAMBDA_MEMORY_FRACTION = 0.25

/**
 * The default byte budget on AWS Lambda: {@link LAMBDA_MEMORY_FRACTION} of
 * `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` (the function's memory in MB, set by the Lambda runtime).
 * `undefined` when the variable is absent or not a positive number, i.e. when not running on
 * Lambda: stores then have no byte limit unless one is given.
 *
 * For a 128 MB function that is 32 MiB; for 1024 MB, 256 MiB.
 */
export function lambdaMemoryBudget(
  env: Readonly<Record<string, string | undefined>> = process.env,
): number | undefined {
  const raw = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE
  if (raw === undefined || raw.trim() === '') return undefined
  const megabytes = Number(raw)
  if (!Number.isFinite(megabytes) || megabytes <= 0) return undefined
  return Math.floor(megabytes * 1024 * 1024 * LAMBDA_MEMORY_FRACTION)
}
