import type { RedisClient } from './redis-client.js'

/**
 * The Lua scripts memokit runs. Each lock script touches exactly one key; the release and the
 * fenced write touch an entry and its tombstone, which share a hash tag: all are Redis Cluster
 * safe. The batched read touches several keys and is only used on a standalone Redis. They
 * are registered with ioredis `defineCommand` (EVALSHA with an EVAL fallback) once per client.
 *
 * @internal
 */
const SCRIPTS = {
  /**
   * KEYS[1] entry, KEYS[2] tombstone; ARGV[1] a new tombstone id, ARGV[2] its lifetime in ms →
   * deletes the entry and leaves the tombstone (what `fence` reads). Returns the DEL count.
   */
  memokitRelease: `
local deleted = redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return deleted`,
  /**
   * KEYS[1] entry, KEYS[2] tombstone; ARGV[1] the fence (the tombstone id when the refresh
   * started, '' for none), ARGV[2] the value, ARGV[3] its expiry (PXAT) → 1 when written, 0
   * when the key was released since (nothing written).
   */
  memokitOfferFenced: `
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
return 1`,
  /**
   * KEYS: entries; ARGV[1] the size cap → for each key, its first cap + 1 bytes (GETRANGE: a
   * huge value is never transferred whole), 0 when missing, -1 when it holds another type.
   */
  memokitGetMany: `
local cap = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  local value = redis.pcall('GETRANGE', KEYS[i], 0, cap)
  if type(value) == 'table' then out[i] = -1
  elseif value == '' then out[i] = 0
  else out[i] = value end
end
return out`,
  /**
   * KEYS[1] lock, ARGV[1] token, ARGV[2] lease ms, ARGV[3] a completion marker already seen
   * ('' if none), ARGV[4] '1' when forced (any completion marker may be replaced) → 'OK' when
   * claimed; the marker ('done:…') when an update completed moments ago; 'HELD' when another
   * update is running.
   */
  memokitClaimLock: `
local current = redis.call('GET', KEYS[1])
if (not current) or (ARGV[3] ~= '' and current == ARGV[3])
    or (ARGV[4] == '1' and string.sub(current, 1, 5) == 'done:') then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'OK'
end
if string.sub(current, 1, 5) == 'done:' then return current end
return 'HELD'`,
  /** KEYS[1] lock, ARGV[1] token, ARGV[2] lease ms → 1 when renewed, 0 when the lock is lost. */
  memokitRenewLock: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`,
  /**
   * KEYS[1] lock, ARGV[1] token, ARGV[2] channel, ARGV[3] message, ARGV[4] completion marker
   * lifetime in ms (0: none) → 1 when the lock was ours (replaced by the marker 'done:<token>'
   * or deleted, message published), 0 otherwise (nothing done: an outdated claim is ignored).
   */
  memokitReleaseLock: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[4]) > 0 then
    redis.call('SET', KEYS[1], 'done:' .. ARGV[1], 'PX', ARGV[4])
  else
    redis.call('DEL', KEYS[1])
  end
  if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
  return 1
end
return 0`,
} as const

/** Scripts that touch two keys (an entry and its tombstone); the others touch one. */
const KEY_COUNTS: Record<string, number> = { memokitRelease: 2, memokitOfferFenced: 2 }

/** The custom commands, as typed methods. */
export interface ScriptCommands {
  memokitRelease(entry: string, tombstone: string, id: string, lifetime: number): Promise<number>
  memokitOfferFenced(
    entry: string,
    tombstone: string,
    fence: string,
    value: Buffer,
    expiresAt: number,
  ): Promise<number>
  memokitGetManyBuffer(
    count: number,
    ...namesAndCap: (string | number)[]
  ): Promise<(Buffer | number)[]>
  memokitClaimLock(
    lock: string,
    token: string,
    lease: number,
    seen: string,
    forced: '1' | '',
  ): Promise<string>
  memokitRenewLock(lock: string, token: string, lease: number): Promise<number>
  memokitReleaseLock(
    lock: string,
    token: string,
    channel: string,
    message: Buffer,
    markerLifetime: number,
  ): Promise<number>
}

/** Registers the scripts on `client` (idempotent) and returns it typed with them. */
export function withScripts(client: RedisClient): RedisClient & ScriptCommands {
  const commands = client as unknown as Partial<ScriptCommands>
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    if (typeof commands[name as keyof ScriptCommands] !== 'function')
      // The batched read takes its key count as first argument.
      client.defineCommand(
        name,
        name === 'memokitGetMany' ? { lua } : { numberOfKeys: KEY_COUNTS[name] ?? 1, lua },
      )
  }
  return client as RedisClient & ScriptCommands
}
