import { setTimeout as sleep } from 'node:timers/promises'

/** A slow backend that counts its calls: what a memoizer exists to spare. */
export class Backend {
  calls = 0
  readonly perKey = new Map<string, number>()
  readonly latencyMs: number

  constructor(latencyMs: number) {
    this.latencyMs = latencyMs
  }

  /** Answers after `latencyMs` with a small record. */
  readonly load = async (key: string): Promise<{ key: string; at: number }> => {
    this.calls++
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1)
    await sleep(this.latencyMs)
    return { key, at: Date.now() }
  }

  /** The most calls any one key received. */
  maxPerKey(): number {
    return Math.max(0, ...this.perKey.values())
  }
}
