// The built-ins' construct-with-or-without-new helper, shared from core.
export { callable, type Callable } from '@memokit/core'
