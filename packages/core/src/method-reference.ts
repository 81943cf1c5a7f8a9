let nextMethodId = 1

/**
 * Identifies one memoized method or function. Key extractors read it; it never holds an
 * instance.
 */
export class MethodReference {
  /** Process-unique number; differs for every `memoize()` application. */
  readonly id: number
  /** The method or function name (`byId`), or `''` for an anonymous function. */
  readonly name: string
  /** True for static methods. */
  readonly isStatic: boolean
  #className: string | undefined
  /** @internal Per-key-extractor memo tables (see `KeyMemos`). */
  memoSlot: { readonly owner: object; readonly holder: unknown } | undefined

  constructor(name: string, options: { className?: string | undefined; isStatic?: boolean } = {}) {
    this.id = nextMethodId++
    this.name = name
    this.isStatic = options.isStatic ?? false
    this.#className = options.className
  }

  /**
   * The class that declares the method (`Users`), `undefined` until known, and `''` when
   * there is none (plain functions, or an explicit `name` option). Standard decorators learn it
   * when the class is defined (static) or first instantiated.
   */
  get className(): string | undefined {
    return this.#className
  }

  /** `Users.byId` for methods, the function name for functions. */
  get qualifiedName(): string {
    return this.#className ? `${this.#className}.${this.name}` : this.name
  }

  /**
   * Learns the declaring class from a receiver: the prototype (or class, for statics) that owns
   * `wrapper` as the property `name`. Falls back to the receiver's own class.
   *
   * @internal
   */
  resolveClassFrom(receiver: unknown, wrapper: unknown): void {
    if (this.#className !== undefined) return
    if (receiver === null || (typeof receiver !== 'object' && typeof receiver !== 'function'))
      return
    let holder = (this.isStatic ? receiver : Object.getPrototypeOf(receiver)) as object | null
    while (holder !== null) {
      const descriptor = Object.getOwnPropertyDescriptor(holder, this.name)
      if ((descriptor?.value as unknown) === wrapper) {
        this.#className = this.isStatic
          ? (holder as { name?: string }).name
          : (holder as { constructor?: { name?: string } }).constructor?.name
        return
      }
      holder = Object.getPrototypeOf(holder) as object | null
    }
    this.#className = this.isStatic
      ? (receiver as { name?: string }).name
      : (receiver as { constructor?: { name?: string } }).constructor?.name
  }
}
