/** The README's curl examples, executed as written against the proxy in front of the emulator. */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { TOKEN } from '../helpers/config.js'
import { parseSse, startStack } from '../helpers/stack.js'

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')

/** Each shell command in a ```sh block that calls curl, with its continuation lines joined. */
function curlExamples (markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!)
  return blocks.flatMap((block) => block.replace(/\\\n\s*/g, '').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line.startsWith('curl '))
}

t.test('README curl examples', async (t) => {
  const examples = curlExamples(README)
  t.ok(examples.length >= 4, `${examples.length} examples`)
  const stack = await startStack()
  t.teardown(() => stack.close())
  for (const command of examples) {
    const { stdout } = await promisify(execFile)('bash', ['-c', `set -euo pipefail; ${command}`], { env: { PATH: process.env.PATH, PROXY: stack.url, TOKEN } })
    if (command.includes('"stream":true')) {
      const events = parseSse(stdout)
      t.equal(events.at(-1)?.event, 'message_stop', command)
    } else {
      const answer = JSON.parse(stdout)
      t.not(answer.type, 'error', `${command}: ${stdout.slice(0, 200)}`)
      t.ok(answer.type === 'message' || typeof answer.input_tokens === 'number' || Array.isArray(answer.data), command)
    }
  }
})
