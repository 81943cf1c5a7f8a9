// Runs once in jest's parent process: builds the reliability package (and, through its project
// references, the packages it uses), because the worker processes of the fault runs and the
// child processes of the unhandled-rejection and golden-key checks run the built JavaScript.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

export default function globalSetup(): void {
  // The AWS SDK warns once per process on Node 20; the lambda tests run on Node 20 on purpose.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-b', join(__dirname, '..', 'tsconfig.json')],
    { stdio: 'inherit' },
  )
}
