// Hints for misspelt property names: case-only mismatches first, then the nearest by edit distance.

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps), capped at `max + 1`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev: number[] = [];
  for (let j = 0; j <= b.length; j++) prev.push(j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        d = Math.min(d, prevPrev[j - 2]! + 1);
      }
      row.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length]!;
}

const MAX_NAME_LENGTH = 128;

/** A hint for an unknown property `name`, given the names that exist; undefined when nothing is close. */
export function suggestProperty(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  for (const candidate of known) {
    if (candidate.toLowerCase() === lower) {
      return `property names are case-sensitive: write '${candidate}'`;
    }
  }
  // Compare case-folded, so 'NodeID' style mistakes count as near. Nobody misspells a name longer
  // than MAX_NAME_LENGTH, and the distance costs length squared: such names skip this step.
  const max = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of name.length > MAX_NAME_LENGTH ? [] : known) {
    const d = editDistance(lower, candidate.toLowerCase(), max);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  if (best !== undefined) return `did you mean '${best}'?`;
  // A bare last segment ('exitCode') often means a path whose prefix was left out.
  const tail = `/${name}`;
  const tails = known.filter((k) => k.endsWith(tail));
  if (tails.length > 0) return `did you mean ${tails.map((t) => `'${t}'`).join(' or ')}?`;
  return known.length > 0 && known.length <= 12 ? `filterable properties: ${known.join(', ')}` : undefined;
}
