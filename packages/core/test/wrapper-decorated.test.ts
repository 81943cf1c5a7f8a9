// py-memoize tests/end2end/test_wrapper.py: `@memoize()` on a class method.
import { describeWrapperScenarios } from './support/wrapper-scenarios'

describe('a method decorated with @memoize()', () => {
  describeWrapperScenarios('decorated')
})
