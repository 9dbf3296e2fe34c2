/**
 * Request schemas. Shallow on purpose: they check what the proxy relies on and
 * leave every other field, known or new, for Bedrock and the model to judge.
 * Nothing is stripped or coerced (see the Ajv options in app.ts).
 */

const contentBlocks = { type: 'array', items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } }
const textOrBlocks = { anyOf: [{ type: 'string' }, contentBlocks] }

const message = {
  type: 'object',
  required: ['role', 'content'],
  properties: {
    role: { type: 'string', enum: ['user', 'assistant', 'system'] },
    content: textOrBlocks
  }
}

const common = {
  model: { type: 'string', minLength: 1, maxLength: 512 },
  messages: { type: 'array', items: message },
  system: textOrBlocks,
  tools: { type: 'array', items: { type: 'object' } },
  tool_choice: { type: 'object' },
  thinking: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
  metadata: { type: 'object' }
}

export const messagesBody = {
  type: 'object',
  required: ['model', 'max_tokens', 'messages'],
  properties: {
    ...common,
    max_tokens: { type: 'integer', minimum: 1 },
    stream: { type: 'boolean' },
    stop_sequences: { type: 'array', items: { type: 'string' } },
    temperature: { type: 'number' },
    top_p: { type: 'number' },
    top_k: { type: 'integer' }
  }
} as const

export const countTokensBody = {
  type: 'object',
  required: ['model', 'messages'],
  properties: common
} as const
