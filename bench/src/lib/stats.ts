/** The median of some numbers (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * The `p`-th percentile (0 to 100) of sorted numbers, nearest-rank: the smallest value that at
 * least `p` percent of the values do not exceed.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/** The smallest and largest of some numbers. */
export function range(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)]
}
