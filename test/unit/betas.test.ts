import t from 'tap'
import { parseBetaHeader, selectBetas } from '../../src/translate/betas.js'
import { capabilitiesFor, UNKNOWN_FAMILY } from '../../src/translate/capabilities.js'

t.test('header parsing: comma lists and several header lines', async (t) => {
  t.same(parseBetaHeader(undefined), [])
  t.same(parseBetaHeader(''), [])
  t.same(parseBetaHeader('a, b,,c '), ['a', 'b', 'c'])
  t.same(parseBetaHeader(['a,b', ' c ']), ['a', 'b', 'c'])
})

const CLAUDE_CODE = [
  'claude-code-20250219', 'interleaved-thinking-2025-05-14', 'context-management-2025-06-27',
  'thinking-token-count-2026-05-13', 'prompt-caching-scope-2026-01-05', 'mid-conversation-system-2026-04-07',
  'effort-2025-11-24', 'advanced-tool-use-2025-11-20', 'context-1m-2025-08-07'
]

t.test("Claude Code's betas on each family", async (t) => {
  const table: Array<[string, string[]]> = [
    ['claude-opus-4-8', ['interleaved-thinking-2025-05-14', 'context-management-2025-06-27', 'effort-2025-11-24', 'tool-search-tool-2025-10-19', 'context-1m-2025-08-07']],
    ['claude-sonnet-4-5-20250929', ['interleaved-thinking-2025-05-14', 'context-management-2025-06-27', 'tool-search-tool-2025-10-19', 'context-1m-2025-08-07']],
    ['claude-haiku-4-5-20251001', ['interleaved-thinking-2025-05-14', 'context-management-2025-06-27', 'tool-search-tool-2025-10-19']],
    ['claude-opus-4-1-20250805', ['interleaved-thinking-2025-05-14', 'context-management-2025-06-27']],
    ['claude-3-7-sonnet-20250219', []],
    ['claude-3-5-haiku-20241022', []]
  ]
  for (const [model, kept] of table) {
    const selection = selectBetas(CLAUDE_CODE, capabilitiesFor(model), false)
    t.same(selection.kept, kept, model)
    t.ok(selection.dropped.includes('claude-code-20250219'), `${model}: claude-code beta dropped`)
    t.ok(selection.dropped.includes('prompt-caching-scope-2026-01-05'), `${model}: scope beta dropped`)
  }
})

t.test('rejected families are always dropped, even for unknown models', async (t) => {
  const rejected = ['claude-code-20250219', 'oauth-2025-04-20', 'prompt-caching-scope-2026-01-05', 'files-api-2025-04-14', 'mcp-client-2025-04-04',
    'web-search-2025-03-05', 'web-fetch-2025-09-10', 'code-execution-2025-05-22', 'structured-outputs-2025-11-13', 'extended-cache-ttl-2025-04-11', 'made-up-2099-01-01']
  const selection = selectBetas(rejected, UNKNOWN_FAMILY, false)
  t.same(selection.kept, [])
  t.same(selection.dropped, rejected)
})

t.test('[1m] adds the 1M-context beta where the model has it, once', async (t) => {
  t.same(selectBetas([], capabilitiesFor('claude-sonnet-4-5-20250929'), true).kept, ['context-1m-2025-08-07'])
  t.same(selectBetas(['context-1m-2025-08-07'], capabilitiesFor('claude-sonnet-4-5-20250929'), true).kept, ['context-1m-2025-08-07'])
  t.same(selectBetas([], capabilitiesFor('claude-haiku-4-5-20251001'), true).kept, [])
})

t.test('advanced-tool-use maps to tool-search and is not duplicated', async (t) => {
  const selection = selectBetas(['advanced-tool-use-2025-11-20', 'tool-search-tool-2025-10-19'], capabilitiesFor('claude-opus-4-5-20251101'), false)
  t.same(selection.kept, ['tool-search-tool-2025-10-19'])
})
