// A check that fired: thrown by a command, caught by the runner, grouped by its signature.
import type { FuzzCheck } from './types.js';

/** What a failing check says, and where. */
export interface FailureInfo {
  check: FuzzCheck;
  operation: string;
  status?: number;
  code?: string;
  message: string;
}

/** Longest message a failure keeps, in characters. */
const MAX_MESSAGE = 2000;

/**
 * A copy of `text` that shares no memory with the string it was cut from: V8 keeps a slice of a
 * long string (an error body's 4 MiB message) as a view that holds the whole body alive, and a
 * finding lives as long as the run.
 */
export function detached(text: string, max = MAX_MESSAGE): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.parse(JSON.stringify(cut)) as string;
}

// A global symbol: a FuzzFailure is recognised by its brand, not by its `name` (which any error
// can carry), and across copies of the package.
const BRAND = Symbol.for('batchwire.fuzzFailure');

/** Thrown inside a sequence when a check fires; `exchange` is the index of the answer that failed. */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
  readonly check: FuzzCheck;
  readonly operation: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  exchange: number | undefined;

  constructor(info: FailureInfo, exchange?: number) {
    super(detached(info.message));
    this.check = info.check;
    this.operation = detached(info.operation, 200);
    this.status = info.status;
    this.code = info.code === undefined ? undefined : detached(info.code, 200);
    this.exchange = exchange;
    Object.defineProperty(this, BRAND, { value: true });
  }

  get info(): FailureInfo {
    const info: FailureInfo = { check: this.check, operation: this.operation, message: this.message };
    if (this.status !== undefined) info.status = this.status;
    if (this.code !== undefined) info.code = this.code;
    return info;
  }
}

/** Whether `value` is a {@link FuzzFailure} (by its brand). */
export function isFuzzFailure(value: unknown): value is FuzzFailure {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** Thrown to unwind a sequence that must stop (the signal, or the run's deadline): not a finding. */
export class Stopped extends Error {
  override readonly name = 'Stopped';
}

/**
 * The signature that groups findings: `operation.check[.status][.code]`, with anything but
 * letters, digits, `-` and `_` in each part written `_`, so it is a safe directory name.
 */
export function signatureOf(info: {
  check: string;
  operation: string;
  status?: number | undefined;
  code?: string | undefined;
}): string {
  const parts = [info.operation, info.check];
  if (info.status !== undefined) parts.push(String(info.status));
  if (info.code !== undefined && info.code !== '') parts.push(info.code);
  return parts.map((p) => p.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)).join('.');
}
