/**
 * The names closest to one that was not found, for error messages that point
 * at what the account does have. Edit distance over the whole name, so
 * `claude-opus-5-5` suggests `claude-opus-4-8` before `claude-haiku-4-5`.
 */

function editDistance (a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution))
    }
    previous = current
  }
  return previous[b.length]!
}

export function closestNames (name: string, candidates: Iterable<string>, count = 3): string[] {
  const probe = name.slice(0, 128).toLowerCase()
  return [...new Set(candidates)]
    .map((candidate) => ({ candidate, distance: editDistance(probe, candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, count)
    .map(({ candidate }) => candidate)
}
