// The main demo: what @memoize() does on the default in-memory configuration.
// Run it with `pnpm demo` (or `pnpm example demo`).
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  cacheControl,
  forceRefresh,
  invalidate,
  memoize,
  settle,
} from '@memokit/core'

interface User {
  id: string
  name: string
  version: number
}

/** A pretend database: counts calls, takes 20 ms, and can be told to fail. */
class Database {
  calls = 0
  failing = false
  #versions = new Map<string, number>()

  async loadUser(id: string): Promise<User> {
    this.calls++
    await sleep(20)
    if (this.failing) throw new Error('database unavailable')
    const version = (this.#versions.get(id) ?? 0) + 1
    this.#versions.set(id, version)
    return { id, name: `user ${id}`, version }
  }
}

class Users {
  constructor(readonly db: Database) {}

  @memoize() // default: in memory, refresh after 10 min, expire after 30 min, 4096 entries
  async byId(id: string): Promise<User> {
    return this.db.loadUser(id)
  }

  // Short lifetimes to show background refresh: stale after 100 ms, expired after 1 s.
  @memoize({
    configuration: new DefaultInMemoryCacheConfiguration({ updateAfter: 100, expireAfter: 1000 }),
  })
  async profile(id: string): Promise<User> {
    return this.db.loadUser(id)
  }
}

const db = new Database()
const users = new Users(db)
const show = (label: string, user: User): void =>
  console.log(`${label.padEnd(46)} -> ${user.name} v${user.version} (database calls: ${db.calls})`)

console.log('1. Dog-pile protection: 100 concurrent calls, one database call')
const many = await Promise.all(Array.from({ length: 100 }, () => users.byId('42')))
show('   100 concurrent byId("42")', many[0]!)

console.log('2. Cached: the next calls do not reach the database')
show('   byId("42")', await users.byId('42'))
show('   byId("7") (other arguments, other entry)', await users.byId('7'))

console.log('3. Forced refresh and invalidation, typed by the call itself')
show('   forceRefresh(() => byId("42"))', await forceRefresh(() => users.byId('42')))
await invalidate(() => users.byId('42'))
show('   byId("42") after invalidate()', await users.byId('42'))

console.log('4. Failures are never cached')
db.failing = true
try {
  await users.byId('13')
} catch (error) {
  const failure = error as CachedMethodFailedError
  console.log(
    `   byId("13") failed: ${failure.message}, cause: ${(failure.cause as Error).message}`,
  )
}
db.failing = false
show('   byId("13") once the database is back', await users.byId('13'))

console.log('5. Stale-while-refresh: past its refresh time a value is served at once,')
console.log('   and one background refresh fetches the next one')
show('   profile("42")', await users.profile('42'))
await sleep(150)
show('   profile("42") after 150 ms (stale, instant)', await users.profile('42'))
await settle() // waits for background refreshes (call it before a serverless handler returns)
show('   profile("42") after the background refresh', await users.profile('42'))

const stats = cacheControl(Users.prototype.byId).stats()
console.log(
  `6. Stats of Users.byId: ${stats.hits} hit, ${stats.misses} misses (${stats.joined} of them joined ` +
    `a call in flight), ${stats.refreshes} refreshes, ${stats.refreshFailures} failure`,
)

// Output:
// 1. Dog-pile protection: 100 concurrent calls, one database call
//    100 concurrent byId("42")                   -> user 42 v1 (database calls: 1)
// 2. Cached: the next calls do not reach the database
//    byId("42")                                  -> user 42 v1 (database calls: 1)
//    byId("7") (other arguments, other entry)    -> user 7 v1 (database calls: 2)
// 3. Forced refresh and invalidation, typed by the call itself
//    forceRefresh(() => byId("42"))              -> user 42 v2 (database calls: 3)
//    byId("42") after invalidate()               -> user 42 v3 (database calls: 4)
// 4. Failures are never cached
//    byId("13") failed: Refresh failed to complete, cause: database unavailable
//    byId("13") once the database is back        -> user 13 v1 (database calls: 6)
// 5. Stale-while-refresh: past its refresh time a value is served at once,
//    and one background refresh fetches the next one
//    profile("42")                               -> user 42 v4 (database calls: 7)
//    profile("42") after 150 ms (stale, instant) -> user 42 v4 (database calls: 7)
//    profile("42") after the background refresh  -> user 42 v5 (database calls: 8)
// 6. Stats of Users.byId: 1 hit, 104 misses (99 of them joined a call in flight), 5 refreshes, 1 failure
