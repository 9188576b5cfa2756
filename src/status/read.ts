// Typed reading of parsed JSON documents: every shape error is MALFORMED_DOCUMENT at the offset
// where the offending value starts (located by a rescan, on the error path only).
import { BatchwireError, textExcerpt } from '../core/errors.js';
import { type DecodedBody, isJsonObject, type JsonPathStep, jsonPathOffset } from '../faults/body.js';

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

/**
 * Parses an ISO 8601 / RFC 3339 date-time as services write it (`2015-05-01T10:20:31Z`, any
 * number of fraction digits, `Z` or `+hh:mm`; no zone means UTC). Checked character by character,
 * so no engine-specific `Date.parse` leniency lets nonsense through. `undefined` when invalid.
 *
 * @example
 * ```ts
 * parseDateTime('2015-05-01T10:20:31.1234567Z')?.toISOString(); // '2015-05-01T10:20:31.123Z'
 * ```
 */
export function parseDateTime(text: string): Date | undefined {
  if (text.length < 16 || text.length > 64) return undefined;
  let i = 0;
  const num = (width: number): number => {
    let value = 0;
    for (let k = 0; k < width; k++) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return -1;
      value = value * 10 + (c - 0x30);
      i++;
    }
    return value;
  };
  const expect = (code: number): boolean => {
    if (text.charCodeAt(i) !== code) return false;
    i++;
    return true;
  };
  const year = num(4);
  if (year < 0 || !expect(0x2d)) return undefined;
  const month = num(2);
  if (month < 1 || month > 12 || !expect(0x2d)) return undefined;
  const day = num(2);
  if (day < 1 || day > daysIn(year, month)) return undefined;
  const t = text.charCodeAt(i);
  if (t !== 0x54 && t !== 0x74 && t !== 0x20) return undefined;
  i++;
  const hour = num(2);
  if (hour < 0 || hour > 23 || !expect(0x3a)) return undefined;
  const minute = num(2);
  if (minute < 0 || minute > 59) return undefined;
  let second = 0;
  let ms = 0;
  if (expect(0x3a)) {
    second = num(2);
    // 60 is a leap second: kept as the last instant of the minute.
    if (second < 0 || second > 60) return undefined;
    if (second === 60) second = 59;
    if (expect(0x2e)) {
      let digits = 0;
      let scale = 100;
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c < 0x30 || c > 0x39) break;
        ms += (c - 0x30) * scale;
        scale /= 10;
        digits++;
        i++;
      }
      if (digits === 0) return undefined;
      ms = Math.floor(ms);
    }
  }
  let offsetMinutes = 0;
  if (i < text.length) {
    const z = text.charCodeAt(i);
    if (z === 0x5a || z === 0x7a) {
      i++;
    } else if (z === 0x2b || z === 0x2d) {
      i++;
      const oh = num(2);
      if (oh < 0 || oh > 23) return undefined;
      expect(0x3a);
      const om = num(2);
      if (om < 0 || om > 59) return undefined;
      offsetMinutes = (z === 0x2d ? -1 : 1) * (oh * 60 + om);
    } else {
      return undefined;
    }
  }
  if (i !== text.length) return undefined;
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  const date = new Date(time);
  // Date.UTC maps years 0-99 to 1900-1999; set the full year explicitly.
  if (year < 100) date.setUTCFullYear(year);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
