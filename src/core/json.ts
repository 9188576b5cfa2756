// Parsed JSON documents: safe own-key access (no prototype pollution from keys), and a linear
// scanner that finds the offsets JSON.parse does not report (the first syntax error, the start
// of the value at a path). No regular expression here sees untrusted text.
import type { DecodedBody } from './body.js';
import { isSpace } from './chars.js';
import { BatchwireError, textExcerpt } from './errors.js';

/** `value[key]` when `value` is a plain JSON object that has `key` as its own property. */
export function own(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The own properties of `source` not named in `known`, in a null-prototype object (so a
 * `__proto__` key stays an ordinary key), or `undefined` when there are none.
 */
export function extraFields(
  source: Record<string, unknown>,
  known: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    if (known.has(key)) continue;
    extra ??= Object.create(null) as Record<string, unknown>;
    Object.defineProperty(extra, key, {
      value: source[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return extra;
}

/**
 * Parses JSON text; a syntax error becomes `MALFORMED_DOCUMENT` at the offset of the first
 * character that cannot continue valid JSON (found by a linear rescan: JSON.parse's own
 * messages do not carry positions in every engine).
 */
export function parseJsonDocument(body: DecodedBody, what: string): unknown {
  try {
    return JSON.parse(body.text);
  } catch {
    const at = jsonErrorOffset(body.text);
    const index = at < 0 ? 0 : at;
    throw new BatchwireError(
      'MALFORMED_DOCUMENT',
      index >= body.text.length ? `${what}: the JSON ends early` : `${what}: invalid JSON`,
      body.offsetOf(index),
      { excerpt: textExcerpt(body.text, index) },
    );
  }
}

/** A step of a path into a JSON document: an object key or an array index. */
export type JsonPathStep = string | number;

/**
 * The character index of the first JSON syntax error in `text` (`text.length` when it ends
 * early), or -1 when `text` is valid JSON.
 *
 * @example
 * ```ts
 * jsonErrorOffset('{"a":1,}'); // 7
 * ```
 */
export function jsonErrorOffset(text: string): number {
  return scanJson(text, undefined).error;
}

/**
 * The character index where the value at `path` starts in `text`, or -1 when there is none.
 * Used to point an error about a well-formed but wrongly shaped document at the right place.
 *
 * @example
 * ```ts
 * jsonPathOffset('{"value":[{"a":1}]}', ['value', 0, 'a']); // 15
 * ```
 */
export function jsonPathOffset(text: string, path: readonly JsonPathStep[]): number {
  return scanJson(text, path).found;
}

enum Container {
  Object = 0,
  Array = 1,
}

// One pass over the text, with an explicit stack (hostile nesting cannot overflow the call stack).
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the JSON grammar as one loop with an explicit stack (no recursion a hostile body could overflow); the pieces are closures over its position
function scanJson(
  text: string,
  target: readonly JsonPathStep[] | undefined,
): { error: number; found: number } {
  const kinds: Container[] = [];
  const steps: JsonPathStep[] = [];
  const n = text.length;
  let i = 0;
  const ws = () => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  const matches = () => {
    if (target === undefined || target.length !== steps.length) return false;
    for (let k = 0; k < steps.length; k++) if (steps[k] !== target[k]) return false;
    return true;
  };
  // Scans a string starting at the quote at i; leaves i after the closing quote. False on error.
  const string = (): boolean => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            const h = text.charCodeAt(i + k);
            const hex = (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!hex) {
              i += k;
              return false;
            }
          }
          i += 6;
          continue;
        }
        if (
          e === 0x22 ||
          e === 0x5c ||
          e === 0x2f ||
          e === 0x62 ||
          e === 0x66 ||
          e === 0x6e ||
          e === 0x72 ||
          e === 0x74
        ) {
          i += 2;
          continue;
        }
        i++;
        return false;
      }
      i++;
    }
    return false;
  };
  const digits = (): number => {
    const from = i;
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    return i - from;
  };
  const number = (): boolean => {
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) i++;
    else if (digits() === 0) return false;
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (digits() === 0) return false;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const s = text.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      if (digits() === 0) return false;
    }
    return true;
  };
  const literal = (word: string): boolean => {
    for (let k = 0; k < word.length; k++) {
      if (text.charCodeAt(i) !== word.charCodeAt(k)) return false;
      i++;
    }
    return true;
  };

  // Each iteration reads one value, then the punctuation after it.
  for (;;) {
    ws();
    if (matches()) return { error: -1, found: i };
    const c = text.charCodeAt(i);
    let opened = false;
    if (c === 0x7b) {
      i++;
      ws();
      if (text.charCodeAt(i) === 0x7d) i++;
      else {
        if (text.charCodeAt(i) !== 0x22) return { error: i, found: -1 };
        const start = i;
        if (!string()) return { error: Math.min(i, n), found: -1 };
        const key = JSON.parse(text.slice(start, i)) as string;
        ws();
        if (text.charCodeAt(i) !== 0x3a) return { error: i, found: -1 };
        i++;
        kinds.push(Container.Object);
        steps.push(key);
        opened = true;
      }
    } else if (c === 0x5b) {
      i++;
      ws();
      if (text.charCodeAt(i) === 0x5d) i++;
      else {
        kinds.push(Container.Array);
        steps.push(0);
        opened = true;
      }
    } else if (c === 0x22) {
      if (!string()) return { error: Math.min(i, n), found: -1 };
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      if (!number()) return { error: Math.min(i, n), found: -1 };
    } else if (c === 0x74) {
      if (!literal('true')) return { error: Math.min(i, n), found: -1 };
    } else if (c === 0x66) {
      if (!literal('false')) return { error: Math.min(i, n), found: -1 };
    } else if (c === 0x6e) {
      if (!literal('null')) return { error: Math.min(i, n), found: -1 };
    } else {
      return { error: Math.min(i, n), found: -1 };
    }
    if (opened) continue;
    // After a complete value: close containers or move to the next member.
    for (;;) {
      ws();
      const top = kinds.length - 1;
      if (top < 0) return { error: i < n ? i : -1, found: -1 };
      const p = text.charCodeAt(i);
      if (p === 0x2c) {
        i++;
        if (kinds[top] === Container.Array) {
          steps[top] = (steps[top] as number) + 1;
        } else {
          ws();
          if (text.charCodeAt(i) !== 0x22) return { error: Math.min(i, n), found: -1 };
          const start = i;
          if (!string()) return { error: Math.min(i, n), found: -1 };
          steps[top] = JSON.parse(text.slice(start, i)) as string;
          ws();
          if (text.charCodeAt(i) !== 0x3a) return { error: Math.min(i, n), found: -1 };
          i++;
        }
        break;
      }
      if (p === (kinds[top] === Container.Array ? 0x5d : 0x7d)) {
        i++;
        kinds.pop();
        steps.pop();
        continue;
      }
      return { error: Math.min(i, n), found: -1 };
    }
  }
}
