/** How long a run takes: `full` for published figures, `quick` to check a change, `smoke` for the test. */
export type Mode = 'full' | 'quick' | 'smoke'

/** What one measurement reports: named numbers (see the scenario's columns). */
export type Metrics = Record<string, number>

/** One column of a scenario's table. */
export interface Column {
  readonly key: string
  readonly label: string
  /** Digits after the decimal point. @default 0 */
  readonly digits?: number
}

/** One contestant of a scenario. */
export interface ContestantSpec {
  readonly id: string
  readonly name: string
  /** This is the floor: ratios are computed against it. */
  readonly floor?: boolean
  /** Set when the contestant cannot take part: the reason, printed after "n/a". */
  readonly na?: string
  /** Not measured in these variants (variant id → reason). */
  readonly naIn?: Readonly<Record<string, string>>
}

/** A variant of a scenario (a workload): each gets its own table. */
export interface Variant {
  readonly id: string
  readonly title: string
}

/** What a measurement process receives. */
export interface MeasureContext<P> {
  readonly params: P
  readonly mode: Mode
  /** `redis://...` of the run's redis-server, for scenarios that need one. */
  readonly redisUrl: string | undefined
  /** Unique to this measurement: prefix Redis keys with it. */
  readonly namespace: string
}

/**
 * A benchmark scenario: its metadata (for tables and the doc) and `measure`, which runs in a
 * fresh process for one contestant (and variant) and returns its metrics.
 */
export interface Scenario<P = unknown> {
  readonly id: string
  readonly title: string
  /** What it measures and why, in Markdown (one paragraph). */
  readonly summary: string
  readonly needsRedis?: boolean
  /** Extra `node` flags for its measurement processes. */
  readonly nodeArgs?: readonly string[]
  /** Repetitions (fresh processes per contestant) in each mode. */
  readonly reps: Readonly<Record<Mode, number>>
  readonly params: Readonly<Record<Mode, P>>
  readonly variants?: readonly Variant[]
  readonly contestants: readonly ContestantSpec[]
  readonly columns: readonly Column[]
  /** The ratio column: `metric` of each contestant over the floor's (paired by repetition). */
  readonly ratio?: {
    readonly metric: string
    /** `lower`: a time (ratio > 1 is slower than the floor); `higher`: a throughput. */
    readonly better: 'lower' | 'higher'
    readonly label: string
  }
  /** The workload and configuration, one line of Markdown, for the table captions. */
  describe(params: P): string
  /** Limit for one measurement process. @default 120 s */
  readonly timeoutMs?: number
  measure(
    contestant: string,
    variant: string | undefined,
    context: MeasureContext<P>,
  ): Promise<Metrics>
  /**
   * The body of a helper process (`node child.js --worker <scenario> ...args`), for scenarios
   * that measure several processes at once; it talks to its parent over IPC.
   */
  worker?(args: readonly string[]): Promise<void>
}

/** A scenario with its parameter type erased, for registries. */
export type AnyScenario = Scenario<any>
