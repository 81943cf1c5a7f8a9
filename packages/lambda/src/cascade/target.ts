import { InvalidConfigurationError } from '@memokit/core'
import { describe } from './ids.js'

/** Where a step is invoked, and what it runs there. @internal */
export interface StepTarget {
  /** The `FunctionName` sent: a name, a partial ARN or an ARN, without the qualifier. */
  readonly functionName: string
  /** The `Qualifier` sent (a version or alias), if any. */
  readonly qualifier: string | undefined
  /** The function's bare name (what an ARN names). */
  readonly name: string
}

// arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
// <account>:function:<name>[:<qualifier>]
// <name>[:<qualifier>]
const FUNCTION =
  /^(?<prefix>arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:|[0-9]{12}:function:)?(?<name>[A-Za-z0-9_-]{1,64})(?::(?<qualifier>\$LATEST|[A-Za-z0-9_-]{1,128}))?$/
const QUALIFIER = /^(?:\$LATEST|[A-Za-z0-9_-]{1,128})$/
const ARN_PREFIX = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:$/

/**
 * Resolves the `functionName` / `arn` / `qualifier` options of a `LambdaPromise`.
 *
 * - `functionName` or `arn`: a name, `name:qualifier`, a partial ARN or a full ARN;
 * - both, when `arn` is the original's prefix `arn:…:function:`: the function is the prefix
 *   followed by `functionName` (the original README wrote it so);
 * - `qualifier`: a version or alias; it must agree with one written in the name.
 *
 * @internal
 */
export function resolveTarget(options: {
  functionName?: unknown
  arn?: unknown
  qualifier?: unknown
}): StepTarget {
  const { functionName, arn, qualifier } = options
  for (const [name, value] of [
    ['functionName', functionName],
    ['arn', arn],
  ] as const)
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      throw new InvalidConfigurationError(
        `${name} must be a non-empty string, got ${describe(value)}`,
      )
  let given: string
  if (arn !== undefined && functionName !== undefined) {
    if (!ARN_PREFIX.test(arn as string))
      throw new InvalidConfigurationError(
        `give functionName or arn, not both (unless arn is a prefix ending in ":function:"), ` +
          `got functionName ${describe(functionName)} and arn ${describe(arn)}`,
      )
    given = (arn as string) + (functionName as string)
  } else if (arn !== undefined) given = arn as string
  else if (functionName !== undefined) given = functionName as string
  else
    throw new InvalidConfigurationError(
      'a LambdaPromise needs functionName (a name, name:qualifier or partial ARN) or arn',
    )

  const match = FUNCTION.exec(given)
  if (match?.groups === undefined)
    throw new InvalidConfigurationError(
      `${describe(given)} is not a Lambda function name, partial ARN or ARN` +
        (given.endsWith(':')
          ? ' (remove the trailing ":"; give a version or alias as qualifier)'
          : ' (expected name, name:qualifier, 123456789012:function:name or ' +
            'arn:aws:lambda:region:123456789012:function:name)'),
    )
  const { prefix = '', name = '', qualifier: embedded } = match.groups
  if (qualifier !== undefined && (typeof qualifier !== 'string' || !QUALIFIER.test(qualifier)))
    throw new InvalidConfigurationError(
      `qualifier must be a version or alias (letters, digits, _ or -, or $LATEST), got ${describe(qualifier)}`,
    )
  if (qualifier !== undefined && embedded !== undefined && qualifier !== embedded)
    throw new InvalidConfigurationError(
      `the qualifier option ${describe(qualifier)} differs from the one in the function name ${describe(embedded)}`,
    )
  return { functionName: prefix + name, qualifier: qualifier ?? embedded, name }
}
