/**
 * The official Anthropic TypeScript SDK against the proxy in front of the
 * emulator: the client most users have, with its own parsing, stream helpers,
 * error classes and retry rules.
 */
import Anthropic from '@anthropic-ai/sdk'
import t from 'tap'
import { TOKEN } from '../helpers/config.js'
import { directive, startStack, waitForDiscovery, type Stack } from '../helpers/stack.js'

function client (stack: Stack, options: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}): Anthropic {
  return new Anthropic({ baseURL: stack.url, apiKey: TOKEN, maxRetries: 0, ...options })
}

t.test('create: both auth styles', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  for (const sdk of [client(stack), new Anthropic({ baseURL: stack.url, authToken: TOKEN, apiKey: null, maxRetries: 0 })]) {
    const message = await sdk.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi SDK' }] })
    t.equal(message.type, 'message')
    t.same(message.content, [{ type: 'text', text: 'You said: Hi SDK' }])
    t.equal(message.stop_reason, 'end_turn')
  }
  const bad = new Anthropic({ baseURL: stack.url, apiKey: 'not-the-token', maxRetries: 0 })
  const error = await bad.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
  t.ok(error instanceof Anthropic.AuthenticationError)
  t.equal((error as InstanceType<typeof Anthropic.AuthenticationError>).status, 401)
})

t.test('stream helpers: text events, final message, usage', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const sdk = client(stack)
  const stream = sdk.messages.stream({ model: 'claude-opus-4-8', max_tokens: 200, messages: [{ role: 'user', content: 'one two three four' }] })
  const texts: string[] = []
  stream.on('text', (text) => texts.push(text))
  const final = await stream.finalMessage()
  t.ok(texts.length > 1, `${texts.length} text deltas`)
  t.equal(texts.join(''), 'You said: one two three four')
  t.same(final.content, [{ type: 'text', text: 'You said: one two three four' }])
  t.ok(final.usage.input_tokens > 0)
  t.ok(final.usage.output_tokens > 0)
  const raw = await sdk.messages.create({ model: 'claude-opus-4-8', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'raw' }] })
  const types: string[] = []
  for await (const event of raw) types.push(event.type)
  t.equal(types[0], 'message_start')
  t.equal(types.at(-1), 'message_stop')
})

t.test('tool use round trip', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const sdk = client(stack)
  const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }]
  const first = await sdk.messages.create({
    model: 'claude-sonnet-4-6', max_tokens: 200, tools,
    messages: [{ role: 'user', content: `Weather in Paris?\n${directive({ text: 'Checking.', toolUse: { name: 'get_weather', input: { city: 'Paris' } } })}` }]
  })
  t.equal(first.stop_reason, 'tool_use')
  const toolUse = first.content.find((block) => block.type === 'tool_use')!
  t.match(toolUse, { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' }, id: String })
  const second = await sdk.messages.create({
    model: 'claude-sonnet-4-6', max_tokens: 200, tools,
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: (toolUse as Anthropic.ToolUseBlock).id, content: '18C and sunny' }] }
    ]
  })
  t.same(second.content, [{ type: 'text', text: 'Tool result received: 18C and sunny' }])
  const sent = stack.emulator.lastRequest()!.body as any
  t.same(sent.messages[1].content, JSON.parse(JSON.stringify(first.content)), 'the assistant turn goes back to Bedrock as the SDK sent it')

  const streamed = await sdk.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 200, tools, messages: [{ role: 'user', content: directive({ toolUse: { name: 'get_weather', input: { city: 'Oslo', days: [1, 2] } } }) }] }).finalMessage()
  t.match(streamed.content.find((block) => block.type === 'tool_use'), { input: { city: 'Oslo', days: [1, 2] } })
})

t.test('extended thinking: blocks and signatures, streamed and not', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const sdk = client(stack)
  const params = { model: 'claude-sonnet-4-5', max_tokens: 2048, thinking: { type: 'enabled' as const, budget_tokens: 1024 }, messages: [{ role: 'user' as const, content: 'think' }] }
  const message = await sdk.messages.create(params)
  const thinking = message.content.find((block) => block.type === 'thinking') as Anthropic.ThinkingBlock
  t.ok(thinking.thinking.length > 0)
  t.ok(thinking.signature.length > 0)
  const streamed = await sdk.messages.stream(params).finalMessage()
  const streamedThinking = streamed.content.find((block) => block.type === 'thinking') as Anthropic.ThinkingBlock
  t.ok(streamedThinking.signature.length > 0, 'the signature_delta arrived')
  const next = await sdk.messages.create({ ...params, messages: [{ role: 'user', content: 'think' }, { role: 'assistant', content: message.content }, { role: 'user', content: 'again' }] })
  t.equal(next.type, 'message')
  t.same((stack.emulator.lastRequest()!.body as any).messages[1].content[0], { type: 'thinking', thinking: thinking.thinking, signature: thinking.signature })
})

t.test('images, PDFs and prompt caching usage', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const sdk = client(stack)
  const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: 'A long, stable system prompt. '.repeat(200), cache_control: { type: 'ephemeral' } }]
  const messages: Anthropic.MessageParam[] = [{
    role: 'user',
    content: [
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: Buffer.from('png bytes').toString('base64') } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: Buffer.from('%PDF-1.4').toString('base64') } },
      { type: 'text', text: 'What are these?' }
    ]
  }]
  const first = await sdk.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, system, messages })
  const second = await sdk.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, system, messages })
  t.ok((first.usage.cache_creation_input_tokens ?? 0) > 0, 'the first call writes the cache')
  t.ok((second.usage.cache_read_input_tokens ?? 0) > 0, 'the second reads it')
  t.same((stack.emulator.lastRequest()!.body as any).messages, JSON.parse(JSON.stringify(messages)))
})

