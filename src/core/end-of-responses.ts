import { BatchwireError } from './errors.js';

/** The action of the record or envelope that closes a Get Responses body. */
export const END_OF_GET_RESPONSE_ACTION = 'http://hpc.microsoft.com/EndOfGetResponse';

/** Members of the broker's `EndOfResponsesReason` enumeration, in numeric order. */
export const END_OF_RESPONSES_REASONS = ['Success', 'ClientPurged', 'ClientTimeout'] as const;

/** Why the broker ended a Get Responses body. */
export type EndOfResponsesReason = (typeof END_OF_RESPONSES_REASONS)[number];

/**
 * The closing record of a Get Responses body, in the generic stream and in the SOAP array alike.
 *
 * @example
 * ```ts
 * { kind: 'end', count: 2, reason: 'Success', rawReason: 'Success', received: 2 }
 * ```
 */
export interface EndOfResponses {
  kind: 'end';
  /** The count the service wrote. */
  count: number;
  /**
   * The reason as an enumeration member when the service wrote a member name (any case) or its
   * number; otherwise the text as written.
   */
  reason: EndOfResponsesReason | (string & {});
  /** The reason exactly as written. */
  rawReason: string;
  /** How many responses the decoder delivered before the closing record. */
  received: number;
}

/** Reads a reason written as a member name or number; unknown text is kept as it is. */
export function normaliseReason(raw: string): EndOfResponsesReason | (string & {}) {
  const text = raw.trim();
  if (/^[0-9]$/.test(text)) return END_OF_RESPONSES_REASONS[Number(text)] ?? raw;
  const lower = text.toLowerCase();
  return END_OF_RESPONSES_REASONS.find((name) => name.toLowerCase() === lower) ?? raw;
}

/** Parses a count: decimal digits only (surrounding whitespace allowed), at most 2^53 - 1. */
export function parseCount(raw: string, offset: number): number {
  const text = raw.trim();
  let ok = text.length > 0 && text.length <= 16;
  for (let i = 0; ok && i < text.length; i++) {
    const c = text.charCodeAt(i);
    ok = c >= 0x30 && c <= 0x39;
  }
  const value = ok ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new BatchwireError(
      'MALFORMED_RECORD',
      `the closing record's count must be a non-negative integer, got ${JSON.stringify(raw.slice(0, 40))}`,
      offset,
    );
  }
  return value;
}

/** Builds the closing record, checking the count against what was received when asked. */
export function endOfResponses(
  count: number,
  rawReason: string,
  received: number,
  verifyCount: boolean,
  offset: number,
): EndOfResponses {
  if (verifyCount && count !== received) {
    throw new BatchwireError(
      'COUNT_MISMATCH',
      `the closing record counts ${count} responses but ${received} were received`,
      offset,
    );
  }
  return { kind: 'end', count, reason: normaliseReason(rawReason), rawReason, received };
}
