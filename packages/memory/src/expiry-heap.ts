/** What the heap orders: anything with an expiry instant and a slot for its heap position. */
export interface Expiring {
  expiresAt: number
  /** Position in the heap, or -1 when not in it. Owned by {@link ExpiryHeap}. */
  heapIndex: number
}

/**
 * A binary min-heap of entries by `expiresAt`, each entry knowing its own position so it can
 * be removed or re-keyed in O(log n). Only entries with a finite expiry are kept in it.
 *
 * @internal
 */
export class ExpiryHeap<T extends Expiring> {
  readonly #items: T[] = []

  get size(): number {
    return this.#items.length
  }

  /** The entry that expires first, if any. */
  peek(): T | undefined {
    return this.#items[0]
  }

  add(item: T): void {
    item.heapIndex = this.#items.length
    this.#items.push(item)
    this.#up(item.heapIndex)
  }

  remove(item: T): void {
    const index = item.heapIndex
    if (index < 0) return
    item.heapIndex = -1
    const last = this.#items.pop() as T
    if (last === item) return
    this.#items[index] = last
    last.heapIndex = index
    this.#restore(index)
  }

  /** Call after changing `item.expiresAt` in place. */
  update(item: T): void {
    if (item.heapIndex >= 0) this.#restore(item.heapIndex)
  }

  clear(): void {
    for (const item of this.#items) item.heapIndex = -1
    this.#items.length = 0
  }

  #restore(index: number): void {
    if (index > 0 && this.#less(index, (index - 1) >> 1)) this.#up(index)
    else this.#down(index)
  }

  #less(a: number, b: number): boolean {
    return (this.#items[a] as T).expiresAt < (this.#items[b] as T).expiresAt
  }

  #swap(a: number, b: number): void {
    const items = this.#items
    const first = items[a] as T
    const second = items[b] as T
    items[a] = second
    items[b] = first
    second.heapIndex = a
    first.heapIndex = b
  }

  #up(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!this.#less(index, parent)) return
      this.#swap(index, parent)
      index = parent
    }
  }

  #down(index: number): void {
    const length = this.#items.length
    for (;;) {
      const left = 2 * index + 1
      if (left >= length) return
      const right = left + 1
      const child = right < length && this.#less(right, left) ? right : left
      if (!this.#less(child, index)) return
      this.#swap(index, child)
      index = child
    }
  }
}
