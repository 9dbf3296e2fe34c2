/**
 * Server-Sent Events framing for the Anthropic stream: `event: <type>` then
 * `data: <json>` then a blank line, one event per frame.
 */

export const SSE_HEADERS = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style buffering proxies in front of us not to hold events back.
  'x-accel-buffering': 'no'
})

export const PING_FRAME = 'event: ping\ndata: {"type": "ping"}\n\n'

export function sseFrame (type: string, json: string): string {
  return `event: ${type}\ndata: ${json}\n\n`
}

const TYPE_PREFIX = '{"type":"'
const EVENT_TYPE = /^[a-z_]{1,64}$/

/**
 * The `type` of a stream event without parsing the whole JSON: Bedrock
 * serialises `type` first. Anything unexpected falls back to a full parse.
 * Returns undefined when the payload is not an object with a string `type`.
 */
export function eventType (json: string): string | undefined {
  if (json.startsWith(TYPE_PREFIX)) {
    const end = json.indexOf('"', TYPE_PREFIX.length)
    const type = json.slice(TYPE_PREFIX.length, end)
    if (end > 0 && EVENT_TYPE.test(type)) return type
  }
  try {
    const parsed: unknown = JSON.parse(json)
    const type = (parsed as { type?: unknown } | null)?.type
    return typeof type === 'string' && EVENT_TYPE.test(type) ? type : undefined
  } catch {
    return undefined
  }
}
