// py-memoize tests/end2end/test_wrapper_manually_applied.py: `memoize(fn, options)`.
import { describeWrapperScenarios } from './support/wrapper-scenarios'

describe('a function memoized with memoize(fn, options)', () => {
  describeWrapperScenarios('function')
})
