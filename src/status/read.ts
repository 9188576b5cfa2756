// Typed reading of parsed JSON documents: every shape error is MALFORMED_DOCUMENT at the offset
// where the offending value starts (located by a rescan, on the error path only).

import type { DecodedBody } from '../core/body.js';
import { BatchwireError, textExcerpt } from '../core/errors.js';
import { type IsoDateRules, parseIsoDateTime } from '../core/iso-date.js';
import { isJsonObject, type JsonPathStep, jsonPathOffset } from '../core/json.js';

/** Reads fields out of one parsed document, knowing how to point at a bad one. */
export class DocumentReader {
  constructor(
    readonly body: DecodedBody,
    private readonly what: string,
  ) {}

  /** Throws `MALFORMED_DOCUMENT` at the start of the value at `path` (or 0 when it is absent). */
  fail(path: readonly JsonPathStep[], message: string): never {
    const index = Math.max(0, jsonPathOffset(this.body.text, path));
    const where = path.length === 0 ? '' : ` at ${pathText(path)}`;
    throw new BatchwireError(
      'MALFORMED_DOCUMENT',
      `${this.what}${where}: ${message}`,
      this.body.offsetOf(index),
      {
        excerpt: textExcerpt(this.body.text, index),
      },
    );
  }

  object(value: unknown, path: readonly JsonPathStep[]): Record<string, unknown> {
    if (!isJsonObject(value)) this.fail(path, `expected an object, got ${kind(value)}`);
    return value;
  }

  /** A string field; `null` and absence both give `undefined`. */
  string(source: Record<string, unknown>, key: string, path: readonly JsonPathStep[]): string | undefined {
    const value = field(source, key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail([...path, key], `expected a string, got ${kind(value)}`);
    return value;
  }

  integer(source: Record<string, unknown>, key: string, path: readonly JsonPathStep[]): number | undefined {
    const value = field(source, key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.fail([...path, key], `expected an integer, got ${kind(value)}`);
    }
    return value;
  }

  date(source: Record<string, unknown>, key: string, path: readonly JsonPathStep[]): Date | undefined {
    const text = this.string(source, key, path);
    if (text === undefined) return undefined;
    const date = parseDateTime(text);
    if (date === undefined)
      this.fail([...path, key], `expected an ISO 8601 date-time, got ${JSON.stringify(text.slice(0, 40))}`);
    return date;
  }

  /** An object field; `null` and absence both give `undefined`. */
  child(
    source: Record<string, unknown>,
    key: string,
    path: readonly JsonPathStep[],
  ): Record<string, unknown> | undefined {
    const value = field(source, key);
    if (value === undefined || value === null) return undefined;
    return this.object(value, [...path, key]);
  }

  array(source: Record<string, unknown>, key: string, path: readonly JsonPathStep[]): unknown[] | undefined {
    const value = field(source, key);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) this.fail([...path, key], `expected an array, got ${kind(value)}`);
    return value;
  }
}

function field(source: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(source, key) ? source[key] : undefined;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function pathText(path: readonly JsonPathStep[]): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : out === '' ? step : `.${step}`;
  return out;
}

/** How services write date-times: a time is required, `T` or a space, leap seconds, any fraction digits. */
const SERVICE_DATE_RULES: IsoDateRules = {
  dateOnly: false,
  spaceSeparator: true,
  leapSecond: true,
  maxFractionDigits: Number.POSITIVE_INFINITY,
};

/**
 * Parses an ISO 8601 / RFC 3339 date-time as services write it (`2015-05-01T10:20:31Z`, any
 * number of fraction digits, `Z` or `+hh:mm`; no zone means UTC). Checked character by character,
 * so no engine-specific `Date.parse` leniency lets nonsense through. `undefined` when invalid
 * (or not a string).
 *
 * @example
 * ```ts
 * parseDateTime('2015-05-01T10:20:31.1234567Z')?.toISOString(); // '2015-05-01T10:20:31.123Z'
 * ```
 */
export function parseDateTime(text: string): Date | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const time = parseIsoDateTime(text, 0, text.length, SERVICE_DATE_RULES);
  return Number.isNaN(time) ? undefined : new Date(time);
}
