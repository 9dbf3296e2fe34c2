/**
 * The real Claude Code CLI, installed on demand from test/e2e/claude-code's
 * lockfile (never a dependency of the proxy), run in print mode against a
 * proxy with a throwaway HOME and no traffic but to the proxy.
 */
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PREFIX = fileURLToPath(new URL('../e2e/claude-code/', import.meta.url))
const BIN = join(PREFIX, 'node_modules', '.bin', 'claude')

export const CLAUDE_CODE_VERSION = '2.1.331'

export function ensureClaudeCode (): string {
  if (!existsSync(BIN)) {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: PREFIX, encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`installing Claude Code failed: ${result.stderr}`)
  }
  return BIN
}

export interface ClaudeResult {
  readonly exitCode: number | null
  readonly json: { result: string; is_error: boolean; api_error_status?: number | null; num_turns: number; modelUsage?: Record<string, unknown> }
  readonly stderr: string
}

let home: string | undefined

/** One throwaway HOME per test process: Claude Code's first-run set-up is paid once. */
function throwawayHome (): string {
  if (home === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'claude-home-'))
    process.once('exit', () => rmSync(created, { recursive: true, force: true }))
    home = created
  }
  return home
}

export async function runClaude (args: string[], env: Record<string, string>): Promise<ClaudeResult> {
  const home = throwawayHome()
  return await new Promise((resolve, reject) => {
    const child = execFile(ensureClaudeCode(), ['-p', ...args, '--output-format', 'json'], {
      cwd: home,
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        ...env
      }
    }, (error, stdout, stderr) => {
      try {
        resolve({ exitCode: error === null ? 0 : (error as { code?: number }).code ?? null, json: JSON.parse(stdout), stderr })
      } catch {
        reject(new Error(`claude printed no JSON (${error?.message ?? ''}): ${stdout} ${stderr}`))
      }
    })
    // Print mode reads a piped stdin as more prompt: close it, or it waits for input.
    child.stdin?.end()
  })
}
