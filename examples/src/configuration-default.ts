// py-memoize's "default configuration" examples: the default as is, and with adjusted numbers.
import { DefaultInMemoryCacheConfiguration, memoize, minutes } from '@memokit/core'

// In memory, 2 min method timeout, up to 4096 entries (least recently updated go first),
// refresh in the background after 10 min, never serve after 30 min, no postprocessing.
// `@memoize()` without a configuration gives each method exactly this.
class Defaults {
  @memoize({ configuration: new DefaultInMemoryCacheConfiguration() })
  async cached(): Promise<string> {
    return 'dummy'
  }
}

// The same building blocks with adjusted parameters.
class Adjusted {
  @memoize({
    configuration: new DefaultInMemoryCacheConfiguration({
      capacity: 4096,
      methodTimeout: minutes(2),
      updateAfter: minutes(10),
      expireAfter: minutes(30),
    }),
  })
  async cached(): Promise<string> {
    return 'dummy'
  }
}

console.log(await new Defaults().cached())
console.log(await new Adjusted().cached())

// Output:
// dummy
// dummy
