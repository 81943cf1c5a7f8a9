/**
 * Small statistics for the reports: a mergeable latency histogram, percentiles, and the
 * least-squares slope used for memory growth.
 */

/** Bucket `i` holds latencies in (GROWTH^(i-1), GROWTH^i] ms; bucket 0 holds ≤ 1 ms. */
const GROWTH = 1.04

function bucketOf(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / Math.log(GROWTH))
}

function upperBound(bucket: number): number {
  return bucket === 0 ? 1 : GROWTH ** bucket
}

/**
 * A latency histogram with 4% wide buckets: small enough to send over IPC every few hundred
 * milliseconds, mergeable across processes and time windows, exact for the maximum.
 */
export class LatencyHistogram {
  counts: Record<number, number> = {}
  count = 0
  max = 0

  record(ms: number): void {
    const bucket = bucketOf(ms)
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1
    this.count++
    if (ms > this.max) this.max = ms
  }

  merge(other: { counts: Record<number, number>; count: number; max: number }): this {
    for (const [bucket, n] of Object.entries(other.counts))
      this.counts[Number(bucket)] = (this.counts[Number(bucket)] ?? 0) + n
    this.count += other.count
    this.max = Math.max(this.max, other.max)
    return this
  }

  /** The `p`-th percentile (0..100), as the upper bound of its bucket (never above `max`). */
  percentile(p: number): number {
    if (this.count === 0) return 0
    const rank = Math.ceil((p / 100) * this.count)
    let seen = 0
    for (const bucket of Object.keys(this.counts)
      .map(Number)
      .sort((a, b) => a - b)) {
      seen += this.counts[bucket]!
      if (seen >= rank) return Math.min(upperBound(bucket), this.max)
    }
    return this.max
  }

  toJSON(): { counts: Record<number, number>; count: number; max: number } {
    return { counts: this.counts, count: this.count, max: this.max }
  }

  /** Empties it (for per-window histograms). */
  reset(): void {
    this.counts = {}
    this.count = 0
    this.max = 0
  }
}

/** Least-squares slope of `y` over `x`; 0 with fewer than two points. */
export function slope(points: readonly (readonly [x: number, y: number])[]): number {
  const n = points.length
  if (n < 2) return 0
  let sx = 0
  let sy = 0
  for (const [x, y] of points) {
    sx += x
    sy += y
  }
  const mx = sx / n
  const my = sy / n
  let num = 0
  let den = 0
  for (const [x, y] of points) {
    num += (x - mx) * (y - my)
    den += (x - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}

/** Rounds to `digits` decimals (for tables). */
export function round(value: number, digits = 0): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** Sums a numeric field over records. */
export function sumOf<T>(items: readonly T[], field: (item: T) => number): number {
  let total = 0
  for (const item of items) total += field(item)
  return total
}

/**
 * A Zipf-distributed sampler over `0..n-1` (rank 0 most popular) with exponent `s`, by
 * inverting the cumulative distribution with a binary search.
 */
export function zipfSampler(
  n: number,
  s: number,
  random: () => number = Math.random,
): () => number {
  const cumulative = new Float64Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    total += 1 / (i + 1) ** s
    cumulative[i] = total
  }
  return () => {
    const target = random() * total
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cumulative[mid]! < target) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