t.test('count_tokens goes to CountTokens with the base model id', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const sdk = client(stack)
  const params = {
    model: 'claude-sonnet-4-5',
    system: 'You are terse.',
    thinking: { type: 'enabled' as const, budget_tokens: 2000 },
    tools: [{ name: 'Bash', input_schema: { type: 'object' as const, properties: { command: { type: 'string' } } } }],
    messages: [{ role: 'user' as const, content: 'How many tokens is this?' }]
  }
  const counted = await sdk.messages.countTokens(params)
  t.ok(counted.input_tokens > 0)
  const upstream = stack.emulator.lastRequest()!
  t.equal(upstream.operation, 'CountTokens')
  t.equal(upstream.modelId, 'anthropic.claude-sonnet-4-5-20250929-v1:0')
  t.match(upstream.body, { anthropic_version: 'bedrock-2023-05-31', max_tokens: 2001, system: 'You are terse.', tools: params.tools, thinking: params.thinking })
  const invoked = await sdk.messages.create({ ...params, max_tokens: 2001 })
  t.equal(invoked.usage.input_tokens, counted.input_tokens, 'the count matches what InvokeModel then reports')

  const failure = await sdk.messages.countTokens({ ...params, model: 'claude-unknown' }).catch((e: unknown) => e)
  t.ok(failure instanceof Anthropic.BadRequestError)
})

t.test('models: list (auto-paginated) and retrieve', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  // Pages are cursors into one list: let discovery settle so the list does not change between pages.
  await waitForDiscovery(stack)
  const sdk = client(stack)
  const ids: string[] = []
  for await (const model of sdk.models.list({ limit: 4 })) ids.push(model.id)
  t.ok(ids.length > 4, 'more than one page')
  t.equal(new Set(ids).size, ids.length, 'no duplicates across pages')
  t.ok(ids.includes('claude-sonnet-4-5-20250929'))
  const model = await sdk.models.retrieve('claude-sonnet-4-5')
  t.match(model, { id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', type: 'model' })
  t.ok((await sdk.models.retrieve('claude-nope').catch((e: unknown) => e)) instanceof Anthropic.NotFoundError)
})

t.test('every error reaches the SDK as its error class', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const sdk = client(stack)
  const table: Array<[string, new (...args: any[]) => Error, number]> = [
    ['ValidationException', Anthropic.BadRequestError, 400],
    ['AccessDeniedException', Anthropic.PermissionDeniedError, 403],
    ['ResourceNotFoundException', Anthropic.NotFoundError, 404],
    ['ThrottlingException', Anthropic.RateLimitError, 429],
    ['ModelTimeoutException', Anthropic.GatewayTimeoutError, 504],
    ['ServiceUnavailableException', Anthropic.OverloadedError, 529],
    ['InternalServerException', Anthropic.InternalServerError, 500]
  ]
  for (const [name, ErrorClass, status] of table) {
    const error = await sdk.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: directive({ error: { type: name } }) }] }).catch((e: unknown) => e) as InstanceType<typeof Anthropic.APIError>
    t.ok(error instanceof ErrorClass, `${name} -> ${ErrorClass.name}`)
    t.equal(error.status, status)
    t.match(error.requestID, /^req_/)
  }
  const tooLarge = await buildTooLarge(stack)
  t.ok(tooLarge instanceof Anthropic.APIError && tooLarge.status === 413, '413 for an oversize body')

  const midStream = await sdk.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: directive({ streamError: { type: 'modelStreamErrorException', message: 'mid-stream failure' } }) }] }).finalMessage().catch((e: unknown) => e)
  t.ok(midStream instanceof Anthropic.APIError, 'a mid-stream error event surfaces as an APIError')
  t.match((midStream as Error).message, /mid-stream failure/)
})

async function buildTooLarge (stack: Stack): Promise<unknown> {
  const small = await startStack({ env: { BODY_LIMIT_MB: '1' } })
  try {
    const sdk = new Anthropic({ baseURL: small.url, apiKey: TOKEN, maxRetries: 0 })
    return await sdk.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }] }).catch((e: unknown) => e)
  } finally {
    await small.close()
    void stack
  }
}

t.test("the SDK's retries follow x-should-retry", async (t) => {
  let calls = 0
  const stack = await startStack({
    emulator: {
      respond: (request) => {
        const text = JSON.stringify(request.body)
        if (!text.includes('retry-me')) return undefined
        calls++
        return calls === 1 ? { error: { type: 'InternalServerException', message: 'transient' } } : { text: 'second time lucky' }
      }
    }
  })
  t.teardown(() => stack.close())
  const sdk = client(stack, { maxRetries: 2 })
  const message = await sdk.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'retry-me' }] })
  t.same(message.content, [{ type: 'text', text: 'second time lucky' }])
  t.equal(calls, 2, 'retried once after a retryable 500')

  stack.emulator.clear()
  const refused = await sdk.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: directive({ error: { type: 'ValidationException' } }) }] }).catch((e: unknown) => e)
  t.ok(refused instanceof Anthropic.BadRequestError)
  t.equal(stack.emulator.requests.length, 1, 'x-should-retry: false, so no retry of a 400')
})
