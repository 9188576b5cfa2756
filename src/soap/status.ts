import { decodeBody } from '../core/body.js';
import { BatchwireError, isBatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { ElementText, XmlFeed } from '../core/xml.js';

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

// The status element's text, read in one streaming pass: the root's local name, its direct
// text, and whether it has child elements.
function readStatusXml(body: ReturnType<typeof decodeBody>): {
  name: string;
  text: string;
  children: boolean;
} {
  let name = '';
  let children = false;
  let text = '';
  let collected: ElementText | undefined;
  const feed: XmlFeed = new XmlFeed(
    {
      open(tag, depth) {
        if (depth === 1) {
          name = tag.slice(tag.indexOf(':') + 1);
          collected!.start(1);
        } else children = true;
      },
      close(_tag, depth) {
        if (depth === 1) text = collected!.take();
      },
      text(piece) {
        collected!.add(piece);
      },
    },
    { maxDepth: 8, maxTextLength: DEFAULT_LIMITS.maxTextLength },
  );
  collected = new ElementText(feed, DEFAULT_LIMITS.maxTextLength);
  feed.parseDocument(body);
  return { name, text, children };
}

/**
 * Reads a Get Request Status body: the JSON number (`Accept: application/json`) or the XML
 * element `<BrokerClientStatus xmlns="http://hpc.microsoft.com">Finished</BrokerClientStatus>`.
 * Member names are matched without regard to case; numbers 0-3 map to the members in order.
 *
 * @param body - the body as bytes (UTF-8, or UTF-16 by BOM, sniffing or `contentType`) or text
 * @param contentType - the response's Content-Type; `json` in it selects the JSON form, `xml` the XML
 *   form (otherwise a body that starts with `<` is XML)
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
  body: string | Uint8Array | ArrayBuffer | ArrayBufferView,
  contentType?: string,
): BrokerClientStatus {
  if (contentType !== undefined && contentType !== null && typeof contentType !== 'string') {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      `parseBrokerClientStatus: contentType must be a string, got ${typeof contentType}`,
      0,
    );
  }
  const type = contentType ?? undefined;
  const decoded = decodeBody(body, type, DEFAULT_LIMITS.maxBodyBytes);
  const trimmed = decoded.text.trim();
  const lower = type?.toLowerCase();
  const json = lower?.includes('json') === true;
  // An XML Content-Type means XML, whatever the body starts with; without one, the body says.
  const xml = !json && lower?.includes('xml') === true;
  if (json || (!xml && !trimmed.startsWith('<'))) {
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
  const root = readStatusXml(decoded);
  if (root.name !== 'BrokerClientStatus') {
    throw new BatchwireError(
      'UNKNOWN_STATUS',
      `expected a BrokerClientStatus element, got ${JSON.stringify(root.name.slice(0, 80))}`,
      0,
    );
  }
  if (root.children) throw unknown('(an element with child elements)', 0);
  return member(root.text, 0);
}
