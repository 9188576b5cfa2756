import { BatchwireError, isBatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { TextStream } from '../core/text-stream.js';
import { parseXmlDocument } from '../core/xml.js';

/** Members of the broker's `BrokerClientStatus` enumeration, in numeric order. */
export const BROKER_CLIENT_STATUSES = ['Unknown', 'Ready', 'Processing', 'Finished'] as const;

/** The state of a batch of requests, as Get Request Status reports it. */
export type BrokerClientStatus = (typeof BROKER_CLIENT_STATUSES)[number];

function unknown(value: string, offset: number): BatchwireError {
  return new BatchwireError(
    'UNKNOWN_STATUS',
    `${JSON.stringify(value.slice(0, 80))} is not a BrokerClientStatus (Unknown, Ready, Processing, Finished or 0-3)`,
    offset,
  );
}

function member(text: string, offset: number): BrokerClientStatus {
  const value = text.trim();
  if (value.length === 1 && value >= '0' && value <= '3') return BROKER_CLIENT_STATUSES[Number(value)]!;
  const lower = value.toLowerCase();
  const found = BROKER_CLIENT_STATUSES.find((name) => name.toLowerCase() === lower);
  if (found === undefined) throw unknown(value, offset);
  return found;
}

function decode(body: Uint8Array, contentType: string | undefined): string {
  const stream = new TextStream(contentType === undefined ? {} : { contentType });
  const text = stream.write(body);
  if (stream.error) throw stream.error;
  const rest = stream.end();
  if (stream.error) throw stream.error;
  return text + rest;
}

/**
 * Reads a Get Request Status body: the JSON number (`Accept: application/json`) or the XML
 * element `<BrokerClientStatus xmlns="http://hpc.microsoft.com">Finished</BrokerClientStatus>`.
 * Member names are matched without regard to case; numbers 0-3 map to the members in order.
 *
 * @param body - the body as bytes (UTF-8, or UTF-16 by BOM, sniffing or `contentType`) or text
 * @param contentType - the response's Content-Type; `json` in it selects the JSON form
 * @throws {@link BatchwireError} `UNKNOWN_STATUS` for any other value or element; `XML_SYNTAX`,
 *   `DOCTYPE_FORBIDDEN`, `INVALID_ENCODING`, `LIMIT_EXCEEDED`, `TRUNCATED` for broken XML
 *
 * @example
 * ```ts
 * import { parseBrokerClientStatus } from 'batchwire/soap';
 * parseBrokerClientStatus('<BrokerClientStatus xmlns="http://hpc.microsoft.com">Finished</BrokerClientStatus>'); // 'Finished'
 * parseBrokerClientStatus('2', 'application/json; charset=utf-8'); // 'Processing'
 * ```
 */
export function parseBrokerClientStatus(
  body: string | Uint8Array | ArrayBuffer,
  contentType?: string,
): BrokerClientStatus {
  const input = body instanceof ArrayBuffer ? new Uint8Array(body) : body;
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      'expected the body as a string, Uint8Array or ArrayBuffer',
      0,
    );
  }
  if (input.length > DEFAULT_LIMITS.maxBodyBytes) {
    throw new BatchwireError(
      'LIMIT_EXCEEDED',
      `a status body is longer than ${DEFAULT_LIMITS.maxBodyBytes}`,
      0,
    );
  }
  const text = typeof input === 'string' ? input : decode(input, contentType);
  const trimmed = text.trim();
  const json = contentType?.toLowerCase().includes('json') === true;
  if (json || !trimmed.startsWith('<')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      if (isBatchwireError(error)) throw error;
      throw unknown(trimmed, 0);
    }
    if (typeof value === 'number' && Number.isInteger(value)) return member(String(value), 0);
    if (typeof value === 'string') return member(value, 0);
    throw unknown(trimmed, 0);
  }
  const root = parseXmlDocument(input, {
    maxDepth: 8,
    ...(contentType === undefined ? {} : { contentType }),
  });
  if (root.name !== 'BrokerClientStatus') {
    throw new BatchwireError(
      'UNKNOWN_STATUS',
      `expected a BrokerClientStatus element, got ${JSON.stringify(root.name)}`,
      0,
    );
  }
  if (root.children.length > 0) throw unknown('(an element with child elements)', 0);
  return member(root.text, 0);
}
