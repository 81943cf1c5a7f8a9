import type { CascadeRedisClient } from './store.js'

/**
 * The Lua scripts of the step state machine. Each touches one key (a step's hash), so they are
 * Redis Cluster safe. Registered with ioredis `defineCommand` (EVALSHA with an EVAL fallback)
 * once per client.
 *
 * @internal
 */
const SCRIPTS = {
  /**
   * KEYS[1] step; ARGV token, now, in-progress expiry, ttl →
   * `missing` | `completed`/`failed` + attempts | `in-progress` + expiry + attempts |
   * `claimed` + attempts | `corrupt` + problem. A step is claimed when it has never started or
   * when its in-progress expiry is not after `now` (so an expiry equal to now, from a Lambda
   * with 0 ms left, has passed).
   */
  memokitCascadeClaim: `
if redis.call('HEXISTS', KEYS[1], 'def') == 0 then return {'missing'} end
local f = redis.call('HMGET', KEYS[1], 'status', 'expiry', 'attempts')
local status = f[1]
if status == 'completed' or status == 'failed' then return {status, f[3] or '0'} end
if status == 'in-progress' then
  local expiry = tonumber(f[2])
  if not expiry then return {'corrupt', 'the in-progress expiry is not a number'} end
  if expiry > tonumber(ARGV[2]) then return {'in-progress', f[2], f[3] or '0'} end
elseif status then
  return {'corrupt', 'the status is unknown'}
end
local attempts = tonumber(f[3] or '0')
if not attempts then return {'corrupt', 'the attempt count is not a number'} end
attempts = attempts + 1
redis.call('HSET', KEYS[1], 'status', 'in-progress', 'token', ARGV[1], 'expiry', ARGV[3],
  'attempts', tostring(attempts), 'started', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {'claimed', tostring(attempts)}`,
  /**
   * KEYS[1] step; ARGV token, status, field ('' for none), value, ttl, now → 1 when the attempt
   * holding `token` settled the step, 0 when another attempt took it over (nothing written).
   */
  memokitCascadeSettle: `
local f = redis.call('HMGET', KEYS[1], 'status', 'token')
if f[1] ~= 'in-progress' or f[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'settled', ARGV[6])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], ARGV[3], ARGV[4]) end
redis.call('HDEL', KEYS[1], 'token', 'expiry')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`,
  /** KEYS[1] hash; ARGV ttl, field, value, ... → HSET and PEXPIRE together (never a key without TTL). */
  memokitCascadeWrite: `
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`,
  /** Like memokitCascadeWrite, only when the hash exists (an expired record is not revived). */
  memokitCascadeUpdate: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`,
} as const

/** The custom commands, as typed methods. @internal */
export interface CascadeScripts {
  memokitCascadeClaim(
    key: string,
    token: string,
    now: number,
    expiry: number,
    ttl: number,
  ): Promise<(string | number)[]>
  memokitCascadeSettle(
    key: string,
    token: string,
    status: string,
    field: string,
    value: string | Uint8Array,
    ttl: number,
    now: number,
  ): Promise<number>
  memokitCascadeWrite(
    key: string,
    ttl: number,
    ...fieldsAndValues: (string | Uint8Array)[]
  ): Promise<number>
  memokitCascadeUpdate(
    key: string,
    ttl: number,
    ...fieldsAndValues: (string | Uint8Array)[]
  ): Promise<number>
}

/** Registers the scripts on `client` (idempotent) and returns it typed with them. @internal */
export function withCascadeScripts(
  client: CascadeRedisClient,
): CascadeRedisClient & CascadeScripts {
  const commands = client as unknown as Record<string, unknown>
  for (const [name, lua] of Object.entries(SCRIPTS))
    if (typeof commands[name] !== 'function') client.defineCommand(name, { numberOfKeys: 1, lua })
  return client as CascadeRedisClient & CascadeScripts
}
