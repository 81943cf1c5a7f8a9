import { randomUUID } from 'node:crypto'
import { FakeClock } from '@memokit/core/testing'
import { FaasCacheMap, type FaasCacheMapOptions } from '@memokit/memory'

/** faas-cache-dict's tests/1_mebibyte.txt: exactly 1,048,576 ASCII characters. */
export const ONE_MIB_TEXT = 'faas-cache-dict '.repeat(65_536)

export const KiB = 1024
export const MiB = 1024 * 1024

/** A map on a fake clock with no background timer, unless the options say otherwise. */
export function fakeMap<K = string, V = unknown>(
  options: FaasCacheMapOptions<K, V> = {},
): { map: FaasCacheMap<K, V>; clock: FakeClock } {
  const clock = (options.clock as FakeClock | undefined) ?? new FakeClock()
  const map = new FaasCacheMap<K, V>({ purgeInterval: false, ...options, clock })
  return { map, clock }
}

/** Upstream's `load_with_mebibyte_of_data`: `times` MiB of text under a fresh key. */
export function loadMebibytes(map: FaasCacheMap<string, unknown>, times: number): string {
  const key = randomUUID()
  map.set(key, times === 1 ? ONE_MIB_TEXT : ONE_MIB_TEXT.repeat(times))
  return key
}

/** Records every onDelete call. */
export function recorder<K = string, V = unknown>(): {
  calls: [K, V, string][]
  onDelete: (key: K, value: V, reason: string) => void
} {
  const calls: [K, V, string][] = []
  return { calls, onDelete: (key, value, reason) => calls.push([key, value, reason]) }
}
