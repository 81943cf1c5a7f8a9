/**
 * Throwaway Redis servers and clusters for tests, examples and benchmarks: random loopback
 * ports, temp directories, no persistence, and fault injection (kill, pause, restart).
 *
 * @packageDocumentation
 */
export {
  startRedisServer,
  findExecutable,
  RedisServerNotFoundError,
  type RedisServer,
  type StartRedisServerOptions,
} from './redis-server.js'
export {
  startRedisCluster,
  type RedisCluster,
  type StartRedisClusterOptions,
} from './redis-cluster.js'
export { freePort } from './resp.js'
