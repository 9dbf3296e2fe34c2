#!/usr/bin/env node
// How long a failed token check takes for different wrong tokens: it must not depend on how much of
// a real token the guess shares, nor on its length. Runs the proxy's own TokenSet (dist/) in a loop.
// Usage: npm run build && node bench/auth-timing.mjs
import { TokenSet } from '../dist/auth/tokens.js'

const real = 'a3f9c2e1b7d64058a1c3e5f7092b4d6e8f0a1c3e5b7d9f12'
const tokens = new TokenSet([real, 'second-token-0123456789abcdef'])
const guesses = {
  'empty': '',
  'short': 'x',
  'same length, all wrong': 'z'.repeat(real.length),
  'same length, all but the last character right': real.slice(0, -1) + 'x',
  'the real token plus one character': real + 'x',
  'a 512-character guess': 'q'.repeat(512)
}
const ROUNDS = 7
const N = 100_000
const results = {}
for (const [name, guess] of Object.entries(guesses)) {
  const samples = []
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < N; i++) if (tokens.verify(guess)) throw new Error('a wrong token was accepted')
    samples.push(Number(process.hrtime.bigint() - t0) / N)
  }
  samples.sort((a, b) => a - b)
  results[name] = Number(samples[Math.floor(ROUNDS / 2)].toFixed(1))
}
console.log('median ns per failed check (7 rounds of 100,000):')
for (const [name, ns] of Object.entries(results)) console.log(`  ${ns.toString().padStart(8)}  ${name}`)
