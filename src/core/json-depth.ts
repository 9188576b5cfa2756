import { BatchwireError, textExcerpt } from './errors.js';

// V8's JSON.parse takes time that grows faster than linear with nesting depth (about 3x per
// doubling at a million levels), and no real body of these services nests more than a few levels.
// So JSON bodies are checked for depth first, by one linear scan that skips strings.

/**
 * The index of the first `[` or `{` that opens a level deeper than `max` in JSON text, or -1
 * when there is none. Brackets inside strings do not count; the text need not be valid JSON.
 *
 * @example
 * ```ts
 * jsonDepthOffset('[[1]]', 1); // 1
 * jsonDepthOffset('["[[[["]', 1); // -1
 * ```
 */
export function jsonDepthOffset(text: string, max: number): number {
  // Fewer characters than the limit cannot nest past it.
  if (text.length <= max) return -1;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
    } else if (c === 0x22) {
      // Skip the string: to the next quote not escaped by an odd run of backslashes.
      for (;;) {
        const close = text.indexOf('"', i + 1);
        if (close < 0) return -1;
        let slashes = 0;
        while (text.charCodeAt(close - 1 - slashes) === 0x5c) slashes++;
        i = close;
        if (slashes % 2 === 0) break;
      }
    }
  }
  return -1;
}

/**
 * Throws `LIMIT_EXCEEDED` at the bracket that opens a level deeper than `max` in a decoded JSON
 * body (see {@link jsonDepthOffset}); `offsetOf` maps a character index to an input offset.
 */
export function checkJsonDepth(
  body: { text: string; offsetOf(index: number): number },
  max: number,
  what: string,
): void {
  const deep = jsonDepthOffset(body.text, max);
  if (deep < 0) return;
  throw new BatchwireError(
    'LIMIT_EXCEEDED',
    `${what}: nested deeper than maxJsonDepth (${max})`,
    body.offsetOf(deep),
    { excerpt: textExcerpt(body.text, deep) },
  );
}
