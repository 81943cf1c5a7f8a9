/**
 * Redis Cluster's key → hash slot mapping (CRC16/XMODEM of the key, or of its `{hash tag}`,
 * modulo 16384), so memokit can tell which master an operation goes to without asking Redis.
 * Not `cluster-key-slot` (ioredis's own): its 1.1.1 hashes `foo{}{bar}` by `bar`, where Redis
 * hashes the whole key when the first tag is empty; the test compares with `CLUSTER KEYSLOT`.
 *
 * @internal
 */
export const CLUSTER_SLOTS = 16384

const TABLE = new Uint16Array(256)
for (let i = 0; i < 256; i++) {
  let crc = i << 8
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1
  TABLE[i] = crc & 0xffff
}

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0
  for (let i = start; i < end; i++)
    crc = ((crc << 8) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!) & 0xffff
  return crc
}

/** The hash slot of a Redis key, as Redis Cluster computes it (hash tags included). */
export function clusterSlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8')
  const open = bytes.indexOf(0x7b) // '{'
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1) // '}'
    if (close > open + 1) return crc16(bytes, open + 1, close) % CLUSTER_SLOTS
  }
  return crc16(bytes, 0, bytes.length) % CLUSTER_SLOTS
}
